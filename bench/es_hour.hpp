// The ES hour that `bench bronze` and `bench pipeline` measure: the raw lake given with --raw-lake, or
// one simulated (future_mbo only, 09:30–10:30) at the given scale into a scratch directory that is
// removed, with everything else the bench wrote there, when this object goes.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <string_view>

namespace spymaster::bench {

class BenchEsHour {
 public:
  static constexpr std::string_view kDt = "2026-01-06";

  // Creates the scratch directory "<tmp>/spymaster-bench-<name>-<pid>" and simulates unless raw_lake is
  // set. Throws UsageError for a raw_lake without raw/ or a scale the simulator does not take.
  BenchEsHour(std::string_view name, double scale, const std::string& raw_lake);
  ~BenchEsHour();
  BenchEsHour(const BenchEsHour&) = delete;
  BenchEsHour& operator=(const BenchEsHour&) = delete;

  const std::filesystem::path& raw_lake() const { return raw_lake_; }
  // A lake in the scratch directory whose raw/ links to the hour's raw data (raw is never written).
  std::filesystem::path ScratchLake() const;

 private:
  std::filesystem::path scratch_;
  std::filesystem::path raw_lake_;
};

// The options of a bench on this hour: --scale, --repeat (best of) and --raw-lake.
void AddEsHourOptions(CLI::App& cmd, double& scale, int& repeat, std::string& raw_lake);

}  // namespace spymaster::bench
