// Order-by-order flow of one instrument's book, as CME/Nasdaq MBO records. The book is real (FIFO
// queues per price level), so every cancel, modify and fill refers to a live order. Flow: Poisson event
// times with the market's intraday intensity; adds around the latent fair price, thicker a few ticks
// away from the touch; uniform-random cancels (so most adds end cancelled); marketable orders that hit
// the oldest order at a level first, written CME-style: T (aggressor), F per resting order in time
// priority, then C (fully filled) or M (partly filled) of each resting order. The primary instrument of
// a product also plays the scenario: wall, vacuum, flicker, unknown-id cancels, the crossed moment, and
// the feed's edge cases: adds stamped late, fills whose C/M falls in the next second, partial cancels
// sent as C, orders resting since the opening snapshot.
//
// Late adds keep every book valid in both orders a reader may use, arrival (the file, ts_recv) and
// (ts_event, sequence): only adds of fresh order ids are stamped late, and every later record of that
// id is generated after the add's arrival, so its ts_event is above the add's in both orders; an add is
// not stamped late across a clear (its lagged ts_event would move it before the R that precedes it).
#pragma once

#include <cstdint>
#include <vector>

#include "dbn/record.hpp"
#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/rng.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {

class MboGenerator {
 public:
  // Builds the resting book as it stands at the opening snapshot. `order_id_base` keeps ids unique
  // within a file; ids at or above `order_id_base + kUnknownIdOffset` are never added.
  MboGenerator(const Instrument& instrument, const MarketPath& path, const Session& session, double scale, Rng rng,
               std::uint64_t order_id_base);

  static constexpr std::uint64_t kUnknownIdOffset = 900'000'000;

  // Time of the next event; UINT64_MAX once nothing is left before the close.
  std::uint64_t next_ts() const;
  // Appends the records of the next event (possibly none) to `out`; the last record carries F_LAST.
  // Only ts_event, order_id, price, size, flags, action and side are set, and ts_recv for an add stamped
  // late (it then holds the add's arrival, later than its ts_event); the caller fills the rest.
  void Step(std::vector<dbn::MboMsg>& out);
  // Clear (R) then every resting order in queue order as F_SNAPSHOT adds; the last record has F_LAST.
  void Snapshot(std::uint64_t ts, std::vector<dbn::MboMsg>& out) const;

  const Instrument& instrument() const { return instrument_; }

 private:
  struct Order {
    std::uint64_t id;
    std::uint32_t size;
    std::int32_t level;
    std::int32_t prev, next;
    std::int32_t live_pos;  // index in live_, −1 for scenario orders (never randomly cancelled)
    char side;
  };
  struct Level {
    std::int32_t head = -1, tail = -1;
    std::int64_t qty = 0;
  };
  enum class ActionKind {
    kWallAdd,
    kWallCancel,
    kFlickerOn,
    kFlickerOff,
    kUnknownCancel,
    kCrossAdd,
    kCrossCancel,
    kFillSplitTrade,
    kFillSplitRemove,
    kOvernightCancel,
  };
  struct Action {
    std::uint64_t ts;
    ActionKind kind;
    int episode;    // index into session_.episodes
    int index = 0;  // overnight_orders: which order
  };

  double FairLevel(std::uint64_t ts) const;  // fair price in level units (fractional)
  std::int64_t PriceOf(std::int32_t level) const { return (base_tick_ + level) * instrument_.tick; }
  // Calendar spreads trade at negative prices; everything else needs a positive one.
  bool PriceAllowed(std::int32_t level) const { return instrument_.instrument_class == 'S' || base_tick_ + level > 0; }
  bool HasBid() const { return best_bid_ >= 0; }
  bool HasAsk() const { return best_ask_ < num_levels_; }
  std::uint32_t SampleSize();
  int SampleDepth();
  bool VacuumPulls(char side, std::uint64_t ts) const;
  // The episode of `episodes` running at ts, if any.
  static const Episode* Running(const std::vector<const TimedEpisode*>& episodes, std::uint64_t ts);
  // Whether a clear (the opening one or a clear_snapshot episode) falls in [from, to].
  bool ClearWithin(std::uint64_t from, std::uint64_t to) const;
  // Gives the add `m` (just pushed) a ts_event lagging its arrival, with the episode's probability.
  void MaybeStampLate(const Episode& late, dbn::MboMsg& m);
  void ScheduleNextRandom(std::uint64_t after);

