// L3 market-by-order book for one instrument, with the flow attribution the silver layer needs.
//
// Semantics (spec silver.md Part 1, pinned by tests/book): the book changes only on A, C, M, R; F records
// mark quantity as filled (`pending_fill`) so the C/M that follows removes it as fill, not as pull; a
// modify to a new price is a pull of the old remainder plus an add at the new price; an add of a live id
// replaces the old order without flow; unknown ids on C/M/F and A/M with a side other than B/A are
// ignored and counted. R empties the book and starts a snapshot: the book is invalid until the snapshot
// record carrying F_LAST or the first record without F_SNAPSHOT.
//
// Apply() is the hot path: it neither allocates (beyond amortized growth of reserved pools) nor throws,
// and reports what happened as a BookDelta so the caller can aggregate flow per price.
#pragma once

#include <cstdint>
#include <vector>

#include "book/fixed_divisor.hpp"
#include "book/mbo_event.hpp"
#include "book/order_map.hpp"
#include "book/price_levels.hpp"

namespace spymaster::book {

struct BookConfig {
  int64_t tick = 250'000'000;             // price grid of the instrument (ES $0.25; equities $0.01)
  uint32_t dense_levels = 1 << 15;        // ticks kept in the dense array per side
  int64_t rest_ns = 500'000'000;          // time at price after which an order counts as resting
  std::size_t expected_orders = 1 << 12;  // sizing hint only; the table grows (small stays in cache)
};

struct BookCounters {
  int64_t events = 0;
  int64_t unknown_order_id = 0;        // C/M/F for an id not in the book
  int64_t bad_side = 0;                // A/M with side not B/A
  int64_t bad_action = 0;              // action not in A C M R T F N
  int64_t bad_price = 0;               // A/M with the null price
  int64_t off_grid_price = 0;          // A/M price not a multiple of the tick
  int64_t negative_depth_avoided = 0;  // a removal larger than the level (clamped at 0)
  int64_t duplicate_add = 0;           // A for a live id (old order replaced)
  int64_t clears = 0;                  // R records
  int64_t snapshot_records = 0;        // records with F_SNAPSHOT
};

// What one record did to the book, for flow attribution. All parts are on `side`.
struct BookDelta {
  char side = 'N';
  bool has_add = false;
  bool has_pull = false;
  bool has_fill = false;
  bool pull_rested = false;      // the pulled order had been at its price >= rest_ns
  bool snapshot_record = false;  // R or a record with F_SNAPSHOT
  int64_t add_price = 0;
  int64_t add_qty = 0;
  int64_t pull_price = 0;
  int64_t pull_qty = 0;
  int64_t fill_price = 0;
  int64_t fill_qty = 0;
};

struct Order {
  uint64_t order_id;
  int64_t price;
  uint64_t ts_at_price;  // when the order arrived at its price (reset by a move or a size increase)
  uint64_t epoch;        // unique per arrival at a price; 0 when the slot is free
  uint32_t remaining;
  uint32_t pending_fill;  // filled by F records, not yet removed by the following C/M
  char side;
};

class Book {
 public:
  explicit Book(const BookConfig& config = {});

  BookDelta Apply(const MboEvent& event);

  bool valid() const { return valid_; }
  bool in_snapshot() const { return in_snapshot_; }
  int64_t last_trade_price() const { return last_trade_price_; }
  const BookCounters& counters() const { return counters_; }

  const PriceLevels& bids() const { return bids_; }
  const PriceLevels& asks() const { return asks_; }
  const PriceLevels& levels(char side) const { return side == 'B' ? bids_ : asks_; }
  int64_t BestBid() const { return bids_.BestPrice(); }
  int64_t BestAsk() const { return asks_.BestPrice(); }
  int64_t Depth(char side, int64_t price) const { return levels(side).At(price); }
  std::size_t OrderCount() const { return map_.size(); }
  const Order* FindOrder(uint64_t order_id) const;

  // Calls fn(side, price, remaining) for every live order that arrived at its price after `since`
  // (strictly), i.e. the orders that are not resting at time since + rest_ns. Forgets entries at or
  // before `since` for good, so callers must pass non-decreasing values.
  template <class Fn>
  void ForEachYoungOrder(uint64_t since, Fn&& fn);

  // Every live order, in pool order (tests and diagnostics).
  template <class Fn>
  void ForEachOrder(Fn&& fn) const {
    for (const Order& o : pool_) {
      if (o.epoch != 0) fn(o);
    }
  }

 private:
  struct Arrival {
    uint64_t ts;
    uint64_t epoch;
    uint32_t slot;
  };

  PriceLevels& MutableLevels(char side) { return side == 'B' ? bids_ : asks_; }
  void AddOrder(uint64_t order_id, char side, int64_t price, uint32_t size, uint64_t ts);
  void Arrive(uint32_t slot, uint64_t ts);
  // Takes `removed` (<= remaining) off the order and its level; splits it into fill and pull parts.
  void Remove(Order& order, uint32_t removed, uint64_t ts, BookDelta& delta);
  void Free(uint32_t slot);
  void ClearAll();
  void CheckGrid(int64_t price);

  BookConfig config_;
  FixedDivisor grid_;  // the tick grid, for the off-grid check without a division per add
  PriceLevels bids_;
  PriceLevels asks_;
  OrderMap map_;
  std::vector<Order> pool_;
  std::vector<uint32_t> free_slots_;
  // Arrivals at a price in time order, a ring buffer; entries older than any future query are dropped.
  std::vector<Arrival> arrivals_;
  std::size_t arrivals_head_ = 0;
  std::size_t arrivals_size_ = 0;
  uint64_t next_epoch_ = 1;
  bool valid_ = true;
  bool in_snapshot_ = false;
  int64_t last_trade_price_ = 0;
  BookCounters counters_;
};

template <class Fn>
void Book::ForEachYoungOrder(uint64_t since, Fn&& fn) {
  const std::size_t cap = arrivals_.size();
  while (arrivals_size_ > 0 && arrivals_[arrivals_head_].ts <= since) {
    arrivals_head_ = (arrivals_head_ + 1) & (cap - 1);
    --arrivals_size_;
  }
  for (std::size_t k = 0; k < arrivals_size_; ++k) {
    const Arrival& a = arrivals_[(arrivals_head_ + k) & (cap - 1)];
    const Order& o = pool_[a.slot];
    if (a.ts > since && o.epoch == a.epoch) fn(o.side, o.price, static_cast<int64_t>(o.remaining));
  }
}

}  // namespace spymaster::book
