// Silver rules through the engine, one rule per test, expected values computed by hand
// (spec silver.md Part 1 "Precise rules" and Part 2 §3.6–3.8, §5).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "engine/engine.hpp"
#include "engine/rounding.hpp"
#include "engine_test_util.hpp"

namespace spymaster::engine {
namespace {

using namespace test_util;  // NOLINT
using book::kFlagLast;
using book::kFlagSnapshot;

constexpr int64_t kBase = 100 * kTick;  // $25.00 as in the reference's book-engine test
constexpr int64_t kEs = 6000 * kDollar;

const DepthFlowRow* FindRow(const WindowResult& w, char side, int32_t rel) {
  for (const auto& r : w.depth_flow) {
    if (r.side == side && r.rel_ticks == rel) return &r;
  }
  return nullptr;
}

TEST(RoundingTest, HalfToEvenLikePython) {
  EXPECT_EQ(RoundDivHalfEven(5, 10), 0);     // 0.5
  EXPECT_EQ(RoundDivHalfEven(15, 10), 2);    // 1.5
  EXPECT_EQ(RoundDivHalfEven(25, 10), 2);    // 2.5
  EXPECT_EQ(RoundDivHalfEven(-5, 10), 0);    // -0.5
  EXPECT_EQ(RoundDivHalfEven(-15, 10), -2);  // -1.5
  EXPECT_EQ(RoundDivHalfEven(-16, 10), -2);
  EXPECT_EQ(RoundDivHalfEven(-14, 10), -1);
  EXPECT_EQ(RoundDivHalfEven(14, 10), 1);
  EXPECT_EQ(RoundDivHalfEven(16, 10), 2);
}

TEST(SilverTest, EmitsEverySessionWindowIncludingGaps) {
  const auto out = RunEngine(FutureMboConfig(), Session(10, 15),
                             {Ev(3 * kSec, 'A', 'B', kEs, 1, 1), Ev(10 * kSec + 200, 'A', 'B', kEs, 1, 2),
                              Ev(11 * kSec, 'A', 'B', kEs, 1, 3), Ev(13 * kSec + 700'000'000, 'A', 'B', kEs, 1, 4)});
  ASSERT_EQ(out.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(out[k].snapshot.window_start_ts_ns, (10 + k) * kSec);
    EXPECT_EQ(out[k].snapshot.window_end_ts_ns, (11 + k) * kSec);
  }
  // The record at exactly 11 s belongs to [11, 12), not to [10, 11).
  EXPECT_EQ(FindRow(out[0], 'B', 0)->add_qty, 1.0);
  EXPECT_EQ(FindRow(out[1], 'B', 0)->add_qty, 1.0);
  EXPECT_EQ(FindRow(out[2], 'B', 0)->add_qty, 0.0);  // gap window: depth only
  EXPECT_EQ(FindRow(out[2], 'B', 0)->depth_qty_end, 3.0);
  EXPECT_EQ(FindRow(out[3], 'B', 0)->add_qty, 1.0);
  EXPECT_EQ(out[4].snapshot.best_bid_qty, 4);
}

TEST(SilverTest, RecordsBeforeSessionBuildBookOnlyAndAfterSessionAreNotUsed) {
  EngineCounters counters;
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11),
                             {Ev(1 * kSec, 'A', 'B', kEs, 7, 1), Ev(2 * kSec, 'T', 'N', kEs, 1, 0),
                              Ev(11 * kSec, 'A', 'B', kEs, 5, 2), Ev(12 * kSec, 'C', 'B', kEs, 7, 1)},
                             &counters);
  ASSERT_EQ(out.size(), 1u);
  const DepthFlowRow* r = FindRow(out[0], 'B', 0);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->add_qty, 0.0);
  EXPECT_EQ(r->depth_qty_end, 7.0);
  EXPECT_EQ(r->depth_qty_start, 7.0);
  EXPECT_EQ(out[0].snapshot.last_trade_price_int, kEs);
  EXPECT_EQ(counters.after_session, 2);
}

