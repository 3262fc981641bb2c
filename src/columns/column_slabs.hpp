// Memory for the column buffers of a sequence of record batches, one slab per batch, reused once every
// batch cut from it is gone. The consumers of window batches (Python through the Arrow C data interface,
// a Parquet writer) drop a batch a step or two later, so a few slabs serve a whole session, warm in cache,
// where a fresh allocation per column per batch would cost a malloc, page faults and cold stores each.
#pragma once

#include <arrow/type_fwd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace spymaster::columns {

class ColumnSlabs {
 public:
  // Column buffer offsets within a slab are multiples of this (Arrow's recommended alignment).
  static constexpr int64_t kAlignment = 64;

  // A slab of at least `bytes` that nothing else references: a kept one whose batches are all released,
  // else a new one (kept while fewer than `keep` are). Buffers cut from it with arrow::SliceMutableBuffer
  // hold it, so it returns only when the last of them is released, on whatever thread that happens.
  std::shared_ptr<arrow::Buffer> Get(int64_t bytes);

  static int64_t Align(int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

 private:
  static constexpr std::size_t kKeep = 4;
  std::vector<std::shared_ptr<arrow::Buffer>> slabs_;
};

}  // namespace spymaster::columns
