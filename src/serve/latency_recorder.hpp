// Close-to-socket latency of engine-driven windows (compute and live sources): from the moment the
// engine closed a window to the moment its last message was written to a client's socket, one sample per
// (window, client). Thread-safe; keeps the newest kMaxSamples samples for percentiles (GET /v1/stats).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <vector>

namespace spymaster::serve {

struct LatencySummary {
  int64_t count = 0;  // samples ever recorded
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;    // of the kept samples
  int64_t over_1ms = 0;  // kept samples above 1 ms (issue 13's bound), which a percentile alone hides
};

class LatencyRecorder {
 public:
  static constexpr std::size_t kMaxSamples = 1 << 16;

  void Add(int64_t ns) {
    std::lock_guard lock(mutex_);
    if (samples_.size() < kMaxSamples) {
      samples_.push_back(ns);
    } else {
      samples_[static_cast<std::size_t>(count_) % kMaxSamples] = ns;
    }
    ++count_;
  }

  LatencySummary Summary() const {
    std::vector<int64_t> s;
    LatencySummary out;
    {
      std::lock_guard lock(mutex_);
      s = samples_;
      out.count = count_;
    }
    if (s.empty()) return out;
    std::sort(s.begin(), s.end());
    auto at = [&](double q) {  // nearest rank
      const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(s.size())));
      return s[std::clamp<std::size_t>(rank, 1, s.size()) - 1];
    };
    out.p50_ns = at(0.50);
    out.p99_ns = at(0.99);
    out.max_ns = s.back();
    out.over_1ms = s.end() - std::upper_bound(s.begin(), s.end(), int64_t{1'000'000});
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<int64_t> samples_;
  int64_t count_ = 0;
};

}  // namespace spymaster::serve
