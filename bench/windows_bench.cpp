// `spymaster bench windows [--scale S] [--repeat N] [--raw-lake DIR] [--product-type PT]`: the baseline of
// the Python package's spymaster.windows() (python/tools/bench_windows.py compares with it): one hour's
// bronze (written first, untimed; ES futures by default, or ES options or SPY options with their underlying,
// whose raw files --raw-lake must hold), then from it (1) the engine alone, the records the silver stage
// reads driving the product's engine (engine::Engine, OptionEngine, QuoteOptionEngine; silver and gold rows
// computed) with every window dropped (no Parquet, no Arrow), (2) commands::WindowStream drained, the engine
// and the windows' silver and gold Arrow batches, the C++ that windows() wraps, without Python: one window a
// batch, 32 (the chunk windows() imports when a step takes fewer) and 60 (batch_windows), and (3) the store
// floor: the least those batches' values cost beyond the engine's own rows, whatever computes them.
// Records/s per CPU second (the shared machine's steady figure) and per wall second.
#include <arrow/api.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/es_hour.hpp"
#include "bench/timing.hpp"
#include "commands/window_stream.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "engine/engine.hpp"
#include "engine/option_engine.hpp"
#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/session.hpp"
#include "source/mbo_records.hpp"
#include "source/option_records.hpp"

