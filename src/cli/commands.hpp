// Subcommand registration. Each Add*Command attaches one subcommand (with its own --help) to the
// top-level app; the callback runs the command and throws std::exception on runtime failure.
#pragma once

#include <CLI/CLI.hpp>

namespace spymaster::cli {

void AddDbnCommand(CLI::App& app);       // dbn to-json | info
void AddSimulateCommand(CLI::App& app);  // simulate
void AddSelectContractCommand(CLI::App& app);
void AddRunCommand(CLI::App& app);  // run --product-type --layer ...
void AddDemoCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);     // serve --lake --host --port
void AddDownloadCommand(CLI::App& app);  // download futures|equities ... daemon|submit|poll
void AddLiveCommand(CLI::App& app);      // live --dataset --schema --symbols

}  // namespace spymaster::cli
