// The window clock every record source shares (architecture.md § "Window clock and late records").
//
// A session [start, end) is cut into 1-second windows [start + k s, start + (k+1) s), k = 0..N−1, all of
// them emitted, empty or not. The open window closes when a record with ts_event ≥ its end arrives (or
// when a live source's timer says the feed's clock has passed it); windows with no records in between
// close empty, in order. A record stamped before the open window's start is late: the caller applies it
// (the book stays right), counts its flow in the open window and counts it. Records before the first
// window opens only build the book and are never late.
//
// The clock is pure arithmetic on ts_event: files, bronze and live sockets drive it the same way.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "engine/product_config.hpp"

namespace spymaster::engine {

class WindowClock {
 public:
  // Throws std::invalid_argument unless start is on a second and end − start is a positive whole
  // number of seconds.
  WindowClock(int64_t session_start_ns, int64_t session_end_ns)
      : start_(session_start_ns), count_((session_end_ns - session_start_ns) / kWindowNs) {
    const int64_t span = session_end_ns - session_start_ns;
    if (session_start_ns % kWindowNs != 0 || span <= 0 || span % kWindowNs != 0) {
      throw std::invalid_argument("engine session must be a positive whole number of seconds on second boundaries");
    }
  }

  int64_t window_count() const { return count_; }
  int64_t session_start_ns() const { return start_; }
  int64_t session_end_ns() const { return start_ + count_ * kWindowNs; }
  // Index of the open window; −1 before the session's first window opened, window_count() once the last closed.
  int64_t open_index() const { return open_; }
  bool is_open() const { return open_ >= 0 && open_ < count_; }
  bool finished() const { return open_ >= count_; }
  int64_t open_start_ns() const { return start_ + open_ * kWindowNs; }
  int64_t open_end_ns() const { return open_start_ns() + kWindowNs; }
  // The end of the window that closes next (the open one; the first before it opens), or INT64_MAX once
  // every window has closed.
  int64_t next_close_ns() const {
    return finished() ? std::numeric_limits<int64_t>::max() : open_ < 0 ? start_ + kWindowNs : open_end_ns();
  }
  // A record at ts would close more than one window: it lies a whole window or more past the end of the
  // window that closes next, and that is not the session's last.
  bool ClosesSeveral(int64_t ts) const {
    const int64_t next = next_close_ns();
    return next < session_end_ns() && ts - next >= kWindowNs;
  }

  // A record at ts is late when a window is open and ts lies before its start.
  bool IsLate(int64_t ts) const { return is_open() && ts < open_start_ns(); }

  // Moves the clock to ts: opens the first window once ts reaches the session start, then for every open
  // window whose end is ≤ ts calls on_close(k) and opens the next (on_open(k + 1)), until the window
  // holding ts is open or the session is over. on_open(0) is called when the first window opens.
  template <class OnClose, class OnOpen>
  void AdvanceTo(int64_t ts, OnClose&& on_close, OnOpen&& on_open) {
    if (open_ < 0) {
      if (ts < start_) return;
      open_ = 0;
      on_open(int64_t{0});
    }
    while (open_ < count_ && ts >= open_end_ns()) {
      on_close(open_);
      ++open_;
      if (open_ < count_) on_open(open_);
    }
  }

 private:
  int64_t start_;
  int64_t count_;
  int64_t open_ = -1;
};

}  // namespace spymaster::engine
