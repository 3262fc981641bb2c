// The forecast layer (`run --layer forecast`): the forecast of every gold window (gold.md Part 1 §
// Forecast), computed from gold physics_surface_1s and written as gold forecast_1s, so that the stream's
// replay reads the rows instead of running the ensemble per window. A layer of its own, after gold and
// outside `--layer all`: the ensemble costs about 1 ms per window, which the one-pass silver+gold run does
// not pay. The partition's parameter is the gold manifest's sha256: a forecast of another gold is refused
// (rerun with --overwrite), and the stream falls back to computing.
#pragma once

#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

StageResult RunForecastFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunForecastEquityMbo(const StageContext& ctx, const Task& task);

}  // namespace spymaster::pipeline
