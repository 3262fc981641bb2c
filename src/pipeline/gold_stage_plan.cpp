#include "pipeline/gold_stage_plan.hpp"

#include <fmt/format.h>

#include "pipeline/session.hpp"

namespace spymaster::pipeline {

GoldStagePlan PlanGoldStage(const StageContext& ctx, const Task& task) {
  const std::string pt(lake::ToString(task.product_type));
  GoldStagePlan plan;
  plan.snap_key = fmt::format("silver.{}.book_snapshot_1s", pt);
  plan.flow_key = fmt::format("silver.{}.depth_and_flow_1s", pt);
  plan.gold_key = fmt::format("gold.{}.physics_surface_1s", pt);
  plan.part = {task.symbol, task.dt};
  plan.params = SessionParams(ctx.session_start_minute, ctx.session_end_minute);
  const auto& reg = ctx.registry;
  plan.complete =
      !ctx.overwrite &&
      lake::IsCompleteWith(lake::PartitionDir(reg.Get(plan.gold_key), ctx.lake_root, plan.part), plan.params);
  // Gold's windows are silver's: silver must come from the session this run asks for.
  if (!plan.complete) {
    plan.inputs = {lake::InputRefFor(reg, ctx.lake_root, plan.snap_key, plan.part, plan.params),
                   lake::InputRefFor(reg, ctx.lake_root, plan.flow_key, plan.part, plan.params)};
  }
  return plan;
}

}  // namespace spymaster::pipeline
