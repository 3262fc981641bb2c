// The rows one closed window produces: the silver book_snapshot_1s row, the silver depth_and_flow_1s
// rows and the gold physics_surface_1s surface. Field names and order follow the dataset contracts.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
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

  bool operator==(const SnapshotRow&) const = default;
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

  bool operator==(const DepthFlowRow&) const = default;
};

// One cell of the gold surface as a row (tests and readers that want one cell; GoldSurface::Row).
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

// The gold value columns (every physics_surface_1s column after `side`), in contract order.
enum GoldValue : int {
  kAddIntensity,
  kFillIntensity,
  kPullIntensity,
  kLiquidityVelocity,
  kUEma2,
  kUEma8,
  kUEma32,
  kUEma128,
  kUBandFast,
  kUBandMid,
  kUBandSlow,
  kUWaveEnergy,
  kDuDt,
  kD2uDt2,
  kUNear,
  kUFar,
  kUProm,
  kDuDx,
  kD2uDx2,
  kRho,
  kPhiRest,
  kUP,
  kUPSlow,
  kOmega,
  kOmegaNear,
  kOmegaFar,
  kOmegaProm,
  kNu,
  kKappa,
  kPressureGrad,
  kGoldValueCount
};
inline constexpr std::array<std::string_view, kGoldValueCount> kGoldValueNames = {
    "add_intensity",  "fill_intensity",
    "pull_intensity", "liquidity_velocity",
    "u_ema_2",        "u_ema_8",
    "u_ema_32",       "u_ema_128",
    "u_band_fast",    "u_band_mid",
    "u_band_slow",    "u_wave_energy",
    "du_dt",          "d2u_dt2",
    "u_near",         "u_far",
    "u_prom",         "du_dx",
    "d2u_dx2",        "rho",
    "phi_rest",       "u_p",
    "u_p_slow",       "Omega",
    "Omega_near",     "Omega_far",
    "Omega_prom",     "nu",
    "kappa",          "pressure_grad"};
static_assert(offsetof(GoldRow, pressure_grad) - offsetof(GoldRow, add_intensity) ==
              (kGoldValueCount - 1) * sizeof(double));  // Row() copies the values in this order

// One window's gold surface column by column (struct of arrays): GoldState computes straight into it and
// the lake copies each column once. window_end_ts_ns is also every row's event_ts_ns.
struct GoldSurface {
  int64_t window_end_ts_ns = 0;
  int64_t spot_ref_price_int = 0;
  std::vector<int32_t> rel_ticks;
  std::vector<int32_t> rel_ticks_side;
  std::vector<char> side;
  std::array<std::vector<double>, kGoldValueCount> values;  // indexed by GoldValue

  std::size_t size() const { return rel_ticks.size(); }
  bool empty() const { return rel_ticks.empty(); }
  void resize(std::size_t n) {
    rel_ticks.resize(n);
    rel_ticks_side.resize(n);
    side.resize(n);
    for (auto& v : values) v.resize(n);
  }
  void clear() { resize(0); }
  bool operator==(const GoldSurface&) const = default;
  GoldRow Row(std::size_t i) const {
    GoldRow r;
    r.window_end_ts_ns = window_end_ts_ns;
    r.event_ts_ns = window_end_ts_ns;
    r.spot_ref_price_int = spot_ref_price_int;
    r.rel_ticks = rel_ticks[i];
    r.rel_ticks_side = rel_ticks_side[i];
    r.side = side[i];
    auto* bytes = reinterpret_cast<unsigned char*>(&r) + offsetof(GoldRow, add_intensity);
    for (int v = 0; v < kGoldValueCount; ++v) std::memcpy(bytes + v * sizeof(double), &values[v][i], sizeof(double));
    return r;
  }
};

// Where GoldState writes one window's surface: a pointer per column with room for the surface's
// 2 × (2·half_width + 1) rows. GoldSurface's vectors, or a batch's Arrow buffers at the window's first row
// (columns::GoldColumns), so the surface is computed where it is handed out, not copied there. No two
// value columns may overlap each other or GoldState's own buffers (its cell loops are vectorized on that
// promise).
struct GoldColumnPointers {
  int32_t* rel_ticks = nullptr;
  int32_t* rel_ticks_side = nullptr;
  char* side = nullptr;
  std::array<double*, kGoldValueCount> values{};  // indexed by GoldValue
};

// Everything one window close produces, handed to sinks as an immutable shared WindowPtr.
struct WindowResult {
  SnapshotRow snapshot;
  std::vector<DepthFlowRow> depth_flow;
  GoldSurface gold;          // empty when gold is off or spot_ref is 0
  int64_t late_records = 0;  // records applied in this window whose ts_event lay before its start

  bool operator==(const WindowResult&) const = default;
};
using WindowPtr = std::shared_ptr<const WindowResult>;

}  // namespace spymaster::engine
