// The rows one closed window produces: the silver book_snapshot_1s row, the silver depth_and_flow_1s
// rows and the gold physics_surface_1s rows. Field names and order follow the dataset contracts.
#pragma once

#include <cstdint>
#include <vector>

namespace spymaster::engine {

struct SnapshotRow {
  int64_t window_start_ts_ns = 0;
  int64_t window_end_ts_ns = 0;
  int64_t best_bid_price_int = 0;
  int64_t best_bid_qty = 0;
  int64_t best_ask_price_int = 0;
  int64_t best_ask_qty = 0;
  double mid_price = 0.0;
  int64_t mid_price_int = 0;
  int64_t last_trade_price_int = 0;
  int64_t spot_ref_price_int = 0;
  bool book_valid = false;
  bool window_valid = false;  // book_valid and no clear/snapshot record inside the window
};

struct DepthFlowRow {
  int64_t window_start_ts_ns = 0;
  int64_t window_end_ts_ns = 0;
  int64_t price_int = 0;
  char side = 'B';
  int64_t spot_ref_price_int = 0;
  int32_t rel_ticks = 0;
  int32_t rel_ticks_side = 0;
  double depth_qty_start = 0.0;
  double depth_qty_end = 0.0;
  double add_qty = 0.0;
  double pull_qty_total = 0.0;
  double depth_qty_rest = 0.0;
  double pull_qty_rest = 0.0;
  double fill_qty = 0.0;
  bool window_valid = false;
};

struct GoldRow {
  int64_t window_end_ts_ns = 0;
  int64_t event_ts_ns = 0;
  int64_t spot_ref_price_int = 0;
  int32_t rel_ticks = 0;
  int32_t rel_ticks_side = 0;
  char side = 'A';
  double add_intensity = 0.0;
  double fill_intensity = 0.0;
  double pull_intensity = 0.0;
  double liquidity_velocity = 0.0;
  double u_ema_2 = 0.0;
  double u_ema_8 = 0.0;
  double u_ema_32 = 0.0;
  double u_ema_128 = 0.0;
  double u_band_fast = 0.0;
  double u_band_mid = 0.0;
  double u_band_slow = 0.0;
  double u_wave_energy = 0.0;
  double du_dt = 0.0;
  double d2u_dt2 = 0.0;
  double u_near = 0.0;
  double u_far = 0.0;
  double u_prom = 0.0;
  double du_dx = 0.0;
  double d2u_dx2 = 0.0;
  double rho = 0.0;
  double phi_rest = 0.0;
  double u_p = 0.0;
  double u_p_slow = 0.0;
  double Omega = 0.0;
  double Omega_near = 0.0;
  double Omega_far = 0.0;
  double Omega_prom = 0.0;
  double nu = 0.0;
  double kappa = 0.0;
  double pressure_grad = 0.0;
};

// Everything one window close produces. The engine reuses one instance (and its vectors' storage).
struct WindowResult {
  SnapshotRow snapshot;
  std::vector<DepthFlowRow> depth_flow;
  std::vector<GoldRow> gold;  // empty when gold is off or spot_ref is 0
};

}  // namespace spymaster::engine
