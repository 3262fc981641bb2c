// A deterministic, valid, ES-like MBO event stream for tests and benchmarks (`spymaster bench book|engine`),
// so the engine can be exercised and measured without data files. Shape of a busy ES hour: ~10k live
// orders concentrated near the touch, adds/cancels dominating, modifies, fills (T, F, then C as CME sends
// them) and a mid that moves a tick at a time by sweeping a level. Not a market simulator (that is src/sim); only
// realistic load.
#pragma once

#include <cstdint>
#include <vector>

#include "book/mbo_event.hpp"

namespace spymaster::support {

struct SyntheticStreamOptions {
  uint64_t seed = 1;
  int64_t events = 5'000'000;
  int64_t start_ns = 1'767'709'800'000'000'000;  // 2026-01-06 14:30:00 UTC (09:30 ET)
  int64_t duration_ns = 3'600'000'000'000;       // one hour
  int64_t tick = 250'000'000;
  int64_t mid_price = 6'000'000'000'000;  // $6000
  int32_t target_live_orders = 10'000;
};

std::vector<book::MboEvent> SyntheticMboStream(const SyntheticStreamOptions& options);

}  // namespace spymaster::support
