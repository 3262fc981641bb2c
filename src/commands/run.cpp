#include "commands/run.hpp"

#include <fmt/format.h>

#include <ostream>
#include <string_view>

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/registry.hpp"
#include "pipeline/session.hpp"

namespace spymaster::commands {
namespace {

constexpr int kMaxWorkers = 256;

// Exactly one of the three date forms, with its flag named in every message.
std::vector<std::string> ResolveDates(const RunArgs& args) {
  const bool range = !args.start_date.empty() || !args.end_date.empty();
  const int forms =
      static_cast<int>(!args.dt.empty()) + static_cast<int>(!args.dates.empty()) + static_cast<int>(range);
  if (forms > 1) {
    throw UsageError("--dt, --dates and --start-date/--end-date exclude each other: give one of them");
  }
  if (!args.dt.empty()) return WithUsageErrors("--dt", [&] { return common::ExpandDates(args.dt); });
  if (!args.dates.empty()) return WithUsageErrors("--dates", [&] { return common::ExpandDates(args.dates); });
  if (range) {
    if (args.start_date.empty()) throw UsageError("--end-date needs --start-date");
    if (args.end_date.empty()) throw UsageError("--start-date needs --end-date");
    return WithUsageErrors("--start-date/--end-date",
                           [&] { return common::ExpandDateRange(args.start_date, args.end_date); });
  }
  throw UsageError("no dates: give --dt, --dates or --start-date with --end-date");
}

template <class T, class Parse>
T ParseChoice(std::string_view flag, const std::string& value, std::string_view choices, Parse parse) {
  const auto parsed = parse(value);
  if (!parsed) throw UsageError(fmt::format("{}: '{}' is not one of {}", flag, value, choices));
  return *parsed;
}

}  // namespace

pipeline::RunSummary RunCommand(const RunArgs& args, std::ostream& out) {
  pipeline::RunOptions options;
  options.product_type = ParseChoice<lake::ProductType>("--product-type", args.product_type,
                                                        "future_mbo, future_option_mbo, equity_mbo, equity_option_mbo",
                                                        [](const std::string& v) { return lake::ParseProductType(v); });
  if (args.layer == "all") {
    options.layers = {lake::Layer::kBronze, lake::Layer::kSilver, lake::Layer::kGold};
  } else {
    options.layers = {ParseChoice<lake::Layer>("--layer", args.layer, "bronze, silver, gold, forecast, all",
                                               [](const std::string& v) { return lake::ParseLayer(v); })};
  }
  if (args.source != "bronze" && args.source != "raw") {
    throw UsageError(fmt::format("--source: '{}' is not one of bronze, raw", args.source));
  }
  if (args.workers < 1 || args.workers > kMaxWorkers) {
    throw UsageError(fmt::format("--workers: {} is not in 1..{}", args.workers, kMaxWorkers));
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
  options.progress = args.progress;
  const auto registry = lake::DatasetRegistry::LoadDefault();
  // Run() throws std::invalid_argument only while it checks the options, before any stage runs.
  pipeline::RunSummary summary = WithUsageErrors("", [&] { return pipeline::Run(options, registry, out); });
  if (summary.failed > 0 && args.check) {
    std::string message = fmt::format("{} task(s) failed", summary.failed);
    for (const auto& o : summary.outcomes) {
      if (!o.error.empty())
        message += fmt::format("\n  {} {} {}: {}", o.result.stage, o.task.symbol, o.task.dt, o.error);
    }
    throw Error(ErrorKind::kData, message);
  }
  return summary;
}

}  // namespace spymaster::commands
