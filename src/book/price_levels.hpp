// Aggregated depth per price for one side of one book. Prices on the tick grid within a window of
// `capacity` ticks are kept in a dense array with an occupancy bitmap, so adding, removing and finding
// the next-best level after the best one empties are a few instructions (the touch moves by a tick or
// two; the bitmap skips empty runs 64 levels per word). The window is placed around the first price
// seen and re-centred on any add that would become the side's best outside it, so a stub quote far from
// the touch cannot push the touch out of the dense window for the session; prices off the grid or far
// behind the touch go to an ordered overflow map. Both are counted (overflow_adds, recentres).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <vector>

#include "book/fixed_divisor.hpp"

namespace spymaster::book {

class PriceLevels {
 public:
  // `tick` is the price grid (1e-9 units); `capacity` a power of two number of ticks.
  PriceLevels(bool is_bid, int64_t tick, uint32_t capacity);

  // Adds qty (> 0) at price.
  void Add(int64_t price, int64_t qty);
  // Removes qty at price; returns the quantity that was not there (0 normally; the level is clamped at 0).
  int64_t Remove(int64_t price, int64_t qty);
  int64_t At(int64_t price) const;
  void Clear();

  // Best level (max for bids, min for asks); price 0 and qty 0 when empty.
  int64_t BestPrice() const;
  int64_t BestQty() const { return At(BestPrice()); }
  bool Empty() const { return best_ < 0 && overflow_.empty(); }

  int64_t overflow_adds() const { return overflow_adds_; }  // adds that went to the overflow map
  int64_t recentres() const { return recentres_; }          // times the dense window moved

  // Calls fn(price, qty) for every non-empty level with lo <= price <= hi (dense levels ascending, then
  // overflow levels ascending).
  template <class Fn>
  void ForEachInRange(int64_t lo, int64_t hi, Fn&& fn) const;

 private:
  int64_t Index(int64_t price) const;  // -1 when the price is not in the dense window
  void Place(int64_t centre);          // dense window centred on `centre` (on the grid)
  void Recentre(int64_t centre);       // moves the window, levels included
  bool BetterThanBest(int64_t price) const;
  int64_t PriceOf(int64_t index) const { return base_ + index * tick_; }
  void SetBit(int64_t i) { bits_[i >> 6] |= 1ull << (i & 63); }
  void ClearBit(int64_t i) { bits_[i >> 6] &= ~(1ull << (i & 63)); }
  int64_t NextBelow(int64_t i) const;  // highest occupied index < i, or -1
  int64_t NextAbove(int64_t i) const;  // lowest occupied index > i, or -1

  bool is_bid_;
  int64_t tick_;
  FixedDivisor grid_;
  int64_t capacity_;
  bool placed_ = false;
  int64_t base_ = 0;
  int64_t best_ = -1;  // dense index of the best dense level, -1 when none
  std::vector<int64_t> qty_;
  std::vector<uint64_t> bits_;
  std::map<int64_t, int64_t> overflow_;
  int64_t overflow_adds_ = 0;
  int64_t recentres_ = 0;
};

template <class Fn>
void PriceLevels::ForEachInRange(int64_t lo, int64_t hi, Fn&& fn) const {
  if (placed_ && hi >= base_ && lo <= PriceOf(capacity_ - 1)) {
    int64_t first = lo <= base_ ? 0 : (lo - base_ + tick_ - 1) / tick_;
    int64_t last = std::min<int64_t>(capacity_ - 1, (hi - base_) / tick_);
    if (first <= last) {
      for (int64_t w = first >> 6; w <= last >> 6; ++w) {
        uint64_t word = bits_[w];
        if (w == first >> 6) word &= ~0ull << (first & 63);
        if (w == last >> 6 && (last & 63) != 63) word &= (1ull << ((last & 63) + 1)) - 1;
        while (word) {
          const int64_t i = (w << 6) + std::countr_zero(word);
          word &= word - 1;
          fn(PriceOf(i), qty_[i]);
        }
      }
    }
  }
  for (auto it = overflow_.lower_bound(lo); it != overflow_.end() && it->first <= hi; ++it) fn(it->first, it->second);
}

}  // namespace spymaster::book
