// Option book semantics (silver.md Part 1 "Option rules"), one rule per test, values derived by hand,
// including the reference's options test (silver.md Part 2 §8.2) under our rules.
#include "book/option_books.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "support/mbo_events.hpp"

namespace spymaster::book {
namespace {

constexpr int64_t kP = 100'000'000'000;  // $100.00 premium
constexpr int64_t kMs = 1'000'000;

MboEvent Ev(uint64_t ts, uint32_t iid, char action, char side, int64_t price, uint32_t size, uint64_t id,
            uint8_t flags = 0) {
  MboEvent e = support::Ev(ts, action, side, price, size, id, flags);
  e.instrument_id = iid;
  return e;
}

OptionBooks TwoInstruments() {
  OptionBooks b;
  b.AddInstrument(7);
  b.AddInstrument(9);
  return b;
}

TEST(OptionBooksTest, ReferenceOptionsExampleUnderOurRules) {
  // A oid1 x10 @0.1 s, A oid2 x5 @0.2 s, C oid1 size 10 @0.8 s, F oid2 size 2 @1.1 s (all asks).
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  BookDelta d = b.Apply(Ev(100 * kMs, 7, 'A', 'A', kP, 10, 1), &idx);
  EXPECT_EQ(idx, 0u);
  EXPECT_TRUE(d.has_add);
  EXPECT_EQ(d.add_qty, 10);
  b.Apply(Ev(200 * kMs, 7, 'A', 'A', kP, 5, 2), &idx);
  d = b.Apply(Ev(800 * kMs, 7, 'C', 'A', kP, 10, 1), &idx);
  EXPECT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_qty, 10);
  EXPECT_TRUE(d.pull_rested);  // 0.8 − 0.1 = 0.7 s ≥ 0.5 s
  EXPECT_EQ(b.TotalDepth(0, 'A'), 5);
  d = b.Apply(Ev(1100 * kMs, 7, 'F', 'A', kP, 2, 2), &idx);
  EXPECT_TRUE(d.has_fill);
  EXPECT_EQ(d.fill_qty, 2);
  // Our rule: F does not change the book; the C that follows removes the filled part as fill.
  EXPECT_EQ(b.TotalDepth(0, 'A'), 5);
  d = b.Apply(Ev(1100 * kMs, 7, 'C', 'A', kP, 2, 2), &idx);
  EXPECT_FALSE(d.has_pull);
  EXPECT_EQ(b.TotalDepth(0, 'A'), 3);
  EXPECT_EQ(b.BestBid(0), 0);
  EXPECT_EQ(b.BestAsk(0), kP);
}

TEST(OptionBooksTest, OrdersAreKeyedByInstrumentAndOrderId) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  b.Apply(Ev(1, 7, 'A', 'B', kP, 4, 42), &idx);
  b.Apply(Ev(2, 9, 'A', 'B', kP + kMs, 6, 42), &idx);  // same order id, other instrument: a new order
  EXPECT_EQ(b.OrderCount(), 2u);
  EXPECT_EQ(b.counters().duplicate_add, 0);
  b.Apply(Ev(3, 9, 'C', 'B', 0, 0, 42), &idx);
  EXPECT_EQ(b.TotalDepth(0, 'B'), 4);
  EXPECT_EQ(b.TotalDepth(1, 'B'), 0);
}

TEST(OptionBooksTest, ModifyUsesTheMessagesOwnPrice) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  b.Apply(Ev(0, 7, 'A', 'B', kP, 10, 1), &idx);
  b.Apply(Ev(0, 7, 'A', 'B', kP + 5 * kMs, 1, 2), &idx);  // a later add at another price
  const BookDelta d = b.Apply(Ev(600 * kMs, 7, 'M', 'B', kP - 5 * kMs, 8, 1), &idx);
  EXPECT_EQ(d.pull_price, kP);
  EXPECT_EQ(d.pull_qty, 10);
  EXPECT_TRUE(d.pull_rested);
  EXPECT_EQ(d.add_price, kP - 5 * kMs);
  EXPECT_EQ(d.add_qty, 8);
  EXPECT_EQ(b.Depth(0, 'B', kP), 0);
  EXPECT_EQ(b.Depth(0, 'B', kP - 5 * kMs), 8);
  EXPECT_EQ(b.BestBid(0), kP + 5 * kMs);
}

