#include "cli/commands.hpp"

namespace spymaster::cli {

void AddDemoCommand(CLI::App& /*app*/) {}

}  // namespace spymaster::cli
