// `spymaster bench sim [--scale X] [--seed N] [--repeat R]`: time the synthetic day end to end (market
// model, generators, zstd DBN encoding, side files) into a temporary lake, and print records/s.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/bench_commands.hpp"
#include "cli/standard_output.hpp"
#include "cli/usage.hpp"
#include "sim/simulate.hpp"

namespace spymaster::cli {

void AddBenchSimCommand(CLI::App& bench) {
  struct Args {
    double scale = 1.0;
    std::uint64_t seed = 1;
    int repeat = 3;
    std::string end = "10:30";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand("sim", "Synthetic market day generation throughput (all four products)");
  cmd->add_option("--scale", args->scale, "Event-rate multiplier (about 6 gives a real day's ~5 M ESH6 events)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Runs; the best is reported")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--end", args->end, "Session end (ET); the session starts 09:30")->capture_default_str();
  cmd->callback([args] {
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("spymaster-bench-sim-{}", ::getpid());
    double best = 1e300;
    sim::SimReport report;
    for (int i = 0; i < args->repeat; ++i) {
      std::filesystem::remove_all(dir);
      sim::SimOptions o;
      o.seed = args->seed;
      o.scale = args->scale;
      o.end = args->end;
      o.lake = dir;
      report = WithUsageErrors("", [&] { return sim::Simulate(o); });
      best = std::min(best, report.seconds);
    }
    std::uint64_t bytes = 0;
    for (const auto& f : report.files) bytes += f.bytes;
    std::filesystem::remove_all(dir);
    PrintStdout("sim scale {:g}: {} records in {} files, {:.1f} MB zstd; best of {}: {:.3f} s, {:.2f} M records/s\n",
                args->scale, report.records, report.files.size(), static_cast<double>(bytes) / 1e6, args->repeat,
                best, static_cast<double>(report.records) / best / 1e6);
    for (const auto& f : report.files) {
      PrintStdout("  {:<18} {:<4} {:<10} {:>10} records {:>12} bytes\n", f.product_type, f.symbol, f.schema, f.records, f.bytes);
    }
  });
}

}  // namespace spymaster::cli
