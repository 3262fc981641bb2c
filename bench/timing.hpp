// Best-of-N timing for `spymaster bench`. Rates are reported per CPU second (process CPU time, which holds
// steady on a machine shared with other jobs) and per wall second.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>

namespace spymaster::bench {

inline double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 1e300;  // seconds
  double cpu = 1e300;
};

// Runs fn `repeat` times (at least once) and keeps the best wall and the best CPU time.
template <class Fn>
Timing BestOf(int repeat, Fn&& fn) {
  Timing best;
  for (int i = 0; i < std::max(1, repeat); ++i) {
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    fn();
    best.cpu = std::min(best.cpu, CpuSeconds() - cpu0);
    best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count());
  }
  return best;
}

}  // namespace spymaster::bench
