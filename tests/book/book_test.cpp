// Book semantics, one rule per test, expected values computed by hand (spec silver.md Part 1).
#include "book/book.hpp"

#include <gtest/gtest.h>

#include "book/from_dbn.hpp"
#include "support/mbo_events.hpp"

namespace spymaster::book {
namespace {

constexpr int64_t kTick = 250'000'000;
constexpr int64_t kP = 6000 * 1'000'000'000LL;  // $6000.00
constexpr uint64_t kSec = 1'000'000'000;

using support::Ev;

TEST(BookTest, AddBuildsDepthAndBest) {
  Book b;
  b.Apply(Ev(1, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(2, 'A', 'B', kP - kTick, 5, 2));
  b.Apply(Ev(3, 'A', 'B', kP, 3, 3));
  b.Apply(Ev(4, 'A', 'A', kP + 2 * kTick, 7, 4));
  EXPECT_EQ(b.BestBid(), kP);
  EXPECT_EQ(b.bids().BestQty(), 13);
  EXPECT_EQ(b.BestAsk(), kP + 2 * kTick);
  EXPECT_EQ(b.asks().BestQty(), 7);
  EXPECT_EQ(b.Depth('B', kP - kTick), 5);
  EXPECT_EQ(b.OrderCount(), 4u);
}

TEST(BookTest, BestMovesToNextLevelWhenTouchEmpties) {
  Book b;
  b.Apply(Ev(1, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(2, 'A', 'B', kP - 70 * kTick, 5, 2));  // 70 ticks down: crosses a bitmap word
  b.Apply(Ev(3, 'A', 'A', kP + kTick, 4, 3));
  b.Apply(Ev(4, 'A', 'A', kP + 100 * kTick, 6, 4));
  b.Apply(Ev(5, 'C', 'B', 0, 10, 1));
  b.Apply(Ev(6, 'C', 'A', 0, 4, 3));
  EXPECT_EQ(b.BestBid(), kP - 70 * kTick);
  EXPECT_EQ(b.BestAsk(), kP + 100 * kTick);
  b.Apply(Ev(7, 'C', 'B', 0, 5, 2));
  EXPECT_EQ(b.BestBid(), 0);
  EXPECT_EQ(b.bids().BestQty(), 0);
  EXPECT_TRUE(b.bids().Empty());
}

TEST(BookTest, PartialCancelRemovesMessageSize) {
  Book b;
  b.Apply(Ev(1, 'A', 'A', kP, 10, 1));
  BookDelta d = b.Apply(Ev(2, 'C', 'A', kP, 4, 1));
  EXPECT_EQ(b.Depth('A', kP), 6);
  ASSERT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_qty, 4);
  EXPECT_EQ(d.side, 'A');
  EXPECT_EQ(b.FindOrder(1)->remaining, 6u);
  d = b.Apply(Ev(3, 'C', 'A', kP, 0, 1));  // size 0: the whole remainder
  EXPECT_EQ(d.pull_qty, 6);
  EXPECT_EQ(b.FindOrder(1), nullptr);
  EXPECT_EQ(b.Depth('A', kP), 0);
}

TEST(BookTest, CancelLargerThanRemainingRemovesOnlyRemaining) {
  Book b;
  b.Apply(Ev(1, 'A', 'B', kP, 5, 1));
  const BookDelta d = b.Apply(Ev(2, 'C', 'B', kP, 9, 1));
  EXPECT_EQ(d.pull_qty, 5);
  EXPECT_EQ(b.Depth('B', kP), 0);
  EXPECT_EQ(b.counters().negative_depth_avoided, 0);
}

TEST(BookTest, RestingThresholdIsHalfSecondInclusive) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(0, 'A', 'B', kP, 10, 2));
  BookDelta young = b.Apply(Ev(499'999'999, 'C', 'B', kP, 10, 1));
  BookDelta rested = b.Apply(Ev(500'000'000, 'C', 'B', kP, 10, 2));
  EXPECT_FALSE(young.pull_rested);
  EXPECT_TRUE(rested.pull_rested);
}

TEST(BookTest, ModifyToNewPriceIsPullPlusAddAndResetsTime) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  const BookDelta d = b.Apply(Ev(kSec, 'M', 'B', kP + kTick, 7, 1));
  ASSERT_TRUE(d.has_pull && d.has_add);
  EXPECT_EQ(d.pull_price, kP);
  EXPECT_EQ(d.pull_qty, 10);  // all of the old size
  EXPECT_TRUE(d.pull_rested);
  EXPECT_EQ(d.add_price, kP + kTick);
  EXPECT_EQ(d.add_qty, 7);
  EXPECT_EQ(b.Depth('B', kP), 0);
  EXPECT_EQ(b.Depth('B', kP + kTick), 7);
  EXPECT_EQ(b.FindOrder(1)->ts_at_price, kSec);
}

