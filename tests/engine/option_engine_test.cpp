// The option engine on hand-built days: the underlying's spot_ref per window, the dense strike grid (84
// rows, rel_ticks multiples of 20, far strikes folded to the edges, half-even offsets), the resting rule,
// fills vs pulls, validity, snapshot rows and gold's first windows; every expected value derived by hand
// in the comments (silver.md Part 1 "Option rules", gold.md §2), and every cell of the day by the
// independent generator python/tools/gen_option_gold_expected.py (option_gold_expected.inc).
#include "engine/option_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "engine/merge_source.hpp"
#include "engine/record_source.hpp"
#include "engine_test_util.hpp"

namespace spymaster::engine {
namespace {

using test_util::kDollar;
using test_util::kSec;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSpot = 6005 * kDollar;

book::MboEvent Opt(int64_t ts, uint32_t iid, char action, char side, int64_t price, uint32_t size, uint64_t id,
                   uint8_t flags = 0) {
  book::MboEvent e = test_util::Ev(ts, action, side, price, size, id, flags);
  e.instrument_id = iid;
  e.origin = 1;
  return e;
}

std::vector<OptionInstrument> Instruments() {
  return {{101, 'C', 6002 * kDollar + kDollar / 2},   // (−2.50 / 5) = −0.5 → 0 (half even)
          {102, 'P', 6007 * kDollar + kDollar / 2},   // 0.5 → 0
          {103, 'C', 6100 * kDollar},                 // 19 → clipped to +10
          {104, 'P', 5000 * kDollar},                 // −201 → clipped to −10
          {105, 'C', 6012 * kDollar + kDollar / 2}};  // 1.5 → 2
}

std::size_t Row(int offset, char right, char side) {
  return (static_cast<std::size_t>(offset + 10) * 2 + (right == 'C' ? 0 : 1)) * 2 + (side == 'A' ? 0 : 1);
}

struct DayRun {
  std::vector<OptionWindowResult> windows;
  std::vector<std::string> order;  // "U<k>" / "O<k>" as windows close
};

DayRun RunDay(std::vector<book::MboEvent> underlying, std::vector<book::MboEvent> options, bool gold = true) {
  DayRun run;
  int under_k = 0;
  int opt_k = 0;
  OptionEngine engine(
      FutureMboConfig(), EsOptionGrid(), test_util::Session(10, 13, gold), Instruments(),
      [&](const OptionWindowPtr& w) {
        run.windows.push_back(*w);
        run.order.push_back("O" + std::to_string(opt_k++));
      },
      [&](const WindowPtr&) { run.order.push_back("U" + std::to_string(under_k++)); });
  MergeSource merged(std::make_unique<VectorSource>(std::move(underlying), 3),
                     std::make_unique<VectorSource>(std::move(options), 2));
  Drive(merged, engine);
  return run;
}

std::vector<book::MboEvent> Underlying() {
  return {test_util::Ev(kSec / 2, 'A', 'B', kSpot, 1, 1), test_util::Ev(kSec / 2, 'A', 'A', kSpot + kDollar / 2, 1, 2)};
}

std::vector<book::MboEvent> Options() {
  return {
      Opt(1 * kSec, 101, 'A', 'A', 5 * kDollar, 10, 1),  // before the session: book only
      Opt(1 * kSec, 101, 'A', 'B', 4 * kDollar + 750 * kMs, 4, 2),
      Opt(10 * kSec + 300 * kMs, 103, 'A', 'A', kDollar, 7, 4),
      Opt(10 * kSec + 400 * kMs, 104, 'A', 'B', kDollar, 2, 5),
      Opt(10 * kSec + 600 * kMs, 102, 'A', 'B', 2 * kDollar, 3, 3),
      Opt(10 * kSec + 900 * kMs, 101, 'C', 'A', 5 * kDollar, 4, 1),  // rested 9.9 s: pull_qty_rest
      Opt(11 * kSec + 100 * kMs, 105, 'A', 'A', 3 * kDollar, 6, 6),
      Opt(11 * kSec + 200 * kMs, 105, 'F', 'A', 3 * kDollar, 2, 6),
      Opt(11 * kSec + 300 * kMs, 105, 'C', 'A', 3 * kDollar, 2, 6),  // removes the filled part: fill, not pull
  };
}

TEST(OptionEngineTest, UnderlyingWindowClosesFirstAndGivesSpot) {
  const DayRun run = RunDay(Underlying(), Options());
  ASSERT_EQ(run.windows.size(), 3u);
  EXPECT_EQ(run.order, (std::vector<std::string>{"U0", "O0", "U1", "O1", "U2", "O2"}));
  for (const auto& w : run.windows) EXPECT_EQ(w.spot_ref_price_int, kSpot);
}

TEST(OptionEngineTest, DenseGridShapeAndAlignment) {
  const DayRun run = RunDay(Underlying(), Options());
  for (const auto& w : run.windows) {
    ASSERT_EQ(w.flow.size(), 84u);
    for (std::size_t i = 0; i < w.flow.size(); ++i) {
      const OptionFlowRow& r = w.flow[i];
      const int offset = static_cast<int>(i / 4) - 10;
      EXPECT_EQ(r.rel_ticks, offset * 20);
      EXPECT_EQ(r.right, (i / 2) % 2 == 0 ? 'C' : 'P');
      EXPECT_EQ(r.side, i % 2 == 0 ? 'A' : 'B');
      EXPECT_EQ(r.strike_price_int, kSpot + offset * 5 * kDollar);
      EXPECT_DOUBLE_EQ(r.strike_points, 6005.0 + offset * 5.0);
      EXPECT_EQ(r.window_end_ts_ns, r.window_start_ts_ns + kSec);
      EXPECT_TRUE(r.window_valid);
    }
  }
}

TEST(OptionEngineTest, FirstWindowCellsByHand) {
  const DayRun run = RunDay(Underlying(), Options());
  const auto& f = run.windows[0].flow;
  // 101 C at offset 0: ask 10 − 4 = 6 at the end, pull 4 (rested), start 6 + 4 = 10, all 6 resting.
  const OptionFlowRow& ca = f[Row(0, 'C', 'A')];
  EXPECT_EQ(ca.depth_qty_end, 6.0);
  EXPECT_EQ(ca.pull_qty_total, 4.0);
  EXPECT_EQ(ca.pull_qty_rest, 4.0);
  EXPECT_EQ(ca.add_qty, 0.0);
  EXPECT_EQ(ca.depth_qty_start, 10.0);
  EXPECT_EQ(ca.depth_qty_rest, 6.0);
  EXPECT_EQ(f[Row(0, 'C', 'B')].depth_qty_end, 4.0);  // built before the session: no add in the window
  EXPECT_EQ(f[Row(0, 'C', 'B')].add_qty, 0.0);
  // 102 P at 6007.50 → offset 0: added at 10.6 s, young at 11.0 (0.4 s < 0.5 s).
  const OptionFlowRow& pb = f[Row(0, 'P', 'B')];
  EXPECT_EQ(pb.add_qty, 3.0);
  EXPECT_EQ(pb.depth_qty_end, 3.0);
  EXPECT_EQ(pb.depth_qty_start, 0.0);
  EXPECT_EQ(pb.depth_qty_rest, 0.0);
  // Far strikes fold into the edges; added at 10.3 / 10.4 s they rest by 11.0.
  EXPECT_EQ(f[Row(10, 'C', 'A')].depth_qty_end, 7.0);
  EXPECT_EQ(f[Row(10, 'C', 'A')].depth_qty_rest, 7.0);
  EXPECT_EQ(f[Row(-10, 'P', 'B')].depth_qty_end, 2.0);
  double total = 0;
  for (const auto& r : f) total += r.depth_qty_end;
  EXPECT_EQ(total, 6.0 + 4 + 3 + 7 + 2);
  // Only 101 is two-sided: one snapshot row, mid 4.875.
  ASSERT_EQ(run.windows[0].snapshots.size(), 1u);
  const OptionSnapshotRow& s = run.windows[0].snapshots[0];
  EXPECT_EQ(s.instrument_id, 101);
  EXPECT_EQ(s.right, 'C');
  EXPECT_EQ(s.strike_price_int, 6002 * kDollar + kDollar / 2);
  EXPECT_EQ(s.mid_price_int, 4.875e9);
  EXPECT_TRUE(s.book_valid);
}

TEST(OptionEngineTest, FillThenCancelCountsAsFillAtOffsetTwo) {
  const DayRun run = RunDay(Underlying(), Options());
  const OptionFlowRow& r = run.windows[1].flow[Row(2, 'C', 'A')];
  EXPECT_EQ(r.rel_ticks, 40);
  EXPECT_EQ(r.add_qty, 6.0);
  EXPECT_EQ(r.fill_qty, 2.0);
  EXPECT_EQ(r.pull_qty_total, 0.0);
  EXPECT_EQ(r.depth_qty_end, 4.0);
  EXPECT_EQ(r.depth_qty_start, 0.0);  // 4 − 6 + 0 + 2
  EXPECT_EQ(r.depth_qty_rest, 4.0);   // arrived 11.1 s, window ends 12.0 s
  // A window without option events still reports every book's depth.
  EXPECT_EQ(run.windows[2].flow[Row(0, 'C', 'A')].depth_qty_end, 6.0);
  EXPECT_EQ(run.windows[2].flow[Row(0, 'C', 'A')].depth_qty_start, 6.0);
}

TEST(OptionEngineTest, GoldFirstWindowsByHand) {
  const DayRun run = RunDay(Underlying(), Options());
  const OptionGoldRow& g0 = run.windows[0].gold[Row(0, 'C', 'A')];
  const double u0 = -4.0 / 11.0;  // pull 4 over depth_qty_start 10 + 1
  EXPECT_DOUBLE_EQ(g0.pull_intensity, 4.0 / 11.0);
  EXPECT_DOUBLE_EQ(g0.liquidity_velocity, u0);
  EXPECT_DOUBLE_EQ(g0.rho_opt, std::log(7.0));
  EXPECT_DOUBLE_EQ(g0.phi_rest_opt, 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(g0.u_opt_ema_8, u0);  // the first value starts the EMA
  EXPECT_DOUBLE_EQ(g0.u_opt_ema_32, u0);
  EXPECT_DOUBLE_EQ(g0.u_opt_p_slow, 6.0 / 7.0 * u0);
  EXPECT_DOUBLE_EQ(g0.Omega_opt, std::log(7.0) * (0.5 + 3.0 / 7.0) * 1.0);  // max(0, negative) = 0
  const OptionGoldRow& g1 = run.windows[1].gold[Row(0, 'C', 'A')];
  EXPECT_DOUBLE_EQ(g1.liquidity_velocity, 0.0);
  EXPECT_DOUBLE_EQ(g1.u_opt_ema_8, u0 * std::exp(-1.0 / 8.0));  // idle cell decays: u0 + (1 − e^−1/8)(0 − u0)
  EXPECT_DOUBLE_EQ(g1.u_opt_ema_32, u0 * std::exp(-1.0 / 32.0));
  EXPECT_EQ(run.windows[1].gold.size(), 84u);
}

// Every silver and gold column of every grid cell in the three windows, as
// python/tools/gen_option_gold_expected.py derives them from this day by the spec's rules
// (option_gold_expected.inc: the cells with any non-zero value; every other cell must be zero throughout).
// Regenerate: python/tools/gen_option_gold_expected.py > tests/engine/option_gold_expected.inc
// (python/tests/test_option_gold_generator.py keeps the two equal).
struct GeneratedCell {
  int64_t end_s;
  int64_t spot_ref;
  int offset;
  char right;
  char side;
  std::array<double, 7> silver;  // depth_qty_start, depth_qty_end, add, pull_total, pull_rest, fill, depth_qty_rest
  std::array<double, 10> gold;   // the OptionGoldRow values in contract order
};
const std::vector<GeneratedCell> kGenerated = {
#include "option_gold_expected.inc"
};

TEST(OptionEngineTest, EveryCellOfEveryWindowAsTheGeneratorDerives) {
  const DayRun run = RunDay(Underlying(), Options());
  ASSERT_EQ(run.windows.size(), 3u);
  std::size_t listed = 0;
  for (const OptionWindowResult& w : run.windows) {
    ASSERT_EQ(w.flow.size(), 84u);
    ASSERT_EQ(w.gold.size(), 84u);
    for (std::size_t i = 0; i < w.flow.size(); ++i) {
      const OptionFlowRow& f = w.flow[i];
      const OptionGoldRow& g = w.gold[i];
      const auto it = std::find_if(kGenerated.begin(), kGenerated.end(), [&](const GeneratedCell& e) {
        return e.end_s * kSec == f.window_end_ts_ns && Row(e.offset, e.right, e.side) == i;
      });
      GeneratedCell want{};
      if (it != kGenerated.end()) {
        want = *it;
        ++listed;
        EXPECT_EQ(f.spot_ref_price_int, want.spot_ref);
      }
      const std::array<double, 7> silver = {f.depth_qty_start, f.depth_qty_end, f.add_qty,       f.pull_qty_total,
                                            f.pull_qty_rest,   f.fill_qty,      f.depth_qty_rest};
      const std::array<double, 10> gold = {g.add_intensity, g.fill_intensity, g.pull_intensity, g.liquidity_velocity,
                                           g.rho_opt,       g.phi_rest_opt,   g.u_opt_ema_8,    g.u_opt_ema_32,
                                           g.u_opt_p_slow,  g.Omega_opt};
      for (std::size_t c = 0; c < silver.size(); ++c) {
        EXPECT_EQ(silver[c], want.silver[c]) << "window end " << f.window_end_ts_ns << " row " << i << " silver " << c;
      }
      for (std::size_t c = 0; c < gold.size(); ++c) {
        EXPECT_NEAR(gold[c], want.gold[c], 1e-12 * (1 + std::abs(want.gold[c])))
            << "window end " << f.window_end_ts_ns << " row " << i << " gold " << c;
      }
      EXPECT_EQ(g.window_end_ts_ns, f.window_end_ts_ns);
      EXPECT_EQ(g.event_ts_ns, f.window_end_ts_ns);
      EXPECT_EQ(g.spot_ref_price_int, f.spot_ref_price_int);
      EXPECT_EQ(g.strike_price_int, f.strike_price_int);
      EXPECT_EQ(g.strike_points, f.strike_points);
      EXPECT_EQ(g.rel_ticks, f.rel_ticks);
      EXPECT_EQ(g.right, f.right);
      EXPECT_EQ(g.side, f.side);
    }
  }
  EXPECT_EQ(listed, kGenerated.size());
  EXPECT_EQ(listed, 17u);  // 5 cells in the first window, 6 in each later one
}

TEST(OptionEngineTest, NoUnderlyingMeansSnapshotRowsOnly) {
  const DayRun run = RunDay({}, Options());
  ASSERT_EQ(run.windows.size(), 3u);
  for (const auto& w : run.windows) {
    EXPECT_EQ(w.spot_ref_price_int, 0);
    EXPECT_TRUE(w.flow.empty());
    EXPECT_TRUE(w.gold.empty());
    EXPECT_EQ(w.snapshots.size(), 1u);
  }
}

TEST(OptionEngineTest, SnapshotInsideTheWindowInvalidatesIt) {
  std::vector<book::MboEvent> opts = Options();
  opts.push_back(Opt(12 * kSec + 100 * kMs, 104, 'R', 'N', 0, 0, 0, book::kFlagSnapshot));
  opts.push_back(Opt(12 * kSec + 200 * kMs, 104, 'A', 'B', kDollar, 2, 9, book::kFlagSnapshot | book::kFlagLast));
  const DayRun run = RunDay(Underlying(), opts);
  EXPECT_TRUE(run.windows[1].flow[0].window_valid);
  EXPECT_FALSE(run.windows[2].flow[0].window_valid);
  EXPECT_EQ(run.windows[2].flow[Row(-10, 'P', 'B')].depth_qty_end, 2.0);
  EXPECT_EQ(run.windows[2].flow[Row(-10, 'P', 'B')].add_qty, 2.0);  // a snapshot add in the session is an add
}

TEST(OptionEngineTest, BadInstrumentDefinitionsAreRefused) {
  auto bad = Instruments();
  bad.push_back({101, 'P', kSpot});
  EXPECT_THROW(OptionEngine(FutureMboConfig(), EsOptionGrid(), test_util::Session(10, 13), bad, nullptr),
               std::invalid_argument);
  auto bad_right = Instruments();
  bad_right[0].right = 'X';
  EXPECT_THROW(OptionEngine(FutureMboConfig(), EsOptionGrid(), test_util::Session(10, 13), bad_right, nullptr),
               std::invalid_argument);
}

TEST(OptionEngineTest, OffGridStrikesAreCountedAndStillMapped) {
  // 101, 102 and 105 sit $2.50 off the $5 grid (FirstWindowCellsByHand maps them); 103 and 104 are on it.
  OptionEngine engine(FutureMboConfig(), EsOptionGrid(), test_util::Session(10, 13), Instruments(), nullptr);
  EXPECT_EQ(engine.counters().strikes_off_grid, 3);
  const auto counters = engine.CounterList();
  const auto listed = std::find_if(counters.begin(), counters.end(),
                                   [](const auto& c) { return c.first == std::string_view("strikes_off_grid"); });
  ASSERT_NE(listed, counters.end());
  EXPECT_EQ(listed->second, 3);
}

TEST(OptionEngineTest, UnknownInstrumentIsCounted) {
  std::vector<book::MboEvent> opts = Options();
  opts.push_back(Opt(12 * kSec, 999, 'A', 'B', kDollar, 2, 9));
  OptionEngine engine(FutureMboConfig(), EsOptionGrid(), test_util::Session(10, 13), Instruments(), nullptr);
  MergeSource merged(std::make_unique<VectorSource>(Underlying()), std::make_unique<VectorSource>(opts));
  Drive(merged, engine);
  EXPECT_EQ(engine.books().counters().unknown_instrument, 1);
}

}  // namespace
}  // namespace spymaster::engine

namespace spymaster::engine {
namespace {

// OPRA: SPY underlying (spot snapped to $0.50 buckets), $1 strikes ±25, CMBP-1 quotes.
TEST(QuoteOptionEngineTest, EquityGridTopDepthAndNoRestingDepth) {
  constexpr int64_t kD = test_util::kDollar;
  constexpr int64_t kS = test_util::kSec;
  const int64_t spot = 590 * kD + kD / 2;  // bid 590.52 → $0.50 bucket 590.50
  std::vector<book::MboEvent> under = {test_util::Ev(kS / 2, 'A', 'B', 590 * kD + 52 * 10'000'000, 100, 1),
                                       test_util::Ev(kS / 2, 'A', 'A', 590 * kD + 53 * 10'000'000, 100, 2)};
  auto q = [](int64_t ts, uint32_t iid, char side, int64_t price, uint32_t size) {
    book::MboEvent e;
    e.ts_event = static_cast<uint64_t>(ts);
    e.instrument_id = iid;
    e.action = book::kQuoteAction;
    e.side = side;
    e.price = price;
    e.size = size;
    e.origin = 1;
    return e;
  };
  std::vector<book::MboEvent> opts = {
      q(1 * kS, 11, 'B', kD, 10),                // before the session: sets the top, no flow
      q(1 * kS, 11, 'A', kD + kD / 10, 20),      // 591 C: (591 − 590.5) / 1 = 0.5 → 0 (half even)
      q(10 * kS + 1, 11, 'B', kD, 25),           // same price, +15: add 15
      q(10 * kS + 2, 12, 'A', 2 * kD, 7),        // 589 P: −1.5 → −2 (half even)
      q(10 * kS + 3, 13, 'B', kD / 20, 4),       // 700 C: far, clipped to +25
      q(11 * kS + 5, 11, 'A', kD + kD / 5, 5)};  // price change: pull 20 @1.10, add 5 @1.20
  std::vector<OptionWindowResult> windows;
  QuoteOptionEngine engine(EquityMboConfig(), EquityOptionGrid(), test_util::Session(10, 12),
                           {{11, 'C', 591 * kD}, {12, 'P', 589 * kD}, {13, 'C', 700 * kD}},
                           [&](const OptionWindowPtr& w) { windows.push_back(*w); });
  MergeSource merged(std::make_unique<VectorSource>(under), std::make_unique<VectorSource>(opts));
  Drive(merged, engine);
  ASSERT_EQ(windows.size(), 2u);
  auto row = [](int offset, char right, char side) {
    return (static_cast<std::size_t>(offset + 25) * 2 + (right == 'C' ? 0 : 1)) * 2 + (side == 'A' ? 0 : 1);
  };
  const auto& w0 = windows[0];
  EXPECT_EQ(w0.spot_ref_price_int, spot);
  ASSERT_EQ(w0.flow.size(), 204u);
  for (std::size_t i = 0; i < w0.flow.size(); ++i) {
    EXPECT_EQ(w0.flow[i].rel_ticks, (static_cast<int>(i / 4) - 25) * 2);
    EXPECT_EQ(w0.flow[i].depth_qty_rest, 0.0);
    EXPECT_EQ(w0.flow[i].pull_qty_rest, 0.0);
    EXPECT_TRUE(w0.flow[i].window_valid);
  }
  EXPECT_EQ(w0.flow[row(0, 'C', 'B')].add_qty, 15.0);
  EXPECT_EQ(w0.flow[row(0, 'C', 'B')].depth_qty_end, 25.0);
  EXPECT_EQ(w0.flow[row(0, 'C', 'B')].depth_qty_start, 10.0);
  EXPECT_EQ(w0.flow[row(0, 'C', 'A')].depth_qty_end, 20.0);
  EXPECT_EQ(w0.flow[row(-2, 'P', 'A')].add_qty, 7.0);
  EXPECT_EQ(w0.flow[row(-2, 'P', 'A')].strike_price_int, spot - 2 * kD);
  EXPECT_EQ(w0.flow[row(25, 'C', 'B')].depth_qty_end, 4.0);
  ASSERT_EQ(w0.snapshots.size(), 1u);  // only 11 is two-sided
  EXPECT_EQ(w0.snapshots[0].mid_price_int, 1.05e9);
  const auto& ca = windows[1].flow[row(0, 'C', 'A')];
  EXPECT_EQ(ca.pull_qty_total, 20.0);
  EXPECT_EQ(ca.add_qty, 5.0);
  EXPECT_EQ(ca.depth_qty_end, 5.0);
  EXPECT_EQ(ca.depth_qty_start, 20.0);
  // Gold: no resting depth, so phi_rest_opt = 0, u_opt_p_slow = 0 and Omega_opt = 0.5 · rho_opt.
  for (const OptionGoldRow& g : windows[1].gold) {
    EXPECT_EQ(g.phi_rest_opt, 0.0);
    EXPECT_EQ(g.u_opt_p_slow, 0.0);
    EXPECT_DOUBLE_EQ(g.Omega_opt, 0.5 * g.rho_opt);
  }
  EXPECT_DOUBLE_EQ(windows[1].gold[row(0, 'C', 'A')].liquidity_velocity, (5.0 - 20.0) / 21.0);
}

}  // namespace
}  // namespace spymaster::engine
