#include "columns/forecast_rows_arrow.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <functional>
#include <string>
#include <utility>

#include "common/arrow_status.hpp"
#include "common/error.hpp"

namespace spymaster::columns {
namespace {

using Rows = std::vector<engine::ForecastRow>;

template <class Builder, class Value>
std::shared_ptr<arrow::Array> Column(const Rows& rows, Value value) {
  Builder b;
  CheckOk(b.Reserve(static_cast<int64_t>(rows.size())), [] { return std::string("building a forecast column"); });
  for (const engine::ForecastRow& r : rows) {
    const auto v = value(r);
    if constexpr (requires { v.has_value(); }) {
      if (v) {
        b.UnsafeAppend(*v);
      } else {
        b.UnsafeAppendNull();
      }
    } else {
      b.UnsafeAppend(v);
    }
  }
  std::shared_ptr<arrow::Array> out;
  CheckOk(b.Finish(&out), [] { return std::string("building a forecast column"); });
  return out;
}

std::shared_ptr<arrow::Array> ColumnNamed(const std::string& name, const Rows& rows) {
  using R = engine::ForecastRow;
  if (name == "window_end_ts_ns")
    return Column<arrow::Int64Builder>(rows, [](const R& r) { return r.window_end_ts_ns; });
  if (name == "horizon_s") return Column<arrow::Int32Builder>(rows, [](const R& r) { return r.horizon_s; });
  if (name == "predicted_spot_tick") {
    return Column<arrow::Int64Builder>(rows, [](const R& r) { return r.predicted_spot_tick; });
  }
  if (name == "predicted_tick_delta") {
    return Column<arrow::Int64Builder>(rows, [](const R& r) { return r.predicted_tick_delta; });
  }
  if (name == "confidence") return Column<arrow::DoubleBuilder>(rows, [](const R& r) { return r.confidence; });
  if (name == "RunScore_up") return Column<arrow::DoubleBuilder>(rows, [](const R& r) { return r.run_score_up; });
  if (name == "RunScore_down") return Column<arrow::DoubleBuilder>(rows, [](const R& r) { return r.run_score_down; });
  if (name == "D_up") return Column<arrow::Int32Builder>(rows, [](const R& r) { return r.d_up; });
  if (name == "D_down") return Column<arrow::Int32Builder>(rows, [](const R& r) { return r.d_down; });
  throw Error(ErrorKind::kData, fmt::format("contract column '{}' is not a forecast column", name));
}

template <class ArrayType>
const ArrayType& Col(const arrow::RecordBatch& batch, const char* name) {
  const auto column = batch.GetColumnByName(name);
  const auto* typed = column ? dynamic_cast<const ArrayType*>(column.get()) : nullptr;
  if (typed == nullptr) throw Error(ErrorKind::kData, fmt::format("forecast column '{}' missing or mistyped", name));
  return *typed;
}

}  // namespace

std::shared_ptr<arrow::RecordBatch> ForecastBatch(const Rows& rows, const std::shared_ptr<arrow::Schema>& schema) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (const auto& field : schema->fields()) columns.push_back(ColumnNamed(field->name(), rows));
  return arrow::RecordBatch::Make(schema, static_cast<int64_t>(rows.size()), std::move(columns));
}

void AppendForecastRows(const arrow::RecordBatch& batch, Rows& out) {
  const auto& ts = Col<arrow::Int64Array>(batch, "window_end_ts_ns");
  const auto& horizon = Col<arrow::Int32Array>(batch, "horizon_s");
  const auto& spot = Col<arrow::Int64Array>(batch, "predicted_spot_tick");
  const auto& delta = Col<arrow::Int64Array>(batch, "predicted_tick_delta");
  const auto& confidence = Col<arrow::DoubleArray>(batch, "confidence");
  const auto& up = Col<arrow::DoubleArray>(batch, "RunScore_up");
  const auto& down = Col<arrow::DoubleArray>(batch, "RunScore_down");
  const auto& d_up = Col<arrow::Int32Array>(batch, "D_up");
  const auto& d_down = Col<arrow::Int32Array>(batch, "D_down");
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    engine::ForecastRow r;
    r.window_end_ts_ns = ts.Value(i);
    r.horizon_s = horizon.Value(i);
    r.predicted_spot_tick = spot.Value(i);
    r.predicted_tick_delta = delta.Value(i);
    r.confidence = confidence.Value(i);
    r.run_score_up = up.Value(i);
    r.run_score_down = down.Value(i);
    if (d_up.IsValid(i)) r.d_up = d_up.Value(i);
    if (d_down.IsValid(i)) r.d_down = d_down.Value(i);
    out.push_back(r);
  }
}

}  // namespace spymaster::columns
