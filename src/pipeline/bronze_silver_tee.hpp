// `run --layer all` of future_mbo / equity_mbo when the task's contract is known before bronze runs (the
// selection map names it, or the ticker is its own partition): bronze writes every partition while the
// engine, on a second thread, computes silver and gold of the contract from bronze's own record batches
// (source::TeeMboSource), so that partition is not read back and the two stages overlap on two cores.
//
// Nothing lost, nothing doubled: silver and gold are prepared only after the bronze partition they derive
// from is committed and checked against its manifest, with the same row count as the engine was fed; if
// bronze fails, silver and gold commit nothing. When bronze cannot stream the partition (already complete,
// or rows out of order in the raw file) the engine's pass is abandoned and silver + gold run the usual way
// from the committed bronze. Either way the partitions, rows and manifests are those of the two stages
// run one after the other (bronze then RunSilverGold*).
#pragma once

#include <string>

#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

struct StageOutcome {
  StageResult result;
  std::string error;  // empty on success
  double seconds = 0;
};

struct BronzeSilverOutcome {
  StageOutcome bronze;
  StageOutcome silver_gold;  // not run (result.stage empty) when bronze failed
  bool teed = false;         // silver + gold came from bronze's batches (not from the partition read back)
};

// `bronze_task` has the raw root (ES, SPY), `contract` the partition silver and gold are computed for.
// Errors are returned in the outcomes, not thrown.
BronzeSilverOutcome RunBronzeTeeingSilverGold(const StageContext& ctx, const Task& bronze_task,
                                              const std::string& contract);

}  // namespace spymaster::pipeline
