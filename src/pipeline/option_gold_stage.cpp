// Gold for the option products: silver depth_and_flow_1s read back, one dense window at a time, through
// the engine's OptionGoldState (the same code the fused silver+gold pass runs).
#include <arrow/api.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "columns/engine_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "common/error.hpp"
#include "engine/option_engine.hpp"
#include "engine/option_gold.hpp"
#include "lake/partition.hpp"
#include "pipeline/gold_stage_plan.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/session.hpp"

namespace spymaster::pipeline {

namespace {

StageResult RunOptionGold(const StageContext& ctx, const Task& task, const OptionProduct& product) {
  const std::string_view kStage = product.gold_stage;
  constexpr std::size_t kFlushRows = 1 << 16;
  const GoldStagePlan plan = PlanGoldStage(ctx, task);
  const std::string& flow_key = plan.flow_key;
  const std::string& gold_key = plan.gold_key;
  const lake::PartitionKey& part = plan.part;
  const auto& reg = ctx.registry;
  StageResult result;
  result.stage = std::string(kStage);
  if (plan.complete) {
    result.skipped = true;
    return result;
  }
  const engine::OptionGrid grid = product.grid;
  const std::size_t cells = static_cast<std::size_t>(2 * grid.max_offset + 1) * 4;
  const std::string where = fmt::format("{} symbol={} dt={}", flow_key, task.symbol, task.dt);
  const auto reader = lake::OpenPartitionReader(reg, ctx.lake_root, flow_key, part);
  lake::PartitionWriter writer(reg, ctx.lake_root, gold_key, part, ctx.overwrite);
  const auto schema = reg.Get(gold_key).contract.ArrowSchema();

  engine::OptionGoldState gold(cells);
  std::vector<engine::OptionFlowRow> rows;  // read, not yet consumed
  std::size_t pos = 0;
  std::vector<engine::OptionFlowRow> window;
  std::vector<engine::OptionGoldRow> out;
  std::vector<engine::OptionGoldRow> pending;
  int64_t windows = 0;
  int64_t prev_end = 0;
  bool eof = false;
  for (;;) {
    // Gather one window's rows (a dense grid: `cells` rows with one window end).
    window.clear();
    while (window.size() < cells) {
      if (pos == rows.size()) {
        if (eof) break;
        rows.clear();
        pos = 0;
        std::shared_ptr<arrow::RecordBatch> batch;
        CheckOk(reader->ReadNext(&batch), [&] { return where; });
        if (!batch) {
          eof = true;
          continue;
        }
        columns::AppendOptionFlowRows(*batch, rows);
        continue;
      }
      window.push_back(rows[pos++]);
    }
    if (window.empty()) break;
    const int64_t end = window.front().window_end_ts_ns;
    for (const engine::OptionFlowRow& r : window) {
      if (window.size() != cells || r.window_end_ts_ns != end || end <= prev_end) {
        throw Error(ErrorKind::kData,
                    fmt::format("{}: window ending {} does not hold the {} dense grid rows in time order", where,
                                r.window_end_ts_ns, cells));
      }
    }
    prev_end = end;
    gold.OnWindow(window, out);
    ++windows;
    pending.insert(pending.end(), out.begin(), out.end());
    if (pending.size() >= kFlushRows) {
      writer.Write(*columns::OptionGoldBatch(pending, schema));
      pending.clear();
    }
  }
  if (!pending.empty()) writer.Write(*columns::OptionGoldBatch(pending, schema));
  std::map<std::string, int64_t> counters = {{"gold_windows", windows}};
  const auto commit = writer.Commit({std::string(kStage), plan.inputs, counters, plan.params});
  result.rows = commit.rows;
  result.datasets_written = {fmt::format("{} symbol={}", gold_key, task.symbol)};
  spdlog::info("{} {} {}: gold_windows={} rows={}", kStage, task.symbol, task.dt, windows, commit.rows);
  result.counters = std::move(counters);
  return result;
}

}  // namespace

StageResult RunGoldFutureOptionMbo(const StageContext& ctx, const Task& task) {
  return RunOptionGold(ctx, task, kEsOptions);
}

StageResult RunGoldEquityOption(const StageContext& ctx, const Task& task) {
  return RunOptionGold(ctx, task, kEquityOptions);
}

}  // namespace spymaster::pipeline
