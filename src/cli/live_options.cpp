#include "cli/live_options.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace spymaster::cli {

CLI::Option* AddLiveClientOptions(CLI::App& cmd, LiveCliOptions& a) {
  cmd.add_option("--dataset", a.client.dataset, "Live dataset, e.g. GLBX.MDP3")->capture_default_str();
  cmd.add_option("--schema", a.client.schema, "Live schema, e.g. mbo")->capture_default_str();
  CLI::Option* symbols = cmd.add_option("--symbols", a.symbols, "Live symbols, comma-separated, e.g. ES.FUT");
  cmd.add_option("--stype", a.client.stype_in, "Input symbology: parent, raw_symbol, continuous, instrument_id")
      ->capture_default_str();
  cmd.add_option("--start", a.client.start, "Intraday replay start of the first Live session (ns or ISO-8601)");
  cmd.add_option("--gateway", a.gateway, "Live gateway HOST:PORT (default <dataset>.lsg.databento.com:13000)");
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
  return symbols;
}

ingest::LiveOptions ResolveLiveOptions(const LiveCliOptions& a) {
  ingest::LiveOptions o = a.client;
  o.symbols.clear();
  for (std::size_t pos = 0; pos <= a.symbols.size();) {
    const std::size_t comma = std::min(a.symbols.find(',', pos), a.symbols.size());
    if (comma > pos) o.symbols.push_back(a.symbols.substr(pos, comma - pos));
    pos = comma + 1;
  }
  if (o.symbols.empty()) throw UsageError("--symbols: required, e.g. ES.FUT");
  if (!a.gateway.empty()) {
    const auto colon = a.gateway.rfind(':');
    if (colon == std::string::npos) throw UsageError("--gateway: HOST:PORT");
    o.host = a.gateway.substr(0, colon);
    try {
      o.port = std::stoi(a.gateway.substr(colon + 1));
    } catch (const std::exception&) {
      throw UsageError("--gateway: bad port in '" + a.gateway + "'");
    }
  }
  return o;
}

}  // namespace spymaster::cli
