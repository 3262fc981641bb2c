#include "commands/window_stream.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/product_type.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/mbo_records.hpp"
#include "pipeline/raw_input.hpp"
#include "pipeline/session.hpp"

namespace spymaster::commands {
namespace {

lake::ProductType ParseMboProduct(const std::string& text) {
  const auto product = lake::ParseProductType(text);
  if (!product || (*product != lake::ProductType::kFutureMbo && *product != lake::ProductType::kEquityMbo)) {
    throw UsageError(
        fmt::format("--product-type: '{}' is not one of future_mbo, equity_mbo (the option engines "
                    "have no window stream)",
                    text));
  }
  return *product;
}

}  // namespace

WindowStream::WindowStream(const WindowStreamArgs& args) : registry_(lake::DatasetRegistry::LoadDefault()) {
  const lake::ProductType product = ParseMboProduct(args.product_type);
  if (args.source != "bronze" && args.source != "raw") {
    throw UsageError(fmt::format("--source: '{}' is not one of bronze, raw", args.source));
  }
  if (args.symbol.empty() || args.symbol.find('/') != std::string::npos) {
    throw UsageError(fmt::format("invalid --symbol '{}'", args.symbol));
  }
  WithUsageErrors("--dt", [&] { return common::ParseDate(args.dt); });
  pipeline::StageContext ctx{.lake_root = args.lake, .registry = registry_};
  ctx.session_start_minute =
      WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(args.session_start); });
  ctx.session_end_minute =
      WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(args.session_end); });
  const pipeline::SessionBounds session = WithUsageErrors("--session-start/--session-end", [&] {
    return pipeline::SessionBoundsNs(args.dt, ctx.session_start_minute, ctx.session_end_minute);
  });
  ctx.origin = args.source == "raw" ? pipeline::RecordOrigin::kRaw : pipeline::RecordOrigin::kBronze;
  ctx.raw_jobs = args.raw_jobs;
  pipeline::Task task{product, args.symbol, args.dt};
  if (product == lake::ProductType::kFutureMbo && args.symbol == "ES") {
    // As `run` resolves ES for silver: the front-month contract of the date from the selection map.
    const auto selection = pipeline::LoadSelection(registry_, ctx.lake_root);
    const auto it = selection.find(args.dt);
    if (it == selection.end()) {
      throw Error(ErrorKind::kData, fmt::format("{} is not in the selection map of {}; run `spymaster select-contract "
                                                "--dates {} --lake {}`",
                                                args.dt, args.lake, args.dt, args.lake));
    }
    task.symbol = it->second;
  }
  const engine::ProductConfig config = pipeline::MboProductConfig(product);
  if (!args.raw_jobs.empty()) {
    if (ctx.origin != pipeline::RecordOrigin::kRaw) {
      throw UsageError("--raw-job picks raw input, which this stream does not read (--source bronze)");
    }
    WithUsageErrors("", [&] {
      pipeline::CheckRawJobs(ctx.lake_root, product, pipeline::RawRootOf(product, task.symbol), args.raw_jobs);
      return 0;
    });
  }

  const std::string pt(lake::ToString(product));
  for (const char* table : {"book_snapshot_1s", "depth_and_flow_1s"}) {
    schemas_.emplace_back(table, registry_.Get(fmt::format("silver.{}.{}", pt, table)).contract.ArrowSchema());
  }
  schemas_.emplace_back("physics_surface_1s",
                        registry_.Get(fmt::format("gold.{}.physics_surface_1s", pt)).contract.ArrowSchema());
  gold_ = std::make_unique<columns::GoldColumns>(schemas_[2].second, 2 * (2 * config.half_width + 1));

  records_ = pipeline::OpenMboRecords(ctx, task, nullptr);
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  engine_ =
      std::make_unique<engine::Engine>(config, options, [this](const engine::WindowPtr& w) { closed_.push_back(w); });
}

WindowStream::~WindowStream() = default;

std::optional<std::vector<WindowTable>> WindowStream::Next() {
  while (closed_.empty() && !done_) {
    done_ = !feeder_.Feed(*records_, *engine_, [this] { return !closed_.empty(); });
  }
  if (closed_.empty()) return std::nullopt;
  const engine::WindowPtr w = std::move(closed_.front());
  closed_.pop_front();
  gold_->Append(w->gold);
  return std::vector<WindowTable>{
      {schemas_[0].first, columns::SnapshotBatch({w->snapshot}, schemas_[0].second)},
      {schemas_[1].first, columns::DepthFlowBatch(w->depth_flow, schemas_[1].second)},
      {schemas_[2].first, gold_->Take()},
  };
}

std::map<std::string, int64_t> WindowStream::Counters() const {
  std::map<std::string, int64_t> counters;
  for (const auto& [name, value] : engine_->CounterList()) counters[name] = value;
  for (const auto& [name, value] : records_->Counters()) counters[name] = value;
  return counters;
}

}  // namespace spymaster::commands
