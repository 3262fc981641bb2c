#include "cli/bench_commands.hpp"
#include "cli/commands.hpp"

namespace spymaster::cli {

void AddBenchCommand(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Measure hot-path throughput (prints records/s and GB/s)");
  bench->require_subcommand(1);
  AddBenchDbnCommand(*bench);
  AddBenchBronzeCommand(*bench);
  AddBenchSimCommand(*bench);
  AddBenchBookCommand(*bench);
  AddBenchEngineCommand(*bench);
  AddBenchPipelineCommand(*bench);
}

}  // namespace spymaster::cli