TEST(BookTest, ModifySamePriceDecreaseKeepsQueueTime) {
  Book b;
  b.Apply(Ev(0, 'A', 'A', kP, 10, 1));
  const BookDelta d = b.Apply(Ev(kSec, 'M', 'A', kP, 6, 1));
  ASSERT_TRUE(d.has_pull);
  EXPECT_FALSE(d.has_add);
  EXPECT_EQ(d.pull_qty, 4);
  EXPECT_EQ(b.Depth('A', kP), 6);
  EXPECT_EQ(b.FindOrder(1)->ts_at_price, 0u);
}

TEST(BookTest, ModifySamePriceIncreaseAddsDifferenceAndLosesQueueTime) {
  Book b;
  b.Apply(Ev(0, 'A', 'A', kP, 10, 1));
  const BookDelta d = b.Apply(Ev(kSec, 'M', 'A', kP, 15, 1));
  ASSERT_TRUE(d.has_add);
  EXPECT_FALSE(d.has_pull);
  EXPECT_EQ(d.add_qty, 5);
  EXPECT_EQ(b.Depth('A', kP), 15);
  EXPECT_EQ(b.FindOrder(1)->ts_at_price, kSec);
}

TEST(BookTest, ModifyEqualSizeChangesNothing) {
  Book b;
  b.Apply(Ev(0, 'A', 'A', kP, 10, 1));
  const BookDelta d = b.Apply(Ev(kSec, 'M', 'A', kP, 10, 1));
  EXPECT_FALSE(d.has_add || d.has_pull || d.has_fill);
  EXPECT_EQ(b.FindOrder(1)->ts_at_price, 0u);
}

TEST(BookTest, FillThenCancelCountsFillNotPull) {
  Book b;
  b.Apply(Ev(0, 'A', 'A', kP, 10, 1));
  BookDelta f = b.Apply(Ev(1, 'F', 'A', kP + 99 * kTick, 4, 1));  // message price ignored
  ASSERT_TRUE(f.has_fill);
  EXPECT_EQ(f.fill_price, kP);
  EXPECT_EQ(f.fill_qty, 4);
  EXPECT_EQ(b.Depth('A', kP), 10);  // F does not change the book
  EXPECT_EQ(b.FindOrder(1)->pending_fill, 4u);
  BookDelta c = b.Apply(Ev(2, 'C', 'A', kP, 4, 1));
  EXPECT_FALSE(c.has_pull);  // removed 4 = fill part 4, pull part 0
  EXPECT_EQ(b.Depth('A', kP), 6);
  EXPECT_EQ(b.FindOrder(1)->pending_fill, 0u);
}

TEST(BookTest, FillThenModifySplitsFillAndPull) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(1, 'F', 'B', kP, 3, 1));
  // M down to 5: removed 5, of which 3 were filled and 2 pulled.
  const BookDelta d = b.Apply(Ev(2, 'M', 'B', kP, 5, 1));
  ASSERT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_qty, 2);
  EXPECT_EQ(b.Depth('B', kP), 5);
}

TEST(BookTest, FillOfWholeOrderThenCancelRemovesOrder) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(1, 'F', 'B', kP, 10, 1));
  b.Apply(Ev(1, 'F', 'B', kP, 5, 1));  // over-fill: pending capped at remaining
  EXPECT_EQ(b.FindOrder(1)->pending_fill, 10u);
  const BookDelta c = b.Apply(Ev(2, 'C', 'B', kP, 10, 1));
  EXPECT_FALSE(c.has_pull);
  EXPECT_EQ(b.FindOrder(1), nullptr);
  EXPECT_EQ(b.BestBid(), 0);
}

TEST(BookTest, ModifyToNewPriceAfterFillSendsPendingAsFill) {
  Book b;
  b.Apply(Ev(0, 'A', 'A', kP, 10, 1));
  b.Apply(Ev(1, 'F', 'A', kP, 4, 1));
  const BookDelta d = b.Apply(Ev(2, 'M', 'A', kP + kTick, 6, 1));
  EXPECT_EQ(d.pull_qty, 6);  // 10 leave the old price: 4 as fill, 6 as pull
  EXPECT_EQ(d.add_qty, 6);
  EXPECT_EQ(b.FindOrder(1)->pending_fill, 0u);
}

TEST(BookTest, AddOfLiveIdReplacesWithoutFlow) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  const BookDelta d = b.Apply(Ev(1, 'A', 'B', kP - kTick, 4, 1));
  EXPECT_FALSE(d.has_pull);
  EXPECT_TRUE(d.has_add);
  EXPECT_EQ(b.Depth('B', kP), 0);
  EXPECT_EQ(b.Depth('B', kP - kTick), 4);
  EXPECT_EQ(b.OrderCount(), 1u);
  EXPECT_EQ(b.counters().duplicate_add, 1);
}

