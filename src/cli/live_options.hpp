// The Live client's command-line options, shared by `spymaster live` and `spymaster serve --live`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ingest/live_client.hpp"

namespace spymaster::cli {

struct LiveCliOptions {
  ingest::LiveOptions client;
  std::string symbols;  // comma-separated
  std::string gateway;  // HOST:PORT
  int close_grace_ms = 250;
};

// Adds --dataset --schema --symbols --stype --start --gateway --max-reconnects --reconnect-delay
// --heartbeat --close-grace-ms; returns the --symbols option (a command may make it required).
CLI::Option* AddLiveClientOptions(CLI::App& cmd, LiveCliOptions& options);

// The client options with the symbol list and the gateway address parsed; throws UsageError.
ingest::LiveOptions ResolveLiveOptions(const LiveCliOptions& options);

}  // namespace spymaster::cli