namespace spymaster::bench {
namespace {

// The window stream's other batch size besides one window and windows()'s chunk (commands::kChunkWindows):
// a minute of windows.
constexpr int kBatchWindows = 60;

struct Args {
  double scale = 1.0;
  int repeat = 3;
  std::string raw_lake;
  std::string product_type = "future_mbo";
};

void Print(const char* what, int64_t records, int64_t windows, const Timing& t) {
  PrintStdout(
      "{}: {} records, {} windows; best cpu {:.3f} s = {:.2f} M records/s/core; best wall {:.3f} s = "
      "{:.2f} M records/s\n",
      what, records, windows, t.cpu, double(records) / t.cpu / 1e6, t.wall, double(records) / t.wall / 1e6);
}

// The bytes of a batch's values: fixed-width columns and strings' offsets and characters (no validity).
int64_t ValueBytes(const arrow::RecordBatch& batch) {
  int64_t bytes = 0;
  for (const auto& column : batch.columns()) {
    if (column->type_id() == arrow::Type::STRING) {
      const auto& strings = static_cast<const arrow::StringArray&>(*column);
      bytes += 4 * (strings.length() + 1) + strings.total_values_length();
    } else if (arrow::is_fixed_width(column->type_id())) {
      bytes += column->length() * static_cast<const arrow::FixedWidthType&>(*column->type()).bit_width() / 8;
    } else {
      throw Error(ErrorKind::kData, fmt::format("no value size for a column of type {}", column->type()->ToString()));
    }
  }
  return bytes;
}

// The store floor: a window's share of the batches' bytes stored with memset (the cheapest stores there are)
// into the next rows of 32-window slabs, two alternating (as while Python holds the step before: the
// chunk windows() imports), against the same bytes stored into one window's memory each time, in cache as
// the engine's reused rows are. The difference is what any producer of distinct rows for every window pays
// over an engine that drops them; the window stream cannot cost less than the engine alone plus it.
void PrintStoreFloor(int64_t bytes, int64_t windows, int repeat, const Timing& engine_alone) {
  constexpr int64_t kChunk = commands::kChunkWindows;
  const int64_t per_window = bytes / windows;
  std::vector<std::vector<char>> slabs(2, std::vector<char>(static_cast<std::size_t>(per_window * kChunk), 1));
  auto store = [&](char* to, int64_t w) {
    std::memset(to, static_cast<int>(w), static_cast<std::size_t>(per_window));
    asm volatile("" : : "r"(to) : "memory");  // the stores are the measurement: keep them
  };
  const Timing fresh = BestOf(repeat, [&] {
    for (int64_t w = 0; w < windows; ++w) store(slabs[(w / kChunk) % 2].data() + (w % kChunk) * per_window, w);
  });
  const Timing cached = BestOf(repeat, [&] {
    for (int64_t w = 0; w < windows; ++w) store(slabs[0].data(), w);
  });
  PrintStdout(
      "store floor: {:.0f} MB of batch values ({} bytes a window) stored into fresh slab rows cpu {:.1f} ms, into one "
      "cached window's {:.1f} ms: {:.1f} ms more = {:.1f} % of the engine alone\n",
      double(bytes) / 1e6, per_window, fresh.cpu * 1e3, cached.cpu * 1e3, (fresh.cpu - cached.cpu) * 1e3,
      100.0 * (fresh.cpu - cached.cpu) / engine_alone.cpu);
}

// The product's bronze (its underlying's too, for options) in `lake`, and the symbol its stream reads.
std::string WriteBronze(const pipeline::StageContext& ctx, lake::ProductType product, const std::string& dt) {
  switch (product) {
    case lake::ProductType::kFutureMbo:
      pipeline::RunBronzeFutureMbo(ctx, {product, "ES", dt});
      return "ESH6";
    case lake::ProductType::kFutureOptionMbo:
      pipeline::RunBronzeFutureMbo(ctx, {lake::ProductType::kFutureMbo, "ES", dt});
      pipeline::RunBronzeFutureOptionMbo(ctx, {product, "ES", dt});
      return "ESH6";
    case lake::ProductType::kEquityOptionMbo:
      pipeline::RunBronzeEquityMbo(ctx, {lake::ProductType::kEquityMbo, "SPY", dt});
      pipeline::RunBronzeEquityOptionCmbp1(ctx, {product, "SPY", dt});
      return "SPY";
    default:
      throw UsageError("--product-type: one of future_mbo, future_option_mbo, equity_option_mbo");
  }
}

// The engine alone: the records the silver stage reads driving the product's engine, windows counted and
// dropped. Returns the records.
int64_t DriveEngine(const pipeline::StageContext& ctx, const pipeline::Task& task, const engine::EngineOptions& options,
                    int64_t& windows) {
  if (task.product_type == lake::ProductType::kFutureMbo) {
    auto source = source::OpenMboRecords(pipeline::RecordRequestOf(ctx, task), nullptr);
    engine::Engine engine(engine::FutureMboConfig(), options, [&](const engine::WindowPtr&) { ++windows; });
    return engine::Drive(*source, engine);
  }
  source::OptionRecords opened = source::OpenOptionRecords(pipeline::RecordRequestOf(ctx, task), nullptr);
  const pipeline::OptionProduct& p = pipeline::OptionProductOf(task.product_type);
  auto sink = [&](const engine::OptionWindowPtr&) { ++windows; };
  if (task.product_type == lake::ProductType::kFutureOptionMbo) {
    engine::OptionEngine engine(p.underlying, p.grid, options, std::move(opened.instruments), sink);
    return engine::Drive(*opened.records, engine);
  }
  engine::QuoteOptionEngine engine(p.underlying, p.grid, options, std::move(opened.instruments), sink);
  return engine::Drive(*opened.records, engine);
}

void Run(const Args& args) {
  const auto product = lake::ParseProductType(args.product_type);
  if (!product) throw UsageError(fmt::format("--product-type: '{}' is not a product type", args.product_type));
  const BenchEsHour hour("windows", args.scale, args.raw_lake);
  const auto registry = lake::DatasetRegistry::LoadDefault();
  const std::string dt(BenchEsHour::kDt);
  const auto lake = hour.ScratchLake();
  const std::string symbol = WriteBronze({lake, registry, false}, *product, dt);

  const pipeline::StageContext ctx{.lake_root = lake, .registry = registry};
  const pipeline::SessionBounds session =
      pipeline::SessionBoundsNs(dt, ctx.session_start_minute, ctx.session_end_minute);
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  int64_t records = 0, windows = 0;
  const Timing engine_alone = BestOf(args.repeat, [&] {
    windows = 0;
    records = DriveEngine(ctx, {*product, symbol, dt}, options, windows);
  });
  Print("engine alone from bronze (windows dropped)", records, windows, engine_alone);

  commands::WindowStreamArgs stream_args;
  stream_args.product_type = args.product_type;
  stream_args.symbol = symbol;
  stream_args.dt = dt;
  stream_args.lake = lake.string();
  int64_t bytes = 0;
  for (const int batch_windows : {1, commands::kChunkWindows, kBatchWindows}) {
    stream_args.batch_windows = batch_windows;
    int64_t rows = 0;
    const Timing stream = BestOf(args.repeat, [&] {
      rows = bytes = 0;
      commands::WindowStream s(stream_args);
      while (auto tables = s.Next()) {
        for (const auto& t : *tables) {
          rows += t.batch->num_rows();
          if (batch_windows == kBatchWindows) bytes += ValueBytes(*t.batch);
        }
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
  PrintStoreFloor(bytes, windows, args.repeat, engine_alone);
}

}  // namespace

void AddWindowsBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand(
      "windows", "The engine alone and the window stream (what Python windows() wraps) on one hour's bronze");
  AddEsHourOptions(*cmd, args->scale, args->repeat, args->raw_lake);
  cmd->add_option("--product-type", args->product_type,
                  "future_mbo (ES), future_option_mbo (ES options) or equity_option_mbo (SPY options; --raw-lake "
                  "with their raw files and their underlying's)")
      ->capture_default_str();
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