TEST(BookTest, UnknownIdsAreIgnoredAndCounted) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  EXPECT_FALSE(b.Apply(Ev(1, 'C', 'B', kP, 10, 99)).has_pull);
  EXPECT_FALSE(b.Apply(Ev(2, 'M', 'B', kP, 5, 98)).has_add);
  EXPECT_FALSE(b.Apply(Ev(3, 'F', 'B', kP, 5, 97)).has_fill);
  EXPECT_EQ(b.counters().unknown_order_id, 3);
  EXPECT_EQ(b.Depth('B', kP), 10);
  EXPECT_EQ(b.OrderCount(), 1u);
}

TEST(BookTest, BadSideBadActionBadPriceAndOffGridAreCounted) {
  Book b;
  b.Apply(Ev(0, 'A', 'N', kP, 10, 1));
  b.Apply(Ev(0, 'A', 'B', kUndefPrice, 10, 2));
  b.Apply(Ev(0, 'X', 'B', kP, 10, 3));
  b.Apply(Ev(0, 'A', 'B', kP + 1, 10, 4));  // off the $0.25 grid: kept, counted
  b.Apply(Ev(0, 'M', 'Z', kP, 10, 4));
  EXPECT_EQ(b.counters().bad_side, 2);
  EXPECT_EQ(b.counters().bad_price, 1);
  EXPECT_EQ(b.counters().bad_action, 1);
  EXPECT_EQ(b.counters().off_grid_price, 1);
  EXPECT_EQ(b.OrderCount(), 1u);
  EXPECT_EQ(b.BestBid(), kP + 1);
  EXPECT_EQ(b.Depth('B', kP + 1), 10);
}

TEST(BookTest, FarPricesUseOverflowLevels) {
  BookConfig config;
  config.dense_levels = 64;
  Book b(config);
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(0, 'A', 'B', kP + 1000 * kTick, 3, 2));  // outside the 64-tick window
  b.Apply(Ev(0, 'A', 'A', kP - 1000 * kTick, 2, 3));
  b.Apply(Ev(0, 'A', 'A', kP + 5 * kTick, 2, 4));
  EXPECT_EQ(b.BestBid(), kP + 1000 * kTick);
  EXPECT_EQ(b.BestAsk(), kP - 1000 * kTick);
  b.Apply(Ev(1, 'C', 'B', 0, 3, 2));
  b.Apply(Ev(1, 'C', 'A', 0, 2, 3));
  EXPECT_EQ(b.BestBid(), kP);
  EXPECT_EQ(b.BestAsk(), kP + 5 * kTick);
}

// A stub quote far from the touch arrives first and places the dense window; the touch that follows is
// better than the stub, so the window re-centres on it (the stub goes to the overflow map) instead of the
// whole session's touch living in the overflow map. Levels keep their quantities through the move.
TEST(BookTest, DenseWindowRecentresOnTheTouchAfterAFarStub) {
  BookConfig config;
  config.dense_levels = 64;
  Book b(config);
  b.Apply(Ev(0, 'A', 'A', kP + 5000 * kTick, 1, 1));  // stub ask 5000 ticks out: the window goes there
  EXPECT_EQ(b.asks().recentres(), 0);
  b.Apply(Ev(1, 'A', 'A', kP + 2 * kTick, 7, 2));  // the real touch: better than the stub, outside
  EXPECT_EQ(b.asks().recentres(), 1);
  EXPECT_EQ(b.asks().overflow_adds(), 0);  // the stub moved to overflow, no add went there
  b.Apply(Ev(2, 'A', 'A', kP + 3 * kTick, 4, 3));
  b.Apply(Ev(3, 'A', 'A', kP + 2 * kTick, 1, 4));
  EXPECT_EQ(b.asks().overflow_adds(), 0);  // the touch's levels are dense
  EXPECT_EQ(b.asks().recentres(), 1);
  EXPECT_EQ(b.BestAsk(), kP + 2 * kTick);
  EXPECT_EQ(b.Depth('A', kP + 2 * kTick), 8);
  EXPECT_EQ(b.Depth('A', kP + 5000 * kTick), 1);     // the stub is still there, in overflow
  b.Apply(Ev(4, 'A', 'A', kP + 900 * kTick, 2, 5));  // far behind the touch: overflow, no move
  EXPECT_EQ(b.asks().overflow_adds(), 1);
  EXPECT_EQ(b.asks().recentres(), 1);
  // Pulling the touch leaves the next levels in order, dense and overflow alike.
  b.Apply(Ev(5, 'C', 'A', 0, 0, 2));
  b.Apply(Ev(5, 'C', 'A', 0, 0, 4));
  EXPECT_EQ(b.BestAsk(), kP + 3 * kTick);
  b.Apply(Ev(6, 'C', 'A', 0, 0, 3));
  EXPECT_EQ(b.BestAsk(), kP + 900 * kTick);
  b.Apply(Ev(7, 'C', 'A', 0, 0, 5));
  EXPECT_EQ(b.BestAsk(), kP + 5000 * kTick);
  std::vector<std::pair<int64_t, int64_t>> seen;
  b.asks().ForEachInRange(0, kP + 10000 * kTick, [&](int64_t p, int64_t q) { seen.emplace_back(p, q); });
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int64_t>>{{kP + 5000 * kTick, 1}}));
}

