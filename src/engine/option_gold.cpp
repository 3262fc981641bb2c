#include "engine/option_gold.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/product_config.hpp"

namespace spymaster::engine {

void OptionGoldState::OnWindow(const std::vector<OptionFlowRow>& flow, std::vector<OptionGoldRow>& out) {
  if (flow.empty()) {
    out.clear();
    return;
  }
  if (flow.size() != ema8_.size()) throw std::invalid_argument("option gold: flow rows do not cover the grid");
  const int64_t end = flow.front().window_end_ts_ns;
  double a8 = 1.0;
  double a32 = 1.0;
  if (started_) {
    const double dt = static_cast<double>(end - prev_end_) / static_cast<double>(kWindowNs);
    a8 = 1.0 - std::exp(-dt / 8.0);
    a32 = 1.0 - std::exp(-dt / 32.0);
  }
  started_ = true;
  prev_end_ = end;
  out.resize(flow.size());  // every field is written below: storage reused from an earlier window is not zeroed
  for (std::size_t c = 0; c < flow.size(); ++c) {
    const OptionFlowRow& f = flow[c];
    OptionGoldRow& g = out[c];
    g.window_end_ts_ns = f.window_end_ts_ns;
    g.event_ts_ns = f.window_end_ts_ns;
    g.spot_ref_price_int = f.spot_ref_price_int;
    g.strike_price_int = f.strike_price_int;
    g.strike_points = f.strike_points;
    g.rel_ticks = f.rel_ticks;
    g.right = f.right;
    g.side = f.side;
    const double denom = f.depth_qty_start + 1.0;
    g.add_intensity = f.add_qty / denom;
    g.fill_intensity = f.fill_qty / denom;
    g.pull_intensity = f.pull_qty_total / denom;
    g.liquidity_velocity = g.add_intensity - g.pull_intensity - g.fill_intensity;
    if (f.depth_qty_end != depth_seen_[c]) {
      depth_seen_[c] = f.depth_qty_end;
      rho_seen_[c] = std::log(1.0 + f.depth_qty_end);
    }
    g.rho_opt = rho_seen_[c];
    g.phi_rest_opt = f.depth_qty_rest / (f.depth_qty_end + 1.0);
    ema8_[c] += a8 * (g.liquidity_velocity - ema8_[c]);
    ema32_[c] += a32 * (g.liquidity_velocity - ema32_[c]);
    g.u_opt_ema_8 = ema8_[c];
    g.u_opt_ema_32 = ema32_[c];
    g.u_opt_p_slow = g.phi_rest_opt * g.u_opt_ema_32;
    g.Omega_opt = g.rho_opt * (0.5 + 0.5 * g.phi_rest_opt) * (1.0 + std::max(0.0, g.u_opt_p_slow));
  }
}

}  // namespace spymaster::engine