  std::int32_t NewOrder(std::uint64_t id, char side, std::int32_t level, std::uint32_t size, bool scenario);
  void Link(std::int32_t o);
  void Unlink(std::int32_t o);
  void Remove(std::int32_t o);
  void RescanBest(char side);

  void RandomEvent(std::uint64_t ts, std::vector<dbn::MboMsg>& out);
  void Add(std::uint64_t ts, char side, double fair, std::vector<dbn::MboMsg>& out);
  void Cancel(std::uint64_t ts, std::int32_t o, std::vector<dbn::MboMsg>& out);
  void Modify(std::uint64_t ts, std::vector<dbn::MboMsg>& out);
  // A marketable order of `size` sweeping the opposite side up to `limit` (levels, inclusive).
  void Sweep(std::uint64_t ts, bool buy, std::int32_t limit, std::uint64_t size, std::vector<dbn::MboMsg>& out);
  // The C (fully filled) or M (partly filled) that takes a fill out of the book.
  void RemoveFilled(std::uint64_t ts, std::int32_t o, std::uint32_t fill, std::vector<dbn::MboMsg>& out);
  // T and F for the head order of one side's touch; the C/M waits for kFillSplitRemove.
  void FillSplitTrade(std::uint64_t ts, std::vector<dbn::MboMsg>& out);
  void PullNearTouch(std::uint64_t ts, char side, std::vector<dbn::MboMsg>& out);
  void RunAction(const Action& action, std::vector<dbn::MboMsg>& out);

  static void Push(std::vector<dbn::MboMsg>& out, std::uint64_t ts, char action, char side, std::int64_t price,
                   std::uint32_t size, std::uint64_t order_id);

  const Instrument& instrument_;
  const MarketPath& path_;
  const Session& session_;
  Rng rng_;
  double rate_ns_;  // events per ns at activity 1
  std::int32_t num_levels_;
  std::int64_t base_tick_;  // absolute tick of level 0
  std::vector<Level> bids_, asks_;
  std::vector<Order> orders_;
  std::vector<std::int32_t> free_;
  std::vector<std::int32_t> live_;
  std::int32_t best_bid_ = -1, best_ask_;
  std::int64_t bid_orders_ = 0, ask_orders_ = 0;
  std::uint64_t next_id_;
  std::uint64_t next_unknown_id_;
  std::vector<double> depth_cdf_;
  std::vector<std::pair<std::int32_t, std::uint32_t>> fills_;  // (order, filled qty) of the current sweep

  std::uint64_t next_random_ts_ = 0;
  std::vector<Action> actions_;
  std::size_t next_action_ = 0;
  std::int32_t wall_order_ = -1, flicker_order_ = -1, cross_order_ = -1;
  std::int32_t wall_floor_ = 0;  // level the fair price may not cross while a wall stands
  char wall_side_ = 0;           // 0 = no active wall

  std::vector<std::uint64_t> clears_;  // the opening snapshot and every clear_snapshot episode
  // Closed intervals with no random flow on this instrument (the crossed moment, split fills' gaps),
  // sorted; random event times only grow, so intervals before next_frozen_ are behind for good.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> frozen_;
  std::size_t next_frozen_ = 0;
  std::vector<const TimedEpisode*> late_episodes_, partial_cancel_episodes_;  // primary instrument only
  std::vector<std::pair<std::int32_t, std::uint32_t>> split_fills_;           // (order, filled) awaiting their C/M
  int split_trades_ = 0;
  std::vector<std::int32_t> overnight_;  // overnight_orders' orders, −1 once gone
};

}  // namespace spymaster::sim
