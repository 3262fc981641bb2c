#include "book/option_books.hpp"

#include <algorithm>
#include <stdexcept>

namespace spymaster::book {
namespace {

int SideIndex(char side) { return side == 'B' ? 0 : 1; }

// Position of `price` in a side's levels (bids ascending, asks descending), or of where it would go.
std::size_t Find(const std::vector<OptionLevel>& levels, int side, int64_t price) {
  const auto it = side == 0 ? std::lower_bound(levels.begin(), levels.end(), price,
                                               [](const OptionLevel& l, int64_t p) { return l.price < p; })
                            : std::lower_bound(levels.begin(), levels.end(), price,
                                               [](const OptionLevel& l, int64_t p) { return l.price > p; });
  return static_cast<std::size_t>(it - levels.begin());
}

}  // namespace

OptionBooks::OptionBooks(int64_t rest_ns, std::size_t expected_orders)
    : rest_ns_(rest_ns), instruments_(1 << 10), map_(expected_orders), arrivals_(1 << 12) {
  pool_.reserve(expected_orders);
  free_slots_.reserve(expected_orders);
}

uint32_t OptionBooks::AddInstrument(uint32_t instrument_id) {
  if (!books_.empty() && instrument_id <= books_.back().instrument_id) {
    throw std::invalid_argument("option instruments must be registered in increasing instrument_id");
  }
  const auto index = static_cast<uint32_t>(books_.size());
  Instrument& inst = books_.emplace_back();
  inst.instrument_id = instrument_id;
  inst.levels[0].reserve(8);
  inst.levels[1].reserve(8);
  instruments_.Insert(instrument_id, index);
  return index;
}

uint32_t OptionBooks::IndexOf(uint32_t instrument_id) const {
  const uint32_t i = instruments_.Find(instrument_id);
  return i == OrderMap::kNone ? kNoInstrument : i;
}

int64_t OptionBooks::BestBid(uint32_t index) const {
  const auto& l = books_[index].levels[0];
  return l.empty() ? 0 : l.back().price;
}
int64_t OptionBooks::BestAsk(uint32_t index) const {
  const auto& l = books_[index].levels[1];
  return l.empty() ? 0 : l.back().price;
}
int64_t OptionBooks::BestBidQty(uint32_t index) const {
  const auto& l = books_[index].levels[0];
  return l.empty() ? 0 : l.back().qty;
}
int64_t OptionBooks::BestAskQty(uint32_t index) const {
  const auto& l = books_[index].levels[1];
  return l.empty() ? 0 : l.back().qty;
}

int64_t OptionBooks::Depth(uint32_t index, char side, int64_t price) const {
  const int s = SideIndex(side);
  const auto& l = books_[index].levels[s];
  const std::size_t i = Find(l, s, price);
  return i < l.size() && l[i].price == price ? l[i].qty : 0;
}

void OptionBooks::LevelAdd(Instrument& inst, char side, int64_t price, int64_t qty) {
  const int s = SideIndex(side);
  auto& l = inst.levels[s];
  const std::size_t i = Find(l, s, price);
  if (i < l.size() && l[i].price == price) {
    l[i].qty += qty;
  } else {
    l.insert(l.begin() + static_cast<std::ptrdiff_t>(i), OptionLevel{price, qty});
  }
  inst.depth[s] += qty;
}

void OptionBooks::LevelRemove(Instrument& inst, char side, int64_t price, int64_t qty) {
  const int s = SideIndex(side);
  auto& l = inst.levels[s];
  const std::size_t i = Find(l, s, price);
  if (i >= l.size() || l[i].price != price) {
    ++counters_.negative_depth_avoided;
    return;
  }
  const int64_t taken = std::min(qty, l[i].qty);
  if (taken < qty) ++counters_.negative_depth_avoided;
  l[i].qty -= taken;
  inst.depth[s] -= taken;
  if (l[i].qty == 0) l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
}

void OptionBooks::Arrive(uint32_t slot, uint64_t ts) {
  Slot& o = pool_[slot];
  o.ts_at_price = ts;
  o.epoch = next_epoch_++;
  std::size_t cap = arrivals_.size();
  const uint64_t horizon = ts > static_cast<uint64_t>(rest_ns_) ? ts - rest_ns_ : 0;
  while (arrivals_size_ > 0 && arrivals_[arrivals_head_].ts <= horizon) {
    arrivals_head_ = (arrivals_head_ + 1) & (cap - 1);
    --arrivals_size_;
  }
  if (arrivals_size_ == cap) {
    std::vector<Arrival> grown(cap * 2);
    for (std::size_t k = 0; k < arrivals_size_; ++k) grown[k] = arrivals_[(arrivals_head_ + k) & (cap - 1)];
    arrivals_.swap(grown);
    arrivals_head_ = 0;
    cap *= 2;
  }
  arrivals_[(arrivals_head_ + arrivals_size_) & (cap - 1)] = Arrival{ts, o.epoch, slot};
  ++arrivals_size_;
}

uint32_t OptionBooks::AddOrder(const OptionOrderKey& key, uint32_t index, char side, int64_t price, uint32_t size,
                               uint64_t ts) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(pool_.size());
    pool_.push_back(Slot{});
  }
  Instrument& inst = books_[index];
  pool_[slot] = Slot{key, price, ts, 0, size, 0, index, OrderMap::kNone, inst.head, side};
  if (inst.head != OrderMap::kNone) pool_[inst.head].prev = slot;
  inst.head = slot;
  map_.Insert(key, slot);
  if (size > 0) LevelAdd(inst, side, price, size);
  Arrive(slot, ts);
  return slot;
}

