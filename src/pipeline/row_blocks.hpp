// An append-only row store in fixed blocks of 2 MiB-aligned memory with transparent huge pages
// requested: appending never moves rows (no regrowth copies) and touching a new block costs one page
// fault per 2 MiB instead of one per 4 KiB. Bronze buffers a day of records per partition here.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace spymaster::pipeline {

template <class T>
class RowBlocks {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr int64_t kShift = 16;
  static constexpr int64_t kBlockRows = int64_t{1} << kShift;

  void push_back(const T& row) {
    if ((size_ & (kBlockRows - 1)) == 0 && (size_ >> kShift) == static_cast<int64_t>(blocks_.size())) AddBlock();
    blocks_[size_ >> kShift].get()[size_ & (kBlockRows - 1)] = row;
    ++size_;
  }
  const T& operator[](int64_t i) const { return blocks_[i >> kShift].get()[i & (kBlockRows - 1)]; }
  int64_t size() const { return size_; }
  void clear() {
    blocks_.clear();
    size_ = 0;
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kBlockBytes = (sizeof(T) * kBlockRows + kHugePage - 1) / kHugePage * kHugePage;

  void AddBlock() {
    void* p = std::aligned_alloc(kHugePage, kBlockBytes);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, kBlockBytes, MADV_HUGEPAGE);  // advisory; without THP it is plain memory
    blocks_.emplace_back(static_cast<T*>(p));
  }

  std::vector<std::unique_ptr<T, Free>> blocks_;
  int64_t size_ = 0;
};

}  // namespace spymaster::pipeline
