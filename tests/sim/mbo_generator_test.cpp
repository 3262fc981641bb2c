#include "sim/mbo_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

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
      if ((m.flags & dbn::flags::kLast) && !bids.empty() && !asks.empty() &&
          bids.rbegin()->first >= asks.begin()->first) {
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

// The feed's edge cases inside a four-minute session whose opening snapshot is at 05:54 ET; a clear falls
// inside the late episode.
constexpr const char* kEdgeScenario = R"({"premarket_minutes": 215, "snapshot_lead_s": 60, "episodes": [
  {"kind": "late", "at_s": 5, "duration_s": 60, "share": 0.2, "lag_min_ms": 1200, "lag_max_ms": 2000},
  {"kind": "clear_snapshot", "at_s": 30},
  {"kind": "partial_cancels", "at_s": 70, "duration_s": 40, "share": 0.5},
  {"kind": "fill_split", "at_s": 120, "duration_s": 60, "count": 12},
  {"kind": "overnight_orders", "at_s": 200, "duration_s": 20, "count": 6, "distance_bp": 10, "size_lots": 10}]})";

struct Record {
  dbn::MboMsg msg;
  std::uint64_t sequence;
};

// What a plain book (orders by id; the book changes only on A, C, M, R) sees of a stream; fails the test
// on an add of a live id, a C/M/F of an unknown one, or a removal of more than rests.
struct Replayed {
  std::vector<std::uint64_t> partial_cancels, partial_modifies;        // ts of partial pulls by C / by M
  std::vector<std::pair<std::uint64_t, std::uint64_t>> fill_removals;  // (F ts, C/M ts)
  std::unordered_map<std::uint64_t, std::uint64_t> live_at_open;       // order id -> add ts
  std::unordered_map<std::uint64_t, std::uint64_t> cancelled;          // order id -> ts of the C removing it
  std::unordered_map<std::uint64_t, Order> orders;                     // at the end
};

Replayed Replay(const std::vector<Record>& records, std::uint64_t open_ns) {
  Replayed out;
  std::unordered_map<std::uint64_t, std::uint64_t> add_ts, fill_ts;
  bool open_seen = false;
  for (const Record& rec : records) {
    const dbn::MboMsg& m = rec.msg;
    if (!open_seen && m.hd.ts_event >= open_ns) {
      open_seen = true;
      for (const auto& [id, o] : out.orders) out.live_at_open[id] = add_ts.at(id);
    }
    if (m.action == 'R') {
      out.orders.clear();
      continue;
    }
    if (m.action == 'T') continue;
    if (m.action == 'A') {
      EXPECT_FALSE(out.orders.count(m.order_id)) << "add of a live id " << m.order_id;
      out.orders[m.order_id] = {m.side, m.price, m.size};
      add_ts.emplace(m.order_id, m.hd.ts_event);
      continue;
    }
    const auto it = out.orders.find(m.order_id);
    if (it == out.orders.end()) {
      ADD_FAILURE() << m.action << " of unknown order " << m.order_id << " at " << m.hd.ts_event;
      continue;
    }
    Order& o = it->second;
    if (m.action == 'F') {
      EXPECT_LE(m.size, o.size);
      fill_ts[m.order_id] = m.hd.ts_event;
      continue;
    }
    const auto fill = fill_ts.find(m.order_id);
    const bool removes_fill = fill != fill_ts.end();
    if (removes_fill) {
      out.fill_removals.emplace_back(fill->second, m.hd.ts_event);
      fill_ts.erase(fill);
    }
    if (m.action == 'C') {
      EXPECT_LE(m.size, o.size);
      if (m.size < o.size) {
        EXPECT_FALSE(removes_fill);
        out.partial_cancels.push_back(m.hd.ts_event);
        o.size -= m.size;
      } else {
        if (!removes_fill) out.cancelled[m.order_id] = m.hd.ts_event;
        out.orders.erase(it);
      }
    } else if (m.price == o.price) {
      EXPECT_LT(m.size, o.size);
      if (!removes_fill) out.partial_modifies.push_back(m.hd.ts_event);
      o.size = m.size;
    } else {
      o = {o.side, m.price, m.size};
    }
  }
  EXPECT_TRUE(fill_ts.empty()) << "fills never removed";
  return out;
}

