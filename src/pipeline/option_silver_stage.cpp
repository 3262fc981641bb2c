// Silver (and, fused, gold) for the option products: bronze underlying + bronze options (source/option_records.hpp) →
// engine::Drive(OptionEngine for ES options MBO, QuoteOptionEngine for OPRA CMBP-1) → book_snapshot_1s,
// depth_and_flow_1s (84 / 204 rows a window) and physics_surface_1s, committed together.
#include <arrow/api.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "columns/engine_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "engine/option_engine.hpp"
#include "lake/partition.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/session.hpp"
#include "source/option_records.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::size_t kFlushRows = 1 << 16;

template <class OptionEngineT>
StageResult RunOptionSilver(const StageContext& ctx, const Task& task, const OptionProduct& product, bool with_gold) {
  const std::string pt(lake::ToString(task.product_type));
  const std::string snap_key = fmt::format("silver.{}.book_snapshot_1s", pt);
  const std::string flow_key = fmt::format("silver.{}.depth_and_flow_1s", pt);
  const std::string gold_key = fmt::format("gold.{}.physics_surface_1s", pt);
  const std::string_view kSilverName = product.silver_stage;
  const std::string_view kGoldName = product.gold_stage;
  const lake::PartitionKey part{task.symbol, task.dt};
  const auto& reg = ctx.registry;
  const lake::Params params = SessionParams(ctx.session_start_minute, ctx.session_end_minute);
  auto complete = [&](const std::string& key) {
    return !ctx.overwrite && lake::IsCompleteWith(lake::PartitionDir(reg.Get(key), ctx.lake_root, part), params);
  };
  const bool gold_complete = complete(gold_key);
  if (complete(snap_key) && complete(flow_key)) {
    if (with_gold && !gold_complete) return product.gold_alone(ctx, task);
    StageResult skipped;
    skipped.stage = with_gold ? fmt::format("{}+{}", kSilverName, kGoldName) : std::string(kSilverName);
    skipped.skipped = true;
    return skipped;
  }
  with_gold = with_gold && !gold_complete;
  StageResult result;
  result.stage = with_gold ? fmt::format("{}+{}", kSilverName, kGoldName) : std::string(kSilverName);

  const SessionBounds session = SessionBoundsNs(task.dt, ctx.session_start_minute, ctx.session_end_minute);
  std::vector<lake::InputRef> inputs;
  source::OptionRecords records = source::OpenOptionRecords(RecordRequestOf(ctx, task), &inputs);

  lake::PartitionWriter snap_writer(reg, ctx.lake_root, snap_key, part, ctx.overwrite);
  lake::PartitionWriter flow_writer(reg, ctx.lake_root, flow_key, part, ctx.overwrite);
  std::optional<lake::PartitionWriter> gold_writer;
  if (with_gold) gold_writer.emplace(reg, ctx.lake_root, gold_key, part, ctx.overwrite);
  const auto snap_schema = reg.Get(snap_key).contract.ArrowSchema();
  const auto flow_schema = reg.Get(flow_key).contract.ArrowSchema();
  const auto gold_schema = reg.Get(gold_key).contract.ArrowSchema();

  std::vector<engine::OptionSnapshotRow> snaps;
  std::vector<engine::OptionFlowRow> flows;
  std::vector<engine::OptionGoldRow> golds;
  int64_t gold_windows = 0;
  auto flush = [&](bool all) {
    if (!snaps.empty() && (all || snaps.size() >= kFlushRows)) {
      snap_writer.Write(*columns::OptionSnapshotBatch(snaps, snap_schema));
      snaps.clear();
    }
    if (!flows.empty() && (all || flows.size() >= kFlushRows)) {
      flow_writer.Write(*columns::OptionFlowBatch(flows, flow_schema));
      flows.clear();
    }
    if (gold_writer && !golds.empty() && (all || golds.size() >= kFlushRows)) {
      gold_writer->Write(*columns::OptionGoldBatch(golds, gold_schema));
      golds.clear();
    }
  };
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  options.compute_gold = with_gold;
  OptionEngineT engine(product.underlying, product.grid, options, std::move(records.instruments),
                       [&](const engine::OptionWindowPtr& w) {
                         snaps.insert(snaps.end(), w->snapshots.begin(), w->snapshots.end());
                         flows.insert(flows.end(), w->flow.begin(), w->flow.end());
                         golds.insert(golds.end(), w->gold.begin(), w->gold.end());
                         if (!w->gold.empty()) ++gold_windows;
                         flush(false);
                       });
  engine::Drive(*records.records, engine);
  flush(true);

  std::map<std::string, int64_t> counters;
  for (const auto& [name, value] : engine.CounterList()) counters[name] = value;
  for (const auto& [name, value] : records.records->Counters()) counters[name] = value;
  const lake::StageInfo info{std::string(kSilverName), inputs, counters, params};
  const std::vector<lake::InputRef> silver_refs = {snap_writer.Prepare(info), flow_writer.Prepare(info)};
  std::vector<lake::PartitionWriter*> outputs = {&snap_writer, &flow_writer};
  if (gold_writer) {
    const std::map<std::string, int64_t> gold_counters = {{"windows", engine.counters().windows},
                                                          {"gold_windows", gold_windows}};
    gold_writer->Prepare({std::string(kGoldName), silver_refs, gold_counters, params});
    outputs.push_back(&*gold_writer);
  }
  const auto commits = lake::CommitPartitions(outputs);
  for (const auto& commit : commits) result.rows += commit.rows;
  result.datasets_written = {fmt::format("{} symbol={}", snap_key, task.symbol),
                             fmt::format("{} symbol={}", flow_key, task.symbol)};
  if (gold_writer) {
    result.datasets_written.push_back(fmt::format("{} symbol={}", gold_key, task.symbol));
    counters["gold_windows"] = gold_windows;
  }
  std::string summary;
  for (const auto& [name, value] : counters) summary += fmt::format(" {}={}", name, value);
  spdlog::info("{} {} {}:{}", result.stage, task.symbol, task.dt, summary);
  result.counters = std::move(counters);
  return result;
}

}  // namespace

const OptionProduct& OptionProductOf(ProductType product_type) {
  switch (product_type) {
    case ProductType::kFutureOptionMbo:
      return kEsOptions;
    case ProductType::kEquityOptionMbo:
      return kEquityOptions;
    default:
      throw std::invalid_argument(
          fmt::format("{} has no option engine (future_option_mbo, equity_option_mbo)", lake::ToString(product_type)));
  }
}

StageResult RunSilverFutureOptionMbo(const StageContext& ctx, const Task& task) {
  return RunOptionSilver<engine::OptionEngine>(ctx, task, kEsOptions, false);
}

StageResult RunSilverGoldFutureOptionMbo(const StageContext& ctx, const Task& task) {
  return RunOptionSilver<engine::OptionEngine>(ctx, task, kEsOptions, true);
}

StageResult RunSilverEquityOption(const StageContext& ctx, const Task& task) {
  return RunOptionSilver<engine::QuoteOptionEngine>(ctx, task, kEquityOptions, false);
}

StageResult RunSilverGoldEquityOption(const StageContext& ctx, const Task& task) {
  return RunOptionSilver<engine::QuoteOptionEngine>(ctx, task, kEquityOptions, true);
}

}  // namespace spymaster::pipeline