// The reference's own book-engine scenario (silver.md Part 2 §8 test 1), values worked by hand.
TEST(SilverTest, ClearSnapshotScenario) {
  const std::vector<book::MboEvent> events = {
      Ev(100'000'000, 'R', 'N', 0, 0, 0, kFlagSnapshot),
      Ev(200'000'000, 'A', 'B', kBase, 10, 1, kFlagSnapshot),
      Ev(300'000'000, 'A', 'A', kBase + 2 * kTick, 12, 2, kFlagSnapshot),
      Ev(400'000'000, 'T', 'N', kBase + kTick, 1, 0),
      Ev(500'000'000, 'A', 'A', kBase + 3 * kTick, 8, 3, kFlagSnapshot | kFlagLast),
      Ev(1'100'000'000, 'M', 'B', kBase + kTick, 10, 1),
      Ev(1'200'000'000, 'C', 'A', 0, 12, 2),
      Ev(1'300'000'000, 'T', 'N', kBase + kTick, 1, 0),
  };
  const auto out = RunEngine(FutureMboConfig(), Session(0, 2), events);
  ASSERT_EQ(out.size(), 2u);
  // Window 0 opened on an empty book: spot_ref 0, a snapshot row and no depth/flow rows.
  const SnapshotRow& s0 = out[0].snapshot;
  EXPECT_EQ(s0.spot_ref_price_int, 0);
  EXPECT_TRUE(out[0].depth_flow.empty());
  EXPECT_TRUE(out[0].gold.empty());
  EXPECT_TRUE(s0.book_valid);     // the F_LAST snapshot record ended the snapshot
  EXPECT_FALSE(s0.window_valid);  // but the window contained the clear
  EXPECT_EQ(s0.best_bid_price_int, kBase);
  EXPECT_EQ(s0.best_bid_qty, 10);
  EXPECT_EQ(s0.best_ask_price_int, kBase + 2 * kTick);
  EXPECT_EQ(s0.best_ask_qty, 12);
  EXPECT_EQ(s0.last_trade_price_int, kBase + kTick);

  // Window 1: spot at start = last trade 25.25 is on no level; bid 25.00 and ask 25.50 tie -> bid.
  const WindowResult& w1 = out[1];
  EXPECT_EQ(w1.snapshot.spot_ref_price_int, kBase);
  EXPECT_TRUE(w1.snapshot.window_valid);
  EXPECT_EQ(w1.snapshot.best_bid_price_int, kBase + kTick);
  EXPECT_EQ(w1.snapshot.best_bid_qty, 10);
  EXPECT_EQ(w1.snapshot.best_ask_price_int, kBase + 3 * kTick);
  EXPECT_EQ(w1.snapshot.best_ask_qty, 8);
  EXPECT_DOUBLE_EQ(w1.snapshot.mid_price, 25.5);
  EXPECT_EQ(w1.snapshot.mid_price_int, 25'500'000'000);
  ASSERT_EQ(w1.depth_flow.size(), 4u);
  // Bids first, ascending price, then asks.
  const DepthFlowRow& b0 = w1.depth_flow[0];
  EXPECT_EQ(b0.side, 'B');
  EXPECT_EQ(b0.price_int, kBase);
  EXPECT_EQ(b0.rel_ticks, 0);
  EXPECT_EQ(b0.rel_ticks_side, 0);
  EXPECT_EQ(b0.depth_qty_end, 0.0);
  EXPECT_EQ(b0.pull_qty_total, 10.0);
  EXPECT_EQ(b0.pull_qty_rest, 10.0);  // rested 0.9 s at 25.00
  EXPECT_EQ(b0.depth_qty_start, 10.0);
  const DepthFlowRow& b1 = w1.depth_flow[1];
  EXPECT_EQ(b1.price_int, kBase + kTick);
  EXPECT_EQ(b1.rel_ticks, 1);
  EXPECT_EQ(b1.rel_ticks_side, 1);
  EXPECT_EQ(b1.add_qty, 10.0);
  EXPECT_EQ(b1.depth_qty_end, 10.0);   // == best_bid_qty at best_bid_price_int
  EXPECT_EQ(b1.depth_qty_rest, 10.0);  // arrived 1.1 s, window end 2.0 s
  EXPECT_EQ(b1.depth_qty_start, 0.0);
  const DepthFlowRow& a2 = w1.depth_flow[2];
  EXPECT_EQ(a2.side, 'A');
  EXPECT_EQ(a2.rel_ticks, 2);
  EXPECT_EQ(a2.rel_ticks_side, 0);  // ask anchor = best ask at window start, 25.50
  EXPECT_EQ(a2.pull_qty_total, 12.0);
  EXPECT_EQ(a2.pull_qty_rest, 12.0);
  EXPECT_EQ(a2.depth_qty_start, 12.0);
  const DepthFlowRow& a3 = w1.depth_flow[3];
  EXPECT_EQ(a3.rel_ticks, 3);
  EXPECT_EQ(a3.rel_ticks_side, 1);
  EXPECT_EQ(a3.depth_qty_end, 8.0);
  EXPECT_EQ(a3.depth_qty_rest, 8.0);
  for (const auto& r : w1.depth_flow) EXPECT_TRUE(r.window_valid);
}

TEST(SilverTest, SnapshotInProgressAtWindowEndInvalidatesWindow) {
  const auto out =
      RunEngine(FutureMboConfig(), Session(0, 3),
                {Ev(100, 'A', 'B', kEs, 1, 1), Ev(1 * kSec + 5, 'R', 'N', 0, 0, 0, kFlagSnapshot),
                 Ev(1 * kSec + 6, 'A', 'B', kEs, 2, 2, kFlagSnapshot), Ev(2 * kSec + 5, 'A', 'B', kEs, 3, 3)});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].snapshot.window_valid);
  EXPECT_FALSE(out[1].snapshot.book_valid);
  EXPECT_FALSE(out[1].snapshot.window_valid);
  // The first record without F_SNAPSHOT ends the snapshot; no snapshot record fell in window 2.
  EXPECT_TRUE(out[2].snapshot.book_valid);
  EXPECT_TRUE(out[2].snapshot.window_valid);
  EXPECT_EQ(out[2].snapshot.best_bid_qty, 5);
}

struct SpotCase {
  const char* name;
  int64_t bid;    // 0: none
  int64_t ask;    // 0: none
  int64_t trade;  // 0: none
  int64_t expected;
};

class SpotRefTest : public ::testing::TestWithParam<SpotCase> {};

TEST_P(SpotRefTest, ResolvedAtWindowStart) {
  const SpotCase& c = GetParam();
  std::vector<book::MboEvent> ev;
  if (c.bid) ev.push_back(Ev(1, 'A', 'B', c.bid, 1, 1));
  if (c.ask) ev.push_back(Ev(2, 'A', 'A', c.ask, 1, 2));
  if (c.trade) ev.push_back(Ev(3, 'T', 'N', c.trade, 1, 0));
  // A record inside the window that would change the answer if spot were taken at window end.
  ev.push_back(Ev(10 * kSec + 1, 'A', 'B', kEs + 50 * kTick, 1, 3));
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11), ev);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].snapshot.spot_ref_price_int, c.expected) << c.name;
  EXPECT_EQ(out[0].depth_flow.empty(), c.expected == 0) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SpotRefTest,
    ::testing::Values(SpotCase{"trade on a level", kEs, kEs + 4 * kTick, kEs + 4 * kTick, kEs + 4 * kTick},
                      SpotCase{"trade off book, nearer ask", kEs, kEs + 4 * kTick, kEs + 7 * kTick, kEs + 4 * kTick},
                      SpotCase{"trade off book, nearer bid", kEs, kEs + 4 * kTick, kEs + kTick, kEs},
                      SpotCase{"trade off book, tie goes to bid", kEs, kEs + 4 * kTick, kEs + 2 * kTick, kEs},
                      SpotCase{"no trade: best bid", kEs, kEs + 4 * kTick, 0, kEs},
                      SpotCase{"only asks", 0, kEs + 4 * kTick, 0, kEs + 4 * kTick},
                      SpotCase{"only asks and an off-book trade", 0, kEs + 4 * kTick, kEs, kEs + 4 * kTick},
                      SpotCase{"empty book, a trade", 0, 0, kEs - kTick, kEs - kTick}, SpotCase{"nothing", 0, 0, 0, 0}),
    [](const auto& info) { return std::to_string(info.index); });

