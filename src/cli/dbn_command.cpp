#include "cli/commands.hpp"

namespace spymaster::cli {

void AddDbnCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
