// What differs between the MBO products the engine serves: the book's price grid, the silver cell
// width and grid half-width, and whether spot_ref is snapped to the cell grid. One engine, two configs.
#pragma once

#include <cstdint>

namespace spymaster::engine {

struct ProductConfig {
  int64_t tick;            // instrument price grid (1e-9 units); prices off it are counted
  int64_t cell;            // silver/gold cell width: a tick for futures, a $0.50 bucket for equities
  int32_t half_width;      // cells each side of spot_ref: 200 futures, 100 equities
  bool snap_spot_to_cell;  // equities: spot_ref = round(raw / cell) * cell (half to even)
  int64_t rest_ns = 500'000'000;
  uint32_t dense_levels = 1 << 15;  // book's dense price window per side, in ticks
};

inline constexpr int64_t kWindowNs = 1'000'000'000;

// ES and other CME futures: $0.25 ticks, ±200 ticks (silver.md Part 2 §3.3).
constexpr ProductConfig FutureMboConfig() { return ProductConfig{250'000'000, 250'000'000, 200, false}; }
// US equities: $0.01 ticks, $0.50 buckets, ±100 buckets (silver.md Part 2 §5).
constexpr ProductConfig EquityMboConfig() { return ProductConfig{10'000'000, 500'000'000, 100, true}; }

}  // namespace spymaster::engine
