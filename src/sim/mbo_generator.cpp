#include "sim/mbo_generator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spymaster::sim {
namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
constexpr int kVacuumGapTicks = 6;
// A late add sits up to lag_max earlier in (ts_event, sequence) order, where the price may have been a few
// ticks away: only adds at least this far behind their side's touch are stamped late, so that the
// earlier placement seldom reaches through the other side.
constexpr std::int32_t kLateBehindTicks = 2;
// A split fill's T/F come this long before a whole second (a window boundary: sessions start on whole
// minutes) and its C/M this long after it.
constexpr std::uint64_t kFillSplitGapNs = 250'000;
constexpr double kPartialPullShare = 0.15;

}  // namespace

MboGenerator::MboGenerator(const Instrument& instrument, const MarketPath& path, const Session& session, double scale,
                           Rng rng, std::uint64_t order_id_base)
    : instrument_(instrument),
      path_(path),
      session_(session),
      rng_(rng),
      rate_ns_(instrument.flow.rate_per_s * scale / 1e9),
      num_levels_(instrument.instrument_class == 'C' || instrument.instrument_class == 'P' ? 4096 : 16384),
      best_ask_(num_levels_),
      next_id_(order_id_base + 1),
      next_unknown_id_(order_id_base + kUnknownIdOffset) {
  clears_.push_back(session_.snapshot_ns);
  for (const auto& te : session_.episodes) {
    if (te.episode.kind == EpisodeKind::kClearSnapshot) clears_.push_back(te.begin_ns);
  }
  const double fair0 =
      FairPrice(path_, instrument_.model, session_.snapshot_ns) * 1e9 / static_cast<double>(instrument_.tick);
  base_tick_ = static_cast<std::int64_t>(std::floor(fair0)) - num_levels_ / 2;
  bids_.resize(static_cast<std::size_t>(num_levels_));
  asks_.resize(static_cast<std::size_t>(num_levels_));
  orders_.reserve(static_cast<std::size_t>(instrument_.flow.target_orders) * 2 + 64);
  live_.reserve(orders_.capacity());

  // Depth profile: thin at the touch, thickest a few ticks away, fading with distance.
  const int depth = std::max(1, instrument_.flow.depth_ticks);
  double total = 0;
  for (int k = 0; k <= depth; ++k) {
    total += (0.45 + std::min(k, 5) / 5.0) * std::exp(-static_cast<double>(k) / (0.6 * depth));
    depth_cdf_.push_back(total);
  }
  for (double& c : depth_cdf_) c /= total;

  // The overnight book: target_orders resting orders spread by the same profile.
  const double f = fair0 - static_cast<double>(base_tick_);
  const auto bid_ref = static_cast<std::int32_t>(std::floor(f));
  for (int i = 0; i < instrument_.flow.target_orders; ++i) {
    const char side = i % 2 == 0 ? 'B' : 'A';
    const int k = SampleDepth();
    const std::int32_t level = side == 'B' ? bid_ref - k : bid_ref + 1 + k;
    if (level < 0 || level >= num_levels_ || !PriceAllowed(level)) continue;
    NewOrder(next_id_++, side, level, SampleSize(), false);
  }

  for (int i = 0; i < static_cast<int>(session_.episodes.size()); ++i) {
    if (!instrument_.primary) break;
    const TimedEpisode& te = session_.episodes[static_cast<std::size_t>(i)];
    const Episode& e = te.episode;
    switch (e.kind) {
      case EpisodeKind::kWall:
        actions_.push_back({te.begin_ns, ActionKind::kWallAdd, i});
        actions_.push_back({te.end_ns, ActionKind::kWallCancel, i});
        break;
      case EpisodeKind::kFlicker: {
        const auto half = static_cast<std::uint64_t>(e.period_ms * 5e5);
        for (std::uint64_t t = te.begin_ns; t + half < te.end_ns; t += 2 * half) {
          actions_.push_back({t, ActionKind::kFlickerOn, i});
          actions_.push_back({t + half, ActionKind::kFlickerOff, i});
        }
        break;
      }
      case EpisodeKind::kUnknownCancels: {
        const std::uint64_t span = te.end_ns - te.begin_ns;
        for (int c = 0; c < e.count; ++c) {
          actions_.push_back({te.begin_ns + span * static_cast<std::uint64_t>(c) / static_cast<std::uint64_t>(e.count),
                              ActionKind::kUnknownCancel, i});
        }
        break;
      }
      case EpisodeKind::kCrossed:
        // The crossed moment is a frozen book: no other flow on this instrument until it is cancelled.
        actions_.push_back({te.begin_ns, ActionKind::kCrossAdd, i});
        actions_.push_back({te.end_ns, ActionKind::kCrossCancel, i});
        frozen_.emplace_back(te.begin_ns, te.end_ns);
        break;
      case EpisodeKind::kLate:
        late_episodes_.push_back(&te);
        break;
      case EpisodeKind::kPartialCancels:
        partial_cancel_episodes_.push_back(&te);
        break;
      case EpisodeKind::kFillSplit: {
        const std::uint64_t span = te.end_ns - te.begin_ns;
        std::uint64_t previous = 0;
        for (int c = 0; c < e.count; ++c) {
          const std::uint64_t t =
              te.begin_ns + span * static_cast<std::uint64_t>(c) / static_cast<std::uint64_t>(e.count);
          const std::uint64_t boundary = (t / kNsPerSecond + 1) * kNsPerSecond;
          const std::uint64_t from = boundary - kFillSplitGapNs, to = boundary + kFillSplitGapNs;
          if (boundary == previous || to >= session_.close_ns || ClearWithin(from, to)) continue;
          previous = boundary;
          // Nothing else trades or cancels on this instrument between the F and its C/M.
          actions_.push_back({from, ActionKind::kFillSplitTrade, i});
          actions_.push_back({to, ActionKind::kFillSplitRemove, i});
          frozen_.emplace_back(from, to);
        }
        break;
      }
      case EpisodeKind::kOvernightOrders: {
        // Resting in the opening snapshot, never randomly cancelled; the stale-quote sweeps may still
        // take the ones the price runs into, hence both sides at growing distances.
        const std::uint64_t span = te.end_ns - te.begin_ns;
        for (int c = 0; c < e.count; ++c) {
          const char side = c % 2 == 0 ? 'B' : 'A';
          const int rung = 1 + c / 2;  // a bid and an ask at each distance rung
          const auto ticks =
              std::max<std::int64_t>(2 * rung, std::llround(std::abs(fair0) * e.distance_bp * 1e-4 * rung));
          const auto level = static_cast<std::int32_t>(static_cast<std::int64_t>(std::floor(fair0)) +
                                                       (side == 'B' ? -ticks : 1 + ticks) - base_tick_);
          std::int32_t o = -1;
          if (level >= 0 && level < num_levels_ && PriceAllowed(level)) {
            o = NewOrder(next_id_++, side, level, e.size_lots * instrument_.flow.lot, true);
          }
          overnight_.push_back(o);
          actions_.push_back({te.begin_ns + span * static_cast<std::uint64_t>(c) / static_cast<std::uint64_t>(e.count),
                              ActionKind::kOvernightCancel, i, c});
        }
        break;
      }
      case EpisodeKind::kVacuum:
      case EpisodeKind::kLull:
      case EpisodeKind::kClearSnapshot:
        break;
    }
  }
  std::stable_sort(actions_.begin(), actions_.end(), [](const Action& a, const Action& b) { return a.ts < b.ts; });
  std::sort(frozen_.begin(), frozen_.end());
  ScheduleNextRandom(session_.snapshot_ns);
}

