#include "sim/mbo_generator.hpp"

#include <limits>
#include <map>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/scenario.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {
namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

// Every episode inside a three-minute session.
constexpr const char* kScenario = R"({"premarket_minutes": 1, "snapshot_lead_s": 5, "episodes": [
  {"kind": "flicker", "at_s": 10, "duration_s": 5, "side": "bid", "distance_ticks": 2, "size_lots": 40, "period_ms": 100},
  {"kind": "wall", "at_s": 20, "duration_s": 40, "side": "ask", "distance_bp": 3, "size_lots": 500},
  {"kind": "vacuum", "at_s": 70, "duration_s": 4, "side": "bid", "move_bp": 8},
  {"kind": "unknown_cancels", "at_s": 100, "duration_s": 1, "count": 4},
  {"kind": "crossed", "at_s": 120, "duration_s": 0.3, "cross_ticks": 2}]})";

struct Order {
  char side;
  std::int64_t price;
  std::uint32_t size;
};

// Replays the generator's own records through a plain book and checks what the Python test checks on the
// written files, here without any encoding in between.
class MboGeneratorTest : public ::testing::TestWithParam<int> {
 protected:
  MboGeneratorTest()
      : session_(MakeSession("2026-01-06", "09:30", "09:33", ParseScenario(kScenario, "test"))),
        path_(session_, 5),
        plans_(PlanDay(session_, path_, {ProductType::kFutureMbo, ProductType::kEquityMbo})) {}

  Session session_;
  MarketPath path_;
  std::vector<ProductPlan> plans_;
};

TEST_P(MboGeneratorTest, BookStaysConsistent) {
  const Instrument& instrument = plans_[static_cast<std::size_t>(GetParam())].instruments[0];
  ASSERT_TRUE(instrument.primary);
  MboGenerator gen(instrument, path_, session_, 1.0, Rng(5, 9), 1000);
  std::vector<dbn::MboMsg> out;
  gen.Snapshot(session_.snapshot_ns, out);
  ASSERT_EQ(out.front().action, 'R');
  EXPECT_EQ(out.back().flags, dbn::flags::kSnapshot | dbn::flags::kLast);

  std::unordered_map<std::uint64_t, Order> orders;
  std::map<std::int64_t, std::int64_t> bids, asks;
  auto depth = [&](char side) -> std::map<std::int64_t, std::int64_t>& { return side == 'B' ? bids : asks; };
  auto remove = [&](std::uint64_t id, std::uint32_t qty) {
    Order& o = orders.at(id);
    ASSERT_LE(qty, o.size);
    auto& level = depth(o.side)[o.price];
    level -= qty;
    ASSERT_GE(level, 0);
    if (level == 0) depth(o.side).erase(o.price);
    o.size -= qty;
    if (o.size == 0) orders.erase(id);
  };
  std::uint64_t unknown = 0, crossed_events = 0, adds = 0, cancels = 0, trades = 0;
  std::uint64_t last_ts = 0;
  while (true) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const dbn::MboMsg& m = out[i];
      ASSERT_GE(m.hd.ts_event, last_ts);
      last_ts = m.hd.ts_event;
      switch (m.action) {
        case 'R':
          orders.clear();
          bids.clear();
          asks.clear();
          break;
        case 'A':
          ASSERT_FALSE(orders.count(m.order_id));
          orders[m.order_id] = {m.side, m.price, m.size};
          depth(m.side)[m.price] += m.size;
          if (!(m.flags & dbn::flags::kSnapshot)) ++adds;
          break;
        case 'T': {
          // T, then F per resting order (oldest first), then C/M of those orders.
          ++trades;
          std::uint32_t filled = 0;
          std::size_t j = i + 1;
          for (; j < out.size() && out[j].action == 'F'; ++j) {
            ASSERT_TRUE(orders.count(out[j].order_id));
            EXPECT_EQ(orders.at(out[j].order_id).price, m.price);
            EXPECT_NE(out[j].side, m.side);
            filled += out[j].size;
          }
          EXPECT_EQ(filled, m.size);
          break;
        }
        case 'F':
          ASSERT_TRUE(orders.count(m.order_id));
          break;
        case 'C':
          if (!orders.count(m.order_id)) {
            ++unknown;
            break;
          }
          ASSERT_EQ(m.size, orders.at(m.order_id).size);
          remove(m.order_id, m.size);
          ++cancels;
          break;
        case 'M': {
          ASSERT_TRUE(orders.count(m.order_id));
          const Order o = orders.at(m.order_id);
          if (m.price == o.price) {
            ASSERT_LT(m.size, o.size);
            remove(m.order_id, o.size - m.size);
          } else {
            remove(m.order_id, o.size);
            orders[m.order_id] = {o.side, m.price, m.size};
            depth(o.side)[m.price] += m.size;
          }
          break;
        }
        default:
          FAIL() << "unexpected action " << m.action;
      }
      if ((m.flags & dbn::flags::kLast) && !bids.empty() && !asks.empty() && bids.rbegin()->first >= asks.begin()->first) {
        ++crossed_events;
        const auto& crossed = session_.episodes.back();
        ASSERT_EQ(crossed.episode.kind, EpisodeKind::kCrossed);
        EXPECT_GE(m.hd.ts_event, crossed.begin_ns);
        EXPECT_LE(m.hd.ts_event, crossed.end_ns);
      }
    }
    out.clear();
    if (gen.next_ts() == kNever) break;
    gen.Step(out);
    if (!out.empty()) {
      EXPECT_TRUE(out.back().flags & dbn::flags::kLast);
    }
  }
  EXPECT_EQ(unknown, 4u);
  EXPECT_GE(crossed_events, 1u);
  EXPECT_GT(trades, 50u);
  EXPECT_GT(adds, 5000u);
  EXPECT_GT(cancels, adds * 7 / 10);
}

INSTANTIATE_TEST_SUITE_P(FrontFutureAndSpy, MboGeneratorTest, ::testing::Values(0, 1));

TEST(MboGeneratorSnapshotTest, ReplaysQueuesInPriorityOrder) {
  const Session session = MakeSession("2026-01-06", "09:30", "09:31", ParseScenario(R"({"episodes": []})", "none"));
  const MarketPath path(session, 3);
  const auto plans = PlanDay(session, path, {ProductType::kFutureMbo});
  MboGenerator gen(plans[0].instruments[0], path, session, 1.0, Rng(3, 3), 0);
  std::vector<dbn::MboMsg> first, second;
  gen.Snapshot(session.snapshot_ns, first);
  gen.Snapshot(session.snapshot_ns + 1, second);
  ASSERT_EQ(first.size(), second.size());
  ASSERT_GT(first.size(), 600u);  // target 700 resting orders, a few fall outside the grid
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].order_id, second[i].order_id);
    EXPECT_EQ(first[i].price, second[i].price);
  }
  // Bids from the best down, then asks from the best up; each price's orders contiguous.
  std::int64_t prev_bid = std::numeric_limits<std::int64_t>::max();
  std::int64_t prev_ask = 0;
  for (std::size_t i = 1; i < first.size(); ++i) {
    if (first[i].side == 'B') {
      EXPECT_LE(first[i].price, prev_bid);
      prev_bid = first[i].price;
    } else {
      EXPECT_GE(first[i].price, prev_ask);
      prev_ask = first[i].price;
    }
  }
  EXPECT_LT(prev_bid, prev_ask);
}

}  // namespace
}  // namespace spymaster::sim