TEST(SilverTest, RelTicksRoundHalfToEvenForOffGridPrices) {
  EngineCounters counters;
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11),
                             {Ev(1, 'A', 'B', kEs, 1, 1), Ev(10 * kSec + 1, 'A', 'B', kEs - kTick / 2, 2, 2),
                              Ev(10 * kSec + 2, 'A', 'B', kEs - 3 * kTick / 2, 3, 3)},
                             &counters);
  ASSERT_EQ(out.size(), 1u);
  // -0.5 tick rounds to 0 (merges with the on-grid level), -1.5 to -2.
  const DepthFlowRow* r0 = FindRow(out[0], 'B', 0);
  const DepthFlowRow* r2 = FindRow(out[0], 'B', -2);
  ASSERT_NE(r0, nullptr);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(FindRow(out[0], 'B', -1), nullptr);
  EXPECT_EQ(r0->depth_qty_end, 3.0);
  EXPECT_EQ(r0->add_qty, 2.0);
  EXPECT_EQ(r2->price_int, kEs - 2 * kTick);
  EXPECT_EQ(r2->depth_qty_end, 3.0);
}

TEST(SilverTest, BandIsPlusMinus200TicksInclusive) {
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11),
                             {Ev(1, 'A', 'B', kEs, 1, 1), Ev(2, 'A', 'B', kEs - 200 * kTick, 1, 2),
                              Ev(3, 'A', 'B', kEs - 201 * kTick, 1, 3), Ev(4, 'A', 'A', kEs + 200 * kTick, 1, 4),
                              Ev(5, 'A', 'A', kEs + 201 * kTick, 1, 5), Ev(10 * kSec + 1, 'C', 'A', 0, 1, 5)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].depth_flow.size(), 3u);
  EXPECT_NE(FindRow(out[0], 'B', -200), nullptr);
  EXPECT_NE(FindRow(out[0], 'A', 200), nullptr);
}

