#include "cli/commands.hpp"

namespace spymaster::cli {

void AddSelectContractCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
