// Engine throughput on a synthetic ES hour (5 M MBO events, 3600 one-second windows): book + silver, and
// book + silver + gold (802-cell dense surface per window). Reported as MBO events/s/core.
#include <benchmark/benchmark.h>

#include "engine/engine.hpp"
#include "engine/synthetic_stream.hpp"

namespace {

using spymaster::engine::Engine;
using spymaster::engine::EngineOptions;
using spymaster::engine::FutureMboConfig;

const std::vector<spymaster::book::MboEvent>& Stream() {
  static const auto events = spymaster::engine::SyntheticMboStream({});
  return events;
}

void RunEngine(benchmark::State& state, bool gold) {
  const auto& events = Stream();
  const spymaster::engine::SyntheticStreamOptions defaults;
  EngineOptions o;
  o.session_start_ns = defaults.start_ns;
  o.session_end_ns = defaults.start_ns + defaults.duration_ns;
  o.compute_gold = gold;
  int64_t rows = 0;
  for (auto _ : state) {
    Engine engine(FutureMboConfig(), o, [&](const spymaster::engine::WindowPtr& r_ptr) {
    const spymaster::engine::WindowResult& r = *r_ptr;
      rows += static_cast<int64_t>(r.depth_flow.size() + r.gold.size());
    });
    for (const auto& e : events) engine.OnEvent(e);
    engine.Finish();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["rows_per_run"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
}

void BM_EngineBookSilver(benchmark::State& state) { RunEngine(state, false); }
void BM_EngineBookSilverGold(benchmark::State& state) { RunEngine(state, true); }
BENCHMARK(BM_EngineBookSilver)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_EngineBookSilverGold)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

// Gold alone: one window of the dense 802-cell futures surface from ~150 silver rows.
void BM_GoldWindow(benchmark::State& state) {
  spymaster::engine::GoldState gold(200);
  std::vector<spymaster::engine::DepthFlowRow> rows;
  for (int32_t rel = -75; rel <= 75; ++rel) {
    spymaster::engine::DepthFlowRow r;
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
  spymaster::engine::GoldSurface out;
  spymaster::engine::SnapshotRow snapshot;
  snapshot.spot_ref_price_int = 6'000'000'000'000;
  for (auto _ : state) {
    snapshot.window_end_ts_ns += 1'000'000'000;
    gold.OnWindow(snapshot, rows, out);
    benchmark::DoNotOptimize(out.values[0].data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GoldWindow);
