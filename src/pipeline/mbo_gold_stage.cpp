// Gold for future_mbo and equity_mbo: silver read back from the lake, window by window, through the
// engine's GoldState (the same code the one-pass engine runs), into physics_surface_1s.
#include <arrow/api.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

#include "columns/engine_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "engine/gold_state.hpp"
#include "engine/product_config.hpp"
#include "lake/partition.hpp"
#include "pipeline/gold_stage_plan.hpp"
#include "pipeline/mbo_stages.hpp"
#include "pipeline/session.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::size_t kFlushRows = 1 << 16;

// Silver depth_and_flow rows, streamed in file order.
class FlowCursor {
 public:
  FlowCursor(std::shared_ptr<arrow::RecordBatchReader> reader, std::string where)
      : reader_(std::move(reader)), where_(std::move(where)) {}

  // The next row, or nullptr at the end.
  const engine::DepthFlowRow* Peek() {
    while (pos_ == rows_.size() && !eof_) {
      rows_.clear();
      pos_ = 0;
      std::shared_ptr<arrow::RecordBatch> batch;
      CheckOk(reader_->ReadNext(&batch), [&] { return where_; });
      if (!batch) {
        eof_ = true;
      } else {
        columns::AppendDepthFlowRows(*batch, rows_);
      }
    }
    return pos_ < rows_.size() ? &rows_[pos_] : nullptr;
  }
  void Pop() { ++pos_; }

 private:
  std::shared_ptr<arrow::RecordBatchReader> reader_;
  std::string where_;
  std::vector<engine::DepthFlowRow> rows_;
  std::size_t pos_ = 0;
  bool eof_ = false;
};

StageResult RunGold(const StageContext& ctx, const Task& task, std::string_view stage,
                    const engine::ProductConfig& product) {
  const GoldStagePlan plan = PlanGoldStage(ctx, task);
  const std::string& snap_key = plan.snap_key;
  const std::string& flow_key = plan.flow_key;
  const std::string& gold_key = plan.gold_key;
  const lake::PartitionKey& part = plan.part;
  const auto& reg = ctx.registry;

  StageResult result;
  result.stage = std::string(stage);
  if (plan.complete) {
    result.skipped = true;
    return result;
  }
  std::vector<engine::SnapshotRow> snaps;
  {
    const auto table = lake::ReadPartition(reg, ctx.lake_root, snap_key, part);
    arrow::TableBatchReader batches(*table);
    std::shared_ptr<arrow::RecordBatch> batch;
    for (;;) {
      CheckOk(batches.ReadNext(&batch),
              [&] { return fmt::format("{} symbol={} dt={}", snap_key, task.symbol, task.dt); });
      if (!batch) break;
      columns::AppendSnapshotRows(*batch, snaps);
    }
  }
  const std::string where = fmt::format("{} symbol={} dt={}", flow_key, task.symbol, task.dt);
  FlowCursor cursor(lake::OpenPartitionReader(reg, ctx.lake_root, flow_key, part), where);

  lake::PartitionWriter writer(reg, ctx.lake_root, gold_key, part, ctx.overwrite);
  const auto schema = reg.Get(gold_key).contract.ArrowSchema();
  engine::GoldState gold(product.half_width);
  std::vector<engine::DepthFlowRow> window;
  engine::GoldSurface out;
  columns::GoldColumns pending(schema, static_cast<int64_t>(kFlushRows) + 2 * (2 * product.half_width + 1));
  int64_t prev_end = 0;
  int64_t gold_windows = 0;
  for (const engine::SnapshotRow& s : snaps) {
    if (s.window_end_ts_ns <= prev_end) {
      throw std::runtime_error(fmt::format("{} symbol={} dt={}: windows not in increasing time at window end {}",
                                           snap_key, task.symbol, task.dt, s.window_end_ts_ns));
    }
    prev_end = s.window_end_ts_ns;
    window.clear();
    while (const engine::DepthFlowRow* r = cursor.Peek()) {
      if (r->window_end_ts_ns > s.window_end_ts_ns) break;
      if (r->window_end_ts_ns < s.window_end_ts_ns || r->spot_ref_price_int != s.spot_ref_price_int) {
        throw std::runtime_error(fmt::format("{}: row for window end {} (spot {}) does not match book_snapshot_1s",
                                             where, r->window_end_ts_ns, r->spot_ref_price_int));
      }
      window.push_back(*r);
      cursor.Pop();
    }
    gold.OnWindow(s, window, out);
    if (!out.empty()) ++gold_windows;
    pending.Append(out);
    if (pending.size() >= static_cast<int64_t>(kFlushRows)) writer.Write(*pending.Take());
  }
  if (const engine::DepthFlowRow* r = cursor.Peek()) {
    throw std::runtime_error(
        fmt::format("{}: row for window end {} has no book_snapshot_1s row", where, r->window_end_ts_ns));
  }
  if (pending.size() > 0) writer.Write(*pending.Take());
  std::map<std::string, int64_t> counters = {{"windows", static_cast<int64_t>(snaps.size())},
                                             {"gold_windows", gold_windows}};
  const auto commit = writer.Commit({std::string(stage), plan.inputs, counters, plan.params});
  result.rows = commit.rows;
  result.datasets_written = {fmt::format("{} symbol={}", gold_key, task.symbol)};
  spdlog::info("{} {} {}: windows={} gold_windows={} rows={}", stage, task.symbol, task.dt, snaps.size(), gold_windows,
               commit.rows);
  result.counters = std::move(counters);
  return result;
}

}  // namespace

StageResult RunGoldFutureMbo(const StageContext& ctx, const Task& task) {
  return RunGold(ctx, task, "gold_compute_physics_surface_1s", engine::FutureMboConfig());
}

StageResult RunGoldEquityMbo(const StageContext& ctx, const Task& task) {
  return RunGold(ctx, task, "gold_compute_equity_physics_surface_1s", engine::EquityMboConfig());
}

}  // namespace spymaster::pipeline