TEST(OptionBooksTest, SameInstrumentSnapshotAfterClearRestartsTimeAndValidity) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  b.Apply(Ev(0, 9, 'A', 'A', kP, 3, 5), &idx);
  b.Apply(Ev(0, 7, 'A', 'A', kP, 3, 5), &idx);
  BookDelta d = b.Apply(Ev(kMs, 7, 'R', 'N', 0, 0, 0, kFlagSnapshot), &idx);
  EXPECT_TRUE(d.snapshot_record);
  EXPECT_FALSE(d.has_pull);  // orders a clear removes leave with no flow
  EXPECT_FALSE(b.valid(0));
  EXPECT_TRUE(b.valid(1));  // a clear is per instrument
  EXPECT_FALSE(b.all_valid());
  EXPECT_EQ(b.TotalDepth(0, 'A'), 0);
  EXPECT_EQ(b.TotalDepth(1, 'A'), 3);
  EXPECT_EQ(b.OrderCount(), 1u);  // instrument 9's order 5 stays
  b.Apply(Ev(2 * kMs, 7, 'A', 'A', kP, 2, 6, kFlagSnapshot), &idx);
  EXPECT_FALSE(b.valid(0));
  b.Apply(Ev(3 * kMs, 7, 'A', 'B', kP - kMs, 2, 7, kFlagSnapshot | kFlagLast), &idx);
  EXPECT_TRUE(b.valid(0));
  EXPECT_TRUE(b.all_valid());
  int young = 0;
  b.ForEachYoungOrder(0, [&](uint32_t i, char, int64_t, int64_t q) { young += i == 0 ? static_cast<int>(q) : 0; });
  EXPECT_EQ(young, 4);  // the restored orders' time at price starts at their snapshot records
}

TEST(OptionBooksTest, BadInputIsCountedNotApplied) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  b.Apply(Ev(0, 8, 'A', 'B', kP, 1, 1), &idx);  // no definition for instrument 8
  EXPECT_EQ(idx, OptionBooks::kNoInstrument);
  b.Apply(Ev(0, 7, 'A', 'N', kP, 1, 1), &idx);   // side N
  b.Apply(Ev(0, 7, 'C', 'B', kP, 1, 99), &idx);  // unknown order id
  b.Apply(Ev(0, 7, 'Z', 'B', kP, 1, 1), &idx);   // unknown action
  EXPECT_EQ(b.counters().unknown_instrument, 1);
  EXPECT_EQ(b.counters().bad_side, 1);
  EXPECT_EQ(b.counters().unknown_order_id, 1);
  EXPECT_EQ(b.counters().bad_action, 1);
  EXPECT_EQ(b.OrderCount(), 0u);
  EXPECT_THROW(b.AddInstrument(8), std::invalid_argument);  // ids must increase
}

TEST(OptionBooksTest, LevelsStaySortedWithBestAtTheTouch) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  const int64_t prices[] = {kP + 3 * kMs, kP - 2 * kMs, kP + 7 * kMs, kP};
  uint64_t id = 1;
  for (int64_t p : prices) b.Apply(Ev(0, 9, 'A', 'B', p, 1, id++), &idx);
  for (int64_t p : prices) b.Apply(Ev(0, 9, 'A', 'A', p + 10 * kMs, 2, id++), &idx);
  EXPECT_EQ(b.BestBid(1), kP + 7 * kMs);
  EXPECT_EQ(b.BestAsk(1), kP + 8 * kMs);
  EXPECT_EQ(b.BestAskQty(1), 2);
  b.Apply(Ev(0, 9, 'C', 'B', 0, 0, 3), &idx);  // the best bid leaves
  EXPECT_EQ(b.BestBid(1), kP + 3 * kMs);
  EXPECT_EQ(b.TotalDepth(1, 'B'), 3);
  EXPECT_EQ(b.TotalDepth(1, 'A'), 8);
}

