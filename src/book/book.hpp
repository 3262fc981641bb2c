// L3 market-by-order book for one instrument, with the flow attribution the silver layer needs.
//
// Semantics (spec silver.md Part 1, pinned by tests/book): book/order_events.hpp, shared with the option
// books.
//
// Apply() is the hot path: it neither allocates (beyond amortized growth of reserved pools) nor throws,
// and reports what happened as a BookDelta so the caller can aggregate flow per price.
#pragma once

#include <cstdint>
#include <vector>

#include "book/arrival_ring.hpp"
#include "book/book_delta.hpp"
#include "book/fixed_divisor.hpp"
#include "book/mbo_event.hpp"
#include "book/order_map.hpp"
#include "book/order_pool.hpp"
#include "book/price_levels.hpp"

namespace spymaster::book {

struct BookConfig {
  int64_t tick = 250'000'000;             // price grid of the instrument (ES $0.25; equities $0.01)
  uint32_t dense_levels = 1 << 15;        // ticks kept in the dense array per side
  int64_t rest_ns = 500'000'000;          // time at price after which an order counts as resting
  std::size_t expected_orders = 1 << 12;  // sizing hint only; the table grows (small stays in cache)
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
    pool_.ForEachLive(fn);
  }

 private:
  class EventHost;  // binds book/order_events.hpp to this book

  PriceLevels& MutableLevels(char side) { return side == 'B' ? bids_ : asks_; }
  void ClearAll();

  BookConfig config_;
  FixedDivisor grid_;  // the tick grid, for the off-grid check without a division per add
  PriceLevels bids_;
  PriceLevels asks_;
  OrderMap map_;
  OrderPool<Order> pool_;
  ArrivalRing arrivals_;
  bool valid_ = true;
  bool in_snapshot_ = false;
  int64_t last_trade_price_ = 0;
  BookCounters counters_;
};

template <class Fn>
void Book::ForEachYoungOrder(uint64_t since, Fn&& fn) {
  arrivals_.ForEachSince(since, pool_, [&](uint32_t slot) {
    const Order& o = pool_[slot];
    fn(o.side, o.price, static_cast<int64_t>(o.remaining));
  });
}

}  // namespace spymaster::book
