// `spymaster bench bronze [--scale S] [--repeat N] [--raw-lake DIR]`: bronze throughput from .dbn.zst to
// Parquet for one ES hour. Without --raw-lake it first simulates the hour (09:30–10:30, future_mbo
// only) at the given scale into a temporary lake. Reports records/s per core (records over process
// CPU time, since the machine is shared) and wall-clock, plus MB/s read (.dbn.zst) and written (Parquet).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>


#include "cli/bench_commands.hpp"
#include "cli/bench_es_hour.hpp"
#include "lake/registry.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/raw_input.hpp"

namespace spymaster::cli {
namespace {

namespace fs = std::filesystem;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Args {
  double scale = 5.0;
  int repeat = 3;
  std::string raw_lake;
};

void Run(const Args& args) {
  const BenchEsHour hour("bronze", args.scale, args.raw_lake);
  const fs::path& tmp = hour.scratch();
  const fs::path& raw_lake = hour.raw_lake();
  const auto registry = lake::DatasetRegistry::Load(lake::DatasetsYamlPath(SPYMASTER_SOURCE_DIR));
  const std::string dt = "2026-01-06";
  const auto files = pipeline::FindRawFiles(raw_lake, lake::ProductType::kFutureMbo, "ES", "mbo", dt);
  int64_t raw_bytes = 0;
  for (const auto& f : files) raw_bytes += static_cast<int64_t>(fs::file_size(f));

  // Bronze reads <lake>/raw; each repetition writes a fresh <lake>/bronze.
  const fs::path lake = tmp / "lake";
  fs::create_directories(lake);
  if (!fs::exists(lake / "raw")) fs::create_directory_symlink(fs::absolute(raw_lake) / "raw", lake / "raw");
  double best_cpu = 1e300, best_wall = 1e300;
  int64_t records = 0, rows = 0, written = 0;
  for (int i = 0; i < std::max(1, args.repeat); ++i) {
    fs::remove_all(lake / "bronze");
    const pipeline::StageContext ctx{lake, registry, false};
    const pipeline::Task task{lake::ProductType::kFutureMbo, "ES", dt};
    const double cpu0 = CpuSeconds();
    const auto wall0 = std::chrono::steady_clock::now();
    const auto result = pipeline::RunBronzeFutureMbo(ctx, task);
    best_wall = std::min(best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count());
    best_cpu = std::min(best_cpu, CpuSeconds() - cpu0);
    records = result.counters.at("records_read");
    rows = result.rows;
    written = result.counters.at("bytes_written");
  }
  std::printf("bronze future_mbo: %lld records read, %lld rows written, %.1f MB .dbn.zst in, %.1f MB Parquet out\n",
              static_cast<long long>(records), static_cast<long long>(rows), raw_bytes / 1e6, written / 1e6);
  std::printf("  per core (CPU %.3f s): %6.2f M records/s  %7.1f MB/s read  %7.1f MB/s written\n", best_cpu,
              records / best_cpu / 1e6, raw_bytes / best_cpu / 1e6, written / best_cpu / 1e6);
  std::printf("  wall     (%.3f s):     %6.2f M records/s  %7.1f MB/s read  %7.1f MB/s written\n", best_wall,
              records / best_wall / 1e6, raw_bytes / best_wall / 1e6, written / best_wall / 1e6);
}

}  // namespace

void AddBenchBronzeCommand(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand("bronze", "Bronze throughput: one ES hour from .dbn.zst to Parquet");
  cmd->add_option("--scale", args->scale, "Simulator event-rate scale (5 ≈ a real ES hour)")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Timed repetitions (best is reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--raw-lake", args->raw_lake, "Use this lake's raw ES files for 2026-01-06 instead of simulating");
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::cli
