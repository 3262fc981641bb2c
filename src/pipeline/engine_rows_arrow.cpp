#include "pipeline/engine_rows_arrow.hpp"

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <arrow/api.h>
#include <fmt/format.h>

namespace spymaster::pipeline {
namespace {

template <class Row>
using ColumnFn = std::function<std::shared_ptr<arrow::Array>(const std::vector<Row>&)>;

template <class ArrowType, class Row, class Fn>
ColumnFn<Row> Numeric(Fn field) {
  return [field](const std::vector<Row>& rows) {
    arrow::NumericBuilder<ArrowType> b;
    if (!b.Reserve(static_cast<int64_t>(rows.size())).ok()) throw std::bad_alloc();
    for (const Row& r : rows) b.UnsafeAppend(field(r));
    return b.Finish().ValueOrDie();
  };
}

template <class Row, class Fn>
ColumnFn<Row> Long(Fn field) { return Numeric<arrow::Int64Type, Row>(field); }
template <class Row, class Fn>
ColumnFn<Row> Int(Fn field) { return Numeric<arrow::Int32Type, Row>(field); }
template <class Row, class Fn>
ColumnFn<Row> Double(Fn field) { return Numeric<arrow::DoubleType, Row>(field); }

template <class Row, class Fn>
ColumnFn<Row> Bool(Fn field) {
  return [field](const std::vector<Row>& rows) {
    arrow::BooleanBuilder b;
    if (!b.Reserve(static_cast<int64_t>(rows.size())).ok()) throw std::bad_alloc();
    for (const Row& r : rows) b.UnsafeAppend(field(r));
    return b.Finish().ValueOrDie();
  };
}

template <class Row, class Fn>
ColumnFn<Row> Side(Fn field) {
  return [field](const std::vector<Row>& rows) {
    arrow::StringBuilder b;
    if (!b.Reserve(static_cast<int64_t>(rows.size())).ok() || !b.ReserveData(static_cast<int64_t>(rows.size())).ok()) {
      throw std::bad_alloc();
    }
    for (const Row& r : rows) {
      const char c = field(r);
      b.UnsafeAppend(std::string_view(&c, 1));
    }
    return b.Finish().ValueOrDie();
  };
}

template <class Row>
std::shared_ptr<arrow::RecordBatch> Build(const std::vector<Row>& rows, const std::shared_ptr<arrow::Schema>& schema,
                                          const std::vector<std::pair<std::string_view, ColumnFn<Row>>>& columns) {
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (const auto& field : schema->fields()) {
    const ColumnFn<Row>* fn = nullptr;
    for (const auto& [name, f] : columns) {
      if (name == field->name()) fn = &f;
    }
    if (fn == nullptr) {
      throw std::invalid_argument(fmt::format("contract column '{}' is not produced by the engine", field->name()));
    }
    arrays.push_back((*fn)(rows));
  }
  return arrow::RecordBatch::Make(schema, static_cast<int64_t>(rows.size()), std::move(arrays));
}

#define SPYMASTER_COL(kind, Row, name) {#name, kind<Row>([](const Row& r) { return r.name; })}

}  // namespace

std::shared_ptr<arrow::RecordBatch> SnapshotBatch(const std::vector<engine::SnapshotRow>& rows,
                                                  const std::shared_ptr<arrow::Schema>& schema) {
  using R = engine::SnapshotRow;
  static const std::vector<std::pair<std::string_view, ColumnFn<R>>> kColumns = {
      SPYMASTER_COL(Long, R, window_start_ts_ns), SPYMASTER_COL(Long, R, window_end_ts_ns),
      SPYMASTER_COL(Long, R, best_bid_price_int), SPYMASTER_COL(Long, R, best_bid_qty),
      SPYMASTER_COL(Long, R, best_ask_price_int), SPYMASTER_COL(Long, R, best_ask_qty),
      SPYMASTER_COL(Double, R, mid_price),        SPYMASTER_COL(Long, R, mid_price_int),
      SPYMASTER_COL(Long, R, last_trade_price_int), SPYMASTER_COL(Long, R, spot_ref_price_int),
      SPYMASTER_COL(Bool, R, book_valid),         SPYMASTER_COL(Bool, R, window_valid)};
  return Build(rows, schema, kColumns);
}

std::shared_ptr<arrow::RecordBatch> DepthFlowBatch(const std::vector<engine::DepthFlowRow>& rows,
                                                   const std::shared_ptr<arrow::Schema>& schema) {
  using R = engine::DepthFlowRow;
  static const std::vector<std::pair<std::string_view, ColumnFn<R>>> kColumns = {
      SPYMASTER_COL(Long, R, window_start_ts_ns), SPYMASTER_COL(Long, R, window_end_ts_ns),
      SPYMASTER_COL(Long, R, price_int),          SPYMASTER_COL(Side, R, side),
      SPYMASTER_COL(Long, R, spot_ref_price_int), SPYMASTER_COL(Int, R, rel_ticks),
      SPYMASTER_COL(Int, R, rel_ticks_side),      SPYMASTER_COL(Double, R, depth_qty_start),
      SPYMASTER_COL(Double, R, depth_qty_end),    SPYMASTER_COL(Double, R, add_qty),
      SPYMASTER_COL(Double, R, pull_qty_total),   SPYMASTER_COL(Double, R, depth_qty_rest),
      SPYMASTER_COL(Double, R, pull_qty_rest),    SPYMASTER_COL(Double, R, fill_qty),
      SPYMASTER_COL(Bool, R, window_valid)};
  return Build(rows, schema, kColumns);
}

std::shared_ptr<arrow::RecordBatch> GoldBatch(const std::vector<engine::GoldRow>& rows,
                                              const std::shared_ptr<arrow::Schema>& schema) {
  using R = engine::GoldRow;
  static const std::vector<std::pair<std::string_view, ColumnFn<R>>> kColumns = {
      SPYMASTER_COL(Long, R, window_end_ts_ns), SPYMASTER_COL(Long, R, event_ts_ns),
      SPYMASTER_COL(Long, R, spot_ref_price_int), SPYMASTER_COL(Int, R, rel_ticks),
      SPYMASTER_COL(Int, R, rel_ticks_side),    SPYMASTER_COL(Side, R, side),
      SPYMASTER_COL(Double, R, add_intensity),  SPYMASTER_COL(Double, R, fill_intensity),
      SPYMASTER_COL(Double, R, pull_intensity), SPYMASTER_COL(Double, R, liquidity_velocity),
      SPYMASTER_COL(Double, R, u_ema_2),        SPYMASTER_COL(Double, R, u_ema_8),
      SPYMASTER_COL(Double, R, u_ema_32),       SPYMASTER_COL(Double, R, u_ema_128),
      SPYMASTER_COL(Double, R, u_band_fast),    SPYMASTER_COL(Double, R, u_band_mid),
      SPYMASTER_COL(Double, R, u_band_slow),    SPYMASTER_COL(Double, R, u_wave_energy),
      SPYMASTER_COL(Double, R, du_dt),          SPYMASTER_COL(Double, R, d2u_dt2),
      SPYMASTER_COL(Double, R, u_near),         SPYMASTER_COL(Double, R, u_far),
      SPYMASTER_COL(Double, R, u_prom),         SPYMASTER_COL(Double, R, du_dx),
      SPYMASTER_COL(Double, R, d2u_dx2),        SPYMASTER_COL(Double, R, rho),
      SPYMASTER_COL(Double, R, phi_rest),       SPYMASTER_COL(Double, R, u_p),
      SPYMASTER_COL(Double, R, u_p_slow),       SPYMASTER_COL(Double, R, Omega),
      SPYMASTER_COL(Double, R, Omega_near),     SPYMASTER_COL(Double, R, Omega_far),
      SPYMASTER_COL(Double, R, Omega_prom),     SPYMASTER_COL(Double, R, nu),
      SPYMASTER_COL(Double, R, kappa),          SPYMASTER_COL(Double, R, pressure_grad)};
  return Build(rows, schema, kColumns);
}

#undef SPYMASTER_COL

namespace {

template <class ArrayType>
const ArrayType& Col(const arrow::RecordBatch& batch, const char* name) {
  const auto column = batch.GetColumnByName(name);
  const auto* typed = column ? dynamic_cast<const ArrayType*>(column.get()) : nullptr;
  if (typed == nullptr) throw std::invalid_argument(fmt::format("silver column '{}' missing or mistyped", name));
  return *typed;
}

char SideAt(const arrow::StringArray& a, int64_t i) {
  const std::string_view v = a.GetView(i);
  return v.size() == 1 ? v[0] : '?';
}

}  // namespace

void AppendSnapshotRows(const arrow::RecordBatch& batch, std::vector<engine::SnapshotRow>& out) {
  const auto& start = Col<arrow::Int64Array>(batch, "window_start_ts_ns");
  const auto& end = Col<arrow::Int64Array>(batch, "window_end_ts_ns");
  const auto& bb = Col<arrow::Int64Array>(batch, "best_bid_price_int");
  const auto& bbq = Col<arrow::Int64Array>(batch, "best_bid_qty");
  const auto& ba = Col<arrow::Int64Array>(batch, "best_ask_price_int");
  const auto& baq = Col<arrow::Int64Array>(batch, "best_ask_qty");
  const auto& mid = Col<arrow::DoubleArray>(batch, "mid_price");
  const auto& mid_int = Col<arrow::Int64Array>(batch, "mid_price_int");
  const auto& last = Col<arrow::Int64Array>(batch, "last_trade_price_int");
  const auto& spot = Col<arrow::Int64Array>(batch, "spot_ref_price_int");
  const auto& valid = Col<arrow::BooleanArray>(batch, "book_valid");
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    engine::SnapshotRow r;
    r.window_start_ts_ns = start.Value(i);
    r.window_end_ts_ns = end.Value(i);
    r.best_bid_price_int = bb.Value(i);
    r.best_bid_qty = bbq.Value(i);
    r.best_ask_price_int = ba.Value(i);
    r.best_ask_qty = baq.Value(i);
    r.mid_price = mid.Value(i);
    r.mid_price_int = mid_int.Value(i);
    r.last_trade_price_int = last.Value(i);
    r.spot_ref_price_int = spot.Value(i);
    r.book_valid = valid.Value(i);
    out.push_back(r);
  }
}