void OptionBooks::Free(uint32_t slot) {
  Slot& o = pool_[slot];
  map_.Erase(o.key);
  Instrument& inst = books_[o.index];
  if (o.prev != OrderMap::kNone) {
    pool_[o.prev].next = o.next;
  } else {
    inst.head = o.next;
  }
  if (o.next != OrderMap::kNone) pool_[o.next].prev = o.prev;
  o.epoch = 0;
  free_slots_.push_back(slot);
}

void OptionBooks::Remove(Slot& order, uint32_t removed, uint64_t ts, BookDelta& delta) {
  const uint32_t fill_part = std::min(removed, order.pending_fill);
  const uint32_t pull_part = removed - fill_part;
  order.pending_fill -= fill_part;
  order.remaining -= removed;
  if (removed > 0) LevelRemove(books_[order.index], order.side, order.price, removed);
  if (pull_part > 0) {
    delta.has_pull = true;
    delta.pull_price = order.price;
    delta.pull_qty = pull_part;
    delta.pull_rested = static_cast<int64_t>(ts - order.ts_at_price) >= rest_ns_;
  }
}

void OptionBooks::Clear(uint32_t index) {
  Instrument& inst = books_[index];
  while (inst.head != OrderMap::kNone) Free(inst.head);
  for (auto& l : inst.levels) l.clear();
  inst.depth[0] = inst.depth[1] = 0;
}

void OptionBooks::SetValid(Instrument& inst, bool valid) {
  if (inst.valid != valid) invalid_ += valid ? -1 : 1;
  inst.valid = valid;
}

