// Property tests: for random valid event streams the engine's book equals a naive reference book written
// here, and its silver rows equal a naive per-window aggregation of the spec rules; silver identities hold;
// and the one-engine guarantee: batch feeding, record-by-record feeding with windows read out as a live
// clock closes them, and gold recomputed from the silver rows alone all give identical results.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "engine/engine.hpp"
#include "engine/rounding.hpp"
#include "engine_test_util.hpp"

namespace spymaster::engine {
namespace {

using namespace test_util;  // NOLINT

// ---- naive reference: the spec's rules with std::map and no cleverness ----------------------------------
struct NaiveOrder {
  char side;
  int64_t price;
  int64_t rem;
  int64_t pending;
  int64_t ts;
};

struct Flow {
  double add = 0, pull = 0, pull_rest = 0, fill = 0;
  bool touched = false;
};

class NaiveSilver {
 public:
  NaiveSilver(const ProductConfig& p, int64_t start, int64_t end) : p_(p), start_(start), end_(end) {}

  int64_t Depth(char side, int64_t price) const {
    const auto& m = side == 'B' ? bids_ : asks_;
    auto it = m.find(price);
    return it == m.end() ? 0 : it->second;
  }
  int64_t Best(char side) const {
    const auto& m = side == 'B' ? bids_ : asks_;
    if (m.empty()) return 0;
    return side == 'B' ? m.rbegin()->first : m.begin()->first;
  }

  void On(const book::MboEvent& e, std::vector<WindowResult>& out) {
    const int64_t ts = static_cast<int64_t>(e.ts_event);
    if (ts >= end_) {
      CloseUntil(end_, out);
      return;
    }
    CloseUntil(ts, out);
    Apply(e);
  }
  void Finish(std::vector<WindowResult>& out) { CloseUntil(end_, out); }

