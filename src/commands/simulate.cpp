#include "commands/simulate.hpp"

#include "common/error.hpp"

namespace spymaster::commands {

sim::SimReport SimulateCommand(const sim::SimOptions& options) {
  return WithUsageErrors("", [&] { return sim::Simulate(options); });
}

std::string DescribeCommand(const sim::SimOptions& options) {
  return WithUsageErrors("", [&] { return sim::Describe(options); });
}

}  // namespace spymaster::commands
