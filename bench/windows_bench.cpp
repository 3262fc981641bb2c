// `spymaster bench windows [--scale S] [--repeat N] [--raw-lake DIR]`: the baseline of the Python package's
// spymaster.windows() (python/tools/bench_windows.py compares with it): one ES hour's bronze (written
// first, untimed), then from it (1) the engine alone, the records the silver stage reads driving
// engine::Engine with every window dropped (no Parquet, no Arrow), and (2) commands::WindowStream drained,
// the engine and the windows' silver and gold Arrow batches, one window a batch and 60 (batch_windows), the
// C++ that windows() wraps, without Python.
// Records/s per CPU second (the shared machine's steady figure) and per wall second.
#include <arrow/record_batch.h>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "bench/bench_command.hpp"
#include "bench/es_hour.hpp"
#include "bench/timing.hpp"
#include "commands/window_stream.hpp"
#include "common/standard_output.hpp"
#include "engine/engine.hpp"
#include "lake/registry.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/session.hpp"
#include "source/mbo_records.hpp"

namespace spymaster::bench {
namespace {

// The window stream's other batch size: a minute of windows per batch.
constexpr int kBatchWindows = 60;

struct Args {
  double scale = 1.0;
  int repeat = 3;
  std::string raw_lake;
};

void Print(const char* what, int64_t records, int64_t windows, const Timing& t) {
  PrintStdout(
      "{}: {} records, {} windows; best cpu {:.3f} s = {:.2f} M records/s/core; best wall {:.3f} s = "
      "{:.2f} M records/s\n",
      what, records, windows, t.cpu, double(records) / t.cpu / 1e6, t.wall, double(records) / t.wall / 1e6);
}

void Run(const Args& args) {
  const BenchEsHour hour("windows", args.scale, args.raw_lake);
  const auto registry = lake::DatasetRegistry::LoadDefault();
  const std::string dt(BenchEsHour::kDt);
  const auto lake = hour.ScratchLake();
  pipeline::RunBronzeFutureMbo({lake, registry, false}, {lake::ProductType::kFutureMbo, "ES", dt});

  const pipeline::StageContext ctx{.lake_root = lake, .registry = registry};
  const pipeline::SessionBounds session =
      pipeline::SessionBoundsNs(dt, ctx.session_start_minute, ctx.session_end_minute);
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  int64_t records = 0, windows = 0;
  const Timing engine_alone = BestOf(args.repeat, [&] {
    windows = 0;
    auto source =
        source::OpenMboRecords(pipeline::RecordRequestOf(ctx, {lake::ProductType::kFutureMbo, "ESH6", dt}), nullptr);
    engine::Engine engine(engine::FutureMboConfig(), options, [&](const engine::WindowPtr&) { ++windows; });
    records = engine::Drive(*source, engine);
  });
  Print("engine alone from bronze (windows dropped)", records, windows, engine_alone);

  commands::WindowStreamArgs stream_args;
  stream_args.product_type = "future_mbo";
  stream_args.symbol = "ESH6";
  stream_args.dt = dt;
  stream_args.lake = lake.string();
  for (const int batch_windows : {1, kBatchWindows}) {
    stream_args.batch_windows = batch_windows;
    int64_t rows = 0;
    const Timing stream = BestOf(args.repeat, [&] {
      rows = 0;
      commands::WindowStream s(stream_args);
      while (auto tables = s.Next()) {
        for (const auto& t : *tables) rows += t.batch->num_rows();
      }
      const auto counters = s.Counters();
      records = counters.at("records");
      windows = counters.at("windows");
    });
    Print(
        fmt::format("window stream from bronze, {} window(s) a batch (engine + Arrow batches)", batch_windows).c_str(),
        records, windows, stream);
    PrintStdout("  {} rows in the batches per run\n", rows);
  }
}

}  // namespace

void AddWindowsBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand(
      "windows", "The engine alone and the window stream (what Python windows() wraps) on one ES hour's bronze");
  AddEsHourOptions(*cmd, args->scale, args->repeat, args->raw_lake);
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