TEST(SilverTest, DepthStartIdentityWithFillsAndPulls) {
  // 10 resting on the ask; in the window: F 4 then C 4 (fill, not pull), a partial cancel of 2, an add of 5.
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11),
                             {Ev(1, 'A', 'B', kEs, 1, 9), Ev(2, 'A', 'A', kEs + kTick, 10, 1),
                              Ev(10 * kSec + 1, 'F', 'A', kEs + kTick, 4, 1), Ev(10 * kSec + 2, 'C', 'A', 0, 4, 1),
                              Ev(10 * kSec + 3, 'C', 'A', 0, 2, 1), Ev(10 * kSec + 4, 'A', 'A', kEs + kTick, 5, 2)});
  const DepthFlowRow* r = FindRow(out[0], 'A', 1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->fill_qty, 4.0);
  EXPECT_EQ(r->pull_qty_total, 2.0);
  EXPECT_EQ(r->add_qty, 5.0);
  EXPECT_EQ(r->depth_qty_end, 9.0);
  EXPECT_EQ(r->depth_qty_start, 10.0);  // 9 - 5 + 2 + 4
  EXPECT_EQ(r->depth_qty_start, r->depth_qty_end - r->add_qty + r->pull_qty_total + r->fill_qty);
}

TEST(SilverTest, RestingDepthThresholdAtWindowEnd) {
  // Window [10, 11): rest means arrived at or before 10.5 s.
  const auto out = RunEngine(
      FutureMboConfig(), Session(10, 11),
      {Ev(1, 'A', 'B', kEs, 1, 9), Ev(10 * kSec + 500'000'000, 'A', 'A', kEs + kTick, 3, 1),
       Ev(10 * kSec + 500'000'001, 'A', 'A', kEs + kTick, 4, 2), Ev(10 * kSec + 100, 'A', 'A', kEs + 2 * kTick, 6, 3),
       Ev(10 * kSec + 900'000'000, 'M', 'A', kEs + 2 * kTick, 5, 3)});  // decrease keeps time
  const DepthFlowRow* r1 = FindRow(out[0], 'A', 1);
  const DepthFlowRow* r2 = FindRow(out[0], 'A', 2);
  EXPECT_EQ(r1->depth_qty_end, 7.0);
  EXPECT_EQ(r1->depth_qty_rest, 3.0);
  EXPECT_EQ(r2->depth_qty_end, 5.0);
  EXPECT_EQ(r2->depth_qty_rest, 5.0);
  EXPECT_EQ(r2->pull_qty_total, 1.0);
  EXPECT_EQ(r2->pull_qty_rest, 1.0);  // had been at its price 0.9 s
}

