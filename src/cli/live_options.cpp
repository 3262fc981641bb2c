#include "cli/live_options.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace spymaster::cli {

void AddLiveConnectionOptions(CLI::App& cmd, LiveCliOptions& a) {
  cmd.add_option("--start", a.client.start, "Intraday replay start of the first Live session (ns or ISO-8601)");
  cmd.add_option("--max-reconnects", a.client.max_reconnects, "Consecutive failed reconnects before giving up")
      ->capture_default_str();
  cmd.add_option("--reconnect-delay", a.client.first_backoff_s, "First reconnect delay, seconds (doubles, max 30)")
      ->capture_default_str();
  cmd.add_option("--heartbeat", a.client.heartbeat_interval_s,
                 "Heartbeat interval asked of the gateway; silence for this + 5 s means a dead connection")
      ->capture_default_str();
  cmd.add_option("--close-grace-ms", a.close_grace_ms,
                 "Live window clock: close an idle window this long after the gateway's clock passed its end")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
}

CLI::Option* AddLiveSubscriptionOptions(CLI::App& cmd, LiveCliOptions& a) {
  cmd.add_option("--dataset", a.client.dataset, "Live dataset, e.g. GLBX.MDP3")->capture_default_str();
  cmd.add_option("--schema", a.schema, "Live schema, e.g. mbo")->capture_default_str();
  CLI::Option* symbols = cmd.add_option("--symbols", a.symbols, "Live symbols, comma-separated, e.g. ES.FUT");
  cmd.add_option("--stype", a.stype, "Input symbology: parent, raw_symbol, continuous, instrument_id")
      ->capture_default_str();
  cmd.add_option("--gateway", a.gateway, "Live gateway HOST:PORT (default <dataset>.lsg.databento.com:13000)");
  return symbols;
}

std::pair<std::string, int> ParseGateway(const std::string& text, const std::string& option) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError(option + ": HOST:PORT");
  try {
    return {text.substr(0, colon), std::stoi(text.substr(colon + 1))};
  } catch (const std::exception&) {
    throw UsageError(option + ": bad port in '" + text + "'");
  }
}

ingest::LiveOptions ResolveLiveOptions(const LiveCliOptions& a) {
  ingest::LiveOptions o = a.client;
  ingest::LiveSubscription sub{a.schema, a.stype, {}};
  for (std::size_t pos = 0; pos <= a.symbols.size();) {
    const std::size_t comma = std::min(a.symbols.find(',', pos), a.symbols.size());
    if (comma > pos) sub.symbols.push_back(a.symbols.substr(pos, comma - pos));
    pos = comma + 1;
  }
  if (sub.symbols.empty()) throw UsageError("--symbols: required, e.g. ES.FUT");
  o.subscriptions = {std::move(sub)};
  if (!a.gateway.empty()) std::tie(o.host, o.port) = ParseGateway(a.gateway, "--gateway");
  return o;
}

}  // namespace spymaster::cli
