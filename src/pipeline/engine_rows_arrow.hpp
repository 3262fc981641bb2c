// Conversions between the engine's window rows (engine/rows.hpp) and Arrow record batches shaped by the
// dataset contracts: silver book_snapshot_1s and depth_and_flow_1s, gold physics_surface_1s. Batches are
// built in the contract's column order (so a contract/engine mismatch is an error naming the column).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <arrow/type_fwd.h>

#include "engine/rows.hpp"

namespace spymaster::pipeline {

std::shared_ptr<arrow::RecordBatch> SnapshotBatch(const std::vector<engine::SnapshotRow>& rows,
                                                  const std::shared_ptr<arrow::Schema>& schema);
std::shared_ptr<arrow::RecordBatch> DepthFlowBatch(const std::vector<engine::DepthFlowRow>& rows,
                                                   const std::shared_ptr<arrow::Schema>& schema);
std::shared_ptr<arrow::RecordBatch> GoldBatch(const std::vector<engine::GoldRow>& rows,
                                              const std::shared_ptr<arrow::Schema>& schema);

// Gold rows transposed into column buffers as each window arrives, so the stage keeps no copy of
// them as row structs; Take() hands out what was appended as one batch and starts empty again.
class GoldColumns {
 public:
  GoldColumns(std::shared_ptr<arrow::Schema> schema, int64_t capacity);
  ~GoldColumns();
  int64_t size() const;
  // Throws std::length_error when the rows do not fit the remaining capacity.
  void Append(std::span<const engine::GoldRow> rows);
  std::shared_ptr<arrow::RecordBatch> Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reading silver back (the gold stage): appends the batch's rows. Throws std::invalid_argument naming a
// missing or mistyped column.
void AppendSnapshotRows(const arrow::RecordBatch& batch, std::vector<engine::SnapshotRow>& out);
void AppendDepthFlowRows(const arrow::RecordBatch& batch, std::vector<engine::DepthFlowRow>& out);

}  // namespace spymaster::pipeline
