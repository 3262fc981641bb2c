// `spymaster live`: the Databento Live API through our DBN codec (src/ingest/live_client.hpp), optionally
// recorded to a raw DBN file, optionally driving the engine (--engine-symbol) and printing each closed
// window's book snapshot as a JSON line. The API key comes only from DATABENTO_API_KEY.
//
// The engine is fed through source::PushMboFeed with exactly the bytes the recorder writes (the first
// session's metadata, then every delivered record once): the same routing and normalization as
// `run --source raw` on that file, so the windows are the lake's.
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/live_engine.hpp"
#include "cli/live_options.hpp"
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "dbn/enums.hpp"
#include "engine/engine.hpp"
#include "ingest/api_key.hpp"
#include "ingest/live_client.hpp"
#include "ingest/live_recorder.hpp"
#include "lake/interrupt.hpp"
#include "pipeline/session.hpp"

namespace spymaster::cli {
namespace {

struct LiveArgs {
  LiveCliOptions live;
  std::string record;
  std::int64_t max_records = 0;
  std::string engine_symbol;  // e.g. ESH6: drive the future_mbo engine for this contract
  std::string dt;
  std::string session_start = "09:30";
  std::string session_end = "10:30";
};

void PrintWindow(const engine::WindowResult& w) {
  const engine::SnapshotRow& s = w.snapshot;
  PrintStdout(
      "{{\"window_start_ts_ns\":{},\"window_end_ts_ns\":{},\"best_bid_price_int\":{},\"best_bid_qty\":{},"
      "\"best_ask_price_int\":{},\"best_ask_qty\":{},\"mid_price_int\":{},\"last_trade_price_int\":{},"
      "\"spot_ref_price_int\":{},\"book_valid\":{},\"window_valid\":{},\"depth_flow_rows\":{}}}\n",
      s.window_start_ts_ns, s.window_end_ts_ns, s.best_bid_price_int, s.best_bid_qty, s.best_ask_price_int,
      s.best_ask_qty, s.mid_price_int, s.last_trade_price_int, s.spot_ref_price_int, s.book_valid, s.window_valid,
      w.depth_flow.size());
}

LiveEngineOptions EngineOptions(const LiveArgs& a) {
  if (a.dt.empty()) throw UsageError("--dt: required with --engine-symbol (the session date)");
  WithUsageErrors("--dt", [&] { return common::ParseDate(a.dt); });
  const int start = WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(a.session_start); });
  const int end = WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(a.session_end); });
  const auto bounds =
      WithUsageErrors("--session-start/--session-end", [&] { return pipeline::SessionBoundsNs(a.dt, start, end); });
  LiveEngineOptions o;
  o.symbol = a.engine_symbol;
  o.dt = a.dt;
  o.session_start_ns = bounds.start_ns;
  o.session_end_ns = bounds.end_ns;
  o.compute_gold = false;
  o.close_grace_ns = int64_t{a.live.close_grace_ms} * 1'000'000;
  return o;
}

void RunLive(LiveArgs& a) {
  const ingest::LiveOptions options = ResolveLiveOptions(a.live);
  if (a.max_records < 0) throw UsageError("--max-records: must be >= 0");
  const std::string key = ingest::ApiKeyFromEnvironment();
  std::optional<LiveEngine> live_engine;
  if (!a.engine_symbol.empty())
    live_engine.emplace(EngineOptions(a), [](const engine::WindowPtr& w) { PrintWindow(*w); });
  std::optional<ingest::LiveRecorder> recorder;
  if (!a.record.empty()) recorder.emplace(a.record);
  lake::InstallInterruptHandlers();

  ingest::LiveClient client(options, key);
  if (live_engine) {
    client.set_tick_handler([&] { live_engine->OnTick(); });
    client.set_status_handler([&](const std::string& state, const std::string&) {
      if (state != "live") live_engine->OnDisconnect();
    });
  }
  std::map<std::string, std::int64_t> by_rtype;
  std::int64_t data_records = 0;
  try {
    client.Run(
        [&](const dbn::Metadata& md, const dbn::RecordRef& rec) {
          by_rtype[fmt::format("0x{:02x}", static_cast<unsigned>(rec.rtype()))]++;
          if (live_engine) live_engine->OnRecord(md, rec);
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
  if (live_engine) live_engine->Finish();
  const ingest::LiveStats& s = client.stats();
  // Summaries on stderr when windows go to stdout as JSON lines.
  auto print = [&](const std::string& text) {
    if (live_engine) {
      std::fputs(text.c_str(), stderr);
    } else {
      WriteStdout(text);
    }
  };
  print(fmt::format("live: {} records delivered, {} replayed duplicates skipped, {} reconnects, {} gaps ({} ns)\n",
                    s.records, s.replay_duplicates, s.reconnects, s.gaps, s.gap_ns));
  for (const auto& [rtype, n] : by_rtype) print(fmt::format("  rtype {}: {}\n", rtype, n));
}

}  // namespace

void AddLiveCommand(CLI::App& app) {
  auto a = std::make_shared<LiveArgs>();
  CLI::App* cmd =
      app.add_subcommand("live", "Databento Live API: CRAM auth, subscribe, decode (and record) the DBN stream");
  AddLiveSubscriptionOptions(*cmd, a->live)->required();
  AddLiveConnectionOptions(*cmd, a->live);
  cmd->add_option("--record", a->record, "Write the stream to this new raw DBN file (readable after a crash)");
  cmd->add_option("--max-records", a->max_records, "Stop after this many market-data records (0: run until Ctrl-C)")
      ->capture_default_str();
  cmd->add_option("--engine-symbol", a->engine_symbol,
                  "Drive the future_mbo engine for this contract (e.g. ESH6) and print each window as a JSON line");
  cmd->add_option("--dt", a->dt, "Session date YYYY-MM-DD for --engine-symbol");
  cmd->add_option("--session-start", a->session_start, "Session start, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--session-end", a->session_end, "Session end, America/New_York HH:MM")->capture_default_str();
  cmd->callback([a] { RunLive(*a); });
}

}  // namespace spymaster::cli