TEST(SilverTest, ModifyPriceMoveIsPullAtOldAndAddAtNew) {
  const auto out = RunEngine(FutureMboConfig(), Session(10, 11),
                             {Ev(1, 'A', 'B', kEs, 6, 1), Ev(10 * kSec + 800'000'000, 'M', 'B', kEs - kTick, 6, 1)});
  const DepthFlowRow* old_row = FindRow(out[0], 'B', 0);
  const DepthFlowRow* new_row = FindRow(out[0], 'B', -1);
  ASSERT_NE(old_row, nullptr);
  ASSERT_NE(new_row, nullptr);
  EXPECT_EQ(old_row->pull_qty_total, 6.0);
  EXPECT_EQ(old_row->pull_qty_rest, 6.0);
  EXPECT_EQ(old_row->depth_qty_end, 0.0);
  EXPECT_EQ(old_row->depth_qty_start, 6.0);
  EXPECT_EQ(new_row->add_qty, 6.0);
  EXPECT_EQ(new_row->depth_qty_rest, 0.0);  // moved 0.2 s before the window end
  EXPECT_EQ(out[0].snapshot.spot_ref_price_int, kEs);
}

TEST(SilverTest, UnknownIdsAndBadRecordsAreCountedInCounterList) {
  Engine engine(FutureMboConfig(), Session(10, 11), nullptr);
  engine.OnEvent(Ev(1, 'A', 'B', kEs, 6, 1));
  engine.OnEvent(Ev(2, 'C', 'B', kEs, 6, 77));
  engine.OnEvent(Ev(3, 'F', 'B', kEs, 6, 78));
  engine.OnEvent(Ev(4, 'A', 'N', kEs, 6, 2));
  engine.OnEvent(Ev(5, 'Q', 'B', kEs, 6, 3));
  engine.OnEvent(Ev(4, 'A', 'B', kEs + 1, 6, 4));  // out of order and off grid
  engine.Finish();
  const auto list = engine.CounterList();
  const std::map<std::string, int64_t> c(list.begin(), list.end());
  EXPECT_EQ(c.at("unknown_order_id"), 2);
  EXPECT_EQ(c.at("bad_side"), 1);
  EXPECT_EQ(c.at("bad_action"), 1);
  EXPECT_EQ(c.at("records_out_of_order"), 1);
  EXPECT_EQ(c.at("late_records"), 0);  // every record precedes the session: none is late
  EXPECT_EQ(c.at("off_grid_price"), 1);
  EXPECT_EQ(c.at("windows"), 1);
  EXPECT_EQ(c.at("records"), 6);
  EXPECT_EQ(list.size(), 23u);
}

TEST(SilverTest, OtherInstrumentsAreSkippedWhenOneIsSelected) {
  EngineOptions o = Session(10, 11);
  o.instrument_id = 42;
  EngineCounters counters;
  auto a = Ev(1, 'A', 'B', kEs, 6, 1);
  a.instrument_id = 42;
  auto b = Ev(2, 'A', 'B', kEs + kTick, 6, 2);
  b.instrument_id = 43;
  const auto out = RunEngine(FutureMboConfig(), o, {a, b}, &counters);
  EXPECT_EQ(out[0].snapshot.best_bid_price_int, kEs);
  EXPECT_EQ(counters.other_instrument, 1);
}