std::uint64_t MboGenerator::next_ts() const {
  const std::uint64_t action = next_action_ < actions_.size() ? actions_[next_action_].ts : kNever;
  const std::uint64_t random = next_random_ts_ < session_.close_ns ? next_random_ts_ : kNever;
  return std::min(action, random);
}

double MboGenerator::FairLevel(std::uint64_t ts) const {
  double f = FairPrice(path_, instrument_.model, ts) * 1e9 / static_cast<double>(instrument_.tick) -
             static_cast<double>(base_tick_);
  // A standing wall holds the price: it bounces off instead of trading through.
  if (wall_side_ == 'B') f = std::max(f, wall_floor_ + 1.5);
  if (wall_side_ == 'A') f = std::min(f, wall_floor_ - 0.5);
  return f;
}

std::uint32_t MboGenerator::SampleSize() {
  const FlowParams& fp = instrument_.flow;
  if (fp.lot > 1 && rng_.Chance(0.1)) return 1 + rng_.Below(fp.lot - 1);  // odd lot
  const double lots = std::min(static_cast<double>(fp.max_lots), std::floor(rng_.Pareto(1.0, fp.size_alpha)));
  return static_cast<std::uint32_t>(lots) * fp.lot;
}

int MboGenerator::SampleDepth() {
  const double u = rng_.Uniform();
  return static_cast<int>(std::upper_bound(depth_cdf_.begin(), depth_cdf_.end(), u) - depth_cdf_.begin());
}

