// Silver (and, fused, gold) for the option products: bronze underlying + bronze options → MergeSource →
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
#include <type_traits>
#include <vector>

#include "columns/engine_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "common/calendar.hpp"
#include "engine/merge_source.hpp"
#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/raw_input.hpp"
#include "pipeline/session.hpp"
#include "source/bronze_cmbp1_source.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/bronze_option_instruments.hpp"
#include "source/option_definitions.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_cmbp1_source.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::size_t kFlushRows = 1 << 16;

template <class OptionEngineT>
StageResult RunOptionSilver(const StageContext& ctx, const Task& task, const OptionProduct& product, bool with_gold) {
  const std::string pt(lake::ToString(task.product_type));
  const std::string bronze_key(product.bronze_key);
  const std::string under_key(product.underlying_key);
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
  constexpr bool kQuotes = std::is_same_v<OptionEngineT, engine::QuoteOptionEngine>;
  StageResult result;
  result.stage = with_gold ? fmt::format("{}+{}", kSilverName, kGoldName) : std::string(kSilverName);

  const SessionBounds session = SessionBoundsNs(task.dt, ctx.session_start_minute, ctx.session_end_minute);
  std::vector<lake::InputRef> inputs;
  std::vector<engine::OptionInstrument> instruments;
  std::unique_ptr<engine::RecordSource> under_records;
  std::unique_ptr<engine::RecordSource> option_records;
  // Raw input: the definitions the routing keeps a pointer to live as long as the sources.
  std::unique_ptr<source::OptionDefinitions> definitions;
  if (ctx.origin == RecordOrigin::kBronze) {
    inputs = {lake::InputRefFor(reg, ctx.lake_root, under_key, part),
              lake::InputRefFor(reg, ctx.lake_root, bronze_key, part)};
    instruments = source::ReadOptionInstruments(reg, ctx.lake_root, bronze_key, part);
    under_records = std::make_unique<source::BronzeMboSource>(reg, ctx.lake_root, under_key, part);
    if constexpr (kQuotes) {
      option_records = std::make_unique<source::BronzeCmbp1Source>(reg, ctx.lake_root, bronze_key, part);
    } else {
      option_records = std::make_unique<source::BronzeMboSource>(reg, ctx.lake_root, bronze_key, part);
    }
  } else {
    // The raw day files through bronze's normalization: the underlying's records from its MBO file, the
    // 0DTE options on it from the options' MBO or CMBP-1 file and the definitions (loaded as bronze does).
    const std::string root = RawRootOf(task.product_type, task.symbol);
    const uint32_t yyyymmdd = common::ToYyyymmdd(common::ParseDate(task.dt));
    const auto def_files = FindRawFiles(ctx.lake_root, task.product_type, root, "definition", task.dt, ctx.raw_jobs);
    definitions = std::make_unique<source::OptionDefinitions>(
        source::LoadZeroDteOptions(Paths(def_files), task.dt, kQuotes ? std::string_view(root) : ""));
    for (const auto& [id, meta] : definitions->zero_dte) {
      if (meta.underlying == task.symbol) instruments.push_back({id, meta.right, meta.strike, meta.tick});
    }
    source::RawMboOptions under;
    const auto under_files = FindRawFiles(ctx.lake_root, product.underlying_type, root, "mbo", task.dt, ctx.raw_jobs);
    under.files = Paths(under_files);
    under.yyyymmdd = yyyymmdd;
    under.rules.drop_spreads = product.underlying_drop_spreads;
    under.partition = task.symbol;
    const auto opt_files =
        FindRawFiles(ctx.lake_root, task.product_type, root, product.raw_schema, task.dt, ctx.raw_jobs);
    for (const auto& f : under_files) inputs.push_back(RawInputRef(ctx.lake_root, f, "mbo", task.dt));
    for (const auto& f : def_files) inputs.push_back(RawInputRef(ctx.lake_root, f, "definition", task.dt));
    for (const auto& f : opt_files) inputs.push_back(RawInputRef(ctx.lake_root, f, product.raw_schema, task.dt));
    under_records = std::make_unique<source::RawMboSource>(std::move(under));
    if constexpr (kQuotes) {
      option_records = std::make_unique<source::RawCmbp1Source>(
          source::RawCmbp1Options{Paths(opt_files), definitions.get(), task.symbol});
    } else {
      source::RawMboOptions opts;
      opts.files = Paths(opt_files);
      opts.yyyymmdd = yyyymmdd;
      opts.rules.options = definitions.get();
      opts.partition = task.symbol;
      option_records = std::make_unique<source::RawMboSource>(std::move(opts));
    }
  }
  auto merged = std::make_unique<engine::MergeSource>(
      std::move(under_records), std::make_unique<source::PrefetchSource>(std::move(option_records)));

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
  OptionEngineT engine(product.underlying, product.grid, options, std::move(instruments),
                       [&](const engine::OptionWindowPtr& w) {
                         snaps.insert(snaps.end(), w->snapshots.begin(), w->snapshots.end());
                         flows.insert(flows.end(), w->flow.begin(), w->flow.end());
                         golds.insert(golds.end(), w->gold.begin(), w->gold.end());
                         if (!w->gold.empty()) ++gold_windows;
                         flush(false);
                       });
  engine::Drive(*merged, engine);
  flush(true);

  std::map<std::string, int64_t> counters;
  for (const auto& [name, value] : engine.CounterList()) counters[name] = value;
  for (const auto& [name, value] : merged->Counters()) counters[name] = value;
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
