#include "cli/commands.hpp"

namespace spymaster::cli {

void AddSimulateCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
