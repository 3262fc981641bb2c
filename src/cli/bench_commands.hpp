// `spymaster bench <area>` subcommands; each area registers its own under the shared `bench` command.
#pragma once

#include <CLI/CLI.hpp>

namespace spymaster::cli {

void AddBenchDbnCommand(CLI::App& bench);  // bench dbn [FILE]

}  // namespace spymaster::cli