TEST(BookTest, TradeSetsLastTradeOnlyForPositivePrices) {
  Book b;
  b.Apply(Ev(0, 'T', 'A', kP, 1, 0));
  b.Apply(Ev(1, 'T', 'A', 0, 1, 0));
  b.Apply(Ev(2, 'T', 'A', kUndefPrice, 1, 0));
  EXPECT_EQ(b.last_trade_price(), kP);
  EXPECT_EQ(b.OrderCount(), 0u);
}

TEST(BookTest, ClearStartsSnapshotValidAgainAtFlagLast) {
  Book b;
  b.Apply(Ev(0, 'A', 'B', kP, 10, 1));
  EXPECT_TRUE(b.valid());
  const BookDelta r = b.Apply(Ev(1, 'R', 'N', 0, 0, 0, kFlagSnapshot));
  EXPECT_TRUE(r.snapshot_record);
  EXPECT_FALSE(b.valid());
  EXPECT_EQ(b.OrderCount(), 0u);
  EXPECT_EQ(b.BestBid(), 0);
  b.Apply(Ev(1, 'A', 'B', kP - kTick, 5, 2, kFlagSnapshot));
  EXPECT_FALSE(b.valid());
  b.Apply(Ev(1, 'A', 'A', kP + kTick, 5, 3, kFlagSnapshot | kFlagLast));
  EXPECT_TRUE(b.valid());
  EXPECT_FALSE(b.in_snapshot());
  EXPECT_EQ(b.BestBid(), kP - kTick);
  EXPECT_EQ(b.counters().clears, 1);
  EXPECT_EQ(b.counters().snapshot_records, 3);
}

TEST(BookTest, SnapshotEndsAtFirstRecordWithoutSnapshotFlag) {
  Book b;
  b.Apply(Ev(1, 'R', 'N', 0, 0, 0));  // a clear without F_SNAPSHOT (e.g. a halt) also invalidates
  EXPECT_FALSE(b.valid());
  b.Apply(Ev(2, 'A', 'B', kP, 5, 2, kFlagSnapshot));
  EXPECT_FALSE(b.valid());
  b.Apply(Ev(3, 'A', 'B', kP, 5, 3));
  EXPECT_TRUE(b.valid());
}

TEST(BookTest, YoungOrdersAreThoseArrivedAfterSince) {
  Book b;
  b.Apply(Ev(100, 'A', 'B', kP, 10, 1));
  b.Apply(Ev(200, 'A', 'B', kP, 5, 2));
  b.Apply(Ev(300, 'M', 'B', kP, 3, 1));  // decrease: keeps time 100
  b.Apply(Ev(400, 'M', 'B', kP, 8, 2));  // increase: time resets to 400
  int64_t young = 0;
  b.ForEachYoungOrder(150, [&](char, int64_t, int64_t q) { young += q; });
  EXPECT_EQ(young, 8);  // order 2 only (its 200 entry is stale, its 400 entry counts once)
  young = 0;
  b.ForEachYoungOrder(400, [&](char, int64_t, int64_t q) { young += q; });
  EXPECT_EQ(young, 0);
}

TEST(BookTest, FromDbnMapsEveryField) {
  dbn::MboMsg m;
  m.hd.ts_event = 11;
  m.hd.instrument_id = 42;
  m.order_id = 7;
  m.price = kP;
  m.size = 3;
  m.flags = kFlagLast;
  m.action = 'A';
  m.side = 'B';
  m.sequence = 99;
  const MboEvent e = FromDbn(m);
  EXPECT_EQ(e.ts_event, 11u);
  EXPECT_EQ(e.instrument_id, 42u);
  EXPECT_EQ(e.order_id, 7u);
  EXPECT_EQ(e.price, kP);
  EXPECT_EQ(e.size, 3u);
  EXPECT_EQ(e.flags, kFlagLast);
  EXPECT_EQ(e.action, 'A');
  EXPECT_EQ(e.side, 'B');
  EXPECT_EQ(e.sequence, 99u);
}

}  // namespace
}  // namespace spymaster::book
