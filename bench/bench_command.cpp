#include "bench/bench_command.hpp"

namespace spymaster::bench {

void AddBenchCommand(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Measure hot-path throughput (prints records/s and GB/s)");
  bench->require_subcommand(1);
  AddDbnBench(*bench);
  AddBronzeBench(*bench);
  AddSimBench(*bench);
  AddBookBench(*bench);
  AddEngineBench(*bench);
  AddGoldBench(*bench);
  AddOptionBench(*bench);
  AddPipelineBench(*bench);
  AddServeBench(*bench);
  AddWindowsBench(*bench);
}

}  // namespace spymaster::bench
