#include "book/book.hpp"

#include <algorithm>

namespace spymaster::book {

Book::Book(const BookConfig& config)
    : config_(config),
      grid_(config.tick),
      bids_(true, config.tick, config.dense_levels),
      asks_(false, config.tick, config.dense_levels),
      map_(config.expected_orders),
      arrivals_(1 << 12) {
  pool_.reserve(config.expected_orders);
  free_slots_.reserve(config.expected_orders);
}

const Order* Book::FindOrder(uint64_t order_id) const {
  const uint32_t slot = map_.Find(order_id);
  return slot == OrderMap::kNone ? nullptr : &pool_[slot];
}

void Book::CheckGrid(int64_t price) {
  if (!grid_.Divides(price)) ++counters_.off_grid_price;
}

void Book::Arrive(uint32_t slot, uint64_t ts) {
  Order& o = pool_[slot];
  o.ts_at_price = ts;
  o.epoch = next_epoch_++;
  std::size_t cap = arrivals_.size();
  // Arrivals at or before ts - rest_ns can never be young again: every later query has since > that.
  const uint64_t horizon = ts > static_cast<uint64_t>(config_.rest_ns) ? ts - config_.rest_ns : 0;
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

void Book::AddOrder(uint64_t order_id, char side, int64_t price, uint32_t size, uint64_t ts) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(pool_.size());
    pool_.push_back(Order{});
  }
  pool_[slot] = Order{order_id, price, ts, 0, size, 0, side};
  map_.Insert(order_id, slot);
  if (size > 0) MutableLevels(side).Add(price, size);
  Arrive(slot, ts);
}

void Book::Free(uint32_t slot) {
  map_.Erase(pool_[slot].order_id);
  pool_[slot].epoch = 0;
  free_slots_.push_back(slot);
}

void Book::Remove(Order& order, uint32_t removed, uint64_t ts, BookDelta& delta) {
  const uint32_t fill_part = std::min(removed, order.pending_fill);
  const uint32_t pull_part = removed - fill_part;
  order.pending_fill -= fill_part;
  order.remaining -= removed;
  if (removed > 0) counters_.negative_depth_avoided += MutableLevels(order.side).Remove(order.price, removed) > 0;
  if (pull_part > 0) {
    delta.has_pull = true;
    delta.pull_price = order.price;
    delta.pull_qty = pull_part;
    delta.pull_rested = static_cast<int64_t>(ts - order.ts_at_price) >= config_.rest_ns;
  }
}

void Book::ClearAll() {
  bids_.Clear();
  asks_.Clear();
  map_.Clear();
  pool_.clear();
  free_slots_.clear();
  arrivals_head_ = 0;
  arrivals_size_ = 0;
}

BookDelta Book::Apply(const MboEvent& e) {
  ++counters_.events;
  BookDelta delta;
  const bool snapshot = (e.flags & kFlagSnapshot) != 0;
  if (snapshot) {
    ++counters_.snapshot_records;
    delta.snapshot_record = true;
  }
  if (e.action == 'R') {
    ++counters_.clears;
    ClearAll();
    in_snapshot_ = true;
    valid_ = false;
    delta.snapshot_record = true;
    return delta;
  }
  if (in_snapshot_ && (!snapshot || (e.flags & kFlagLast) != 0)) {
    in_snapshot_ = false;
    valid_ = true;
  }

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
      CheckGrid(e.price);
      const uint32_t old = map_.Find(e.order_id);
      if (old != OrderMap::kNone) {
        // A live id re-added: the old order leaves without flow (README deviation 3).
        ++counters_.duplicate_add;
        Order& o = pool_[old];
        if (o.remaining > 0) counters_.negative_depth_avoided += MutableLevels(o.side).Remove(o.price, o.remaining) > 0;
        Free(old);
      }
      AddOrder(e.order_id, e.side, e.price, e.size, e.ts_event);
      delta.side = e.side;
      delta.has_add = true;
      delta.add_price = e.price;
      delta.add_qty = e.size;
      break;
    }
    case 'C': {
      const uint32_t slot = map_.Find(e.order_id);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      Order& o = pool_[slot];
      delta.side = o.side;
      const uint32_t removed = e.size == 0 ? o.remaining : std::min(e.size, o.remaining);
      Remove(o, removed, e.ts_event, delta);
      if (o.remaining == 0) Free(slot);
      break;
    }
    case 'M': {
      if (e.side != 'B' && e.side != 'A') {
        ++counters_.bad_side;
        break;
      }
      const uint32_t slot = map_.Find(e.order_id);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      if (e.price == kUndefPrice) {
        ++counters_.bad_price;
        break;
      }
      Order& o = pool_[slot];
      delta.side = o.side;
      if (e.price != o.price) {
        CheckGrid(e.price);
        Remove(o, o.remaining, e.ts_event, delta);
        o.price = e.price;
        o.remaining = e.size;
        o.pending_fill = 0;
        if (e.size > 0) MutableLevels(o.side).Add(e.price, e.size);
        Arrive(slot, e.ts_event);
        delta.has_add = true;
        delta.add_price = e.price;
        delta.add_qty = e.size;
      } else if (e.size < o.remaining) {
        Remove(o, o.remaining - e.size, e.ts_event, delta);
      } else if (e.size > o.remaining) {
        const uint32_t diff = e.size - o.remaining;
        o.remaining = e.size;
        MutableLevels(o.side).Add(o.price, diff);
        Arrive(slot, e.ts_event);  // a size increase loses queue priority, as on CME
        delta.has_add = true;
        delta.add_price = o.price;
        delta.add_qty = diff;
      }
      if (o.remaining == 0) Free(slot);
      break;
    }
    case 'F': {
      const uint32_t slot = map_.Find(e.order_id);
      if (slot == OrderMap::kNone) {
        ++counters_.unknown_order_id;
        break;
      }
      Order& o = pool_[slot];
      delta.side = o.side;
      delta.has_fill = true;
      delta.fill_price = o.price;
      delta.fill_qty = e.size;
      o.pending_fill = static_cast<uint32_t>(std::min<uint64_t>(o.remaining, uint64_t{o.pending_fill} + e.size));
      break;
    }
    case 'T':
      if (e.price > 0 && e.price != kUndefPrice) last_trade_price_ = e.price;
      break;
    case 'N':
      break;
    default:
      ++counters_.bad_action;
      break;
  }
  return delta;
}

}  // namespace spymaster::book
