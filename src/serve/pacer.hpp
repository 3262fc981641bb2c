// When each window is due on the wire (stream.md Part 1 pacing), on a caller-supplied clock so tests need
// no timers. At speed s the window ending at ts is due (ts - previous ts) / s after the previous window's
// due time, so a server that falls behind catches up instead of drifting; the first window after a
// start, resume or seek is due at once; "max" (nullopt) makes every window due at once.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace spymaster::serve {

class Pacer {
 public:
  explicit Pacer(std::optional<double> speed) : speed_(speed) {}

  // Wall time (ns) at which the window ending at ts is due.
  int64_t Due(int64_t ts, int64_t now) const {
    if (!started_ || !speed_) return now;
    const double gap = static_cast<double>(std::max<int64_t>(0, ts - last_ts_)) / *speed_;
    return last_due_ + static_cast<int64_t>(std::llround(gap));
  }
  // The window ending at ts went out; `due` is what Due returned for it.
  void Sent(int64_t ts, int64_t due) {
    started_ = true;
    last_ts_ = ts;
    last_due_ = due;
  }
  // A new speed applies from now: the next window is due its gap at the new speed after now.
  void SetSpeed(std::optional<double> speed, int64_t now) {
    speed_ = speed;
    if (started_) last_due_ = now;
  }
  // After a pause or a seek: the next window is due at once, then pacing resumes from it.
  void Restart() { started_ = false; }

  std::optional<double> speed() const { return speed_; }

 private:
  std::optional<double> speed_;
  bool started_ = false;
  int64_t last_ts_ = 0;
  int64_t last_due_ = 0;
};

}  // namespace spymaster::serve
