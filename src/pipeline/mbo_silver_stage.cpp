// Silver for future_mbo and equity_mbo: a record source (bronze, or the raw DBN day file through bronze's
// normalization) → engine::Drive → a lake sink writing book_snapshot_1s + depth_and_flow_1s in batches.
// With gold, the same pass also writes physics_surface_1s from the GoldState the engine runs as each
// window closes (what `--layer all` uses): no re-read of silver, and gold's Parquet encoding overlaps the
// book on a second thread. The gold stage computes the same rows from silver read back (tested equal).
#include <arrow/api.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "columns/engine_rows_arrow.hpp"
#include "engine/engine.hpp"
#include "engine/gold_state.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "pipeline/mbo_stages.hpp"
#include "pipeline/session.hpp"
#include "source/mbo_records.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::size_t kFlushRows = 1 << 16;

struct MboStageNames {
  std::string_view silver;
  std::string_view gold;
  StageFn gold_alone;  // the gold stage, for a silver+gold run whose silver is already complete
};

constexpr MboStageNames kFutureNames{"silver_compute_book_states_1s", "gold_compute_physics_surface_1s",
                                     &RunGoldFutureMbo};
constexpr MboStageNames kEquityNames{"silver_compute_equity_book_states_1s", "gold_compute_equity_physics_surface_1s",
                                     &RunGoldEquityMbo};

// Gold surfaces of the engine's windows, written in batches on a second thread while the engine goes on.
// The sink runs the GoldState the engine would (the engine runs without gold) and computes each surface
// straight into the column buffers: no GoldSurface rows copied into columns.
class GoldSink {
 public:
  GoldSink(const StageContext& ctx, const std::string& key, const lake::PartitionKey& part, int32_t half_width)
      : writer_(ctx.registry, ctx.lake_root, key, part, ctx.overwrite),
        columns_(ctx.registry.Get(key).contract.ArrowSchema(),
                 static_cast<int64_t>(kFlushRows) + 2 * (2 * half_width + 1)),
        state_(half_width) {}
  ~GoldSink() {
    if (write_.valid()) write_.wait();  // the writer's thread must finish before the writer goes
  }

  void OnWindow(const engine::WindowResult& window) {
    const int64_t rows = columns_.AppendWindow(state_, window.snapshot, window.depth_flow);
    if (rows > 0) ++gold_windows_;
    gold_rows_ += rows;
    if (columns_.size() >= static_cast<int64_t>(kFlushRows)) Flush();
  }

  // Writes what is left and closes the file on the writer's thread: the last row group's encoding
  // overlaps silver's finish and the wait for the lineage.
  void Finish() {
    if (finishing_) return;
    finishing_ = true;
    std::shared_ptr<arrow::RecordBatch> batch = columns_.size() > 0 ? columns_.Take() : nullptr;
    Wait();
    write_ = std::async(std::launch::async, [this, batch = std::move(batch)] {
      if (batch) writer_.Write(*batch);
      writer_.Finish();
    });
  }

  // Finishes the partition for a commit with the silver ones (lake::CommitPartitions on writer()).
  void Prepare(const lake::StageInfo& info) {
    Finish();
    Wait();
    writer_.Prepare(info);
  }
  lake::PartitionWriter& writer() { return writer_; }
  int64_t gold_windows() const { return gold_windows_; }
  int64_t gold_rows() const { return gold_rows_; }

 private:
  void Flush() {
    auto batch = columns_.Take();
    Wait();
    write_ = std::async(std::launch::async, [this, batch = std::move(batch)] { writer_.Write(*batch); });
  }
  // Rethrows what the last write threw.
  void Wait() {
    if (write_.valid()) write_.get();
  }

  lake::PartitionWriter writer_;
  columns::GoldColumns columns_;
  engine::GoldState state_;
  std::future<void> write_;
  bool finishing_ = false;
  int64_t gold_windows_ = 0;
  int64_t gold_rows_ = 0;
};