bool MboGenerator::VacuumPulls(char side, std::uint64_t ts) const {
  if (!instrument_.primary) return false;
  for (const auto& te : session_.episodes) {
    if (te.episode.kind != EpisodeKind::kVacuum || te.episode.side != side) continue;
    const auto move_end = te.end_ns + static_cast<std::uint64_t>(kVacuumMoveSeconds * 1e9);
    if (ts >= te.begin_ns && ts < move_end) return true;
  }
  return false;
}

const Episode* MboGenerator::Running(const std::vector<const TimedEpisode*>& episodes, std::uint64_t ts) {
  for (const TimedEpisode* te : episodes) {
    if (ts >= te->begin_ns && ts < te->end_ns) return &te->episode;
  }
  return nullptr;
}

bool MboGenerator::ClearWithin(std::uint64_t from, std::uint64_t to) const {
  return std::any_of(clears_.begin(), clears_.end(), [&](std::uint64_t c) { return c >= from && c <= to; });
}

void MboGenerator::MaybeStampLate(const Episode& late, dbn::MboMsg& m) {
  if (!rng_.Chance(late.share)) return;
  const double lag_ms = late.lag_min_ms + rng_.Uniform() * (late.lag_max_ms - late.lag_min_ms);
  const auto lag = static_cast<std::uint64_t>(std::llround(lag_ms * 1e6));
  const std::uint64_t arrival = m.hd.ts_event;
  if (lag >= arrival || ClearWithin(arrival - lag, arrival)) return;
  m.ts_recv = arrival;  // the Stamper derives ts_recv from the arrival
  m.hd.ts_event = arrival - lag;
}

void MboGenerator::ScheduleNextRandom(std::uint64_t after) {
  const double rate = rate_ns_ * path_.Activity(after);
  std::uint64_t t = after + 1 + static_cast<std::uint64_t>(rng_.Exponential(1.0 / rate));
  t = session_.LullEnd(t);
  while (next_frozen_ < frozen_.size() && frozen_[next_frozen_].second < t) ++next_frozen_;
  for (std::size_t i = next_frozen_; i < frozen_.size() && frozen_[i].first <= t; ++i) {
    if (t <= frozen_[i].second) t = frozen_[i].second + 1;
  }
  next_random_ts_ = t;
}

std::int32_t MboGenerator::NewOrder(std::uint64_t id, char side, std::int32_t level, std::uint32_t size,
                                    bool scenario) {
  std::int32_t o;
  if (!free_.empty()) {
    o = free_.back();
    free_.pop_back();
  } else {
    o = static_cast<std::int32_t>(orders_.size());
    orders_.push_back({});
  }
  orders_[static_cast<std::size_t>(o)] = {id, size, level, -1, -1, -1, side};
  if (!scenario) {
    orders_[static_cast<std::size_t>(o)].live_pos = static_cast<std::int32_t>(live_.size());
    live_.push_back(o);
  }
  Link(o);
  return o;
}

