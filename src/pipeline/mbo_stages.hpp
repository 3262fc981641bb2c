// Silver and gold stages of the two MBO products (future_mbo, equity_mbo). Silver drives the engine
// from bronze (one pass; book_snapshot_1s and depth_and_flow_1s); gold runs the engine's GoldState over
// silver read back from the lake, so `--layer gold` can run alone with the engine's own code.
// RunSilverGold* do both in one engine pass (gold as windows close; what `run --layer all` uses) and
// write the same partitions; when silver is already complete they run the gold stage alone.
#pragma once

#include <functional>
#include <vector>

#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

StageResult RunSilverFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverEquityMbo(const StageContext& ctx, const Task& task);
StageResult RunGoldFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunGoldEquityMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverGoldFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverGoldEquityMbo(const StageContext& ctx, const Task& task);
// RunSilverGold* over `records` instead of the task's bronze partition (bronze_silver_tee.hpp): `lineage`
// is called once the engine has consumed what it needs, before anything commits, and returns the inputs
// the manifests record; it may wait (for bronze's commit) and throw to abandon the run, which then
// commits nothing. Skips, or runs the gold stage alone, as RunSilverGold* do.
StageResult RunSilverGoldMboFrom(const StageContext& ctx, const Task& task, engine::RecordSource& records,
                                 const std::function<std::vector<lake::InputRef>()>& lineage);

}  // namespace spymaster::pipeline
