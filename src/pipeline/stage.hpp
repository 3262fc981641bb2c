// The interface between the runner and the stages. A stage is a plain function that computes one
// (product_type, layer) step for one task (symbol, dt): it reads its inputs from the lake, writes its
// output partitions through lake::PartitionWriter / lake::WritePartition, and reports what it did.
// stage_registry.cpp holds one row per (product_type, layer); the runner looks stages up there.
//
// Conventions every stage follows:
// - Skip when all its output partitions are complete (lake::IsComplete, or lake::IsCompleteWith when the
//   output depends on parameters such as the session window, recorded in StageInfo.params) unless
//   ctx.overwrite.
// - Require its inputs complete (lake::ReadPartition / OpenPartitionReader throw "input not ready").
// - Record lineage: StageInfo.inputs = lake::InputRefFor(...) of every input partition.
// - Outputs that belong together (a task's silver tables, and gold with them) are Prepare'd and
//   published with one lake::CommitPartitions, so they appear together or not at all.
// - Throw std::runtime_error (or a subclass) with a message naming the dataset, file or parameter.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "source/record_request.hpp"

namespace spymaster::pipeline {

using lake::Layer;
using lake::ProductType;
using source::RecordOrigin;

struct StageContext {
  std::filesystem::path lake_root;
  const lake::DatasetRegistry& registry;
  bool overwrite = false;  // silver/gold only; the runner refuses it for bronze
  // Session window in America/New_York wall-clock minutes after midnight (default 09:30–10:30).
  // Convert with pipeline::SessionBoundsNs(dt, start, end) from session.hpp.
  int session_start_minute = 9 * 60 + 30;
  int session_end_minute = 10 * 60 + 30;
  RecordOrigin origin = RecordOrigin::kBronze;
  // Raw input (bronze; silver with origin kRaw): job folders picked with `run --raw-job` (see FindRawFiles).
  std::vector<std::string> raw_jobs = {};
};

struct Task {
  ProductType product_type;
  std::string symbol;  // bronze: the raw root (ES, SPY); silver/gold: the contract or ticker (ESH6, SPY)
  std::string dt;      // YYYY-MM-DD
};

// What the engine stages open their records with (source::OpenMboRecords, source::OpenOptionRecords).
inline source::RecordRequest RecordRequestOf(const StageContext& ctx, const Task& task) {
  return {ctx.registry, ctx.lake_root, ctx.origin, ctx.raw_jobs, task.product_type, task.symbol, task.dt};
}

struct StageResult {
  std::string stage;
  std::vector<std::string> datasets_written;  // "<dataset key> symbol=<s>" per written partition
  int64_t rows = 0;                           // rows written (all outputs)
  bool skipped = false;                       // every output was already complete
  std::map<std::string, int64_t> counters;    // e.g. records_read, spreads_dropped, bytes_written
};

using StageFn = StageResult (*)(const StageContext& ctx, const Task& task);

struct StageDef {
  ProductType product_type;
  Layer layer;            // kBronze, kSilver, kGold or kForecast
  std::string_view name;  // e.g. "bronze_ingest_future_mbo"
  StageFn run;
  // Silver stages only, optional: silver and gold of a task in one engine pass, writing the same
  // partitions as this stage followed by the gold stage. The runner uses it when a run asks for both.
  StageFn run_with_gold = nullptr;
};

// Every registered stage (stage_registry.cpp).
std::span<const StageDef> RegisteredStages();
// nullptr when no stage is registered for the pair.
const StageDef* FindStage(ProductType product_type, Layer layer);

}  // namespace spymaster::pipeline
