// The rows one closed option window produces (silver.md §4.3–4.4, gold.md §2, Part 1 option rules):
// book_snapshot_1s (one per two-sided instrument), the dense strike grid depth_and_flow_1s and gold
// physics_surface_1s (one row per cell, ascending rel_ticks, then right C, P, then side A, B). Field
// names follow the dataset contracts.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/rows.hpp"

namespace spymaster::engine {

struct OptionSnapshotRow {
  int64_t window_start_ts_ns = 0;
  int64_t window_end_ts_ns = 0;
  int64_t instrument_id = 0;
  char right = 'C';
  int64_t strike_price_int = 0;  // the listed strike
  int64_t bid_price_int = 0;
  int64_t ask_price_int = 0;
  double mid_price = 0.0;
  double mid_price_int = 0.0;  // (bid + ask) / 2, may end in .5
  int64_t spot_ref_price_int = 0;
  bool book_valid = false;

  bool operator==(const OptionSnapshotRow&) const = default;
};

struct OptionFlowRow {
  int64_t window_start_ts_ns = 0;
  int64_t window_end_ts_ns = 0;
  int64_t strike_price_int = 0;  // the grid strike spot_ref + offset · step, not a listed strike
  double strike_points = 0.0;
  char right = 'C';
  char side = 'A';
  int64_t spot_ref_price_int = 0;
  int32_t rel_ticks = 0;
  double depth_qty_start = 0.0;
  double depth_qty_end = 0.0;
  double add_qty = 0.0;
  double pull_qty_total = 0.0;
  double pull_qty_rest = 0.0;
  double fill_qty = 0.0;
  double depth_qty_rest = 0.0;
  bool window_valid = false;

  bool operator==(const OptionFlowRow&) const = default;
};

struct OptionGoldRow {
  int64_t window_end_ts_ns = 0;
  int64_t event_ts_ns = 0;
  int64_t spot_ref_price_int = 0;
  int64_t strike_price_int = 0;
  double strike_points = 0.0;
  int32_t rel_ticks = 0;
  char right = 'C';
  char side = 'A';
  double add_intensity = 0.0;
  double fill_intensity = 0.0;
  double pull_intensity = 0.0;
  double liquidity_velocity = 0.0;
  double rho_opt = 0.0;
  double phi_rest_opt = 0.0;
  double u_opt_ema_8 = 0.0;
  double u_opt_ema_32 = 0.0;
  double u_opt_p_slow = 0.0;
  double Omega_opt = 0.0;

  bool operator==(const OptionGoldRow&) const = default;
};

struct OptionWindowResult {
  int64_t window_start_ts_ns = 0;
  int64_t spot_ref_price_int = 0;  // the underlying engine's for this window
  std::vector<OptionSnapshotRow> snapshots;
  std::vector<OptionFlowRow> flow;  // empty when spot_ref is 0
  std::vector<OptionGoldRow> gold;  // empty when spot_ref is 0 or gold is off
  int64_t late_records = 0;

  bool operator==(const OptionWindowResult&) const = default;
};
using OptionWindowPtr = std::shared_ptr<const OptionWindowResult>;

}  // namespace spymaster::engine