TEST_P(MboGeneratorTest, EdgeCaseEpisodesKeepBooksValidInArrivalAndEventOrder) {
  const Session session = MakeSession("2026-01-06", "09:30", "09:34", ParseScenario(kEdgeScenario, "edge"));
  const MarketPath path(session, 5);
  const auto plans = PlanDay(session, path, {ProductType::kFutureMbo, ProductType::kEquityMbo});
  const Instrument& instrument = plans[static_cast<std::size_t>(GetParam())].instruments[0];
  MboGenerator gen(instrument, path, session, 1.0, Rng(5, 9), 1000);
  auto episode = [&](EpisodeKind kind) {
    for (const auto& te : session.episodes) {
      if (te.episode.kind == kind) return te;
    }
    throw std::logic_error("episode missing");
  };
  const TimedEpisode late = episode(EpisodeKind::kLate);
  const TimedEpisode clear = episode(EpisodeKind::kClearSnapshot);

  // Arrival order, with the clears written in as simulate.cpp does.
  std::vector<Record> records;
  std::vector<dbn::MboMsg> out;
  gen.Snapshot(session.snapshot_ns, out);
  bool cleared = false;
  std::uint64_t last_arrival = 0;
  std::uint64_t stamped_late = 0;
  while (true) {
    for (const dbn::MboMsg& m : out) {
      const std::uint64_t arrival = m.ts_recv != dbn::kUndefTimestamp ? m.ts_recv : m.hd.ts_event;
      ASSERT_GE(arrival, last_arrival);
      last_arrival = arrival;
      if (arrival != m.hd.ts_event) {
        ++stamped_late;
        EXPECT_EQ(m.action, 'A');
        EXPECT_GE(arrival - m.hd.ts_event, 1'200'000'000u);
        EXPECT_LE(arrival - m.hd.ts_event, 2'000'000'000u);
        EXPECT_GE(arrival, late.begin_ns);
        EXPECT_LT(arrival, late.end_ns);
        EXPECT_FALSE(m.hd.ts_event <= clear.begin_ns && clear.begin_ns <= arrival) << "stamped late across a clear";
      }
      records.push_back({m, records.size()});
    }
    out.clear();
    if (gen.next_ts() == kNever) break;
    if (!cleared && clear.begin_ns <= gen.next_ts()) {
      cleared = true;
      gen.Snapshot(clear.begin_ns, out);
    } else {
      gen.Step(out);
    }
  }
  EXPECT_GT(stamped_late, 30u);

  const Replayed arrival = Replay(records, session.open_ns);
  std::vector<Record> by_event = records;
  std::stable_sort(by_event.begin(), by_event.end(), [](const Record& a, const Record& b) {
    return std::pair(a.msg.hd.ts_event, a.sequence) < std::pair(b.msg.hd.ts_event, b.sequence);
  });
  const Replayed event = Replay(by_event, session.open_ns);
  EXPECT_EQ(arrival.orders.size(), event.orders.size());

  // Partial pulls: C inside the episode, M outside it.
  const TimedEpisode partial = episode(EpisodeKind::kPartialCancels);
  auto inside = [](const TimedEpisode& te, std::uint64_t ts) { return ts >= te.begin_ns && ts < te.end_ns; };
  EXPECT_GT(arrival.partial_cancels.size(), 20u);
  for (const std::uint64_t ts : arrival.partial_cancels) EXPECT_TRUE(inside(partial, ts)) << ts;
  EXPECT_GT(arrival.partial_modifies.size(), 20u);
  for (const std::uint64_t ts : arrival.partial_modifies) EXPECT_FALSE(inside(partial, ts)) << ts;

  // Split fills: F just before a whole second, its C/M just after; elsewhere at the F's time.
  const TimedEpisode split = episode(EpisodeKind::kFillSplit);
  int straddling = 0;
  for (const auto& [f, removed] : arrival.fill_removals) {
    if (removed / kNsPerSecond != f / kNsPerSecond) {
      ++straddling;
      EXPECT_TRUE(f >= split.begin_ns && f < split.end_ns + kNsPerSecond) << f;
      EXPECT_LT(removed - f, 1'000'000u);
    } else {
      EXPECT_EQ(removed, f);
    }
  }
  EXPECT_GE(straddling, 10);

  // Orders resting since before 06:00 ET are still there at the open and leave during their episode.
  const TimedEpisode overnight = episode(EpisodeKind::kOvernightOrders);
  const std::uint64_t six_et = session.open_ns - 3 * 3600 * kNsPerSecond - 1800 * kNsPerSecond;  // EST day
  EXPECT_LT(session.snapshot_ns, six_et);
  int old_orders = 0, old_cancelled = 0;
  for (const auto& [id, added] : arrival.live_at_open) {
    if (added >= six_et) continue;
    ++old_orders;
    if (const auto c = arrival.cancelled.find(id); c != arrival.cancelled.end()) {
      ++old_cancelled;
      EXPECT_TRUE(inside(overnight, c->second)) << id;
    }
  }
  EXPECT_GE(old_orders, 2);
  EXPECT_GE(old_cancelled, 2);
}

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
