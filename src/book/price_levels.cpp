#include "book/price_levels.hpp"

#include <algorithm>

namespace spymaster::book {

PriceLevels::PriceLevels(bool is_bid, int64_t tick, uint32_t capacity)
    : is_bid_(is_bid),
      tick_(tick),
      grid_(tick),
      capacity_(std::bit_ceil(std::max<uint32_t>(capacity, 64))),
      qty_(capacity_, 0),
      bits_(capacity_ / 64, 0) {}

int64_t PriceLevels::Index(int64_t price) const {
  int64_t off;
  if (!placed_ || __builtin_sub_overflow(price, base_, &off) || off < 0) return -1;
  int64_t i, r;
  grid_.FloorDivMod(off, i, r);
  return r == 0 && i < capacity_ ? i : -1;
}

void PriceLevels::Place(int64_t centre) {
  // Saturates rather than overflows for prices near the int64 limits (garbage only).
  int64_t span, base, top;
  if (__builtin_mul_overflow(capacity_ / 2, tick_, &span) || __builtin_sub_overflow(centre, span, &base) ||
      __builtin_add_overflow(centre, span, &top)) {
    return;
  }
  base_ = base;
  placed_ = true;
}

bool PriceLevels::BetterThanBest(int64_t price) const {
  if (Empty()) return true;
  const int64_t best = BestPrice();
  return is_bid_ ? price > best : price < best;
}

void PriceLevels::Recentre(int64_t centre) {
  std::vector<std::pair<int64_t, int64_t>> dense;
  for (std::size_t w = 0; w < bits_.size(); ++w) {
    for (uint64_t word = bits_[w]; word; word &= word - 1) {
      const int64_t i = static_cast<int64_t>(w << 6) + std::countr_zero(word);
      dense.emplace_back(PriceOf(i), qty_[i]);
      qty_[i] = 0;
    }
    bits_[w] = 0;
  }
  best_ = -1;
  const int64_t old_base = base_;
  Place(centre);  // may refuse (a centre near the int64 limits): the levels then go back where they were
  if (base_ != old_base) ++recentres_;
  auto put = [&](int64_t price, int64_t qty) {
    const int64_t i = Index(price);
    if (i < 0) {
      overflow_[price] += qty;
      return;
    }
    qty_[i] = qty;
    SetBit(i);
    if (best_ < 0 || (is_bid_ ? i > best_ : i < best_)) best_ = i;
  };
  // Overflow levels the new window covers move in; the old dense levels go wherever they now belong.
  const int64_t hi = PriceOf(capacity_ - 1);
  for (auto it = overflow_.lower_bound(base_); it != overflow_.end() && it->first <= hi;) {
    if (Index(it->first) >= 0) {
      put(it->first, it->second);
      it = overflow_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [price, qty] : dense) put(price, qty);
}

void PriceLevels::Add(int64_t price, int64_t qty) {
  const bool on_grid = grid_.Divides(price);
  if (!placed_ && on_grid) Place(price);
  int64_t i = Index(price);
  if (i < 0 && on_grid && BetterThanBest(price)) {
    Recentre(price);
    i = Index(price);
  }
  if (i < 0) {
    overflow_[price] += qty;
    ++overflow_adds_;
    return;
  }
  if (qty_[i] == 0) {
    SetBit(i);
    if (best_ < 0 || (is_bid_ ? i > best_ : i < best_)) best_ = i;
  }
  qty_[i] += qty;
}

int64_t PriceLevels::Remove(int64_t price, int64_t qty) {
  const int64_t i = Index(price);
  if (i < 0) {
    auto it = overflow_.find(price);
    if (it == overflow_.end()) return qty;
    const int64_t missing = std::max<int64_t>(0, qty - it->second);
    it->second -= qty - missing;
    if (it->second == 0) overflow_.erase(it);
    return missing;
  }
  const int64_t missing = std::max<int64_t>(0, qty - qty_[i]);
  qty_[i] -= qty - missing;
  if (qty_[i] == 0 && (bits_[i >> 6] >> (i & 63) & 1)) {
    ClearBit(i);
    if (i == best_) best_ = is_bid_ ? NextBelow(i) : NextAbove(i);
  }
  return missing;
}

int64_t PriceLevels::At(int64_t price) const {
  const int64_t i = Index(price);
  if (i >= 0) return qty_[i];
  auto it = overflow_.find(price);
  return it == overflow_.end() ? 0 : it->second;
}

void PriceLevels::Clear() {
  for (std::size_t w = 0; w < bits_.size(); ++w) {
    for (uint64_t word = bits_[w]; word; word &= word - 1) qty_[(w << 6) + std::countr_zero(word)] = 0;
    bits_[w] = 0;
  }
  best_ = -1;
  overflow_.clear();
}

int64_t PriceLevels::BestPrice() const {
  const bool has_dense = best_ >= 0;
  if (overflow_.empty()) return has_dense ? PriceOf(best_) : 0;
  const int64_t over = is_bid_ ? overflow_.rbegin()->first : overflow_.begin()->first;
  if (!has_dense) return over;
  const int64_t dense = PriceOf(best_);
  return is_bid_ ? std::max(dense, over) : std::min(dense, over);
}

int64_t PriceLevels::NextBelow(int64_t i) const {
  if (i <= 0) return -1;
  int64_t w = (i - 1) >> 6;
  uint64_t word = bits_[w] & (~0ull >> (63 - ((i - 1) & 63)));
  while (true) {
    if (word) return (w << 6) + 63 - std::countl_zero(word);
    if (--w < 0) return -1;
    word = bits_[w];
  }
}

int64_t PriceLevels::NextAbove(int64_t i) const {
  if (i + 1 >= capacity_) return -1;
  int64_t w = (i + 1) >> 6;
  uint64_t word = bits_[w] & (~0ull << ((i + 1) & 63));
  const int64_t words = static_cast<int64_t>(bits_.size());
  while (true) {
    if (word) return (w << 6) + std::countr_zero(word);
    if (++w >= words) return -1;
    word = bits_[w];
  }
}

}  // namespace spymaster::book
