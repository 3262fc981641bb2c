#include "columns/column_slabs.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <atomic>

#include "common/arrow_status.hpp"

namespace spymaster::columns {

std::shared_ptr<arrow::Buffer> ColumnSlabs::Get(int64_t bytes) {
  for (auto& slab : slabs_) {
    // Only this vector holds it: no batch can reach it again. The fence orders this thread's coming
    // writes after the releasing thread's last reads (its release decrement of the count).
    if (slab.use_count() == 1 && slab->size() >= bytes) {
      std::atomic_thread_fence(std::memory_order_acquire);
      return slab;
    }
  }
  std::shared_ptr<arrow::Buffer> slab = ValueOrThrow(arrow::AllocateBuffer(bytes), [&] {
    return fmt::format("allocating {} bytes for a batch's column buffers", bytes);
  });
  if (slabs_.size() < kKeep) {
    slabs_.push_back(slab);
  } else {
    // Replace a free slab too small for this size (sizes grow to the largest batch), if there is one.
    for (auto& kept : slabs_) {
      if (kept.use_count() == 1) {
        kept = slab;
        break;
      }
    }
  }
  return slab;
}

}  // namespace spymaster::columns