void AppendDepthFlowRows(const arrow::RecordBatch& batch, std::vector<engine::DepthFlowRow>& out) {
  const auto& start = Col<arrow::Int64Array>(batch, "window_start_ts_ns");
  const auto& end = Col<arrow::Int64Array>(batch, "window_end_ts_ns");
  const auto& price = Col<arrow::Int64Array>(batch, "price_int");
  const auto& side = Col<arrow::StringArray>(batch, "side");
  const auto& spot = Col<arrow::Int64Array>(batch, "spot_ref_price_int");
  const auto& rel = Col<arrow::Int32Array>(batch, "rel_ticks");
  const auto& rel_side = Col<arrow::Int32Array>(batch, "rel_ticks_side");
  const auto& d_start = Col<arrow::DoubleArray>(batch, "depth_qty_start");
  const auto& d_end = Col<arrow::DoubleArray>(batch, "depth_qty_end");
  const auto& add = Col<arrow::DoubleArray>(batch, "add_qty");
  const auto& pull = Col<arrow::DoubleArray>(batch, "pull_qty_total");
  const auto& rest = Col<arrow::DoubleArray>(batch, "depth_qty_rest");
  const auto& pull_rest = Col<arrow::DoubleArray>(batch, "pull_qty_rest");
  const auto& fill = Col<arrow::DoubleArray>(batch, "fill_qty");
  const auto& valid = Col<arrow::BooleanArray>(batch, "window_valid");
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    engine::DepthFlowRow r;
    r.window_start_ts_ns = start.Value(i);
    r.window_end_ts_ns = end.Value(i);
    r.price_int = price.Value(i);
    r.side = SideAt(side, i);
    r.spot_ref_price_int = spot.Value(i);
    r.rel_ticks = rel.Value(i);
    r.rel_ticks_side = rel_side.Value(i);
    r.depth_qty_start = d_start.Value(i);
    r.depth_qty_end = d_end.Value(i);
    r.add_qty = add.Value(i);
    r.pull_qty_total = pull.Value(i);
    r.depth_qty_rest = rest.Value(i);
    r.pull_qty_rest = pull_rest.Value(i);
    r.fill_qty = fill.Value(i);
    r.window_valid = valid.Value(i);
    out.push_back(r);
  }
}

}  // namespace spymaster::pipeline
