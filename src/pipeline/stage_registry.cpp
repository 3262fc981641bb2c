// One row per (product_type, layer). Silver and gold stages are added here by their authors.
#include <array>

#include "pipeline/bronze_stages.hpp"
#include "pipeline/forecast_stage.hpp"
#include "pipeline/mbo_stages.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/stage.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::array kStages = {
    StageDef{ProductType::kFutureMbo, Layer::kBronze, "bronze_ingest_future_mbo", &RunBronzeFutureMbo},
    StageDef{ProductType::kFutureOptionMbo, Layer::kBronze, "bronze_ingest_future_option_mbo",
             &RunBronzeFutureOptionMbo},
    StageDef{ProductType::kEquityMbo, Layer::kBronze, "bronze_ingest_equity_mbo", &RunBronzeEquityMbo},
    StageDef{ProductType::kEquityOptionMbo, Layer::kBronze, "bronze_ingest_equity_option_cmbp_1",
             &RunBronzeEquityOptionCmbp1},
    StageDef{ProductType::kFutureMbo, Layer::kSilver, "silver_compute_book_states_1s", &RunSilverFutureMbo,
             &RunSilverGoldFutureMbo},
    StageDef{ProductType::kEquityMbo, Layer::kSilver, "silver_compute_equity_book_states_1s", &RunSilverEquityMbo,
             &RunSilverGoldEquityMbo},
    StageDef{ProductType::kFutureOptionMbo, Layer::kSilver, "silver_compute_option_book_states_1s",
             &RunSilverFutureOptionMbo, &RunSilverGoldFutureOptionMbo},
    StageDef{ProductType::kEquityOptionMbo, Layer::kSilver, "silver_compute_equity_option_book_states_1s",
             &RunSilverEquityOption, &RunSilverGoldEquityOption},
    StageDef{ProductType::kFutureMbo, Layer::kGold, "gold_compute_physics_surface_1s", &RunGoldFutureMbo},
    StageDef{ProductType::kFutureOptionMbo, Layer::kGold, "gold_compute_option_physics_surface_1s",
             &RunGoldFutureOptionMbo},
    StageDef{ProductType::kEquityOptionMbo, Layer::kGold, "gold_compute_equity_option_physics_surface_1s",
             &RunGoldEquityOption},
    StageDef{ProductType::kEquityMbo, Layer::kGold, "gold_compute_equity_physics_surface_1s", &RunGoldEquityMbo},
    StageDef{ProductType::kFutureMbo, Layer::kForecast, "gold_compute_forecast_1s", &RunForecastFutureMbo},
    StageDef{ProductType::kEquityMbo, Layer::kForecast, "gold_compute_equity_forecast_1s", &RunForecastEquityMbo},
};

}  // namespace

std::span<const StageDef> RegisteredStages() { return kStages; }

const StageDef* FindStage(ProductType product_type, Layer layer) {
  for (const StageDef& stage : kStages) {
    if (stage.product_type == product_type && stage.layer == layer) return &stage;
  }
  return nullptr;
}

}  // namespace spymaster::pipeline
