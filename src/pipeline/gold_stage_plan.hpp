// What every gold stage (futures, equities, options) settles before it reads silver: the dataset keys of
// its product type, the session parameters, whether the gold partition is already complete for them, and
// the two silver inputs its manifest records.
#pragma once

#include <string>
#include <vector>

#include "lake/partition.hpp"
#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

struct GoldStagePlan {
  std::string snap_key;  // silver.<pt>.book_snapshot_1s
  std::string flow_key;  // silver.<pt>.depth_and_flow_1s
  std::string gold_key;  // gold.<pt>.physics_surface_1s
  lake::PartitionKey part;
  lake::Params params;
  bool complete = false;               // gold is complete for this session and the run does not overwrite
  std::vector<lake::InputRef> inputs;  // the two silver partitions; empty when `complete`
};

GoldStagePlan PlanGoldStage(const StageContext& ctx, const Task& task);

}  // namespace spymaster::pipeline
