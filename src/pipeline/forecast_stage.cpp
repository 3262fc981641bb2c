#include "pipeline/forecast_stage.hpp"

#include <arrow/api.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "columns/forecast_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "engine/forecast.hpp"
#include "engine/product_config.hpp"
#include "lake/interrupt.hpp"
#include "lake/partition.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::size_t kChunkWindows = 256;  // windows read, forecast in parallel, then written
constexpr engine::GoldValue kForecastInputs[] = {engine::kPressureGrad, engine::kUWaveEnergy, engine::kRho, engine::kNu,
                                                 engine::kOmega};

// Forecasts `windows` on up to `threads` threads (windows are independent: each seeds its own generator)
// and appends their rows in window order.
void ForecastChunk(const std::vector<engine::GoldSurface>& windows, int64_t spot_unit, unsigned threads,
                   std::vector<engine::ForecastRow>& out) {
  std::vector<std::vector<engine::ForecastRow>> rows(windows.size());
  auto work = [&](std::size_t first) {
    engine::Forecaster forecaster(spot_unit);
    for (std::size_t i = first; i < windows.size(); i += threads) forecaster.Compute(windows[i], rows[i]);
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads && t < windows.size(); ++t) pool.emplace_back(work, t);
  work(0);
  pool.clear();  // joins
  for (const auto& r : rows) out.insert(out.end(), r.begin(), r.end());
}

StageResult RunForecast(const StageContext& ctx, const Task& task, std::string_view stage, int64_t spot_unit) {
  const std::string pt(lake::ToString(task.product_type));
  const std::string gold_key = fmt::format("gold.{}.physics_surface_1s", pt);
  const std::string forecast_key = fmt::format("gold.{}.forecast_1s", pt);
  const lake::PartitionKey part{task.symbol, task.dt};
  const auto& reg = ctx.registry;
  StageResult result;
  result.stage = std::string(stage);

  const lake::InputRef gold_ref = lake::InputRefFor(reg, ctx.lake_root, gold_key, part);
  const lake::Params params = {{columns::kForecastGoldManifestParam, gold_ref.manifest_sha256}};
  if (!ctx.overwrite && lake::IsCompleteWith(lake::PartitionDir(reg.Get(forecast_key), ctx.lake_root, part), params)) {
    result.skipped = true;
    return result;
  }
  const std::string where = fmt::format("{} symbol={} dt={}", gold_key, task.symbol, task.dt);
  std::vector<std::string> columns = {"window_end_ts_ns", "spot_ref_price_int", "rel_ticks"};
  for (engine::GoldValue v : kForecastInputs) columns.emplace_back(engine::kGoldValueNames[v]);
  const auto reader = lake::OpenPartitionReader(reg, ctx.lake_root, gold_key, part, 1 << 16, columns);

  lake::PartitionWriter writer(reg, ctx.lake_root, forecast_key, part, ctx.overwrite);
  const auto schema = reg.Get(forecast_key).contract.ArrowSchema();
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
  std::vector<engine::GoldSurface> windows;
  std::vector<engine::ForecastRow> rows;
  int64_t forecast_windows = 0;
  auto flush = [&](bool last) {
    // The newest window may continue in the next batch: keep it unless this is the end.
    const std::size_t ready = last ? windows.size() : windows.size() - 1;
    if (ready == 0) return;
    const std::vector<engine::GoldSurface> done(std::make_move_iterator(windows.begin()),
                                                std::make_move_iterator(windows.begin() + ready));
    windows.erase(windows.begin(), windows.begin() + ready);
    rows.clear();
    ForecastChunk(done, spot_unit, threads, rows);
    forecast_windows += static_cast<int64_t>(done.size());
    writer.Write(*columns::ForecastBatch(rows, schema));
    lake::ThrowIfInterrupted();
  };
  std::shared_ptr<arrow::RecordBatch> batch;
  for (;;) {
    CheckOk(reader->ReadNext(&batch), [&] { return "reading " + where; });
    if (!batch) break;
    const auto& ts = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName("window_end_ts_ns"));
    const auto& spot = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName("spot_ref_price_int"));
    const auto& rel = static_cast<const arrow::Int32Array&>(*batch->GetColumnByName("rel_ticks"));
    const arrow::DoubleArray* values[std::size(kForecastInputs)];
    for (std::size_t v = 0; v < std::size(kForecastInputs); ++v) {
      values[v] = &static_cast<const arrow::DoubleArray&>(
          *batch->GetColumnByName(std::string(engine::kGoldValueNames[kForecastInputs[v]])));
    }
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      if (windows.empty() || windows.back().window_end_ts_ns != ts.Value(i)) {
        if (!windows.empty() && ts.Value(i) < windows.back().window_end_ts_ns) {
          throw std::runtime_error(
              fmt::format("{}: windows not in increasing time at window end {}", where, ts.Value(i)));
        }
        windows.emplace_back();
        windows.back().window_end_ts_ns = ts.Value(i);
        windows.back().spot_ref_price_int = spot.Value(i);
      }
      engine::GoldSurface& g = windows.back();
      g.rel_ticks.push_back(rel.Value(i));
      for (std::size_t v = 0; v < std::size(kForecastInputs); ++v) {
        g.values[kForecastInputs[v]].push_back(values[v]->Value(i));
      }
    }
    if (windows.size() > kChunkWindows) flush(false);
  }
  flush(true);
  std::map<std::string, int64_t> counters = {{"forecast_windows", forecast_windows}};
  const auto commit = writer.Commit({std::string(stage), {gold_ref}, counters, params});
  result.rows = commit.rows;
  result.datasets_written = {fmt::format("{} symbol={}", forecast_key, task.symbol)};
  spdlog::info("{} {} {}: forecast_windows={} rows={} threads={}", stage, task.symbol, task.dt, forecast_windows,
               commit.rows, threads);
  result.counters = std::move(counters);
  return result;
}

}  // namespace

StageResult RunForecastFutureMbo(const StageContext& ctx, const Task& task) {
  return RunForecast(ctx, task, "gold_compute_forecast_1s", engine::kForecastTickInt);
}

StageResult RunForecastEquityMbo(const StageContext& ctx, const Task& task) {
  return RunForecast(ctx, task, "gold_compute_equity_forecast_1s", engine::EquityMboConfig().cell);
}

}  // namespace spymaster::pipeline
