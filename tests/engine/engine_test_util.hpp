// Helpers shared by the engine tests: event construction and running an engine to completion.
#pragma once

#include <vector>

#include "book/mbo_event.hpp"
#include "engine/engine.hpp"

namespace spymaster::engine::test_util {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kTick = 250'000'000;
constexpr int64_t kDollar = 1'000'000'000;

inline book::MboEvent Ev(int64_t ts, char action, char side, int64_t price, uint32_t size, uint64_t id,
                         uint8_t flags = 0, uint32_t sequence = 0) {
  book::MboEvent e;
  e.ts_event = static_cast<uint64_t>(ts);
  e.action = action;
  e.side = side;
  e.price = price;
  e.size = size;
  e.order_id = id;
  e.flags = flags;
  e.sequence = sequence;
  return e;
}

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
