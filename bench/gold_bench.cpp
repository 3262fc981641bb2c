// `spymaster bench gold [--windows N]`: gold alone, one window at a time of the dense 802-cell futures
// surface (EMAs, smoothing, obstacles) from ~150 silver rows, in µs per window and cells/s on one core.
// `bench engine` measures gold inside the whole engine; this isolates it from the book and silver.
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/timing.hpp"
#include "common/standard_output.hpp"
#include "engine/gold_state.hpp"
#include "engine/rows.hpp"

namespace spymaster::bench {
namespace {

struct Args {
  int64_t windows = 20'000;
  int repeat = 3;
};

// A window's silver rows: 151 cells around the spot with depth and some flow.
std::vector<engine::DepthFlowRow> SilverRows() {
  std::vector<engine::DepthFlowRow> rows;
  for (int32_t rel = -75; rel <= 75; ++rel) {
    engine::DepthFlowRow r;
    r.side = rel < 0 ? 'B' : 'A';
    r.rel_ticks = rel;
    r.rel_ticks_side = rel;
    r.depth_qty_start = 20 + rel % 7;
    r.depth_qty_end = 22 + rel % 5;
    r.add_qty = 3;
    r.pull_qty_total = 2;
    r.depth_qty_rest = 10;
    rows.push_back(r);
  }
  return rows;
}

void Run(const Args& args) {
  constexpr int32_t kHalfWidth = 200;  // futures: ±200 ticks, 802 cells with both sides
  const std::vector<engine::DepthFlowRow> rows = SilverRows();
  engine::GoldSurface out;
  double sink = 0;
  const Timing t = BestOf(args.repeat, [&] {
    engine::GoldState gold(kHalfWidth);
    engine::SnapshotRow snapshot;
    snapshot.spot_ref_price_int = 6'000'000'000'000;
    for (int64_t w = 0; w < args.windows; ++w) {
      snapshot.window_end_ts_ns += 1'000'000'000;
      gold.OnWindow(snapshot, rows, out);
      sink += out.values[0][out.size() / 2];
    }
  });
  const double cells = static_cast<double>(args.windows) * static_cast<double>(out.size());
  PrintStdout(
      "gold: {} windows of {} cells from {} silver rows; best cpu {:.3f} s = {:.2f} µs/window = "
      "{:.2f} M cells/s/core; best wall {:.3f} s\n",
      args.windows, out.size(), rows.size(), t.cpu, t.cpu / static_cast<double>(args.windows) * 1e6,
      cells / t.cpu / 1e6, t.wall);
  if (sink == 42.0) PrintStdout("\n");  // keeps the loop observable
}

}  // namespace

void AddGoldBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand("gold", "Gold alone: one 802-cell futures window at a time");
  cmd->add_option("--windows", args->windows, "Windows per run")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}));
  cmd->add_option("--repeat", args->repeat, "Runs; the best is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