 private:
  void Level(char side, int64_t price, int64_t delta) {
    auto& m = side == 'B' ? bids_ : asks_;
    m[price] += delta;
    if (m[price] == 0) m.erase(price);
  }
  void Flows(char side, int64_t price, double add, double pull, bool rested, double fill) {
    if (!open_ || spot_ <= 0) return;
    const int64_t rel = RoundDivHalfEven(price - spot_, p_.cell);
    if (std::abs(rel) > p_.half_width) return;
    Flow& f = flows_[{side, rel}];
    f.add += add;
    f.pull += pull;
    if (rested) f.pull_rest += pull;
    f.fill += fill;
    f.touched = true;
  }
  void Leave(NaiveOrder& o, int64_t removed, int64_t ts) {
    const int64_t fill_part = std::min(removed, o.pending);
    const int64_t pull_part = removed - fill_part;
    o.pending -= fill_part;
    o.rem -= removed;
    Level(o.side, o.price, -removed);
    if (pull_part > 0) Flows(o.side, o.price, 0, pull_part, ts - o.ts >= p_.rest_ns, 0);
  }
  void Apply(const book::MboEvent& e) {
    const int64_t ts = static_cast<int64_t>(e.ts_event);
    if (e.flags & book::kFlagSnapshot) has_snapshot_ = true;
    if (e.action == 'R') {
      orders_.clear();
      bids_.clear();
      asks_.clear();
      in_snapshot_ = true;
      valid_ = false;
      has_snapshot_ = true;
      return;
    }
    if (in_snapshot_ && (!(e.flags & book::kFlagSnapshot) || (e.flags & book::kFlagLast))) {
      in_snapshot_ = false;
      valid_ = true;
    }
    auto it = orders_.find(e.order_id);
    switch (e.action) {
      case 'A':
        if (it != orders_.end()) {
          Level(it->second.side, it->second.price, -it->second.rem);
          orders_.erase(it);
        }
        orders_[e.order_id] = NaiveOrder{e.side, e.price, e.size, 0, ts};
        Level(e.side, e.price, e.size);
        Flows(e.side, e.price, e.size, 0, false, 0);
        break;
      case 'C': {
        if (it == orders_.end()) break;
        NaiveOrder& o = it->second;
        Leave(o, e.size == 0 ? o.rem : std::min<int64_t>(e.size, o.rem), ts);
        if (o.rem == 0) orders_.erase(it);
        break;
      }
      case 'M': {
        if (it == orders_.end()) break;
        NaiveOrder& o = it->second;
        if (e.price != o.price) {
          Leave(o, o.rem, ts);
          o.price = e.price;
          o.rem = e.size;
          o.pending = 0;
          o.ts = ts;
          Level(o.side, o.price, o.rem);
          Flows(o.side, o.price, e.size, 0, false, 0);
        } else if (e.size < o.rem) {
          Leave(o, o.rem - e.size, ts);
        } else if (e.size > o.rem) {
          Flows(o.side, o.price, e.size - o.rem, 0, false, 0);
          Level(o.side, o.price, e.size - o.rem);
          o.rem = e.size;
          o.ts = ts;
        }
        if (o.rem == 0) orders_.erase(it);
        break;
      }
      case 'F':
        if (it == orders_.end()) break;
        Flows(it->second.side, it->second.price, 0, 0, false, e.size);
        it->second.pending = std::min(it->second.rem, it->second.pending + e.size);
        break;
      case 'T':
        if (e.price > 0) last_trade_ = e.price;
        break;
      default:
        break;
    }
  }
  void Open(int64_t k) {
    open_ = true;
    k_ = k;
    flows_.clear();
    has_snapshot_ = false;
    bid_start_ = Best('B');
    ask_start_ = Best('A');
    const int64_t bid = bid_start_, ask = ask_start_;
    if (last_trade_ > 0 && (Depth('B', last_trade_) > 0 || Depth('A', last_trade_) > 0)) {
      spot_ = last_trade_;
    } else if (bid > 0 && ask > 0) {
      spot_ = (last_trade_ <= 0 || std::abs(last_trade_ - bid) <= std::abs(ask - last_trade_)) ? bid : ask;
    } else {
      spot_ = bid > 0 ? bid : ask > 0 ? ask : std::max<int64_t>(last_trade_, 0);
    }
    if (p_.snap_spot_to_cell && spot_ > 0) spot_ = RoundDivHalfEven(spot_, p_.cell) * p_.cell;
  }
  void CloseUntil(int64_t ts, std::vector<WindowResult>& out) {
    const int64_t n = (end_ - start_) / kSec;
    if (!open_) {
      if (ts < start_ || k_ >= n) return;
      Open(0);
    }
    while (open_ && ts >= start_ + (k_ + 1) * kSec) {
      out.push_back(Close());
      open_ = false;
      if (k_ + 1 < n)
        Open(k_ + 1);
      else
        k_ = n;
    }
  }
  WindowResult Close() {
    WindowResult w;
    const int64_t ws = start_ + k_ * kSec;
    SnapshotRow& s = w.snapshot;
    s.window_start_ts_ns = ws;
    s.window_end_ts_ns = ws + kSec;
    s.best_bid_price_int = Best('B');
    s.best_bid_qty = Depth('B', s.best_bid_price_int);
    s.best_ask_price_int = Best('A');
    s.best_ask_qty = Depth('A', s.best_ask_price_int);
    s.last_trade_price_int = last_trade_;
    s.spot_ref_price_int = spot_;
    s.book_valid = valid_;
    s.window_valid = valid_ && !has_snapshot_;
    if (spot_ <= 0) return w;
    std::map<std::pair<char, int64_t>, std::pair<double, double>> depth;  // (end, rest)
    for (const auto& [id, o] : orders_) {
      const int64_t rel = RoundDivHalfEven(o.price - spot_, p_.cell);
      if (std::abs(rel) > p_.half_width) continue;
      auto& d = depth[{o.side, rel}];
      d.first += o.rem;
      if (ws + kSec - o.ts >= p_.rest_ns) d.second += o.rem;
    }
    for (char side : {'B', 'A'}) {
      const int64_t start_best = side == 'B' ? bid_start_ : ask_start_;
      const int64_t end_best = side == 'B' ? s.best_bid_price_int : s.best_ask_price_int;
      const int64_t anchor = start_best > 0 ? start_best : end_best > 0 ? end_best : spot_;
      for (int64_t rel = -p_.half_width; rel <= p_.half_width; ++rel) {
        const auto d = depth.count({side, rel}) ? depth[{side, rel}] : std::make_pair(0.0, 0.0);
        const Flow f = flows_.count({side, rel}) ? flows_[{side, rel}] : Flow{};
        if (d.first <= 0 && !f.touched) continue;
        DepthFlowRow r;
        r.window_start_ts_ns = ws;
        r.window_end_ts_ns = ws + kSec;
        r.price_int = spot_ + rel * p_.cell;
        r.side = side;
        r.spot_ref_price_int = spot_;
        r.rel_ticks = static_cast<int32_t>(rel);
        r.rel_ticks_side = static_cast<int32_t>(RoundDivHalfEven(r.price_int - anchor, p_.cell));
        if (p_.snap_spot_to_cell) {
          r.rel_ticks_side = static_cast<int32_t>(rel - RoundDivHalfEven(anchor - spot_, p_.cell));
        }
        r.depth_qty_end = d.first;
        r.depth_qty_rest = d.second;
        r.add_qty = f.add;
        r.pull_qty_total = f.pull;
        r.pull_qty_rest = f.pull_rest;
        r.fill_qty = f.fill;
        r.depth_qty_start = std::max(0.0, d.first - f.add + f.pull + f.fill);
        r.window_valid = s.window_valid;
        w.depth_flow.push_back(r);
      }
    }
    return w;
  }

