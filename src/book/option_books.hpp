// The L3 books of every option instrument of one underlying (ES 0DTE options: hundreds to thousands of
// instruments a day), with the event semantics and flow attribution of book::Book (silver.md Part 1
// "Option rules"; the rules themselves are book/order_events.hpp, shared by both), per instrument: R
// clear + snapshot, validity, the off-grid check against the instrument's own tick. Orders are keyed by
// (instrument_id, order_id).
//
// Why not one book::Book per instrument: its dense level window and order table are sized for one busy
// futures book (hundreds of KiB each); an option book holds a handful of levels. Here levels are a small
// sorted vector per instrument side (best at the back, so the touch moves without shifting), and the
// order pool, order table and arrival ring are shared by all instruments. Levels need no price grid, so
// the tick only feeds the off-grid counter (a price that is not a multiple of it is counted and kept).
//
// Instruments are registered up front (AddInstrument, in increasing instrument_id); a record for an
// instrument that was never registered is counted (unknown_instrument) and ignored. Apply() neither
// throws nor allocates beyond amortized growth of the shared pools and the per-instrument level vectors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "book/arrival_ring.hpp"
#include "book/book_delta.hpp"
#include "book/fixed_divisor.hpp"
#include "book/mbo_event.hpp"
#include "book/order_map.hpp"
#include "book/order_pool.hpp"

namespace spymaster::book {

// 12 bytes at 4-byte alignment, so a map entry (key + slot) is 16 bytes: four per cache line.
struct __attribute__((packed, aligned(4))) OptionOrderKey {
  uint64_t order_id = 0;
  uint32_t instrument_id = 0;
  bool operator==(const OptionOrderKey& o) const { return order_id == o.order_id && instrument_id == o.instrument_id; }
};
static_assert(sizeof(OptionOrderKey) == 12);
inline uint64_t SlotHash(const OptionOrderKey& k) {
  return (k.order_id ^ (uint64_t{k.instrument_id} * 0xC2B2AE3D27D4EB4Full)) * 0x9E3779B97F4A7C15ull;
}

// The futures book's counters (off_grid_price against each instrument's tick) and the instrument check.
struct OptionBooksCounters : BookCounters {
  int64_t unknown_instrument = 0;  // no definition for the record's instrument
};

struct OptionLevel {
  int64_t price;
  int64_t qty;
};

class OptionBooks {
 public:
  static constexpr uint32_t kNoInstrument = 0xFFFFFFFFu;
  static constexpr bool kTracksResting = true;

  // `expected_orders` only sizes the start: the order table doubles as needed, and a table that is no
  // larger than the live orders need keeps their probes in cache (records of hundreds of instruments
  // interleave, so every probe lands on a different line).
  explicit OptionBooks(int64_t rest_ns = 500'000'000, std::size_t expected_orders = 1 << 10);

  // Registers an instrument with its price tick (min_price_increment; 0 when unknown: prices are then not
  // checked); returns its index (0, 1, ... in registration order). Ids must increase.
  uint32_t AddInstrument(uint32_t instrument_id, int64_t tick = 0);
  std::size_t instrument_count() const { return books_.size(); }
  uint32_t instrument_id(uint32_t index) const { return books_[index].instrument_id; }
  uint32_t IndexOf(uint32_t instrument_id) const;  // kNoInstrument when not registered

  // Applies one record; *index is set to the instrument's index (kNoInstrument when unknown).
  BookDelta Apply(const MboEvent& event, uint32_t* index);
  // Warms the cache for a record a few records ahead, changing nothing: stage 0 starts loading its order
  // table entry and its instrument, stage 1 (some records later, when those have arrived) the order slot
  // and the level lines the instrument points at. Records of hundreds of instruments interleave, so each
  // record's lookups miss otherwise.
  void Prefetch(const MboEvent& event, int stage) const;

  bool valid(uint32_t index) const { return books_[index].valid; }
  // Every instrument's book is valid.
  bool all_valid() const { return invalid_ == 0; }
  int64_t BestBid(uint32_t index) const { return Best(index, 0).price; }
  int64_t BestAsk(uint32_t index) const { return Best(index, 1).price; }
  int64_t BestBidQty(uint32_t index) const { return Best(index, 0).qty; }
  int64_t BestAskQty(uint32_t index) const { return Best(index, 1).qty; }
  int64_t TotalDepth(uint32_t index, char side) const { return books_[index].depth[side == 'B' ? 0 : 1]; }
  int64_t Depth(uint32_t index, char side, int64_t price) const;
  std::size_t OrderCount() const { return map_.size(); }
  const OptionBooksCounters& counters() const { return counters_; }
  std::vector<std::pair<std::string, int64_t>> CounterList() const;

  // Calls fn(index, side, price, remaining) for every live order that arrived at its price after `since`
  // (strictly). Forgets entries at or before `since`: callers pass non-decreasing values.
  template <class Fn>
  void ForEachYoungOrder(uint64_t since, Fn&& fn);

 private:
  struct alignas(64) Slot {  // one cache line
    OptionOrderKey key;
    int64_t price;
    uint64_t ts_at_price;
    uint64_t epoch;  // 0 when free
    uint32_t remaining;
    uint32_t pending_fill;
    uint32_t index;  // instrument index
    char side;
  };
  struct Instrument {
    Instrument(uint32_t id, int64_t tick_int) : instrument_id(id), tick(tick_int > 0 ? tick_int : 1) {}
    uint32_t instrument_id;
    FixedDivisor tick;                   // 1 when unknown: every price is on it
    std::vector<OptionLevel> levels[2];  // 0 bids ascending, 1 asks descending: best at the back
    int64_t depth[2] = {0, 0};
    uint32_t orders = 0;  // live
    bool valid = true;
    bool in_snapshot = false;
  };
  class EventHost;  // binds book/order_events.hpp to one instrument's book

  OptionLevel Best(uint32_t index, int side) const {
    const auto& l = books_[index].levels[side];
    return l.empty() ? OptionLevel{0, 0} : l.back();
  }

  void LevelAdd(Instrument& inst, char side, int64_t price, int64_t qty);
  int64_t LevelRemove(Instrument& inst, char side, int64_t price, int64_t qty);
  void Free(uint32_t slot);
  void Clear(uint32_t index);
  void SetValid(Instrument& inst, bool valid);

  int64_t rest_ns_;
  std::vector<Instrument> books_;
  OrderMap instruments_;  // instrument_id → index
  SlotMap<OptionOrderKey> map_;
  OrderPool<Slot> pool_;
  ArrivalRing arrivals_;
  int64_t invalid_ = 0;
  OptionBooksCounters counters_;
};

template <class Fn>
void OptionBooks::ForEachYoungOrder(uint64_t since, Fn&& fn) {
  arrivals_.ForEachSince(since, pool_, [&](uint32_t slot) {
    const Slot& o = pool_[slot];
    fn(o.index, o.side, o.price, static_cast<int64_t>(o.remaining));
  });
}

}  // namespace spymaster::book