void MboGenerator::Link(std::int32_t o) {
  Order& ord = orders_[static_cast<std::size_t>(o)];
  Level& lv = (ord.side == 'B' ? bids_ : asks_)[static_cast<std::size_t>(ord.level)];
  ord.prev = lv.tail;
  ord.next = -1;
  if (lv.tail >= 0) {
    orders_[static_cast<std::size_t>(lv.tail)].next = o;
  } else {
    lv.head = o;
  }
  lv.tail = o;
  lv.qty += ord.size;
  if (ord.side == 'B') {
    ++bid_orders_;
    best_bid_ = std::max(best_bid_, ord.level);
  } else {
    ++ask_orders_;
    best_ask_ = std::min(best_ask_, ord.level);
  }
}

void MboGenerator::Unlink(std::int32_t o) {
  Order& ord = orders_[static_cast<std::size_t>(o)];
  Level& lv = (ord.side == 'B' ? bids_ : asks_)[static_cast<std::size_t>(ord.level)];
  if (ord.prev >= 0) {
    orders_[static_cast<std::size_t>(ord.prev)].next = ord.next;
  } else {
    lv.head = ord.next;
  }
  if (ord.next >= 0) {
    orders_[static_cast<std::size_t>(ord.next)].prev = ord.prev;
  } else {
    lv.tail = ord.prev;
  }
  lv.qty -= ord.size;
  if (ord.side == 'B') {
    --bid_orders_;
    if (lv.head < 0 && ord.level == best_bid_) RescanBest('B');
  } else {
    --ask_orders_;
    if (lv.head < 0 && ord.level == best_ask_) RescanBest('A');
  }
}

void MboGenerator::Remove(std::int32_t o) {
  Unlink(o);
  Order& ord = orders_[static_cast<std::size_t>(o)];
  if (ord.live_pos >= 0) {
    const std::int32_t moved = live_.back();
    live_[static_cast<std::size_t>(ord.live_pos)] = moved;
    orders_[static_cast<std::size_t>(moved)].live_pos = ord.live_pos;
    live_.pop_back();
  } else {
    std::replace(overnight_.begin(), overnight_.end(), o, -1);
  }
  if (o == wall_order_) wall_order_ = -1;
  if (o == flicker_order_) flicker_order_ = -1;
  if (o == cross_order_) cross_order_ = -1;
  free_.push_back(o);
}

void MboGenerator::RescanBest(char side) {
  if (side == 'B') {
    if (bid_orders_ == 0) {
      best_bid_ = -1;
      return;
    }
    while (best_bid_ >= 0 && bids_[static_cast<std::size_t>(best_bid_)].head < 0) --best_bid_;
  } else {
    if (ask_orders_ == 0) {
      best_ask_ = num_levels_;
      return;
    }
    while (best_ask_ < num_levels_ && asks_[static_cast<std::size_t>(best_ask_)].head < 0) ++best_ask_;
  }
}

void MboGenerator::Push(std::vector<dbn::MboMsg>& out, std::uint64_t ts, char action, char side, std::int64_t price,
                        std::uint32_t size, std::uint64_t order_id) {
  dbn::MboMsg& m = out.emplace_back();
  m.hd.ts_event = ts;
  m.action = action;
  m.side = side;
  m.price = price;
  m.size = size;
  m.order_id = order_id;
  m.flags = 0;
}

void MboGenerator::Step(std::vector<dbn::MboMsg>& out) {
  const std::size_t first = out.size();
  if (next_action_ < actions_.size() && actions_[next_action_].ts <= next_random_ts_) {
    RunAction(actions_[next_action_++], out);
  } else {
    const std::uint64_t ts = next_random_ts_;
    RandomEvent(ts, out);
    ScheduleNextRandom(ts);
  }
  if (out.size() > first) out.back().flags |= dbn::flags::kLast;
}

