// The ES hour that `bench bronze` and `bench pipeline` measure: the raw lake given with --raw-lake, or
// one simulated (future_mbo only, 09:30–10:30) at the given scale into a scratch directory that is
// removed, with everything else the bench wrote there, when this object goes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace spymaster::cli {

class BenchEsHour {
 public:
  // Creates the scratch directory "<tmp>/spymaster-bench-<name>-<pid>" and simulates unless raw_lake is set.
  // Throws UsageError for a raw_lake without raw/ or a scale the simulator does not take.
  BenchEsHour(std::string_view name, double scale, const std::string& raw_lake);
  ~BenchEsHour();
  BenchEsHour(const BenchEsHour&) = delete;
  BenchEsHour& operator=(const BenchEsHour&) = delete;

  const std::filesystem::path& scratch() const { return scratch_; }
  const std::filesystem::path& raw_lake() const { return raw_lake_; }

 private:
  std::filesystem::path scratch_;
  std::filesystem::path raw_lake_;
};

}  // namespace spymaster::cli
