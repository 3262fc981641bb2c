// The Live client's command-line options, shared by `spymaster live` and `spymaster serve --live-feed`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <utility>

#include "ingest/live_client.hpp"

namespace spymaster::cli {

struct LiveCliOptions {
  ingest::LiveOptions client;
  // `spymaster live` only (serve derives its subscriptions from its feeds):
  std::string schema = "mbo";
  std::string stype = "parent";
  std::string symbols;  // comma-separated
  std::string gateway;  // HOST:PORT
  int close_grace_ms = 250;
};

// Adds --start --max-reconnects --reconnect-delay --heartbeat --close-grace-ms.
void AddLiveConnectionOptions(CLI::App& cmd, LiveCliOptions& options);

// Adds --dataset --schema --symbols --stype --gateway (one subscription on one gateway); returns the
// --symbols option (a command may make it required).
CLI::Option* AddLiveSubscriptionOptions(CLI::App& cmd, LiveCliOptions& options);

// The client options with the one subscription and the gateway address parsed; throws UsageError.
ingest::LiveOptions ResolveLiveOptions(const LiveCliOptions& options);

// "HOST:PORT" → (host, port); throws UsageError naming `option`.
std::pair<std::string, int> ParseGateway(const std::string& text, const std::string& option);

}  // namespace spymaster::cli
