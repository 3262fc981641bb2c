// The consolidated top of book (OPRA CMBP-1) of every option instrument of one underlying, with the add
// and pull inference of silver.md Part 2 §6 per side: from an empty side to a quote = add of its size;
// to empty = pull of the old size; same price = add or pull of the size change; new price = pull of
// the old size at the old price and add of the new size at the new price. A side is empty when its
// price ≤ 0 (or null) or its size ≤ 0. Fills and resting time are not observable from CMBP-1: none are
// reported.
//
// Records arrive as one MboEvent per side (action 'Q', side B or A, price, size: "the top of this side
// is now price × size"), so CMBP-1 goes through the same sources, merge and Drive loop as MBO. Apply()
// neither throws nor allocates. The interface mirrors book::OptionBooks where the option engine uses it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "book/book.hpp"
#include "book/mbo_event.hpp"
#include "book/order_map.hpp"

namespace spymaster::book {

inline constexpr char kQuoteAction = 'Q';

struct QuoteTopsCounters {
  int64_t updates = 0;
  int64_t unknown_instrument = 0;
  int64_t bad_action = 0;    // not a Q record
  int64_t bad_side = 0;      // side not B or A
  int64_t crossed_tops = 0;  // updates after which best bid ≥ best ask (kept; the snapshot row is skipped)
};

class QuoteTops {
 public:
  static constexpr uint32_t kNoInstrument = 0xFFFFFFFFu;
  static constexpr bool kTracksResting = false;

  QuoteTops() : instruments_(1 << 6) {}

  uint32_t AddInstrument(uint32_t instrument_id);
  std::size_t instrument_count() const { return tops_.size(); }
  uint32_t instrument_id(uint32_t index) const { return tops_[index].instrument_id; }
  uint32_t IndexOf(uint32_t instrument_id) const {
    const uint32_t i = instruments_.Find(instrument_id);
    return i == OrderMap::kNone ? kNoInstrument : i;
  }

  BookDelta Apply(const MboEvent& event, uint32_t* index);
  bool valid(uint32_t) const { return true; }  // CMBP-1 has no clear
  bool all_valid() const { return true; }
  int64_t BestBid(uint32_t index) const { return tops_[index].price[0]; }
  int64_t BestAsk(uint32_t index) const { return tops_[index].price[1]; }
  int64_t TotalDepth(uint32_t index, char side) const { return tops_[index].size[side == 'B' ? 0 : 1]; }
  const QuoteTopsCounters& counters() const { return counters_; }
  std::vector<std::pair<std::string, int64_t>> CounterList() const;

  template <class Fn>
  void ForEachYoungOrder(uint64_t, Fn&&) {}

 private:
  struct Top {
    uint32_t instrument_id;
    int64_t price[2] = {0, 0};  // 0 B, 1 A; 0 when the side is empty
    int64_t size[2] = {0, 0};
  };

  std::vector<Top> tops_;
  OrderMap instruments_;
  // The last record's instrument: a CMBP-1 row is a bid and an ask record of one instrument.
  uint32_t last_id_ = 0;
  uint32_t last_index_ = kNoInstrument;
  QuoteTopsCounters counters_;
};

}  // namespace spymaster::book
