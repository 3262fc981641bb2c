// spymaster run --product-type P --layer bronze|silver|gold|all --symbol S
//               (--dt D | --dates a,b | --dates a:b | --start-date A --end-date B)
//               [--workers N] [--overwrite] [--lake DIR] [--session-start HH:MM --session-end HH:MM]
//               [--raw-job JOB_ID ...]
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/interrupt.hpp"
#include "lake/registry.hpp"
#include "pipeline/runner.hpp"
#include "pipeline/session.hpp"

namespace spymaster::cli {
namespace {

struct RunArgs {
  std::string product_type;
  std::string layer;
  std::string symbol;
  std::string dt;
  std::string dates;
  std::string start_date;
  std::string end_date;
  int workers = 1;
  bool overwrite = false;
  std::string lake = "lake";
  std::string session_start = "09:30";
  std::string session_end = "10:30";
  std::string source = "bronze";
  std::vector<std::string> raw_jobs;
};

// Exactly one of the three date forms; the CLI options exclude each other, so at most one is set here.
std::vector<std::string> ResolveDates(const RunArgs& args) {
  if (!args.dt.empty()) return WithUsageErrors("--dt", [&] { return common::ExpandDates(args.dt); });
  if (!args.dates.empty()) return WithUsageErrors("--dates", [&] { return common::ExpandDates(args.dates); });
  if (!args.start_date.empty()) {
    return WithUsageErrors("--start-date/--end-date",
                           [&] { return common::ExpandDateRange(args.start_date, args.end_date); });
  }
  throw UsageError("no dates: give --dt, --dates or --start-date with --end-date");
}

void Execute(const RunArgs& args) {
  pipeline::RunOptions options;
  options.product_type = *lake::ParseProductType(args.product_type);
  if (args.layer == "all") {
    options.layers = {lake::Layer::kBronze, lake::Layer::kSilver, lake::Layer::kGold};
  } else {
    options.layers = {*lake::ParseLayer(args.layer)};
  }
  options.symbol = args.symbol;
  options.dates = ResolveDates(args);
  options.session_start_minute =
      WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(args.session_start); });
  options.session_end_minute =
      WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(args.session_end); });
  // An empty or inverted window is a usage error now, not a failed stage later.
  WithUsageErrors("--session-start/--session-end", [&] {
    return pipeline::SessionBoundsNs(options.dates.front(), options.session_start_minute, options.session_end_minute);
  });
  options.workers = args.workers;
  options.overwrite = args.overwrite;
  options.origin = args.source == "raw" ? pipeline::RecordOrigin::kRaw : pipeline::RecordOrigin::kBronze;
  options.lake_root = args.lake;
  options.raw_jobs = args.raw_jobs;
  options.progress = isatty(STDERR_FILENO) != 0;
  const auto registry = lake::DatasetRegistry::LoadDefault();
  lake::InstallInterruptHandlers();
  // Run() throws std::invalid_argument only while it checks the options, before any stage runs.
  const pipeline::RunSummary summary = WithUsageErrors("", [&] { return pipeline::Run(options, registry, std::cout); });
  if (summary.failed > 0) {
    std::string message = fmt::format("{} task(s) failed", summary.failed);
    for (const auto& o : summary.outcomes) {
      if (!o.error.empty())
        message += fmt::format("\n  {} {} {}: {}", o.result.stage, o.task.symbol, o.task.dt, o.error);
    }
    throw Error(ErrorKind::kData, message);
  }
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run bronze/silver/gold stages for a product over dates");
  cmd->add_option("--product-type", args->product_type, "Product type")
      ->required()
      ->check(CLI::IsMember({"future_mbo", "future_option_mbo", "equity_mbo", "equity_option_mbo"}));
  cmd->add_option("--layer", args->layer, "Layer to run")
      ->required()
      ->check(CLI::IsMember({"bronze", "silver", "gold", "all"}));
  cmd->add_option("--symbol", args->symbol,
                  "Raw root for bronze (ES, SPY); contract or ticker for silver/gold "
                  "(ES resolves through the selection map)")
      ->required();
  auto* dt = cmd->add_option("--dt", args->dt, "One date, YYYY-MM-DD");
  auto* dates = cmd->add_option("--dates", args->dates, "Dates: a,b,c or start:end (inclusive)");
  auto* start = cmd->add_option("--start-date", args->start_date, "Range start (inclusive, with --end-date)");
  auto* end = cmd->add_option("--end-date", args->end_date, "Range end (inclusive, with --start-date)");
  start->needs(end);
  end->needs(start);
  for (auto* range : {start, end}) {
    range->excludes(dt);
    range->excludes(dates);
  }
  dt->excludes(dates);
  cmd->add_option("--workers", args->workers, "Parallel (symbol, dt) tasks")->check(CLI::Range(1, 256));
  cmd->add_flag("--overwrite", args->overwrite, "Recompute complete silver/gold partitions");
  cmd->add_option("--lake", args->lake, "Lake root directory")->capture_default_str();
  cmd->add_option("--raw-job", args->raw_jobs,
                  "Bronze: read the raw day from this batch-job folder where several hold it (repeatable)");
  cmd->add_option("--session-start", args->session_start, "Session start, America/New_York HH:MM")
      ->capture_default_str();
  cmd->add_option("--session-end", args->session_end, "Session end, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--source", args->source,
                  "Where silver reads records: bronze partitions, or the raw DBN day file through bronze's "
                  "normalization (same windows and rows)")
      ->check(CLI::IsMember({"bronze", "raw"}))
      ->capture_default_str();
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
