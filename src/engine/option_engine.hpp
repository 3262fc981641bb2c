// One engine per underlying holding all its option books (architecture.md, Options). Records of the
// underlying (MboEvent::origin 0) go to an inner engine::Engine; records of its options (origin 1) go to
// the option books: book::OptionBooks for MBO options (OptionEngine, ES), book::QuoteTops for CMBP-1
// top-of-book options (QuoteOptionEngine, OPRA; no resting depth, so depth_qty_rest is 0). Both advance on every
// record's ts_event, the underlying first, so the underlying's window k has opened (its spot_ref resolved) before
// option window k opens, and has closed before option window k closes. Option window k maps its flow and depth onto the
// strike grid around that spot_ref.
//
// Per window (silver.md Part 1 "Option rules"): a snapshot row per instrument whose book is two-sided and
// not locked or crossed (by instrument_id); with spot_ref > 0 the dense grid of (2·max_offset + 1) strike
// offsets × rights (C, P) × sides (A, B) with the full end-of-window depth of every book, and its gold.
// Strike offset = round_half_even((strike − spot_ref) / step) on the 1e-9 integers, clipped to
// ±max_offset (far strikes fold into the edge rows).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "book/fixed_divisor.hpp"
#include "book/mbo_event.hpp"
#include "book/option_books.hpp"
#include "book/quote_tops.hpp"
#include "engine/engine.hpp"
#include "engine/option_gold.hpp"
#include "engine/option_rows.hpp"
#include "engine/window_clock.hpp"

namespace spymaster::engine {

struct OptionGrid {
  int64_t strike_step;         // ES $5, equities $1 (1e-9 units)
  int32_t max_offset;          // ES 10, equities 25
  int32_t rel_ticks_per_step;  // ES 20 ($0.25 ticks), equities 2 ($0.50 buckets)
};
constexpr OptionGrid EsOptionGrid() { return OptionGrid{5'000'000'000, 10, 20}; }
constexpr OptionGrid EquityOptionGrid() { return OptionGrid{1'000'000'000, 25, 2}; }

struct OptionInstrument {
  uint32_t instrument_id = 0;
  char right = 'C';  // C or P
  int64_t strike = 0;
  int64_t tick = 0;  // min_price_increment (1e-9); 0 when the source has none (premiums are then not checked)
};

struct OptionEngineCounters {
  int64_t strikes_off_grid = 0;  // instruments whose strike is not a multiple of the grid's step (still mapped)
  int64_t records = 0;
  int64_t option_records = 0;
  int64_t late = 0;
  int64_t after_session = 0;
  int64_t windows = 0;
  int64_t windows_invalid = 0;
  int64_t windows_without_spot = 0;
  int64_t snapshot_rows = 0;
  int64_t flow_rows = 0;
  int64_t gold_rows = 0;
};

template <class Books>
class BasicOptionEngine {
 public:
  using Sink = std::function<void(const OptionWindowPtr&)>;

  // `instruments` in any order (rights must be C or P; throws std::invalid_argument otherwise or on a
  // duplicate id). `underlying_sink` (optional) receives the underlying engine's windows, with their gold
  // when `underlying_gold` (the stream's compute source sends both surfaces from one pass).
  BasicOptionEngine(const ProductConfig& underlying, const OptionGrid& grid, const EngineOptions& options,
                    std::vector<OptionInstrument> instruments, Sink sink, Engine::Sink underlying_sink = nullptr,
                    bool underlying_gold = false);

  void OnEvent(const book::MboEvent& event);
  // A record a few ahead of the next OnEvent (record_source.hpp Feeder): warms the option books' cache.
  // Only books that prefetch (MBO); CMBP-1 tops of a day fit in cache, and the lookups would cost more.
  void Prefetch(const book::MboEvent& event, int stage) const {
    if constexpr (requires { books_.Prefetch(event, stage); }) {
      if (event.origin != 0) books_.Prefetch(event, stage);
    }
  }
  void CloseThrough(int64_t ts);
  void Finish() { CloseThrough(clock_.session_end_ns()); }
  // As Engine's: the next window (option and underlying) alone, and whether `event` would close several.
  void CloseNext() { CloseThrough(clock_.next_close_ns()); }
  bool ClosesSeveral(const book::MboEvent& event) const {
    return clock_.ClosesSeveral(static_cast<int64_t>(event.ts_event));
  }
  bool finished() const { return clock_.finished(); }

  const Books& books() const { return books_; }
  const Engine& underlying() const { return underlying_; }
  const OptionEngineCounters& counters() const { return counters_; }
  std::size_t cells() const { return static_cast<std::size_t>(cells_); }
  std::vector<std::pair<std::string, int64_t>> CounterList() const;

 private:
  // A grid row's flow in the open window (one line per event: the four sums sit together).
  struct Flow {
    double add = 0.0;
    double pull = 0.0;
    double pull_rest = 0.0;
    double fill = 0.0;
  };

  void OpenWindow(int64_t k);
  void CloseWindow();
  // Maps every instrument's strike onto the grid around spot_ref_ (row_of_).
  void MapStrikes();
  // The grid row of (offset cell, right, side): ascending offset, then right C, P, then side A, B.
  static std::size_t Row(int32_t cell, std::size_t right, char side) {
    return (static_cast<std::size_t>(cell) * 2 + right) * 2 + SideOffset(side);
  }
  static std::size_t SideOffset(char side) { return side == 'A' ? 0 : 1; }

  OptionGrid grid_;
  EngineOptions options_;
  Sink sink_;
  Engine underlying_;
  Books books_;
  OptionGoldState gold_;
  WindowClock clock_;
  OptionEngineCounters counters_;
  int64_t rest_ns_;
  // The first ts at which CloseThrough has a boundary to cross (both clocks share their boundaries), so
  // the records between boundaries skip it.
  int64_t next_boundary_;
  int32_t cells_;                       // strike offsets per right and side
  book::FixedDivisor strike_step_;      // grid_.strike_step without a division per instrument
  std::vector<OptionInstrument> meta_;  // by instrument index (increasing instrument_id)

  // Open window state.
  int64_t window_start_ = 0;
  int64_t spot_ref_ = 0;
  bool window_has_snapshot_ = false;
  int64_t window_late_ = 0;
  // Per instrument index: its side-A grid row for spot_ref_ (side B is the next row), or −1 when spot_ref_
  // is 0. Recomputed only when spot_ref_ changes.
  std::vector<int32_t> row_of_;
  std::vector<Flow> flow_;                 // per grid row
  std::vector<double> depth_end_, young_;  // per grid row, filled at window close
  std::shared_ptr<OptionWindowResult> result_;
};

using OptionEngine = BasicOptionEngine<book::OptionBooks>;
using QuoteOptionEngine = BasicOptionEngine<book::QuoteTops>;
extern template class BasicOptionEngine<book::OptionBooks>;
extern template class BasicOptionEngine<book::QuoteTops>;

}  // namespace spymaster::engine
