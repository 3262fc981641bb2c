// `spymaster bench <area>`: the benchmark harness, one subcommand per hot path, each printing its
// throughput. The only benchmark code in the project; python/tests/test_bench_cli.py runs every area.
#pragma once

#include <CLI/CLI.hpp>

namespace spymaster::bench {

// Registers `bench` and every area below it.
void AddBenchCommand(CLI::App& app);

void AddDbnBench(CLI::App& bench);     // bench dbn [FILE]: decode, checksum, libzstd alone, encode
void AddSimBench(CLI::App& bench);     // bench sim: the synthetic day, the ES generator, the market path
void AddBronzeBench(CLI::App& bench);  // bench bronze: raw → bronze, and reading bronze back
void AddBookBench(CLI::App& bench);    // bench book: the L3 book alone
void AddEngineBench(CLI::App& bench);  // bench engine [--no-gold]: book + silver (+ gold)
void AddGoldBench(CLI::App& bench);
void AddOptionBench(CLI::App& bench);  // bench options: option books, option engine, CMBP-1 engine      // bench gold:
                                       // one gold window alone
void AddPipelineBench(CLI::App& bench);  // bench pipeline: `run --layer all` as child processes
void AddServeBench(CLI::App& bench);     // bench serve [--lake DIR]: forecast + frames; the server end to end
void AddWindowsBench(CLI::App& bench);   // bench windows: the engine alone and the window stream, from bronze

}  // namespace spymaster::bench