TEST(SilverTest, CrossedBookAtWindowEndIsCounted) {
  EngineCounters counters;
  RunEngine(FutureMboConfig(), Session(10, 12), {Ev(1, 'A', 'B', kEs, 1, 1), Ev(2, 'A', 'A', kEs, 1, 2)}, &counters);
  EXPECT_EQ(counters.crossed_windows, 2);
}

// Equity: $0.50 buckets relative to a spot_ref snapped to the bucket grid (half to even).
TEST(SilverTest, EquityBucketsAndSnappedSpot) {
  constexpr int64_t kC = 10'000'000;  // one cent
  const int64_t p = 100 * kDollar;
  const auto out = RunEngine(EquityMboConfig(), Session(10, 11),
                             {Ev(5 * kSec, 'A', 'B', p + 24 * kC, 100, 1), Ev(5 * kSec, 'A', 'A', p + 27 * kC, 200, 2),
                              Ev(10 * kSec + 700'000'000, 'A', 'B', p + 25 * kC, 50, 3),
                              Ev(10 * kSec + 200'000'000, 'A', 'B', p - 26 * kC, 7, 4),
                              Ev(10 * kSec + 300'000'000, 'A', 'A', p + 75 * kC, 5, 5)});
  ASSERT_EQ(out.size(), 1u);
  const WindowResult& w = out[0];
  EXPECT_EQ(w.snapshot.spot_ref_price_int, p);  // raw 100.24 -> 200.48 buckets -> 200
  EXPECT_EQ(w.snapshot.best_bid_price_int, p + 25 * kC);
  EXPECT_EQ(w.snapshot.best_bid_qty, 50);
  ASSERT_EQ(w.depth_flow.size(), 4u);
  const DepthFlowRow* b0 = FindRow(w, 'B', 0);    // 100.24 and 100.25 (0.5 bucket -> 0, half to even)
  const DepthFlowRow* bm1 = FindRow(w, 'B', -1);  // 99.74 -> -0.52 -> -1
  const DepthFlowRow* a1 = FindRow(w, 'A', 1);    // 100.27 -> 0.54 -> 1
  const DepthFlowRow* a2 = FindRow(w, 'A', 2);    // 100.75 -> 1.5 -> 2
  ASSERT_TRUE(b0 && bm1 && a1 && a2);
  EXPECT_EQ(b0->price_int, p);
  EXPECT_EQ(b0->depth_qty_end, 150.0);
  EXPECT_EQ(b0->add_qty, 50.0);
  EXPECT_EQ(b0->depth_qty_rest, 100.0);  // the 50 arrived at 10.7 s
  EXPECT_EQ(b0->depth_qty_start, 100.0);
  EXPECT_EQ(b0->rel_ticks_side, 0);
  EXPECT_EQ(bm1->price_int, p - kDollar / 2);
  EXPECT_EQ(bm1->depth_qty_rest, 7.0);
  EXPECT_EQ(bm1->rel_ticks_side, -1);
  EXPECT_EQ(a1->depth_qty_end, 200.0);
  EXPECT_EQ(a1->rel_ticks_side, 0);  // ask anchor 100.27 -> bucket +1
  EXPECT_EQ(a2->price_int, p + kDollar);
  EXPECT_EQ(a2->rel_ticks_side, 1);
  EXPECT_EQ(w.gold.size(), 402u);
}

TEST(SilverTest, EquitySpotSnapsHalfToEven) {
  constexpr int64_t kC = 10'000'000;
  const int64_t p = 100 * kDollar;
  auto spot = [&](int64_t bid) {
    return RunEngine(EquityMboConfig(), Session(10, 11), {Ev(1, 'A', 'B', bid, 1, 1)})[0].snapshot.spot_ref_price_int;
  };
  EXPECT_EQ(spot(p + 25 * kC), p);                // 200.5 -> 200
  EXPECT_EQ(spot(p + 75 * kC), p + kDollar);      // 201.5 -> 202
  EXPECT_EQ(spot(p + 26 * kC), p + kDollar / 2);  // 200.52 -> 201
}

}  // namespace
}  // namespace spymaster::engine
