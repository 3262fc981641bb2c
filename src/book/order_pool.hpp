// The live orders of a book in one vector with a free list, so slots are reused and the hot path does
// not allocate once the pool has grown to the day's peak. A free slot has epoch 0 (see ArrivalRing).
#pragma once

#include <cstdint>
#include <vector>

namespace spymaster::book {

template <class Order>
class OrderPool {
 public:
  explicit OrderPool(std::size_t expected) {
    orders_.reserve(expected);
    free_.reserve(expected);
  }

  // A slot for a new order (its contents are the caller's to set).
  uint32_t Allocate() {
    if (!free_.empty()) {
      const uint32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    orders_.emplace_back();
    return static_cast<uint32_t>(orders_.size() - 1);
  }

  void Release(uint32_t slot) {
    orders_[slot].epoch = 0;
    free_.push_back(slot);
  }

  void Clear() {
    orders_.clear();
    free_.clear();
  }

  // Slots handed out so far, live or free (slot < slots()).
  uint32_t slots() const { return static_cast<uint32_t>(orders_.size()); }
  Order& operator[](uint32_t slot) { return orders_[slot]; }
  const Order& operator[](uint32_t slot) const { return orders_[slot]; }

  template <class Fn>
  void ForEachLive(Fn&& fn) const {
    for (const Order& o : orders_) {
      if (o.epoch != 0) fn(o);
    }
  }

 private:
  std::vector<Order> orders_;
  std::vector<uint32_t> free_;
};

}  // namespace spymaster::book
