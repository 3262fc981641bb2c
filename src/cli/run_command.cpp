// spymaster run --product-type P --layer bronze|silver|gold|forecast|all --symbol S
//               (--dt D | --dates a,b | --dates a:b | --start-date A --end-date B)
//               [--workers N] [--overwrite] [--lake DIR] [--session-start HH:MM --session-end HH:MM]
//               [--raw-job JOB_ID ...]
// The flags are parsed into commands::RunArgs; commands::RunCommand checks them and runs (the Python
// package calls the same function).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "commands/run.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::cli {

void AddRunCommand(CLI::App& app) {
  auto args = std::make_shared<commands::RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run bronze/silver/gold stages for a product over dates");
  cmd->add_option("--product-type", args->product_type,
                  "Product type: future_mbo, future_option_mbo, equity_mbo or equity_option_mbo")
      ->required();
  cmd->add_option("--layer", args->layer,
                  "Layer to run: bronze, silver, gold, forecast (after gold; not in all) or all (bronze, silver, gold)")
      ->required();
  cmd->add_option("--symbol", args->symbol,
                  "Raw root for bronze (ES, SPY); contract or ticker for silver/gold "
                  "(ES resolves through the selection map)")
      ->required();
  // The date forms exclude each other; RunCommand checks that, naming the flags.
  cmd->add_option("--dt", args->dt, "One date, YYYY-MM-DD");
  cmd->add_option("--dates", args->dates, "Dates: a,b,c or start:end (inclusive)");
  cmd->add_option("--start-date", args->start_date, "Range start (inclusive, with --end-date)");
  cmd->add_option("--end-date", args->end_date, "Range end (inclusive, with --start-date)");
  cmd->add_option("--workers", args->workers, "Parallel (symbol, dt) tasks, 1..256")->capture_default_str();
  cmd->add_flag("--overwrite", args->overwrite, "Recompute complete silver/gold partitions");
  cmd->add_option("--lake", args->lake, "Lake root directory")->capture_default_str();
  cmd->add_option("--raw-job", args->raw_jobs,
                  "Bronze: read the raw day from this batch-job folder where several hold it (repeatable)");
  cmd->add_option("--session-start", args->session_start, "Session start, America/New_York HH:MM")
      ->capture_default_str();
  cmd->add_option("--session-end", args->session_end, "Session end, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--source", args->source,
                  "Where silver reads records: bronze partitions, or raw (the raw DBN day file through bronze's "
                  "normalization; same windows and rows)")
      ->capture_default_str();
  cmd->callback([args] {
    args->progress = isatty(STDERR_FILENO) != 0;
    lake::InstallInterruptHandlers();
    commands::RunCommand(*args, std::cout);
  });
}

}  // namespace spymaster::cli
