// Arrivals of orders at their price in time order, for the resting rule (silver.md: an order rests once
// it has been at its price for rest_ns). A power-of-two ring: an arrival is pushed when an order is added,
// moved or grows, and entries that no later query can call young are dropped from the front, so the ring
// holds about rest_ns of arrivals. An entry is stale when its order's epoch changed since (freed or
// arrived again): the epoch is unique per arrival, so the check needs no removal from the ring.
#pragma once

#include <cstdint>
#include <vector>

namespace spymaster::book {

class ArrivalRing {
 public:
  struct Arrival {
    uint64_t ts;
    uint64_t epoch;
    uint32_t slot;
  };

  explicit ArrivalRing(std::size_t capacity = 1 << 12) : ring_(capacity) {}

  // Stamps `order` (any type with ts_at_price and epoch) as arriving at its price at ts and records it;
  // arrivals at or before ts − rest_ns are dropped first (every later query has since > that).
  template <class Order>
  void Arrive(Order& order, uint32_t slot, uint64_t ts, int64_t rest_ns) {
    order.ts_at_price = ts;
    order.epoch = next_epoch_++;
    DropThrough(ts > static_cast<uint64_t>(rest_ns) ? ts - rest_ns : 0);
    if (size_ == ring_.size()) Grow();
    ring_[(head_ + size_) & (ring_.size() - 1)] = Arrival{ts, order.epoch, slot};
    ++size_;
  }

  // Calls fn(slot) for every arrival after `since` (strictly) whose order `pool[slot]` is still the one
  // that arrived. Forgets entries at or before `since`: callers pass non-decreasing values.
  template <class Pool, class Fn>
  void ForEachSince(uint64_t since, const Pool& pool, Fn&& fn) {
    DropThrough(since);
    const std::size_t mask = ring_.size() - 1;
    for (std::size_t k = 0; k < size_; ++k) {
      const Arrival& a = ring_[(head_ + k) & mask];
      if (a.ts > since && pool[a.slot].epoch == a.epoch) fn(a.slot);
    }
  }

  void Clear() { head_ = size_ = 0; }

 private:
  void DropThrough(uint64_t ts) {
    const std::size_t mask = ring_.size() - 1;
    while (size_ > 0 && ring_[head_].ts <= ts) {
      head_ = (head_ + 1) & mask;
      --size_;
    }
  }

  void Grow() {
    const std::size_t cap = ring_.size();
    std::vector<Arrival> grown(cap * 2);
    for (std::size_t k = 0; k < size_; ++k) grown[k] = ring_[(head_ + k) & (cap - 1)];
    ring_.swap(grown);
    head_ = 0;
  }

  std::vector<Arrival> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  uint64_t next_epoch_ = 1;
};

}  // namespace spymaster::book
