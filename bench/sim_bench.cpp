// Synthetic-day throughput: the whole default day (all four products, DBN zstd written), and the ESH6
// order-book generator alone (no encoding).
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <benchmark/benchmark.h>

#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/mbo_generator.hpp"
#include "sim/scenario.hpp"
#include "sim/session.hpp"
#include "sim/simulate.hpp"

namespace spymaster::sim {
namespace {

void BM_SimulateDefaultDay(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("spymaster-sim-bench-" + std::to_string(getpid()));
  std::uint64_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    SimOptions o;
    o.lake = dir;
    o.scale = static_cast<double>(state.range(0));
    state.ResumeTiming();
    records += Simulate(o).records;
  }
  std::filesystem::remove_all(dir);
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
}
BENCHMARK(BM_SimulateDefaultDay)->Arg(1)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

void BM_EsFrontGenerator(benchmark::State& state) {
  const Session session = MakeSession("2026-01-06", "09:30", "10:30", ParseScenario(DefaultScenarioJson(), "default"));
  const MarketPath path(session, 1);
  const auto plans = PlanDay(session, path, {ProductType::kFutureMbo});
  const Instrument& es = plans[0].instruments[0];
  std::vector<dbn::MboMsg> out;
  out.reserve(1 << 12);
  std::uint64_t records = 0;
  for (auto _ : state) {
    MboGenerator gen(es, path, session, 1.0, Rng(1, 1), 1);
    while (gen.next_ts() != std::numeric_limits<std::uint64_t>::max()) {
      gen.Step(out);
      records += out.size();
      out.clear();
    }
  }
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
}
BENCHMARK(BM_EsFrontGenerator)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_MarketPath(benchmark::State& state) {
  const Session session = MakeSession("2026-01-06", "09:30", "10:30", ParseScenario(DefaultScenarioJson(), "default"));
  for (auto _ : state) {
    MarketPath path(session, 1);
    benchmark::DoNotOptimize(path.Price(Underlier::kEs, session.close_ns));
  }
}
BENCHMARK(BM_MarketPath)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace spymaster::sim