  ProductConfig p_;
  int64_t start_, end_;
  std::map<uint64_t, NaiveOrder> orders_;
  std::map<int64_t, int64_t> bids_, asks_;
  std::map<std::pair<char, int64_t>, Flow> flows_;
  bool open_ = false, valid_ = true, in_snapshot_ = false, has_snapshot_ = false;
  int64_t k_ = 0, spot_ = 0, bid_start_ = 0, ask_start_ = 0, last_trade_ = 0;
};

// ---- random valid streams -----------------------------------------------------------------------------
std::vector<book::MboEvent> RandomStream(uint64_t seed, const ProductConfig& p, int64_t t0, int64_t t1, int n) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const int64_t mid = (p.cell == p.tick ? 4000 : 400) * kDollar;
  std::vector<book::MboEvent> ev;
  std::vector<uint64_t> live;
  std::map<uint64_t, std::pair<char, int64_t>> placed;  // id -> (side, price) as last sent
  uint64_t next_id = 1;
  int64_t ts = t0;
  uint32_t seq = 0;
  const int64_t spread_ticks = p.cell == p.tick ? 8 : 150;  // equities: spread prices over several buckets
  for (int i = 0; i < n; ++i) {
    ts += uni(0, 3) == 0 ? 0 : uni(1, (t1 - t0) / n * 2);
    if (ts >= t1) break;
    book::MboEvent e;
    e.ts_event = static_cast<uint64_t>(ts);
    e.sequence = ++seq;
    const int64_t r = uni(0, 99);
    const char side = uni(0, 1) ? 'B' : 'A';
    const int64_t off = uni(0, spread_ticks) * p.tick;
    const int64_t price = side == 'B' ? mid - p.tick - off : mid + off;
    const uint64_t pick = live.empty() ? 999'999 : live[uni(0, static_cast<int64_t>(live.size()) - 1)];
    if (r < 35 || live.empty()) {
      e.action = 'A';
      e.side = side;
      e.price = price;
      e.size = static_cast<uint32_t>(uni(1, 20));
      e.order_id = uni(0, 30) == 0 && !live.empty() ? pick : next_id++;  // sometimes re-add a live id
      live.push_back(e.order_id);
      placed[e.order_id] = {side, price};
    } else if (r < 55) {
      e.action = 'C';
      e.order_id = uni(0, 40) == 0 ? 888'888 : pick;  // sometimes unknown
      e.size = static_cast<uint32_t>(uni(0, 25));
    } else if (r < 75) {
      e.action = 'M';
      e.order_id = pick;
      const auto at = placed.count(pick) ? placed[pick] : std::make_pair(side, price);
      e.side = at.first;
      // Half the modifies keep the price (size up or down), half move within the side's range.
      const int64_t moved = at.first == 'B' ? mid - p.tick - off : mid + off;
      e.price = uni(0, 1) ? at.second : moved;
      e.size = static_cast<uint32_t>(uni(0, 25));
      placed[pick] = {at.first, e.price};
    } else if (r < 88) {
      // F then the C that removes it, as on CME.
      e.action = 'F';
      e.order_id = pick;
      e.size = static_cast<uint32_t>(uni(1, 10));
      ev.push_back(e);
      e.action = 'C';
      e.sequence = ++seq;
      if (uni(0, 2) == 0) ts += uni(1, 1000), e.ts_event = static_cast<uint64_t>(ts);
    } else if (r < 97) {
      e.action = 'T';
      e.price = price;
      e.size = 1;
    } else if (r < 98) {
      e.action = 'R';
      e.flags = book::kFlagSnapshot;
      ev.push_back(e);
      live.clear();
      for (int k = 0; k < 4; ++k) {
        book::MboEvent a;
        a.ts_event = e.ts_event;
        a.sequence = ++seq;
        a.action = 'A';
        a.side = k % 2 ? 'A' : 'B';
        a.price = a.side == 'B' ? mid - p.tick * (1 + k) : mid + p.tick * k;
        a.size = 5;
        a.order_id = next_id++;
        placed[a.order_id] = {a.side, a.price};
        a.flags = book::kFlagSnapshot | (k == 3 ? book::kFlagLast : 0);
        live.push_back(a.order_id);
        ev.push_back(a);
      }
      continue;
    } else {
      e.action = 'N';
    }
    ev.push_back(e);
  }
  return ev;
}

void ExpectSameRows(const WindowResult& a, const WindowResult& b, const char* what) {
  const SnapshotRow& x = a.snapshot;
  const SnapshotRow& y = b.snapshot;
  ASSERT_EQ(x.window_end_ts_ns, y.window_end_ts_ns) << what;
  EXPECT_EQ(x.best_bid_price_int, y.best_bid_price_int) << what << " w " << x.window_end_ts_ns;
  EXPECT_EQ(x.best_bid_qty, y.best_bid_qty) << what;
  EXPECT_EQ(x.best_ask_price_int, y.best_ask_price_int) << what;
  EXPECT_EQ(x.best_ask_qty, y.best_ask_qty) << what;
  EXPECT_EQ(x.last_trade_price_int, y.last_trade_price_int) << what;
  EXPECT_EQ(x.spot_ref_price_int, y.spot_ref_price_int) << what;
  EXPECT_EQ(x.book_valid, y.book_valid) << what;
  EXPECT_EQ(x.window_valid, y.window_valid) << what;
  ASSERT_EQ(a.depth_flow.size(), b.depth_flow.size()) << what << " w " << x.window_end_ts_ns;
  for (std::size_t i = 0; i < a.depth_flow.size(); ++i) {
    const DepthFlowRow& r = a.depth_flow[i];
    const DepthFlowRow& s = b.depth_flow[i];
    EXPECT_EQ(std::tie(r.side, r.price_int, r.rel_ticks, r.rel_ticks_side, r.window_valid),
              std::tie(s.side, s.price_int, s.rel_ticks, s.rel_ticks_side, s.window_valid))
        << what << " w " << x.window_end_ts_ns << " row " << i;
    EXPECT_EQ(std::tie(r.depth_qty_start, r.depth_qty_end, r.add_qty, r.pull_qty_total, r.depth_qty_rest,
                       r.pull_qty_rest, r.fill_qty),
              std::tie(s.depth_qty_start, s.depth_qty_end, s.add_qty, s.pull_qty_total, s.depth_qty_rest,
                       s.pull_qty_rest, s.fill_qty))
        << what << " w " << x.window_end_ts_ns << " row " << i << " side " << r.side << " rel " << r.rel_ticks;
  }
}

class PropertyTest : public ::testing::TestWithParam<std::tuple<uint64_t, bool>> {};

TEST_P(PropertyTest, EngineMatchesNaiveReferenceAndIdentitiesHold) {
  const auto [seed, equity] = GetParam();
  const ProductConfig p = equity ? EquityMboConfig() : FutureMboConfig();
  const EngineOptions o = Session(100, 160, /*gold=*/false);
  const auto events = RandomStream(seed, p, 95 * kSec, 165 * kSec, 20000);
  std::vector<WindowResult> got, want;
  Engine engine(p, o, [&](const WindowPtr& r_ptr) {
    const WindowResult& r = *r_ptr;
    got.push_back(r);
  });
  NaiveSilver naive(p, o.session_start_ns, o.session_end_ns);
  std::mt19937_64 rng(seed);
  for (const auto& e : events) {
    engine.OnEvent(e);
    naive.On(e, want);
    // The book equals the naive book at the touch and at a random price.
    ASSERT_EQ(engine.book().BestBid(), naive.Best('B'));
    ASSERT_EQ(engine.book().BestAsk(), naive.Best('A'));
    const int64_t probe = (equity ? 400 : 4000) * kDollar + (static_cast<int64_t>(rng() % 401) - 200) * p.tick;
    ASSERT_EQ(engine.book().Depth('B', probe), naive.Depth('B', probe));
    ASSERT_EQ(engine.book().Depth('A', probe), naive.Depth('A', probe));
  }
  engine.Finish();
  naive.Finish(want);
  ASSERT_EQ(got.size(), 60u);
  ASSERT_EQ(want.size(), 60u);
  std::size_t rows = 0;
  for (std::size_t w = 0; w < got.size(); ++w) {
    ExpectSameRows(got[w], want[w], "engine vs naive");
    const SnapshotRow& s = got[w].snapshot;
    for (const DepthFlowRow& r : got[w].depth_flow) {
      ++rows;
      EXPECT_EQ(r.depth_qty_start, std::max(0.0, r.depth_qty_end - r.add_qty + r.pull_qty_total + r.fill_qty));
      EXPECT_LE(r.depth_qty_rest, r.depth_qty_end);
      EXPECT_LE(r.pull_qty_rest, r.pull_qty_total);
      EXPECT_LE(std::abs(r.rel_ticks), p.half_width);
      EXPECT_EQ(r.price_int, s.spot_ref_price_int + r.rel_ticks * p.cell);
      if (!equity && r.side == 'B' && r.price_int == s.best_bid_price_int) {
        EXPECT_EQ(r.depth_qty_end, s.best_bid_qty);
      }
      if (!equity && r.side == 'A' && r.price_int == s.best_ask_price_int) {
        EXPECT_EQ(r.depth_qty_end, s.best_ask_qty);
      }
    }
  }
  EXPECT_GT(rows, 300u);  // the stream really exercised the rows
  const auto& c = engine.book().counters();
  EXPECT_GT(c.unknown_order_id, 0);
  EXPECT_GT(c.duplicate_add, 0);
}

INSTANTIATE_TEST_SUITE_P(Streams, PropertyTest,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 4u, 5u), ::testing::Bool()));