void MboGenerator::RandomEvent(std::uint64_t ts, std::vector<dbn::MboMsg>& out) {
  const double f = FairLevel(ts);
  const auto bid_ref = static_cast<std::int32_t>(std::floor(f));
  const auto ask_ref = bid_ref + 1;
  for (char side : {'B', 'A'}) {
    if (VacuumPulls(side, ts) && rng_.Chance(0.5)) {
      const std::size_t before = out.size();
      PullNearTouch(ts, side, out);
      if (out.size() > before) return;
    }
  }
  // Stale quotes on the wrong side of fair value get taken, or their owners pull them first (option
  // market makers mostly re-quote): either way the book follows the latent price.
  const bool stale_ask = HasAsk() && best_ask_ <= bid_ref;
  const bool stale_bid = HasBid() && best_bid_ >= ask_ref;
  if ((stale_ask || stale_bid) && rng_.Chance(0.7)) {
    if (rng_.Chance(instrument_.flow.stale_pull_share)) {
      PullNearTouch(ts, stale_ask ? 'A' : 'B', out);
    } else if (stale_ask) {
      Sweep(ts, true, bid_ref, std::numeric_limits<std::uint32_t>::max(), out);
    } else {
      Sweep(ts, false, ask_ref, std::numeric_limits<std::uint32_t>::max(), out);
    }
    return;
  }
  const FlowParams& fp = instrument_.flow;
  const double w_add = 1.0;
  const double w_cancel = static_cast<double>(live_.size()) / static_cast<double>(std::max(1, fp.target_orders));
  const double w_modify = 0.08;
  const double w_trade = 2.0 * fp.trade_share;
  double u = rng_.Uniform() * (w_add + w_cancel + w_modify + w_trade);
  if ((u -= w_add) < 0) {
    // Liquidity providers step into a gap first: a side whose touch is behind fair gets the add.
    const bool bid_behind = best_bid_ < bid_ref;
    const bool ask_behind = best_ask_ > ask_ref;
    char side = rng_.Chance(0.5) ? 'B' : 'A';
    if (bid_behind != ask_behind && rng_.Chance(0.6)) side = bid_behind ? 'B' : 'A';
    Add(ts, side, f, out);
  } else if ((u -= w_cancel) < 0) {
    if (!live_.empty()) Cancel(ts, live_[rng_.Below(static_cast<std::uint32_t>(live_.size()))], out);
  } else if ((u -= w_modify) < 0) {
    Modify(ts, out);
  } else {
    // Marketable order, leaning toward the side fair value favours.
    const double mid = HasBid() && HasAsk() ? 0.5 * (best_bid_ + best_ask_) : f;
    const bool buy = rng_.Chance(0.5 + 0.4 * std::clamp(f - mid, -1.0, 1.0));
    const std::uint64_t size = SampleSize();
    const std::int32_t reach = size > 20ULL * fp.lot ? 2 : 0;
    if (buy && HasAsk()) Sweep(ts, true, best_ask_ + reach, size, out);
    if (!buy && HasBid()) Sweep(ts, false, best_bid_ - reach, size, out);
  }
}

void MboGenerator::Add(std::uint64_t ts, char side, double fair, std::vector<dbn::MboMsg>& out) {
  const auto bid_ref = static_cast<std::int32_t>(std::floor(fair));
  int k = SampleDepth();
  // A touch left behind fair value is refilled first: that keeps the spread tight as the price moves.
  const bool touch_behind = side == 'B' ? best_bid_ < bid_ref : best_ask_ > bid_ref + 1;
  if (touch_behind && rng_.Chance(0.85)) k = 0;
  if (VacuumPulls(side, ts)) k = std::max(k, kVacuumGapTicks);
  std::int32_t level;
  if (side == 'B') {
    level = bid_ref - k;
    if (HasAsk()) level = std::min(level, best_ask_ - 1);
  } else {
    level = bid_ref + 1 + k;
    if (HasBid()) level = std::max(level, best_bid_ + 1);
  }
  if (level < 0 || level >= num_levels_ || !PriceAllowed(level)) return;
  const std::uint32_t size = SampleSize();
  const std::int32_t behind = side == 'B' ? (HasBid() ? best_bid_ - level : 0) : (HasAsk() ? level - best_ask_ : 0);
  const std::int32_t o = NewOrder(next_id_++, side, level, size, false);
  Push(out, ts, 'A', side, PriceOf(level), size, orders_[static_cast<std::size_t>(o)].id);
  if (const Episode* late = Running(late_episodes_, ts); late != nullptr && behind >= kLateBehindTicks) {
    MaybeStampLate(*late, out.back());
  }
}

