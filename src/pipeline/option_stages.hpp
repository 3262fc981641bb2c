// Silver and gold stages of the option products. future_option_mbo (ES 0DTE options MBO): one
// OptionEngine over the underlying's bronze MBO (bronze.future_mbo.mbo, same contract symbol, e.g. ESH6)
// merged with its options' bronze MBO by ts_event. equity_option_mbo (OPRA 0DTE CMBP-1): one
// QuoteOptionEngine over bronze.equity_mbo.mbo (SPY) merged with bronze.equity_option_mbo.cmbp_1. The
// underlying's windows give each option window its spot_ref. Instruments (right, strike) come from the
// option bronze partition's definition columns. With `--source raw` both products read the raw day files
// instead (the underlying's MBO, the options' MBO or CMBP-1, the definitions) through bronze's own
// normalization (source::MboNormalizer, source::Cmbp1Normalizer), so no bronze is needed. Gold runs OptionGoldState
// over silver read back; RunSilverGold* do both in one pass.
#pragma once

#include <string_view>

#include "engine/option_engine.hpp"
#include "engine/product_config.hpp"
#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

StageResult RunSilverFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverGoldFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunGoldFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunSilverEquityOption(const StageContext& ctx, const Task& task);
StageResult RunSilverGoldEquityOption(const StageContext& ctx, const Task& task);
StageResult RunGoldEquityOption(const StageContext& ctx, const Task& task);

// What the two option products' stages differ in (besides what they read: source/option_records.cpp).
struct OptionProduct {
  engine::ProductConfig underlying;
  engine::OptionGrid grid;
  std::string_view silver_stage;
  std::string_view gold_stage;
  StageFn gold_alone;
};

inline constexpr OptionProduct kEsOptions{engine::FutureMboConfig(), engine::EsOptionGrid(),
                                          "silver_compute_option_book_states_1s",
                                          "gold_compute_option_physics_surface_1s", &RunGoldFutureOptionMbo};
inline constexpr OptionProduct kEquityOptions{engine::EquityMboConfig(), engine::EquityOptionGrid(),
                                              "silver_compute_equity_option_book_states_1s",
                                              "gold_compute_equity_option_physics_surface_1s", &RunGoldEquityOption};

// The option product's constants (kEsOptions, kEquityOptions); throws std::invalid_argument for the MBO
// products.
const OptionProduct& OptionProductOf(ProductType product_type);

}  // namespace spymaster::pipeline
