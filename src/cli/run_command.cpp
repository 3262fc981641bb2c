#include "cli/commands.hpp"

namespace spymaster::cli {

void AddRunCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