void MboGenerator::Cancel(std::uint64_t ts, std::int32_t o, std::vector<dbn::MboMsg>& out) {
  Order& ord = orders_[static_cast<std::size_t>(o)];
  const Episode* partial_cancels = Running(partial_cancel_episodes_, ts);
  if (ord.size >= 2 && rng_.Chance(partial_cancels != nullptr ? partial_cancels->share : kPartialPullShare)) {
    // Partial pull: a same-price modify to a smaller size keeps queue priority; Nasdaq-style feeds send
    // it as a cancel of the pulled size instead.
    const std::uint32_t new_size = 1 + rng_.Below(ord.size - 1);
    Level& lv = (ord.side == 'B' ? bids_ : asks_)[static_cast<std::size_t>(ord.level)];
    lv.qty -= ord.size - new_size;
    if (partial_cancels != nullptr) {
      Push(out, ts, 'C', ord.side, PriceOf(ord.level), ord.size - new_size, ord.id);
    } else {
      Push(out, ts, 'M', ord.side, PriceOf(ord.level), new_size, ord.id);
    }
    ord.size = new_size;
    return;
  }
  Push(out, ts, 'C', ord.side, PriceOf(ord.level), ord.size, ord.id);
  Remove(o);
}

void MboGenerator::Modify(std::uint64_t ts, std::vector<dbn::MboMsg>& out) {
  if (live_.empty()) return;
  const std::int32_t o = live_[rng_.Below(static_cast<std::uint32_t>(live_.size()))];
  Order& ord = orders_[static_cast<std::size_t>(o)];
  static constexpr std::int32_t kMoves[] = {-2, -1, 1, 2};
  std::int32_t level = ord.level + kMoves[rng_.Below(4)];
  if (ord.side == 'B' && HasAsk()) level = std::min(level, best_ask_ - 1);
  if (ord.side == 'A' && HasBid()) level = std::max(level, best_bid_ + 1);
  if (level == ord.level || level < 0 || level >= num_levels_ || !PriceAllowed(level)) return;
  // A price change loses queue priority: the order moves to the back of its new level.
  Unlink(o);
  ord.level = level;
  Link(o);
  Push(out, ts, 'M', ord.side, PriceOf(level), ord.size, ord.id);
}

void MboGenerator::Sweep(std::uint64_t ts, bool buy, std::int32_t limit, std::uint64_t size,
                         std::vector<dbn::MboMsg>& out) {
  const char aggressor = buy ? 'B' : 'A';
  const char resting = buy ? 'A' : 'B';
  std::vector<Level>& book = buy ? asks_ : bids_;
  fills_.clear();
  std::uint64_t remaining = size;
  constexpr int kMaxLevels = 12;
  int swept = 0;
  for (std::int32_t level = buy ? best_ask_ : best_bid_; remaining > 0 && swept < kMaxLevels && level >= 0 &&
                                                         level < num_levels_ && (buy ? level <= limit : level >= limit);
       level += buy ? 1 : -1) {
    const Level& lv = book[static_cast<std::size_t>(level)];
    if (lv.head < 0) continue;
    ++swept;
    const auto take =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(remaining, static_cast<std::uint64_t>(lv.qty)));
    const std::int64_t price = PriceOf(level);
    Push(out, ts, 'T', aggressor, price, take, 0);
    std::uint32_t left = take;
    for (std::int32_t o = lv.head; left > 0 && o >= 0; o = orders_[static_cast<std::size_t>(o)].next) {
      const Order& ord = orders_[static_cast<std::size_t>(o)];
      const std::uint32_t fill = std::min(left, ord.size);
      Push(out, ts, 'F', resting, price, fill, ord.id);
      fills_.emplace_back(o, fill);
      left -= fill;
    }
    remaining -= take;
  }
  // The book changes only now, by the C (fully filled) or M (partly filled) of each resting order.
  for (const auto& [o, fill] : fills_) RemoveFilled(ts, o, fill, out);
}

