// The options surface of a computed window (compute, raw, live): the option window's gold summed per rel_ticks
// over right and side, rows outside ±400 rel_ticks dropped (stream.md §A.4), as replay sums the lake's rows.
#pragma once

#include "engine/option_rows.hpp"
#include "serve/stream_window.hpp"

namespace spymaster::serve {

inline constexpr int32_t kMaxOptionRelTicks = 400;

// Appends `w`'s surface to out.options (empty before) and sets out.options_spot_ref_price_int.
void AddOptionSurface(const engine::OptionWindowResult& w, StreamWindow& out);

}  // namespace spymaster::serve
