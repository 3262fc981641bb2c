// `spymaster bench bronze [--scale S] [--repeat N] [--raw-lake DIR]`: bronze throughput from .dbn.zst to
// Parquet for one ES hour, then the read path back: every column as written (the generic reader), and
// the columns the engine reads with action/side as dictionary indices. Without --raw-lake it first
// simulates the hour (09:30–10:30, future_mbo only) at the given scale into a temporary lake. Reports
// records/s per core (records over process CPU time, since the machine is shared) and wall-clock, plus
// MB/s read (.dbn.zst) and written (Parquet).
#include <arrow/api.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "bench/bench_command.hpp"
#include "bench/es_hour.hpp"
#include "bench/timing.hpp"
#include "lake/mbo_rows.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"
#include "pipeline/bronze_stages.hpp"
#include "source/raw_input.hpp"

namespace spymaster::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDataset = "bronze.future_mbo.mbo";

struct Args {
  double scale = 5.0;
  int repeat = 3;
  std::string raw_lake;
};

// Reads the ESH6 partition back row by row; returns the rows read.
int64_t ReadBack(const lake::DatasetRegistry& registry, const fs::path& lake, bool engine_columns, int64_t& sink) {
  const lake::PartitionKey key{"ESH6", std::string(BenchEsHour::kDt)};
  auto reader = engine_columns
                    ? lake::OpenPartitionReader(registry, lake, kDataset, key, 1 << 16, lake::MboBookColumns(), true)
                    : lake::OpenPartitionReader(registry, lake, kDataset, key);
  int64_t rows = 0;
  std::shared_ptr<arrow::RecordBatch> batch;
  while (reader->ReadNext(&batch).ok() && batch) {
    const lake::MboBatchView view(*batch);
    for (int64_t i = 0; i < view.size(); ++i) {
      const lake::MboRow row = view.Row(i);
      sink += row.price ^ row.size ^ row.action;
    }
    rows += view.size();
  }
  return rows;
}

void Run(const Args& args) {
  const BenchEsHour hour("bronze", args.scale, args.raw_lake);
  const auto registry = lake::DatasetRegistry::LoadDefault();
  const std::string dt(BenchEsHour::kDt);
  const auto files = source::FindRawFiles(hour.raw_lake(), lake::ProductType::kFutureMbo, "ES", "mbo", dt);
  int64_t raw_bytes = 0;
  for (const auto& f : files) raw_bytes += f.bytes;

  // Bronze reads <lake>/raw; each repetition writes a fresh <lake>/bronze.
  const fs::path lake = hour.ScratchLake();
  int64_t records = 0, rows = 0, written = 0;
  const Timing t = BestOf(args.repeat, [&] {
    fs::remove_all(lake / "bronze");
    const auto result =
        pipeline::RunBronzeFutureMbo({lake, registry, false}, {lake::ProductType::kFutureMbo, "ES", dt});
    records = result.counters.at("records_read");
    rows = result.rows;
    written = result.counters.at("bytes_written");
  });
  std::printf("bronze future_mbo: %lld records read, %lld rows written, %.1f MB .dbn.zst in, %.1f MB Parquet out\n",
              static_cast<long long>(records), static_cast<long long>(rows), raw_bytes / 1e6, written / 1e6);
  std::printf("  per core (CPU %.3f s): %6.2f M records/s  %7.1f MB/s read  %7.1f MB/s written\n", t.cpu,
              records / t.cpu / 1e6, raw_bytes / t.cpu / 1e6, written / t.cpu / 1e6);
  std::printf("  wall     (%.3f s):     %6.2f M records/s  %7.1f MB/s read  %7.1f MB/s written\n", t.wall,
              records / t.wall / 1e6, raw_bytes / t.wall / 1e6, written / t.wall / 1e6);

  int64_t sink = 0;
  for (const bool engine_columns : {false, true}) {
    int64_t read = 0;
    const Timing r = BestOf(args.repeat, [&] { read = ReadBack(registry, lake, engine_columns, sink); });
    std::printf("read ESH6 bronze, %-42s %lld rows: %6.2f M rows/s per core, %6.2f M rows/s wall\n",
                engine_columns ? "engine columns (action/side dictionary):" : "every column (strings expanded):",
                static_cast<long long>(read), read / r.cpu / 1e6, read / r.wall / 1e6);
  }
  if (sink == 42) std::printf("\n");  // keeps the loop observable
}

}  // namespace

void AddBronzeBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand("bronze", "Bronze throughput: one ES hour from .dbn.zst to Parquet, and back");
  AddEsHourOptions(*cmd, args->scale, args->repeat, args->raw_lake);
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