BookDelta OptionBooks::Apply(const MboEvent& e, uint32_t* index_out) {
  ++counters_.events;
  BookDelta delta;
  const uint32_t index = IndexOf(e.instrument_id);
  *index_out = index;
  if (index == kNoInstrument) {
    ++counters_.unknown_instrument;
    return delta;
  }
  Instrument& inst = books_[index];
  const bool snapshot = (e.flags & kFlagSnapshot) != 0;
  if (snapshot) {
    ++counters_.snapshot_records;
    delta.snapshot_record = true;
  }
  if (e.action == 'R') {
    ++counters_.clears;
    Clear(index);
    inst.in_snapshot = true;
    SetValid(inst, false);
    delta.snapshot_record = true;
    return delta;
  }
  if (inst.in_snapshot && (!snapshot || (e.flags & kFlagLast) != 0)) {
    inst.in_snapshot = false;
    SetValid(inst, true);
  }
  const OptionOrderKey key{e.order_id, e.instrument_id};
  switch (e.action) {
    case 'A': {
      if (e.side != 'B' && e.side != 'A') {
        ++counters_.bad_side;
        break;
      }
      if (e.price == kUndefPrice) {
        ++counters_.bad_price;
        break;
      }
      const uint32_t old = map_.Find(key);
      if (old != OrderMap::kNone) {
        ++counters_.duplicate_add;  // the old order leaves without flow (README deviation 3)
        const Slot& o = pool_[old];
        if (o.remaining > 0) LevelRemove(inst, o.side, o.price, o.remaining);
        Free(old);
      }
      AddOrder(key, index, e.side, e.price, e.size, e.ts_event);
      delta.side = e.side;
      delta.has_add = true;
      delta.add_price = e.price;
      delta.add_qty = e.size;
      break;
    }
    case 'C': {
      const uint32_t slot = map_.Find(key);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      Slot& o = pool_[slot];
      delta.side = o.side;
      Remove(o, e.size == 0 ? o.remaining : std::min(e.size, o.remaining), e.ts_event, delta);
      if (o.remaining == 0) Free(slot);
      break;
    }
    case 'M': {
      if (e.side != 'B' && e.side != 'A') {
        ++counters_.bad_side;
        break;
      }
      const uint32_t slot = map_.Find(key);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      if (e.price == kUndefPrice) {
        ++counters_.bad_price;
        break;
      }
      Slot& o = pool_[slot];
      delta.side = o.side;
      if (e.price != o.price) {  // the message's own price (README deviation 3)
        Remove(o, o.remaining, e.ts_event, delta);
        o.price = e.price;
        o.remaining = e.size;
        o.pending_fill = 0;
        if (e.size > 0) LevelAdd(inst, o.side, e.price, e.size);
        Arrive(slot, e.ts_event);
        delta.has_add = true;
        delta.add_price = e.price;
        delta.add_qty = e.size;
      } else if (e.size < o.remaining) {
        Remove(o, o.remaining - e.size, e.ts_event, delta);
      } else if (e.size > o.remaining) {
        const uint32_t diff = e.size - o.remaining;
        o.remaining = e.size;
        LevelAdd(inst, o.side, o.price, diff);
        Arrive(slot, e.ts_event);
        delta.has_add = true;
        delta.add_price = o.price;
        delta.add_qty = diff;
      }
      if (o.remaining == 0) Free(slot);
      break;
    }
    case 'F': {
      const uint32_t slot = map_.Find(key);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      Slot& o = pool_[slot];
      delta.side = o.side;
      delta.has_fill = true;
      delta.fill_price = o.price;
      delta.fill_qty = e.size;
      o.pending_fill = static_cast<uint32_t>(std::min<uint64_t>(o.remaining, uint64_t{o.pending_fill} + e.size));
      break;
    }
    case 'T':
    case 'N':
      break;
    default:
      ++counters_.bad_action;
      break;
  }
  return delta;
}

std::vector<std::pair<std::string, int64_t>> OptionBooks::CounterList() const {
  const OptionBooksCounters& b = counters_;
  return {{"unknown_instrument", b.unknown_instrument},
          {"unknown_order_id", b.unknown_order_id},
          {"bad_side", b.bad_side},
          {"bad_action", b.bad_action},
          {"bad_price", b.bad_price},
          {"negative_depth_avoided", b.negative_depth_avoided},
          {"duplicate_add", b.duplicate_add},
          {"clears", b.clears},
          {"snapshot_records", b.snapshot_records},
          {"orders_live_at_end", static_cast<int64_t>(map_.size())}};
}

}  // namespace spymaster::book
