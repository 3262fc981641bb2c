// `spymaster live`: the Databento Live API through our DBN codec (src/ingest/live_client.hpp), optionally
// recorded to a raw DBN file. The API key comes only from DATABENTO_API_KEY.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "dbn/enums.hpp"
#include "ingest/api_key.hpp"
#include "ingest/live_client.hpp"
#include "ingest/live_recorder.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::cli {
namespace {

struct LiveArgs {
  ingest::LiveOptions options;
  std::string symbols;
  std::string gateway;
  std::string record;
  std::int64_t max_records = 0;
};

void RunLive(LiveArgs& a) {
  for (std::size_t pos = 0; pos <= a.symbols.size();) {
    const std::size_t comma = std::min(a.symbols.find(',', pos), a.symbols.size());
    if (comma > pos) a.options.symbols.push_back(a.symbols.substr(pos, comma - pos));
    pos = comma + 1;
  }
  if (a.options.symbols.empty()) throw UsageError("--symbols: required, e.g. ES.FUT");
  if (!a.gateway.empty()) {
    const auto colon = a.gateway.rfind(':');
    if (colon == std::string::npos) throw UsageError("--gateway: HOST:PORT");
    a.options.host = a.gateway.substr(0, colon);
    try {
      a.options.port = std::stoi(a.gateway.substr(colon + 1));
    } catch (const std::exception&) {
      throw UsageError("--gateway: bad port in '" + a.gateway + "'");
    }
  }
  if (a.max_records < 0) throw UsageError("--max-records: must be >= 0");
  const std::string key = ingest::ApiKeyFromEnvironment();
  std::optional<ingest::LiveRecorder> recorder;
  if (!a.record.empty()) recorder.emplace(a.record);
  lake::InstallInterruptHandlers();

  ingest::LiveClient client(a.options, key);
  std::map<std::string, std::int64_t> by_rtype;
  std::int64_t data_records = 0;
  try {
    client.Run(
        [&](const dbn::Metadata& md, const dbn::RecordRef& rec) {
          by_rtype[fmt::format("0x{:02x}", static_cast<unsigned>(rec.rtype()))]++;
          if (rec.rtype() == dbn::RType::kSystem) return true;  // heartbeats and acks: not market data
          if (recorder) recorder->Write(md, rec);
          if (rec.rtype() != dbn::RType::kError && rec.rtype() != dbn::RType::kSymbolMapping) ++data_records;
          return a.max_records == 0 || data_records < a.max_records;
        },
        [&] {
          if (recorder) recorder->Flush();
        });
  } catch (...) {
    if (recorder) recorder->Flush();
    throw;
  }
  if (recorder) recorder->Flush();
  const ingest::LiveStats& s = client.stats();
  PrintStdout("live: {} records delivered, {} replayed duplicates skipped, {} reconnects, {} gaps ({} ns)\n", s.records,
              s.replay_duplicates, s.reconnects, s.gaps, s.gap_ns);
  for (const auto& [rtype, n] : by_rtype) PrintStdout("  rtype {}: {}\n", rtype, n);
}

}  // namespace

void AddLiveCommand(CLI::App& app) {
  auto a = std::make_shared<LiveArgs>();
  CLI::App* cmd =
      app.add_subcommand("live", "Databento Live API: CRAM auth, subscribe, decode (and record) the DBN stream");
  cmd->add_option("--dataset", a->options.dataset, "Dataset, e.g. GLBX.MDP3")->capture_default_str();
  cmd->add_option("--schema", a->options.schema, "Schema, e.g. mbo")->capture_default_str();
  cmd->add_option("--symbols", a->symbols, "Symbols, comma-separated, e.g. ES.FUT")->required();
  cmd->add_option("--stype", a->options.stype_in, "Input symbology: parent, raw_symbol, continuous, instrument_id")
      ->capture_default_str();
  cmd->add_option("--start", a->options.start, "Intraday replay start of the first session (ns or ISO-8601)");
  cmd->add_option("--gateway", a->gateway, "HOST:PORT (default <dataset>.lsg.databento.com:13000)");
  cmd->add_option("--record", a->record, "Write the stream to this new raw DBN file (readable after a crash)");
  cmd->add_option("--max-records", a->max_records, "Stop after this many market-data records (0: run until Ctrl-C)")
      ->capture_default_str();
  cmd->add_option("--max-reconnects", a->options.max_reconnects, "Consecutive failed reconnects before giving up")
      ->capture_default_str();
  cmd->add_option("--reconnect-delay", a->options.first_backoff_s, "First reconnect delay, seconds (doubles, max 30)")
      ->capture_default_str();
  cmd->add_option("--heartbeat", a->options.heartbeat_interval_s,
                  "Heartbeat interval asked of the gateway; silence for this + 5 s means a dead connection")
      ->capture_default_str();
  cmd->callback([a] { RunLive(*a); });
}

}  // namespace spymaster::cli
