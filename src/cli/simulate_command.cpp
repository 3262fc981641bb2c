// `spymaster simulate`: write the synthetic market day into the raw lake (see src/sim/simulate.hpp); the
// flags fill sim::SimOptions for commands::SimulateCommand, which the Python package calls too.
#include <fmt/format.h>
#include <unistd.h>

#include <memory>

#include "cli/commands.hpp"
#include "commands/simulate.hpp"
#include "common/standard_output.hpp"

namespace spymaster::cli {

void AddSimulateCommand(CLI::App& app) {
  auto options = std::make_shared<sim::SimOptions>();
  auto describe = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Write a deterministic synthetic market day (all four product types) as real DBN files");
  cmd->add_option("--dt", options->dt, "Session date YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--seed", options->seed, "Random seed; the same seed and options give byte-identical files")
      ->capture_default_str();
  cmd->add_option("--scale", options->scale, "Multiplier of every event rate (about 5 for a real ES day)")
      ->capture_default_str();
  cmd->add_option("--start", options->start, "Session start, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--end", options->end, "Session end, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--lake", options->lake, "Lake root; files go under <lake>/raw/source=databento/...")
      ->capture_default_str();
  cmd->add_option("--product", options->products,
                  "Product type(s) to write (future_mbo, future_option_mbo, equity_mbo, equity_option_mbo); "
                  "default all");
  cmd->add_option("--scenario", options->scenario,
                  "Scenario timeline: a preset (default; late: adds stamped late; deviations: fills removed in "
                  "the next second, partial cancels as C, orders resting since 05:54 ET) or a JSON file")
      ->capture_default_str();
  cmd->add_flag("--overwrite", options->overwrite, "Replace the simulator's own raw files for this date");
  cmd->add_flag("--describe", *describe, "Print the scenario timeline and exit without writing");
  cmd->add_option("--threads", options->threads, "Worker threads (default: all cores)");
  cmd->callback([options, describe] {
    if (*describe) {
      WriteStdout(commands::DescribeCommand(*options));
      return;
    }
    options->progress = true;
    const sim::SimReport report = commands::SimulateCommand(*options);
    std::uint64_t bytes = 0;
    for (const auto& f : report.files) {
      PrintStdout("{:>10} records {:>12} bytes  {}\n", f.records, f.bytes, f.path.string());
      bytes += f.bytes;
    }
    PrintStdout("simulated {} records ({:.1f} MB zstd) in {:.2f} s: {:.0f} records/s\n", report.records,
                static_cast<double>(bytes) / 1e6, report.seconds, static_cast<double>(report.records) / report.seconds);
  });
}

}  // namespace spymaster::cli
