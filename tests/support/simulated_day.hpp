// The simulator's default day (seed and scenario) 2026-01-06, 09:30-09:35, future_mbo and equity_mbo, one
// thread, written into a fresh temporary lake that lives as long as the object: the day the suites that
// replay a whole simulated session share. Header-only, so that only its users link spymaster_sim.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "sim/simulate.hpp"

namespace spymaster::support {

class SimulatedDay {
 public:
  // The lake is <temp>/spymaster_<name>_<pid>, so that suites and concurrent test processes keep apart.
  explicit SimulatedDay(const std::string& name)
      : root_(std::filesystem::temp_directory_path() / ("spymaster_" + name + "_" + std::to_string(getpid()))) {
    std::filesystem::remove_all(root_);
    sim::SimOptions o;  // the default seed and scenario
    o.lake = root_;
    o.start = "09:30";
    o.end = "09:35";
    o.products = {"future_mbo", "equity_mbo"};
    o.threads = 1;
    try {
      sim::Simulate(o);
    } catch (...) {
      std::filesystem::remove_all(root_);
      throw;
    }
  }
  ~SimulatedDay() { std::filesystem::remove_all(root_); }
  SimulatedDay(const SimulatedDay&) = delete;
  SimulatedDay& operator=(const SimulatedDay&) = delete;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace spymaster::support
