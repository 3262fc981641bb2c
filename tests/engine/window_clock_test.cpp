// The window clock (architecture.md § "Window clock and late records"), with expectations worked by hand
// in the comments: which windows close when, and which records are late.
#include "engine/window_clock.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

#include "engine/engine.hpp"
#include "engine/record_source.hpp"
#include "engine_test_util.hpp"

namespace spymaster::engine {
namespace {

using namespace test_util;  // NOLINT

// Records every close and open the clock reports.
struct Trace {
  std::vector<int64_t> closed, opened;
  void Advance(WindowClock& clock, int64_t ts) {
    clock.AdvanceTo(
        ts, [&](int64_t k) { closed.push_back(k); }, [&](int64_t k) { opened.push_back(k); });
  }
};

TEST(WindowClockTest, RejectsSessionsOffTheSecondGrid) {
  EXPECT_THROW(WindowClock(1, kSec + 1), std::invalid_argument);           // start not on a second
  EXPECT_THROW(WindowClock(0, kSec / 2), std::invalid_argument);           // half a window
  EXPECT_THROW(WindowClock(10 * kSec, 10 * kSec), std::invalid_argument);  // empty
  EXPECT_EQ(WindowClock(10 * kSec, 13 * kSec).window_count(), 3);
}

TEST(WindowClockTest, OpensAtTheSessionStartAndClosesEmptyWindowsInOrder) {
  // Session [10 s, 14 s): windows 0..3 = [10,11) [11,12) [12,13) [13,14).
  WindowClock clock(10 * kSec, 14 * kSec);
  Trace t;
  t.Advance(clock, 9 * kSec);  // before the session: nothing opens, nothing is late
  EXPECT_EQ(clock.open_index(), -1);
  EXPECT_FALSE(clock.IsLate(5 * kSec));
  t.Advance(clock, 10 * kSec + 5);  // opens window 0
  EXPECT_EQ(t.opened, (std::vector<int64_t>{0}));
  EXPECT_TRUE(t.closed.empty());
  t.Advance(clock, 12 * kSec + 7);  // closes 0 and 1 (1 was empty), opens 1 then 2
  EXPECT_EQ(t.closed, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(t.opened, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(clock.open_start_ns(), 12 * kSec);
  EXPECT_TRUE(clock.IsLate(12 * kSec - 1));  // before the open window's start
  EXPECT_FALSE(clock.IsLate(12 * kSec));
  t.Advance(clock, 11 * kSec);  // a late record never reopens or closes anything
  EXPECT_EQ(t.closed.size(), 2u);
  t.Advance(clock, 99 * kSec);  // past the end: closes 2 and 3, opens nothing more
  EXPECT_EQ(t.closed, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(t.opened, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(clock.finished());
  EXPECT_FALSE(clock.IsLate(0));  // no window open any more
}

TEST(WindowClockTest, FirstRecordAfterSeveralSecondsClosesEveryEarlierWindow) {
  WindowClock clock(10 * kSec, 20 * kSec);
  Trace t;
  t.Advance(clock, 15 * kSec);  // opens 0, then closes 0..4 and opens up to 5
  EXPECT_EQ(t.closed, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(clock.open_index(), 5);
}

// A window closes before a late record arrives: the late record is applied to the book, its flow is
// counted in the open window, and late_records counts it there and in the engine's counters.
TEST(EngineLateRecordTest, LateRecordCountsInTheOpenWindow) {
  const int64_t bid = 6000 * kDollar;
  const std::vector<book::MboEvent> events = {
      Ev(5 * kSec, 'A', 'B', bid, 10, 1),                // before the session: book only
      Ev(10 * kSec + 100, 'A', 'B', bid, 5, 2),          // window 0
      Ev(11 * kSec + 100, 'A', 'A', bid + kTick, 3, 3),  // closes window 0, opens 1
      Ev(10 * kSec + 900, 'A', 'B', bid, 7, 4),          // late: stamped in window 0, arrives in 1
  };
  EngineCounters counters;
  const auto out = RunEngine(FutureMboConfig(), Session(10, 12), events, &counters);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(counters.late, 1);
  EXPECT_EQ(out[0].late_records, 0);
  EXPECT_EQ(out[1].late_records, 1);
  // Window 0 saw order 2 only (5 lots added at the bid); window 1 the ask add and the late bid add (7).
  auto add_at = [&](const WindowResult& w, char side, int64_t price) {
    double q = 0;
    for (const auto& r : w.depth_flow) q += (r.side == side && r.price_int == price) ? r.add_qty : 0.0;
    return q;
  };
  EXPECT_EQ(add_at(out[0], 'B', bid), 5.0);
  EXPECT_EQ(add_at(out[1], 'B', bid), 7.0);
  EXPECT_EQ(add_at(out[1], 'A', bid + kTick), 3.0);
  EXPECT_EQ(out[1].snapshot.best_bid_qty, 22);  // 10 + 5 + 7: the book has every order
}

TEST(DriveTest, StopsAtTheRecordThatClosesTheLastWindowWhateverTheBatchSize) {
  const std::vector<book::MboEvent> events = {
      Ev(10 * kSec, 'A', 'B', 6000 * kDollar, 1, 1), Ev(11 * kSec, 'A', 'B', 6000 * kDollar, 1, 2),
      Ev(12 * kSec, 'A', 'B', 6000 * kDollar, 1, 3),   // closes the last window of [10, 12)
      Ev(13 * kSec, 'A', 'B', 6000 * kDollar, 1, 4)};  // never fed
  for (std::size_t batch : {1u, 2u, 3u, 100u}) {
    int64_t windows = 0;
    Engine engine(FutureMboConfig(), Session(10, 12), [&](const WindowPtr&) { ++windows; });
    VectorSource source(events, batch);
    EXPECT_EQ(Drive(source, engine), 3) << "batch " << batch;
    EXPECT_EQ(windows, 2);
    EXPECT_EQ(engine.counters().after_session, 1);
  }
}

TEST(WindowClockTest, ClosesSeveralOnlyWhenARecordJumpsPastMoreThanTheNextClose) {
  WindowClock clock(10 * kSec, 14 * kSec);
  EXPECT_EQ(clock.next_close_ns(), 11 * kSec);  // before the session: the first window's end
  EXPECT_FALSE(clock.ClosesSeveral(12 * kSec - 1));
  EXPECT_TRUE(clock.ClosesSeveral(12 * kSec));  // would open 0, close 0 and 1
  Trace t;
  t.Advance(clock, 12 * kSec + 5);
  EXPECT_EQ(clock.next_close_ns(), 13 * kSec);
  EXPECT_FALSE(clock.ClosesSeveral(13 * kSec));
  EXPECT_TRUE(clock.ClosesSeveral(14 * kSec));
  t.Advance(clock, 13 * kSec);
  EXPECT_EQ(clock.next_close_ns(), 14 * kSec);  // the last window: however late a record, it closes one
  EXPECT_FALSE(clock.ClosesSeveral(99 * kSec));
  t.Advance(clock, 14 * kSec);
  EXPECT_EQ(clock.next_close_ns(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(clock.ClosesSeveral(99 * kSec));
}

// A stream stops the feeder as each window closes: a gap of empty windows and the end of input close their
// windows one per Feed, and the windows and counters are those of feeding every record at once.
TEST(FeederTest, ClosesAGapAndTheEndOfInputOneWindowPerStop) {
  const int64_t bid = 6000 * kDollar;
  const std::vector<book::MboEvent> events = {
      Ev(10 * kSec + 1, 'A', 'B', bid, 5, 1),           // window 0
      Ev(14 * kSec + 2, 'A', 'A', bid + kTick, 3, 2),   // closes 0..3 (1..3 empty), lands in 4
      Ev(14 * kSec + 3, 'A', 'B', bid, 7, 3),           // window 4
      Ev(16 * kSec + 4, 'A', 'B', bid - kTick, 2, 4)};  // closes 4 and 5, lands in 6; input ends: 6..9 close
  EngineCounters counters;
  const auto expected = RunEngine(FutureMboConfig(), Session(10, 20), events, &counters);
  ASSERT_EQ(expected.size(), 10u);
  for (std::size_t batch : {1u, 3u, 100u}) {
    std::vector<WindowResult> got;
    Engine engine(FutureMboConfig(), Session(10, 20), [&](const WindowPtr& w) { got.push_back(*w); });
    VectorSource source(events, batch);
    Feeder feeder;
    std::size_t before = 0;
    std::vector<std::size_t> per_feed;
    bool more = true;
    while (more) {
      more = feeder.Feed(source, engine, [&] { return got.size() > before; });
      per_feed.push_back(got.size() - before);
      before = got.size();
    }
    // One window per Feed that stopped, then the last Feed finds the session over.
    std::vector<std::size_t> one_each(10, 1);
    one_each.push_back(0);
    EXPECT_EQ(per_feed, one_each) << "batch " << batch;
    EXPECT_EQ(got, expected) << "batch " << batch;
    EXPECT_EQ(engine.counters().records, counters.records);
    EXPECT_EQ(engine.counters().windows, counters.windows);
  }
}

TEST(WindowResultTest, ResultsASinkKeepsAreNeverOverwritten) {
  std::vector<WindowPtr> kept;
  Engine engine(FutureMboConfig(), Session(10, 13), [&](const WindowPtr& w) { kept.push_back(w); });
  engine.OnEvent(Ev(10 * kSec, 'A', 'B', 6000 * kDollar, 1, 1));
  engine.OnEvent(Ev(11 * kSec, 'A', 'B', 6001 * kDollar, 2, 2));
  engine.Finish();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0]->snapshot.window_end_ts_ns, 11 * kSec);
  EXPECT_EQ(kept[0]->snapshot.best_bid_price_int, 6000 * kDollar);
  EXPECT_EQ(kept[1]->snapshot.best_bid_price_int, 6001 * kDollar);
  EXPECT_NE(kept[0].get(), kept[1].get());
}

}  // namespace
}  // namespace spymaster::engine
