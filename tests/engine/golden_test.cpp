// Golden regression (CppTrader style): a fixed deterministic stream through the engine, with exact counts,
// the final book and checksums of every output pinned. Silver values are integers held in doubles, so
// their checksum is exact; gold checksums are column sums compared to 1e-9 relative, because FMA
// contraction differs between -march builds. If a change moves these numbers on purpose, re-derive them
// and say why in the commit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iomanip>

#include "engine/engine.hpp"
#include "support/fnv.hpp"
#include "support/synthetic_mbo_stream.hpp"

namespace spymaster::engine {
namespace {

constexpr int64_t kGoldenRows = 5884;
constexpr std::size_t kGoldenOrders = 910;
constexpr int64_t kGoldenBestBid = 6006500000000;
constexpr int64_t kGoldenBestBidQty = 456;
constexpr int64_t kGoldenBestAsk = 6006750000000;
constexpr int64_t kGoldenBestAskQty = 222;
constexpr int64_t kGoldenBookEvents = 400000;
constexpr uint64_t kGoldenSilverHash = 2795614350020381791ull;
constexpr double kGoldenUEma8Sum = 45326.606668059001;
constexpr double kGoldenOmegaSum = 56419.40631792062;
constexpr double kGoldenNuSum = 208256.87473187206;
constexpr double kGoldenUFarSum = 41980.829433016719;

using support::Fnv;

TEST(GoldenTest, FixedStreamPinsCountsFinalBookAndChecksums) {
  support::SyntheticStreamOptions s;
  s.seed = 7;
  s.events = 400'000;
  s.duration_ns = 150'000'000'000LL;  // 150 s: 30 s of book before a 120 s session
  EngineOptions o;
  o.session_start_ns = s.start_ns + 30'000'000'000LL;
  o.session_end_ns = o.session_start_ns + 120'000'000'000LL;
  Fnv silver;
  int64_t rows = 0;
  int64_t gold_rows = 0;
  double gold_sum[4] = {0, 0, 0, 0};  // u_ema_8, Omega, nu, u_far
  Engine engine(FutureMboConfig(), o, [&](const WindowPtr& w_ptr) {
    const WindowResult& w = *w_ptr;
    const SnapshotRow& p = w.snapshot;
    silver.Add(p.window_end_ts_ns);
    silver.Add(p.best_bid_price_int);
    silver.Add(p.best_bid_qty);
    silver.Add(p.best_ask_price_int);
    silver.Add(p.best_ask_qty);
    silver.Add(p.mid_price_int);
    silver.Add(p.last_trade_price_int);
    silver.Add(p.spot_ref_price_int);
    silver.Add(p.window_valid);
    for (const DepthFlowRow& r : w.depth_flow) {
      ++rows;
      silver.Add(r.price_int);
      silver.Add(r.side);
      silver.Add(r.rel_ticks);
      silver.Add(r.rel_ticks_side);
      for (double v : {r.depth_qty_start, r.depth_qty_end, r.add_qty, r.pull_qty_total, r.depth_qty_rest,
                       r.pull_qty_rest, r.fill_qty}) {
        silver.Add(static_cast<int64_t>(v));
      }
    }
    for (std::size_t i = 0; i < w.gold.size(); ++i) {
      const GoldRow g = w.gold.Row(i);
      ++gold_rows;
      gold_sum[0] += g.u_ema_8;
      gold_sum[1] += g.Omega;
      gold_sum[2] += g.nu;
      gold_sum[3] += g.u_far;
    }
  });
  for (const auto& e : support::SyntheticMboStream(s)) engine.OnEvent(e);
  engine.Finish();

  const book::Book& b = engine.book();
  EXPECT_EQ(engine.counters().windows, 120);
  EXPECT_EQ(rows, kGoldenRows);
  EXPECT_EQ(gold_rows, 120 * 802);
  EXPECT_EQ(b.OrderCount(), kGoldenOrders);
  EXPECT_EQ(b.BestBid(), kGoldenBestBid);
  EXPECT_EQ(b.bids().BestQty(), kGoldenBestBidQty);
  EXPECT_EQ(b.BestAsk(), kGoldenBestAsk);
  EXPECT_EQ(b.asks().BestQty(), kGoldenBestAskQty);
  EXPECT_EQ(b.counters().unknown_order_id, 0);
  EXPECT_EQ(engine.counters().crossed_windows, 0);
  EXPECT_EQ(b.counters().events, kGoldenBookEvents);
  EXPECT_EQ(silver.h, kGoldenSilverHash) << std::hex << silver.h;
  const double want[4] = {kGoldenUEma8Sum, kGoldenOmegaSum, kGoldenNuSum, kGoldenUFarSum};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(gold_sum[i], want[i], 1e-9 * std::abs(want[i]))
        << "gold column sum " << i << " " << std::setprecision(17) << gold_sum[i];
  }
}

}  // namespace
}  // namespace spymaster::engine
