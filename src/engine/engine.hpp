// The incremental MBO engine: records go in one at a time; each time a 1-second session window closes,
// the engine hands that window's silver rows (book_snapshot_1s, depth_and_flow_1s) and gold rows
// (physics_surface_1s) to the sink as one immutable WindowResult. Every source (raw DBN file, bronze,
// live socket) drives it through engine::Drive; there is no other implementation of this math.
//
// Windows follow engine::WindowClock: the session [start, end) is cut into N = (end - start) / 1 s
// windows, all emitted, empty or not. Records before the first window only build the book; a record
// stamped before the open window's start is late (applied, its flow counted in the open window, counted
// in late_records); records at or after end are not used. spot_ref is resolved from the book at window
// start, before the window's records (silver.md Part 2 §3.6).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "book/book.hpp"
#include "book/mbo_event.hpp"
#include "engine/gold_state.hpp"
#include "engine/product_config.hpp"
#include "engine/rows.hpp"
#include "engine/window_clock.hpp"

namespace spymaster::engine {

struct EngineOptions {
  int64_t session_start_ns = 0;  // multiple of 1 s
  int64_t session_end_ns = 0;    // exclusive; end - start a multiple of 1 s
  uint32_t instrument_id = 0;    // 0: accept every record; else others are counted and skipped
  bool compute_gold = true;
  std::size_t expected_orders = 1 << 12;  // sizing hint only; the table grows (small stays in cache)
};

struct EngineCounters {
  int64_t records = 0;
  int64_t out_of_order = 0;  // (ts_event, sequence) lower than the previous record's
  int64_t late = 0;          // ts_event before the open window's start (applied, counted there)
  int64_t other_instrument = 0;
  int64_t after_session = 0;  // records at or after session end (not used)
  int64_t windows = 0;
  int64_t windows_invalid = 0;  // window_valid false
  int64_t windows_without_spot = 0;
  int64_t crossed_windows = 0;  // best bid >= best ask at window end
  int64_t depth_flow_rows = 0;
  int64_t gold_rows = 0;
};

class Engine {
 public:
  // Receives each closed window. The result is immutable and may be kept or handed to other threads;
  // the engine reuses a result's storage only when no sink kept it.
  using Sink = std::function<void(const WindowPtr&)>;

  Engine(const ProductConfig& product, const EngineOptions& options, Sink sink);

  void OnEvent(const book::MboEvent& event);
  // Closes every session window whose end is <= ts (a live source calls this on its clock).
  void CloseThrough(int64_t ts);
  // Closes every remaining session window (end of input).
  void Finish() { CloseThrough(clock_.session_end_ns()); }
  // Closes the next window alone (engine::Feeder: a record past a gap, or the end of input, closes its
  // windows one at a time for a consumer that takes them one at a time).
  void CloseNext() { CloseThrough(clock_.next_close_ns()); }
  // Feeding `event` would close more than one window.
  bool ClosesSeveral(const book::MboEvent& event) const {
    return (options_.instrument_id == 0 || event.instrument_id == options_.instrument_id) &&
           clock_.ClosesSeveral(static_cast<int64_t>(event.ts_event));
  }
  // Every session window has closed: later records cannot change any output.
  bool finished() const { return clock_.finished(); }

  const book::Book& book() const { return book_; }
  // spot_ref of the open window, resolved at its start (0 when no window is open or the book is empty).
  int64_t open_spot_ref() const { return clock_.is_open() ? spot_ref_ : 0; }
  const EngineCounters& counters() const { return counters_; }
  int64_t window_count() const { return clock_.window_count(); }
  // Book and engine counters by name, for the manifest and the log.
  std::vector<std::pair<std::string, int64_t>> CounterList() const;

 private:
  void OpenWindow(int64_t k);
  void CloseWindow();
  void Accumulate(const book::BookDelta& delta);
  // Cell index within a side (0..2·half_width) for a price, or -1 outside the band.
  int32_t CellOf(int64_t price) const;
  int64_t ResolveSpotRef() const;

  ProductConfig product_;
  EngineOptions options_;
  Sink sink_;
  book::Book book_;
  GoldState gold_;
  EngineCounters counters_;
  WindowClock clock_;
  uint64_t last_ts_ = 0;
  uint32_t last_sequence_ = 0;

  // Open window state.
  book::FixedDivisor cell_;  // the silver cell width: cell lookups without a division per event
  int64_t window_start_ = 0;
  int64_t spot_ref_ = 0;
  int64_t best_bid_start_ = 0;
  int64_t best_ask_start_ = 0;
  bool window_has_snapshot_ = false;
  int64_t window_late_ = 0;
  int32_t cells_;  // per side
  // Per cell, index side * cells_ + cell with side 0 = B, 1 = A.
  std::vector<double> add_, pull_, pull_rest_, fill_, depth_end_, young_;
  std::vector<uint8_t> touched_;

  std::shared_ptr<WindowResult> result_;  // the next window's result (recycled when no sink kept it)
};

}  // namespace spymaster::engine
