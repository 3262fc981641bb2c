// libFuzzer target for the book + engine: any sequence of MBO events (any action or side byte, extreme or
// negative prices, sizes up to UINT32_MAX, timestamps anywhere from 0 to UINT64_MAX, snapshot flags,
// unknown and reused ids) must never crash or trip a sanitizer, must close every session window, and must
// keep the silver identities and finite gold. Each 16-byte chunk of input is one event; a few bits pick
// from small id and price sets so that adds, cancels and fills meet the same orders.
// Run: scripts/build --fuzz fuzzers && build-fuzz/engine_fuzz fuzz/corpus/engine_fuzz
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/engine.hpp"

namespace {

using spymaster::book::MboEvent;
using spymaster::engine::Engine;
using spymaster::engine::EngineOptions;
using spymaster::engine::WindowPtr;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kTick = 250'000'000;
constexpr int64_t kMid = 6000 * 4 * kTick;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

MboEvent Decode(const uint8_t* p, int64_t& clock) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  uint64_t extra;
  std::memcpy(&extra, p + 8, 8);
  MboEvent e;
  constexpr char kActions[] = "ACMRTFNA";  // A twice: adds keep the book populated
  constexpr char kSides[] = "BABN";
  e.action = (word & 0x80) != 0 ? static_cast<char>(word >> 8) : kActions[word & 7];
  e.side = (word & 0x40) != 0 ? static_cast<char>(word >> 16) : kSides[(word >> 3) & 3];
  e.order_id = (word >> 24) & 31;  // 32 ids: collisions on purpose
  switch ((word >> 29) & 3) {
    case 0:
      e.price = kMid + static_cast<int64_t>(static_cast<int8_t>(extra & 0xff)) * kTick;
      break;
    case 1:
      e.price = kMid + static_cast<int64_t>(static_cast<int16_t>(extra & 0xffff)) * kTick + (extra >> 60);
      break;
    case 2:
      e.price = static_cast<int64_t>(extra);
      break;  // anything, negative and INT64 extremes included
    default:
      e.price = (extra & 1) != 0 ? std::numeric_limits<int64_t>::max() : 0;
      break;
  }
  e.size = (word & 0x20) != 0 ? static_cast<uint32_t>(extra >> 32) : static_cast<uint32_t>((extra >> 40) & 63);
  e.flags = static_cast<uint8_t>(word >> 32);
  e.sequence = static_cast<uint32_t>(word >> 40);
  // Time mostly moves forward by up to ~0.5 s, sometimes jumps back (late), sometimes to the extremes.
  switch ((word >> 56) & 15) {
    case 0:
      e.ts_event = 0;
      break;
    case 1:
      e.ts_event = std::numeric_limits<uint64_t>::max();
      break;
    case 2:
      e.ts_event = static_cast<uint64_t>(clock - static_cast<int64_t>((extra >> 33) & 0x7fffffff));
      break;
    default:
      clock += static_cast<int64_t>((extra >> 35) & 0x1fffffff);
      e.ts_event = static_cast<uint64_t>(clock);
  }
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  EngineOptions o;
  o.session_start_ns = 100 * kSec;
  o.session_end_ns = 104 * kSec;
  int64_t windows = 0;
  // A small dense window, so that re-centring and the overflow map are exercised too.
  spymaster::engine::ProductConfig product = spymaster::engine::FutureMboConfig();
  product.dense_levels = 256;
  Engine engine(product, o, [&](const WindowPtr& w) {
    ++windows;
    for (const auto& r : w->depth_flow) {
      Check(r.depth_qty_end >= 0 && r.depth_qty_start >= 0 && std::isfinite(r.add_qty));
    }
    for (const auto& column : w->gold.values) {
      for (double v : column) Check(std::isfinite(v));
    }
  });
  int64_t clock = 99 * kSec;
  for (size_t i = 0; i + 16 <= size; i += 16) engine.OnEvent(Decode(data + i, clock));
  engine.Finish();
  Check(windows == 4);
  return 0;
}
