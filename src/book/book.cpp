#include "book/book.hpp"

#include "book/order_events.hpp"

namespace spymaster::book {

class Book::EventHost {
 public:
  explicit EventHost(Book& b) : b_(b) {}

  uint32_t Find(const MboEvent& e) const { return b_.map_.Find(e.order_id); }
  Order& At(uint32_t slot) { return b_.pool_[slot]; }
  uint32_t NewOrder(const MboEvent& e) {
    const uint32_t slot = b_.pool_.Allocate();
    b_.pool_[slot].order_id = e.order_id;
    b_.map_.Insert(e.order_id, slot);
    return slot;
  }
  void Free(uint32_t slot) {
    b_.map_.Erase(b_.pool_[slot].order_id);
    b_.pool_.Release(slot);
  }
  void LevelAdd(char side, int64_t price, int64_t qty) { b_.MutableLevels(side).Add(price, qty); }
  int64_t LevelRemove(char side, int64_t price, int64_t qty) { return b_.MutableLevels(side).Remove(price, qty); }
  void Arrive(Order& o, uint32_t slot, uint64_t ts) { b_.arrivals_.Arrive(o, slot, ts, b_.config_.rest_ns); }
  bool OnGrid(int64_t price) const { return b_.grid_.Divides(price); }
  void OnTrade(int64_t price) {
    if (price > 0 && price != kUndefPrice) b_.last_trade_price_ = price;
  }
  bool InSnapshot() const { return b_.in_snapshot_; }
  void StartSnapshot() {
    b_.ClearAll();
    b_.in_snapshot_ = true;
    b_.valid_ = false;
  }
  void EndSnapshot() {
    b_.in_snapshot_ = false;
    b_.valid_ = true;
  }
  int64_t rest_ns() const { return b_.config_.rest_ns; }

 private:
  Book& b_;
};

Book::Book(const BookConfig& config)
    : config_(config),
      grid_(config.tick),
      bids_(true, config.tick, config.dense_levels),
      asks_(false, config.tick, config.dense_levels),
      map_(config.expected_orders),
      pool_(config.expected_orders) {}

const Order* Book::FindOrder(uint64_t order_id) const {
  const uint32_t slot = map_.Find(order_id);
  return slot == OrderMap::kNone ? nullptr : &pool_[slot];
}

void Book::ClearAll() {
  bids_.Clear();
  asks_.Clear();
  map_.Clear();
  pool_.Clear();
  arrivals_.Clear();
}

BookDelta Book::Apply(const MboEvent& e) {
  EventHost host(*this);
  return ApplyOrderEvent(host, e, counters_);
}

}  // namespace spymaster::book
