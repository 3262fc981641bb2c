#include "cli/commands.hpp"

namespace spymaster::cli {

void AddBenchCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
