#include "bench/es_hour.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "common/error.hpp"
#include "lake/raw_layout.hpp"
#include "sim/simulate.hpp"

namespace spymaster::bench {

BenchEsHour::BenchEsHour(std::string_view name, double scale, const std::string& raw_lake)
    : scratch_(std::filesystem::temp_directory_path() / fmt::format("spymaster-bench-{}-{}", name, getpid())),
      raw_lake_(raw_lake) {
  if (!raw_lake_.empty()) {
    if (!std::filesystem::is_directory(lake::RawDir(raw_lake_))) {
      throw UsageError(fmt::format("--raw-lake {}: no raw/ directory", raw_lake_.string()));
    }
    return;
  }
  raw_lake_ = scratch_ / "raw-lake";
  sim::SimOptions sim;
  sim.lake = raw_lake_;
  sim.dt = std::string(kDt);
  sim.scale = scale;
  sim.products = {"future_mbo"};
  std::printf("simulating an ES hour at scale %.1f ...\n", scale);
  std::fflush(stdout);
  WithUsageErrors("", [&] { return sim::Simulate(sim); });  // --scale out of range
}

BenchEsHour::~BenchEsHour() {
  std::error_code ec;
  std::filesystem::remove_all(scratch_, ec);
}

std::filesystem::path BenchEsHour::ScratchLake() const {
  const std::filesystem::path lake = scratch_ / "lake";
  std::filesystem::create_directories(lake);
  if (!std::filesystem::exists(lake::RawDir(lake))) {
    std::filesystem::create_directory_symlink(std::filesystem::absolute(lake::RawDir(raw_lake_)), lake::RawDir(lake));
  }
  return lake;
}

void AddEsHourOptions(CLI::App& cmd, double& scale, int& repeat, std::string& raw_lake) {
  cmd.add_option("--scale", scale, "Simulator event-rate scale (5 ≈ a real ES hour)")->capture_default_str();
  cmd.add_option("--repeat", repeat, "Timed repetitions (best is reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd.add_option("--raw-lake", raw_lake, "Use this lake's raw ES files for 2026-01-06 instead of simulating");
}

}  // namespace spymaster::bench
