#include "serve/option_surface.hpp"

namespace spymaster::serve {

// Gold rows come in ascending rel_ticks (then right, then side): sums in row order, as replay does.
void AddOptionSurface(const engine::OptionWindowResult& w, StreamWindow& out) {
  for (const engine::OptionGoldRow& r : w.gold) {
    if (r.rel_ticks < -kMaxOptionRelTicks || r.rel_ticks > kMaxOptionRelTicks) continue;
    out.options_spot_ref_price_int = r.spot_ref_price_int;
    if (out.options.empty() || out.options.back().rel_ticks != r.rel_ticks) out.options.push_back({r.rel_ticks, 0.0});
    out.options.back().liquidity_velocity += r.liquidity_velocity;
  }
}

}  // namespace spymaster::serve