void MboGenerator::RemoveFilled(std::uint64_t ts, std::int32_t o, std::uint32_t fill, std::vector<dbn::MboMsg>& out) {
  Order& ord = orders_[static_cast<std::size_t>(o)];
  if (fill == ord.size) {
    Push(out, ts, 'C', ord.side, PriceOf(ord.level), fill, ord.id);
    Remove(o);
  } else {
    (ord.side == 'B' ? bids_ : asks_)[static_cast<std::size_t>(ord.level)].qty -= fill;
    ord.size -= fill;
    Push(out, ts, 'M', ord.side, PriceOf(ord.level), ord.size, ord.id);
  }
}

void MboGenerator::FillSplitTrade(std::uint64_t ts, std::vector<dbn::MboMsg>& out) {
  const bool buy_first = rng_.Chance(0.5);
  for (const bool buy : {buy_first, !buy_first}) {
    if (buy ? !HasAsk() : !HasBid()) continue;
    const std::int32_t level = buy ? best_ask_ : best_bid_;
    const std::int32_t o = (buy ? asks_ : bids_)[static_cast<std::size_t>(level)].head;
    const Order& ord = orders_[static_cast<std::size_t>(o)];
    if (ord.live_pos < 0) continue;  // scenario orders keep their own schedule
    // Every other one a partial fill, so that both the C and the M arrive in the next second.
    const bool partial = split_trades_++ % 2 == 1 && ord.size >= 2;
    const std::uint32_t fill = partial ? 1 + rng_.Below(ord.size - 1) : ord.size;
    Push(out, ts, 'T', buy ? 'B' : 'A', PriceOf(level), fill, 0);
    Push(out, ts, 'F', ord.side, PriceOf(level), fill, ord.id);
    split_fills_.emplace_back(o, fill);
    return;
  }
}

void MboGenerator::PullNearTouch(std::uint64_t ts, char side, std::vector<dbn::MboMsg>& out) {
  const std::vector<Level>& book = side == 'B' ? bids_ : asks_;
  std::int32_t level = side == 'B' ? best_bid_ : best_ask_;
  for (int i = 0; i < kVacuumGapTicks && level >= 0 && level < num_levels_; ++i, level += side == 'B' ? -1 : 1) {
    for (std::int32_t o = book[static_cast<std::size_t>(level)].head; o >= 0;
         o = orders_[static_cast<std::size_t>(o)].next) {
      const Order& ord = orders_[static_cast<std::size_t>(o)];
      if (ord.live_pos < 0) continue;
      Push(out, ts, 'C', ord.side, PriceOf(ord.level), ord.size, ord.id);
      Remove(o);
      return;
    }
  }
}

