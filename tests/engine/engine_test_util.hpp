// Helpers shared by the engine tests: event construction and running an engine to completion.
#pragma once

#include <vector>

#include "book/mbo_event.hpp"
#include "engine/engine.hpp"
#include "support/mbo_events.hpp"

namespace spymaster::engine::test_util {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kTick = 250'000'000;
constexpr int64_t kDollar = 1'000'000'000;

using support::Ev;

inline EngineOptions Session(int64_t start_s, int64_t end_s, bool gold = true) {
  EngineOptions o;
  o.session_start_ns = start_s * kSec;
  o.session_end_ns = end_s * kSec;
  o.compute_gold = gold;
  return o;
}

// Feeds every event, then Finish(); returns a copy of every window's result.
inline std::vector<WindowResult> RunEngine(const ProductConfig& product, const EngineOptions& options,
                                           const std::vector<book::MboEvent>& events,
                                           EngineCounters* counters = nullptr) {
  std::vector<WindowResult> out;
  Engine engine(product, options, [&](const WindowPtr& r_ptr) {
    const WindowResult& r = *r_ptr;
    out.push_back(r);
  });
  for (const auto& e : events) engine.OnEvent(e);
  engine.Finish();
  if (counters) *counters = engine.counters();
  return out;
}

}  // namespace spymaster::engine::test_util
