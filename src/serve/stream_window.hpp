// One window as a source hands it to the stream: the underlying's window plus its options surface, the
// net option liquidity velocity per strike (stream.md §A.4: option gold summed over right and side,
// frontend.md options bars).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/forecast.hpp"
#include "engine/rows.hpp"

namespace spymaster::serve {

struct StrikeVelocity {
  int32_t rel_ticks = 0;
  double liquidity_velocity = 0.0;

  bool operator==(const StrikeVelocity&) const = default;
};

struct StreamWindow {
  engine::WindowPtr window;
  int64_t options_spot_ref_price_int = 0;
  std::vector<StrikeVelocity> options;  // ascending rel_ticks, within ±400
  // Set when the source has no options for this stream (why, and how to get them); the surface then
  // goes out empty and batch_start carries the note.
  std::shared_ptr<const std::string> options_missing;
  // The window's forecast rows as the lake holds them (replay of a lake with gold forecast_1s); null when
  // the stream computes them (compute, live, or a lake without the forecast layer).
  std::shared_ptr<const std::vector<engine::ForecastRow>> forecast;
  // Steady-clock ns when the engine closed the window (compute, live), for the close-to-socket latency;
  // 0 for windows read from the lake.
  int64_t closed_ns = 0;
};
using StreamWindowPtr = std::shared_ptr<const StreamWindow>;

}  // namespace spymaster::serve
