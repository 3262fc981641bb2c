// `spymaster simulate` as functions the CLI and the Python package (spymaster.simulate) share: bad
// parameters are UsageErrors (the simulator's messages name them), I/O problems and refused overwrites
// stay runtime errors.
#pragma once

#include <string>

#include "sim/simulate.hpp"

namespace spymaster::commands {

sim::SimReport SimulateCommand(const sim::SimOptions& options);
// The scenario timeline `options` resolve to (--describe); writes nothing.
std::string DescribeCommand(const sim::SimOptions& options);

}  // namespace spymaster::commands