// Bit for bit (== would let -0.0 equal 0.0).
bool SameGold(const GoldSurface& a, const GoldSurface& b) {
  auto same = [](const auto& x, const auto& y) {
    return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0);
  };
  if (a.window_end_ts_ns != b.window_end_ts_ns || a.spot_ref_price_int != b.spot_ref_price_int ||
      !same(a.rel_ticks, b.rel_ticks) || !same(a.rel_ticks_side, b.rel_ticks_side) || !same(a.side, b.side)) {
    return false;
  }
  for (int v = 0; v < kGoldValueCount; ++v) {
    if (!same(a.values[v], b.values[v])) return false;
  }
  return true;
}

// The one-engine guarantee: the same windows whether the day goes in as one batch or record by record with
// a live clock closing windows as they end; and gold from silver rows alone (the --layer gold path) equals
// the gold computed inside the engine.
TEST(OneEngineTest, BatchStreamAndGoldFromSilverAgree) {
  for (bool equity : {false, true}) {
    const ProductConfig p = equity ? EquityMboConfig() : FutureMboConfig();
    const EngineOptions o = Session(100, 130);
    const auto events = RandomStream(11, p, 90 * kSec, 128 * kSec, 15000);
    const std::vector<WindowResult> batch = RunEngine(p, o, events);

    std::vector<WindowResult> stream;
    std::vector<std::size_t> ready_after;  // windows available after each record
    Engine live(p, o, [&](const WindowPtr& r_ptr) {
      const WindowResult& r = *r_ptr;
      stream.push_back(r);
    });
    for (const auto& e : events) {
      live.OnEvent(e);
      live.CloseThrough(static_cast<int64_t>(e.ts_event));  // the live clock: closing is idempotent
      for (const WindowResult& w : stream) EXPECT_LE(w.snapshot.window_end_ts_ns, static_cast<int64_t>(e.ts_event));
    }
    live.Finish();
    ASSERT_EQ(batch.size(), 30u);
    ASSERT_EQ(stream.size(), batch.size());
    GoldState from_silver(p.half_width);
    GoldSurface gold;
    for (std::size_t w = 0; w < batch.size(); ++w) {
      ExpectSameRows(batch[w], stream[w], "batch vs stream");
      EXPECT_TRUE(SameGold(batch[w].gold, stream[w].gold)) << "window " << w;
      from_silver.OnWindow(batch[w].snapshot, batch[w].depth_flow, gold);
      EXPECT_TRUE(SameGold(batch[w].gold, gold)) << "gold from silver, window " << w;
      EXPECT_EQ(batch[w].gold.size(), batch[w].snapshot.spot_ref_price_int > 0 ? 2u * (2 * p.half_width + 1) : 0u);
    }
  }
}

}  // namespace
}  // namespace spymaster::engine
