// Bronze and lake throughput. One ES hour is simulated once per process (scale 1, about 1 M MBO
// records; `spymaster bench bronze --scale 5` runs the real-size hour), then:
// - BM_BronzeFutureMboHour: raw .dbn.zst → bronze Parquet (records/s, Parquet bytes/s written);
// - BM_ReadBronzeMboRows: the engine's read path, bronze Parquet → MboBatchView rows (rows/s).
#include <unistd.h>

#include <filesystem>

#include <arrow/api.h>
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "lake/mbo_rows.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"
#include "pipeline/bronze_stages.hpp"
#include "sim/simulate.hpp"

namespace spymaster {
namespace {

namespace fs = std::filesystem;

struct SimulatedHour {
  fs::path root = fs::temp_directory_path() / fmt::format("spymaster-bronze-bench-{}", ::getpid());
  lake::DatasetRegistry registry = lake::DatasetRegistry::LoadDefault();

  SimulatedHour() {
    sim::SimOptions options;
    options.lake = root;
    options.products = {"future_mbo"};
    options.threads = 1;
    sim::Simulate(options);
  }
  ~SimulatedHour() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

SimulatedHour& Hour() {
  static SimulatedHour hour;
  return hour;
}

void BM_BronzeFutureMboHour(benchmark::State& state) {
  auto& hour = Hour();
  const pipeline::StageContext ctx{hour.root, hour.registry, false};
  int64_t records = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(hour.root / "bronze");
    state.ResumeTiming();
    const auto result = pipeline::RunBronzeFutureMbo(ctx, {lake::ProductType::kFutureMbo, "ES", "2026-01-06"});
    records += result.counters.at("records_read");
    bytes += result.counters.at("bytes_written");
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BronzeFutureMboHour)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ReadBronzeMboRows(benchmark::State& state) {
  auto& hour = Hour();
  const lake::PartitionKey key{"ESH6", "2026-01-06"};
  if (!lake::IsComplete(lake::PartitionDir(hour.registry.Get("bronze.future_mbo.mbo"), hour.root, key))) {
    pipeline::RunBronzeFutureMbo({hour.root, hour.registry, false}, {lake::ProductType::kFutureMbo, "ES", key.dt});
  }
  // Arg 0: every column, strings expanded (the generic reader); 1: what the silver stage reads.
  const bool book_path = state.range(0) == 1;
  int64_t rows = 0, checksum = 0;
  for (auto _ : state) {
    auto reader = book_path ? lake::OpenPartitionReader(hour.registry, hour.root, "bronze.future_mbo.mbo", key,
                                                        1 << 16, lake::MboBookColumns(), true)
                            : lake::OpenPartitionReader(hour.registry, hour.root, "bronze.future_mbo.mbo", key);
    std::shared_ptr<arrow::RecordBatch> batch;
    while (reader->ReadNext(&batch).ok() && batch) {
      const lake::MboBatchView view(*batch);
      for (int64_t i = 0; i < view.size(); ++i) {
        const lake::MboRow row = view.Row(i);
        checksum += row.price ^ row.size ^ row.action;
      }
      rows += view.size();
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_ReadBronzeMboRows)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace spymaster
