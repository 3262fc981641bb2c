// The forecast rows (engine/forecast.hpp) as the lake's gold forecast_1s table and back: the stage that
// writes the table and the replay that reads it instead of computing the ensemble.
#pragma once

#include <arrow/type_fwd.h>

#include <memory>
#include <vector>

#include "engine/forecast.hpp"

namespace spymaster::columns {

// The parameter a forecast_1s partition records (in its manifest's params): the sha256 of the gold
// physics_surface_1s manifest it was computed from, so that a forecast of an older gold is never read.
inline constexpr char kForecastGoldManifestParam[] = "gold_manifest_sha256";

// A batch of `rows` with `schema`'s columns (the contract's: window_end_ts_ns, horizon_s,
// predicted_spot_tick, predicted_tick_delta, confidence, RunScore_up, RunScore_down, D_up, D_down, in any
// order; D null where there is no wall). Throws a data Error naming a contract column it does not know.
std::shared_ptr<arrow::RecordBatch> ForecastBatch(const std::vector<engine::ForecastRow>& rows,
                                                  const std::shared_ptr<arrow::Schema>& schema);

// Appends the batch's rows. Throws a data Error naming a missing or mistyped column.
void AppendForecastRows(const arrow::RecordBatch& batch, std::vector<engine::ForecastRow>& out);

}  // namespace spymaster::columns