// Reads the task's records (source::OpenMboRecords), or `fed` when given: then `fed_lineage` gives the inputs to
// record once `fed` is consumed, before anything is committed.
StageResult RunSilver(const StageContext& ctx, const Task& task, const MboStageNames& names,
                      const engine::ProductConfig& product, bool with_gold, engine::RecordSource* fed = nullptr,
                      const std::function<std::vector<lake::InputRef>()>& fed_lineage = {}) {
  const std::string pt(lake::ToString(task.product_type));
  const std::string snap_key = fmt::format("silver.{}.book_snapshot_1s", pt);
  const std::string flow_key = fmt::format("silver.{}.depth_and_flow_1s", pt);
  const std::string gold_key = fmt::format("gold.{}.physics_surface_1s", pt);
  const lake::PartitionKey part{task.symbol, task.dt};
  const auto& reg = ctx.registry;
  const lake::Params params = SessionParams(ctx.session_start_minute, ctx.session_end_minute);
  auto complete = [&](const std::string& key) {
    return !ctx.overwrite && lake::IsCompleteWith(lake::PartitionDir(reg.Get(key), ctx.lake_root, part), params);
  };

  const std::string fused_name = fmt::format("{}+{}", names.silver, names.gold);
  const bool gold_complete = complete(gold_key);
  if (complete(snap_key) && complete(flow_key)) {
    if (with_gold && !gold_complete) return names.gold_alone(ctx, task);
    StageResult skipped;
    skipped.stage = with_gold ? fused_name : std::string(names.silver);
    skipped.skipped = true;
    return skipped;
  }
  with_gold = with_gold && !gold_complete;  // a complete gold partition is left alone
  StageResult result;
  result.stage = with_gold ? fused_name : std::string(names.silver);

  const SessionBounds session = SessionBoundsNs(task.dt, ctx.session_start_minute, ctx.session_end_minute);
  std::vector<lake::InputRef> inputs;
  const std::unique_ptr<engine::RecordSource> opened =
      fed == nullptr ? source::OpenMboRecords(RecordRequestOf(ctx, task), &inputs) : nullptr;
  engine::RecordSource* const records = fed == nullptr ? opened.get() : fed;
  lake::PartitionWriter snap_writer(reg, ctx.lake_root, snap_key, part, ctx.overwrite);
  lake::PartitionWriter flow_writer(reg, ctx.lake_root, flow_key, part, ctx.overwrite);
  const auto snap_schema = reg.Get(snap_key).contract.ArrowSchema();
  const auto flow_schema = reg.Get(flow_key).contract.ArrowSchema();

  std::optional<GoldSink> gold;
  if (with_gold) gold.emplace(ctx, gold_key, part, product.half_width);

  std::vector<engine::SnapshotRow> snaps;
  std::vector<engine::DepthFlowRow> flows;
  flows.reserve(kFlushRows + 1024);
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  options.compute_gold = false;  // gold (with_gold) is computed by the sink, into its columns
  engine::Engine engine(product, options, [&](const engine::WindowPtr& w_ptr) {
    const engine::WindowResult& w = *w_ptr;
    snaps.push_back(w.snapshot);
    flows.insert(flows.end(), w.depth_flow.begin(), w.depth_flow.end());
    if (flows.size() >= kFlushRows) {
      flow_writer.Write(*columns::DepthFlowBatch(flows, flow_schema));
      flows.clear();
    }
    if (gold) gold->OnWindow(w);
  });
  engine::Drive(*records, engine);
  if (gold) gold->Finish();
  if (!flows.empty()) flow_writer.Write(*columns::DepthFlowBatch(flows, flow_schema));
  snap_writer.Write(*columns::SnapshotBatch(snaps, snap_schema));
  // Closing and syncing the three files does not need the lineage (a fed run waits for bronze's commit).
  auto flow_finished = std::async(std::launch::async, [&] { flow_writer.Finish(); });
  snap_writer.Finish();
  flow_finished.get();

  std::map<std::string, int64_t> counters;
  for (const auto& [name, value] : engine.CounterList()) counters[name] = value;
  for (const auto& [name, value] : records->Counters()) counters[name] = value;
  if (gold) counters["gold_rows"] = gold->gold_rows();  // the engine's own count, had it run gold
  if (fed != nullptr) inputs = fed_lineage();
  const lake::StageInfo info{std::string(names.silver), inputs, counters, params};
  // Silver (and gold) appear together or not at all: one commit.
  auto flow_ref = std::async(std::launch::async, [&] { return flow_writer.Prepare(info); });
  const lake::InputRef snap_ref = snap_writer.Prepare(info);
  const std::vector<lake::InputRef> silver_refs = {snap_ref, flow_ref.get()};
  std::vector<lake::PartitionWriter*> outputs = {&snap_writer, &flow_writer};
  if (gold) {
    // Same lineage and counters as the gold stage: its inputs are the silver partitions of this commit.
    const std::map<std::string, int64_t> gold_counters = {{"windows", static_cast<int64_t>(snaps.size())},
                                                          {"gold_windows", gold->gold_windows()}};
    gold->Prepare({std::string(names.gold), silver_refs, gold_counters, params});
    outputs.push_back(&gold->writer());
  }
  const auto commits = lake::CommitPartitions(outputs);
  for (const auto& commit : commits) result.rows += commit.rows;
  result.datasets_written = {fmt::format("{} symbol={}", snap_key, task.symbol),
                             fmt::format("{} symbol={}", flow_key, task.symbol)};
  std::string summary;
  for (const auto& [name, value] : counters) summary += fmt::format(" {}={}", name, value);
  spdlog::info("{} {} {}:{}", names.silver, task.symbol, task.dt, summary);
  if (gold) {
    result.datasets_written.push_back(fmt::format("{} symbol={}", gold_key, task.symbol));
    spdlog::info("{} {} {}: windows={} gold_windows={} rows={}", names.gold, task.symbol, task.dt, snaps.size(),
                 gold->gold_windows(), commits.back().rows);
    counters["gold_windows"] = gold->gold_windows();
  }
  result.counters = std::move(counters);
  return result;
}

}  // namespace

StageResult RunSilverFutureMbo(const StageContext& ctx, const Task& task) {
  return RunSilver(ctx, task, kFutureNames, engine::FutureMboConfig(), false);
}

StageResult RunSilverEquityMbo(const StageContext& ctx, const Task& task) {
  return RunSilver(ctx, task, kEquityNames, engine::EquityMboConfig(), false);
}

StageResult RunSilverGoldFutureMbo(const StageContext& ctx, const Task& task) {
  return RunSilver(ctx, task, kFutureNames, engine::FutureMboConfig(), true);
}

StageResult RunSilverGoldEquityMbo(const StageContext& ctx, const Task& task) {
  return RunSilver(ctx, task, kEquityNames, engine::EquityMboConfig(), true);
}

StageResult RunSilverGoldMboFrom(const StageContext& ctx, const Task& task, engine::RecordSource& records,
                                 const std::function<std::vector<lake::InputRef>()>& lineage) {
  const MboStageNames& names = task.product_type == ProductType::kFutureMbo ? kFutureNames : kEquityNames;
  return RunSilver(ctx, task, names, source::MboProductConfig(task.product_type), true, &records, lineage);
}

}  // namespace spymaster::pipeline
