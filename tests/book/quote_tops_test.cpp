// CMBP-1 add/pull inference (silver.md Part 2 §6), one case per test, values by hand.
#include "book/quote_tops.hpp"

#include <gtest/gtest.h>

#include "support/mbo_events.hpp"

namespace spymaster::book {
namespace {

constexpr int64_t kC = 10'000'000;  // $0.01

MboEvent Q(uint32_t iid, char side, int64_t price, uint32_t size) {
  MboEvent e = support::Ev(0, kQuoteAction, side, price, size, 0);
  e.instrument_id = iid;
  return e;
}

QuoteTops One() {
  QuoteTops t;
  t.AddInstrument(5);
  return t;
}

TEST(QuoteTopsTest, FromEmptyIsAnAddOfTheNewSize) {
  QuoteTops t = One();
  uint32_t i = 0;
  const BookDelta d = t.Apply(Q(5, 'B', 120 * kC, 30), &i);
  EXPECT_TRUE(d.has_add);
  EXPECT_FALSE(d.has_pull);
  EXPECT_EQ(d.add_price, 120 * kC);
  EXPECT_EQ(d.add_qty, 30);
  EXPECT_EQ(t.BestBid(0), 120 * kC);
  EXPECT_EQ(t.TotalDepth(0, 'B'), 30);
}

TEST(QuoteTopsTest, SamePriceSizeChangeIsAddOrPullOfTheDifference) {
  QuoteTops t = One();
  uint32_t i = 0;
  t.Apply(Q(5, 'A', 125 * kC, 30), &i);
  BookDelta d = t.Apply(Q(5, 'A', 125 * kC, 45), &i);
  EXPECT_TRUE(d.has_add);
  EXPECT_FALSE(d.has_pull);
  EXPECT_EQ(d.add_qty, 15);
  d = t.Apply(Q(5, 'A', 125 * kC, 5), &i);
  EXPECT_FALSE(d.has_add);
  EXPECT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_qty, 40);
  EXPECT_EQ(d.pull_price, 125 * kC);
  EXPECT_FALSE(d.pull_rested);  // CMBP-1 shows no resting time
  d = t.Apply(Q(5, 'A', 125 * kC, 5), &i);
  EXPECT_FALSE(d.has_add || d.has_pull);  // unchanged
}

TEST(QuoteTopsTest, PriceChangeIsPullOfOldAndAddOfNew) {
  QuoteTops t = One();
  uint32_t i = 0;
  t.Apply(Q(5, 'B', 120 * kC, 30), &i);
  const BookDelta d = t.Apply(Q(5, 'B', 121 * kC, 10), &i);
  EXPECT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_price, 120 * kC);
  EXPECT_EQ(d.pull_qty, 30);
  EXPECT_TRUE(d.has_add);
  EXPECT_EQ(d.add_price, 121 * kC);
  EXPECT_EQ(d.add_qty, 10);
}

TEST(QuoteTopsTest, ToEmptyIsAPullOfTheOldSize) {
  QuoteTops t = One();
  uint32_t i = 0;
  t.Apply(Q(5, 'B', 120 * kC, 30), &i);
  BookDelta d = t.Apply(Q(5, 'B', 120 * kC, 0), &i);  // size 0: empty
  EXPECT_TRUE(d.has_pull);
  EXPECT_EQ(d.pull_qty, 30);
  EXPECT_FALSE(d.has_add);
  EXPECT_EQ(t.BestBid(0), 0);
  t.Apply(Q(5, 'B', 120 * kC, 8), &i);
  d = t.Apply(Q(5, 'B', kUndefPrice, 8), &i);  // null price: empty
  EXPECT_EQ(d.pull_qty, 8);
  d = t.Apply(Q(5, 'B', 0, 0), &i);  // empty to empty: nothing
  EXPECT_FALSE(d.has_add || d.has_pull);
}

TEST(QuoteTopsTest, CrossedTopsAndUnknownInstrumentsAreCounted) {
  QuoteTops t = One();
  uint32_t i = 0;
  t.Apply(Q(5, 'B', 120 * kC, 1), &i);
  t.Apply(Q(5, 'A', 119 * kC, 1), &i);
  EXPECT_EQ(t.counters().crossed_tops, 1);
  t.Apply(Q(6, 'A', 119 * kC, 1), &i);
  EXPECT_EQ(i, QuoteTops::kNoInstrument);
  EXPECT_EQ(t.counters().unknown_instrument, 1);
  MboEvent not_a_quote = Q(5, 'A', 119 * kC, 1);
  not_a_quote.action = 'A';
  t.Apply(not_a_quote, &i);
  EXPECT_EQ(t.counters().bad_action, 1);
}

}  // namespace
}  // namespace spymaster::book