TEST(OptionBooksTest, DeepBooksMatchAPlainMapOfLevels) {
  // Levels are found by a scan from the touch for the last few and a binary search deeper: books of up
  // to 40 levels a side, adds / cancels / modifies at random prices and a clear of one instrument every
  // 1000 records, checked after every record against a std::map of level depths (depth at every price,
  // best bid and ask and their quantities) and the live order count.
  OptionBooks b = TwoInstruments();
  struct Order {
    uint32_t iid;
    char side;
    int64_t price;
    uint32_t size;
    uint64_t id;
  };
  std::vector<Order> live;
  std::map<int64_t, int64_t> levels[2][2];  // [instrument index][0 bid, 1 ask]: price -> depth
  uint64_t state = 12345, next_id = 1;
  const auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % n;
  };
  const auto level = [&](uint32_t iid, char side) -> std::map<int64_t, int64_t>& {
    return levels[iid == 7 ? 0 : 1][side == 'B' ? 0 : 1];
  };
  const auto take = [&](const Order& o, int64_t qty) {
    auto& l = level(o.iid, o.side);
    if ((l[o.price] -= qty) == 0) l.erase(o.price);
  };
  uint32_t idx = 0;
  for (int k = 0; k < 4000; ++k) {
    const uint64_t roll = next(10);
    if (k % 1000 == 999) {
      b.Apply(Ev(k, 7, 'R', 'N', 0, 0, 0), &idx);
      levels[0][0].clear();
      levels[0][1].clear();
      std::erase_if(live, [](const Order& o) { return o.iid == 7; });
    } else if (live.size() < 60 || roll < 5) {
      const Order o{next(2) == 0 ? 7u : 9u, next(2) == 0 ? 'B' : 'A', kP + static_cast<int64_t>(next(40)) * kMs,
                    static_cast<uint32_t>(1 + next(9)), next_id++};
      live.push_back(o);
      level(o.iid, o.side)[o.price] += o.size;
      b.Apply(Ev(k, o.iid, 'A', o.side, o.price, o.size, o.id), &idx);
    } else {
      const std::size_t j = next(live.size());
      Order& o = live[j];
      if (roll < 8) {
        take(o, o.size);
        b.Apply(Ev(k, o.iid, 'C', o.side, o.price, o.size, o.id), &idx);
        live[j] = live.back();
        live.pop_back();
      } else {
        take(o, o.size);
        o.price = kP + static_cast<int64_t>(next(40)) * kMs;
        o.size = static_cast<uint32_t>(1 + next(9));
        level(o.iid, o.side)[o.price] += o.size;
        b.Apply(Ev(k, o.iid, 'M', o.side, o.price, o.size, o.id), &idx);
      }
    }
    ASSERT_EQ(b.OrderCount(), live.size()) << "record " << k;
    for (uint32_t i = 0; i < 2; ++i) {
      const auto& bids = levels[i][0];
      const auto& asks = levels[i][1];
      ASSERT_EQ(b.BestBid(i), bids.empty() ? 0 : bids.rbegin()->first) << "record " << k;
      ASSERT_EQ(b.BestBidQty(i), bids.empty() ? 0 : bids.rbegin()->second) << "record " << k;
      ASSERT_EQ(b.BestAsk(i), asks.empty() ? 0 : asks.begin()->first) << "record " << k;
      ASSERT_EQ(b.BestAskQty(i), asks.empty() ? 0 : asks.begin()->second) << "record " << k;
      for (int64_t t = -1; t <= 40; ++t) {
        const int64_t price = kP + t * kMs;
        for (int s = 0; s < 2; ++s) {
          const auto it = levels[i][s].find(price);
          ASSERT_EQ(b.Depth(i, s == 0 ? 'B' : 'A', price), it == levels[i][s].end() ? 0 : it->second)
              << "record " << k << " instrument " << i << " side " << s << " tick " << t;
        }
      }
    }
  }
  EXPECT_EQ(b.counters().clears, 4);
  EXPECT_EQ(b.counters().unknown_order_id, 0);
  EXPECT_EQ(b.counters().negative_depth_avoided, 0);
}

TEST(OptionBooksTest, PricesOffTheInstrumentsOwnTickAreCountedAndKept) {
  // ES options: a $0.05 premium tick on one instrument, $0.25 on another, none known for a third.
  OptionBooks b;
  b.AddInstrument(7, 50'000'000);
  b.AddInstrument(8, 250'000'000);
  b.AddInstrument(9);
  uint32_t idx = 0;
  b.Apply(Ev(1, 7, 'A', 'B', 1'050'000'000, 1, 1), &idx);  // $1.05: on the $0.05 grid
  EXPECT_EQ(b.counters().off_grid_price, 0);
  b.Apply(Ev(2, 8, 'A', 'B', 1'050'000'000, 1, 1), &idx);  // not a multiple of $0.25
  EXPECT_EQ(b.counters().off_grid_price, 1);
  EXPECT_EQ(b.Depth(1, 'B', 1'050'000'000), 1);            // counted, not refused
  b.Apply(Ev(3, 7, 'M', 'B', 1'070'000'000, 1, 1), &idx);  // a modify to $1.07 is off the $0.05 grid
  EXPECT_EQ(b.counters().off_grid_price, 2);
  b.Apply(Ev(4, 9, 'A', 'A', 1'070'000'000, 1, 1), &idx);  // no tick known: not checked
  EXPECT_EQ(b.counters().off_grid_price, 2);
  EXPECT_THROW(b.AddInstrument(10, -1), std::invalid_argument);
}

TEST(OptionBooksTest, PrefetchChangesNothing) {
  OptionBooks b = TwoInstruments();
  uint32_t idx = 0;
  b.Apply(Ev(1, 7, 'A', 'B', kP, 3, 1), &idx);
  for (int stage : {0, 1}) {
    b.Prefetch(Ev(2, 7, 'C', 'B', kP, 3, 1), stage);
    b.Prefetch(Ev(2, 9, 'A', 'B', kP, 3, 2), stage);
    b.Prefetch(Ev(2, 5, 'C', 'B', kP, 3, 2), stage);  // unknown instrument and order
  }
  EXPECT_EQ(b.OrderCount(), 1u);
  EXPECT_EQ(b.TotalDepth(0, 'B'), 3);
  EXPECT_EQ(b.counters().events, 1);
}

}  // namespace
}  // namespace spymaster::book
