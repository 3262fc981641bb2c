// Robustness: random garbage records (any action/side byte, null and off-grid prices, unknown ids, time
// going backwards, snapshot flags anywhere) never crash the engine, never leave the book inconsistent with
// its orders, and still give the full set of windows with the silver identities and finite gold.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "engine/engine.hpp"
#include "engine_test_util.hpp"

namespace spymaster::engine {
namespace {

using namespace test_util;  // NOLINT

TEST(GarbageTest, RandomRecordsKeepBookConsistentAndOutputsSane) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    std::mt19937_64 rng(seed);
    auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const char actions[] = "ACMRTFNXa\0";
    const char sides[] = "ABNZ\0";
    int64_t windows = 0;
    Engine engine(FutureMboConfig(), Session(10, 20), [&](const WindowPtr& w_ptr) {
      const WindowResult& w = *w_ptr;
      ++windows;
      for (const auto& r : w.depth_flow) {
        EXPECT_EQ(r.depth_qty_start, std::max(0.0, r.depth_qty_end - r.add_qty + r.pull_qty_total + r.fill_qty));
        EXPECT_GE(r.depth_qty_end, 0.0);
        EXPECT_LE(r.depth_qty_rest, r.depth_qty_end);
      }
      for (std::size_t i = 0; i < w.gold.size(); ++i) {
        const GoldRow g = w.gold.Row(i);
        EXPECT_TRUE(std::isfinite(g.nu) && std::isfinite(g.u_far) && std::isfinite(g.Omega_far) &&
                    std::isfinite(g.d2u_dt2));
      }
    });
    int64_t ts = 5 * kSec;
    for (int i = 0; i < 50'000; ++i) {
      ts += uni(-2'000'000, 4'000'000);  // sometimes backwards
      book::MboEvent e;
      e.ts_event = static_cast<uint64_t>(std::max<int64_t>(ts, 0));
      e.action = actions[uni(0, 9)];
      e.side = sides[uni(0, 4)];
      const int64_t r = uni(0, 20);
      e.price = r == 0   ? book::kUndefPrice
                : r == 1 ? 4000 * kDollar + uni(1, 999)
                         : 4000 * kDollar + uni(-30, 30) * kTick;
      e.size = uni(0, 10) == 0 ? 0xFFFFFFFFu : static_cast<uint32_t>(uni(0, 50));
      e.order_id = static_cast<uint64_t>(uni(0, 300));
      e.flags = static_cast<uint8_t>(uni(0, 255));
      e.sequence = static_cast<uint32_t>(uni(0, 1000));
      engine.OnEvent(e);
      if (i % 5000 == 0) {
        // Every level equals the sum of its live orders.
        std::map<std::pair<char, int64_t>, int64_t> sums;
        engine.book().ForEachOrder([&](const book::Order& o) { sums[{o.side, o.price}] += o.remaining; });
        for (char side : {'B', 'A'}) {
          int64_t levels = 0;
          engine.book().levels(side).ForEachInRange(INT64_MIN / 2, INT64_MAX / 2, [&](int64_t p, int64_t q) {
            ++levels;
            EXPECT_GT(q, 0);
            const int64_t want = sums[std::make_pair(side, p)];
            EXPECT_EQ(q, want) << "side " << side << " price " << p;
          });
          int64_t nonzero = 0;
          for (const auto& [key, q] : sums) nonzero += key.first == side && q > 0;
          EXPECT_EQ(levels, nonzero);
        }
      }
    }
    engine.Finish();
    EXPECT_EQ(windows, 10);
    const auto& c = engine.book().counters();
    EXPECT_GT(c.bad_action, 0);
    EXPECT_GT(c.bad_side, 0);
    EXPECT_GT(c.bad_price, 0);
    EXPECT_GT(c.off_grid_price, 0);
    EXPECT_GT(c.unknown_order_id, 0);
    EXPECT_GT(engine.counters().out_of_order, 0);
  }
}

}  // namespace
}  // namespace spymaster::engine