void MboGenerator::RunAction(const Action& action, std::vector<dbn::MboMsg>& out) {
  const Episode& e = session_.episodes[static_cast<std::size_t>(action.episode)].episode;
  const std::uint64_t ts = action.ts;
  auto cancel_scenario_order = [&](std::int32_t& o) {
    if (o < 0) return;
    const Order& ord = orders_[static_cast<std::size_t>(o)];
    Push(out, ts, 'C', ord.side, PriceOf(ord.level), ord.size, ord.id);
    Remove(o);  // resets o
  };
  switch (action.kind) {
    case ActionKind::kWallAdd: {
      const double fair_abs = FairLevel(ts) + static_cast<double>(base_tick_);
      const double factor = e.side == 'B' ? 1.0 - e.distance_bp * 1e-4 : 1.0 + e.distance_bp * 1e-4;
      auto level = static_cast<std::int32_t>(std::llround(fair_abs * factor) - base_tick_);
      if (e.side == 'B' && HasAsk()) level = std::min(level, best_ask_ - 1);
      if (e.side == 'A' && HasBid()) level = std::max(level, best_bid_ + 1);
      if (level < 0 || level >= num_levels_ || !PriceAllowed(level)) return;
      const std::uint32_t size = e.size_lots * instrument_.flow.lot;
      wall_order_ = NewOrder(next_id_++, e.side, level, size, true);
      wall_side_ = e.side;
      wall_floor_ = level;
      Push(out, ts, 'A', e.side, PriceOf(level), size, orders_[static_cast<std::size_t>(wall_order_)].id);
      break;
    }
    case ActionKind::kWallCancel:
      wall_side_ = 0;
      cancel_scenario_order(wall_order_);
      break;
    case ActionKind::kFlickerOn: {
      if (flicker_order_ >= 0) return;
      std::int32_t level;
      if (e.side == 'B') {
        level = (HasBid() ? best_bid_ : static_cast<std::int32_t>(FairLevel(ts))) - e.distance_ticks;
      } else {
        level = (HasAsk() ? best_ask_ : static_cast<std::int32_t>(FairLevel(ts)) + 1) + e.distance_ticks;
      }
      if (level < 0 || level >= num_levels_ || !PriceAllowed(level)) return;
      const std::uint32_t size = e.size_lots * instrument_.flow.lot;
      flicker_order_ = NewOrder(next_id_++, e.side, level, size, true);
      Push(out, ts, 'A', e.side, PriceOf(level), size, orders_[static_cast<std::size_t>(flicker_order_)].id);
      break;
    }
    case ActionKind::kFlickerOff:
      cancel_scenario_order(flicker_order_);
      break;
    case ActionKind::kUnknownCancel: {
      const char side = (next_unknown_id_ & 1) ? 'A' : 'B';
      const std::int32_t level = side == 'B' ? (HasBid() ? best_bid_ : 0) : (HasAsk() ? best_ask_ : 0);
      Push(out, ts, 'C', side, PriceOf(level), 1 + rng_.Below(5), next_unknown_id_++);
      break;
    }
    case ActionKind::kCrossAdd: {
      if (!HasAsk()) return;
      const std::int32_t level = std::min(num_levels_ - 1, best_ask_ + e.cross_ticks);
      const std::uint32_t size = instrument_.flow.lot;
      cross_order_ = NewOrder(next_id_++, 'B', level, size, true);
      Push(out, ts, 'A', 'B', PriceOf(level), size, orders_[static_cast<std::size_t>(cross_order_)].id);
      break;
    }
    case ActionKind::kCrossCancel:
      cancel_scenario_order(cross_order_);
      break;
    case ActionKind::kFillSplitTrade:
      FillSplitTrade(ts, out);
      break;
    case ActionKind::kFillSplitRemove:
      for (const auto& [o, fill] : split_fills_) RemoveFilled(ts, o, fill, out);
      split_fills_.clear();
      break;
    case ActionKind::kOvernightCancel:
      cancel_scenario_order(overnight_[static_cast<std::size_t>(action.index)]);
      break;
  }
}

void MboGenerator::Snapshot(std::uint64_t ts, std::vector<dbn::MboMsg>& out) const {
  const std::size_t first = out.size();
  Push(out, ts, 'R', 'N', dbn::kUndefPrice, 0, 0);
  for (std::int32_t level = best_bid_; level >= 0; --level) {
    for (std::int32_t o = bids_[static_cast<std::size_t>(level)].head; o >= 0;
         o = orders_[static_cast<std::size_t>(o)].next) {
      const Order& ord = orders_[static_cast<std::size_t>(o)];
      Push(out, ts, 'A', 'B', PriceOf(level), ord.size, ord.id);
    }
  }
  for (std::int32_t level = std::max(0, best_ask_); level < num_levels_ && HasAsk(); ++level) {
    for (std::int32_t o = asks_[static_cast<std::size_t>(level)].head; o >= 0;
         o = orders_[static_cast<std::size_t>(o)].next) {
      const Order& ord = orders_[static_cast<std::size_t>(o)];
      Push(out, ts, 'A', 'A', PriceOf(level), ord.size, ord.id);
    }
  }
  for (std::size_t i = first; i < out.size(); ++i) out[i].flags = dbn::flags::kSnapshot;
  out.back().flags |= dbn::flags::kLast;
}

}  // namespace spymaster::sim
