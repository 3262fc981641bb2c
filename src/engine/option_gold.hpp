// Option gold physics_surface_1s (gold.md §2 and Part 1): per cell (rel_ticks, right, side) intensities
// with denominator depth_qty_start + 1, rho_opt = ln(1 + depth_qty_end), phi_rest_opt =
// depth_qty_rest / (depth_qty_end + 1), EMAs of liquidity_velocity with τ 8 and 32 s updated in every
// gold window with α = 1 − exp(−Δt/τ) (Δt: seconds since the previous gold window; the first value
// starts the EMA), u_opt_p_slow = phi_rest_opt · u_opt_ema_32, Omega_opt = rho_opt · (0.5 + 0.5 ·
// phi_rest_opt) · (1 + max(0, u_opt_p_slow)). Cells are spot-relative, so state survives spot moves.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/option_rows.hpp"

namespace spymaster::engine {

class OptionGoldState {
 public:
  explicit OptionGoldState(std::size_t cells)
      : ema8_(cells, 0.0), ema32_(cells, 0.0), depth_seen_(cells, 0.0), rho_seen_(cells, 0.0) {}

  // One window's dense flow rows (all cells, in cell order) → its gold rows. An empty flow (spot_ref 0)
  // gives no rows and leaves the state alone.
  void OnWindow(const std::vector<OptionFlowRow>& flow, std::vector<OptionGoldRow>& out);

 private:
  std::vector<double> ema8_;
  std::vector<double> ema32_;
  // Per cell, the last depth_qty_end and its rho_opt: most cells keep their depth from one window to the
  // next, and the logarithm is most of a cell's cost (ln(1 + 0) = 0 matches the start).
  std::vector<double> depth_seen_;
  std::vector<double> rho_seen_;
  int64_t prev_end_ = 0;
  bool started_ = false;
};

}  // namespace spymaster::engine
