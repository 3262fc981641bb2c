// `spymaster bench <area>` subcommands; each area registers its own under the shared `bench` command.
#pragma once

#include <CLI/CLI.hpp>

namespace spymaster::cli {

void AddBenchDbnCommand(CLI::App& bench);     // bench dbn [FILE]
void AddBenchBronzeCommand(CLI::App& bench);  // bench bronze [--scale S]
void AddBenchSimCommand(CLI::App& bench);     // bench sim [--scale X]
void AddBenchBookCommand(CLI::App& bench);    // bench book [--events N]
void AddBenchEngineCommand(CLI::App& bench);  // bench engine [--events N] [--no-gold]
void AddBenchPipelineCommand(CLI::App& bench);  // bench pipeline [--scale S] [--repeat N]

}  // namespace spymaster::cli
