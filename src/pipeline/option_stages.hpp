// Silver and gold stages of future_option_mbo (ES 0DTE options MBO). Silver drives one OptionEngine over
// the underlying's bronze MBO (bronze.future_mbo.mbo, same contract symbol, e.g. ESH6) merged with its
// options' bronze MBO (bronze.future_option_mbo.mbo) by ts_event: the underlying's windows give each
// option window its spot_ref. Instruments (right, strike) come from the option bronze partition's
// definition columns. Gold runs OptionGoldState over silver read back; RunSilverGold* do both in one pass.
#pragma once

#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

StageResult RunSilverFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverGoldFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunGoldFutureOptionMbo(const StageContext& ctx, const Task& task);

}  // namespace spymaster::pipeline
