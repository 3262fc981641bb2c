// Conversions between the engine's window output (engine/rows.hpp) and Arrow record batches shaped by the
// dataset contracts: silver book_snapshot_1s and depth_and_flow_1s, gold physics_surface_1s. Batches are
// built in the contract's column order (so a contract/engine mismatch is an error naming the column).
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/gold_state.hpp"
#include "engine/option_rows.hpp"
#include "engine/rows.hpp"

namespace spymaster::columns {

std::shared_ptr<arrow::RecordBatch> SnapshotBatch(const std::vector<engine::SnapshotRow>& rows,
                                                  const std::shared_ptr<arrow::Schema>& schema);
std::shared_ptr<arrow::RecordBatch> DepthFlowBatch(const std::vector<engine::DepthFlowRow>& rows,
                                                   const std::shared_ptr<arrow::Schema>& schema);
// Option silver and gold (one batch per flush; rows in engine order).
std::shared_ptr<arrow::RecordBatch> OptionSnapshotBatch(const std::vector<engine::OptionSnapshotRow>& rows,
                                                        const std::shared_ptr<arrow::Schema>& schema);
std::shared_ptr<arrow::RecordBatch> OptionFlowBatch(const std::vector<engine::OptionFlowRow>& rows,
                                                    const std::shared_ptr<arrow::Schema>& schema);
std::shared_ptr<arrow::RecordBatch> OptionGoldBatch(const std::vector<engine::OptionGoldRow>& rows,
                                                    const std::shared_ptr<arrow::Schema>& schema);
// Rows (silver engine::SnapshotRow, engine::DepthFlowRow; the option rows) appended window by window into the column
// buffers of up to `capacity` rows; Take() as GoldColumns'. Throws a data Error for a contract column the
// engine does not produce.
template <class Row>
class RowColumns {
 public:
  RowColumns(std::shared_ptr<arrow::Schema> schema, int64_t capacity);
  ~RowColumns();
  int64_t size() const;
  // Throws std::length_error when the rows do not fit the remaining capacity.
  void Append(std::span<const Row> rows);
  std::shared_ptr<arrow::RecordBatch> Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
using SnapshotColumns = RowColumns<engine::SnapshotRow>;
using DepthFlowColumns = RowColumns<engine::DepthFlowRow>;
using OptionSnapshotColumns = RowColumns<engine::OptionSnapshotRow>;
using OptionFlowColumns = RowColumns<engine::OptionFlowRow>;
using OptionGoldColumns = RowColumns<engine::OptionGoldRow>;

// Gold surfaces appended window by window into the column buffers of up to `capacity` rows; Take() hands
// out what was appended as one batch and starts empty again. The buffers of a batch are cut from one
// slab (ColumnSlabs), reused once the batch and everything sliced or exported from it is gone. Throws a
// data Error for a contract column the engine does not produce or types differently.
class GoldColumns {
 public:
  GoldColumns(std::shared_ptr<arrow::Schema> schema, int64_t capacity);
  ~GoldColumns();
  int64_t size() const;
  // Throws std::length_error when the surface does not fit the remaining capacity.
  void Append(const engine::GoldSurface& surface);
  // Computes the window's surface (GoldState::OnWindow) straight into the buffers: no GoldSurface, no
  // copy. Returns the rows appended (0 without spot). Throws std::length_error without room for a surface.
  int64_t AppendWindow(engine::GoldState& gold, const engine::SnapshotRow& snapshot,
                       std::span<const engine::DepthFlowRow> rows);
  std::shared_ptr<arrow::RecordBatch> Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reading silver back (the gold stage): appends the batch's rows. Throws a data Error naming a
// missing or mistyped column.
void AppendSnapshotRows(const arrow::RecordBatch& batch, std::vector<engine::SnapshotRow>& out);
void AppendDepthFlowRows(const arrow::RecordBatch& batch, std::vector<engine::DepthFlowRow>& out);
// Option depth_and_flow_1s read back (the option gold stage). A column without depth_qty_rest (equity
// options) reads as 0.
void AppendOptionFlowRows(const arrow::RecordBatch& batch, std::vector<engine::OptionFlowRow>& out);

}  // namespace spymaster::columns
