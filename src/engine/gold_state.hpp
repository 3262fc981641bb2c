// Gold physics surface (gold.md Part 1 and Part 2 §1.2) computed window by window from one window's
// silver rows, with the temporal state (EMAs, previous u_ema_2 and du_dt, previous window time) carried
// inside. The engine calls it as each window closes; the gold stage calls it on silver read back from
// the lake. Same code, same numbers.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/rows.hpp"

namespace spymaster::engine {

class GoldState {
 public:
  explicit GoldState(int32_t half_width);

  // Replaces the contents of `out` with this window's dense surface: 2 × (2·half_width + 1) rows ordered by
  // side (A, B) then rel_ticks ascending; nothing when spot_ref_price_int is 0. Rows whose |rel_ticks|
  // exceeds the half-width are ignored. Windows must come in increasing time.
  void OnWindow(const SnapshotRow& snapshot, std::span<const DepthFlowRow> rows, GoldSurface& out);
  // The same surface written through `out` (room for surface_rows() rows); returns the rows written,
  // surface_rows() or 0 when spot_ref_price_int is 0 (nothing written). Every row's window_end_ts_ns,
  // event_ts_ns and spot_ref_price_int are the snapshot's.
  std::size_t OnWindow(const SnapshotRow& snapshot, std::span<const DepthFlowRow> rows, const GoldColumnPointers& out);

  std::size_t surface_rows() const { return 2 * static_cast<std::size_t>(cells_); }

  int32_t half_width() const { return half_width_; }
  int64_t windows() const { return windows_; }

 private:
  struct Kernel {
    int32_t n;
    std::vector<double> weights;  // w(k), k = -n..n
    std::vector<double> norm;     // 1 / Σ in-grid w, per cell
  };
  Kernel MakeKernel(double sigma, int32_t n) const;
  void Smooth(const Kernel& kernel, const double* in, double* out);

  static constexpr int32_t kMaxTaps = 64;  // the widest kernel's half-width (u_far, Omega_far)

  int32_t half_width_;
  int32_t cells_;  // per side
  Kernel near_;
  Kernel far_;
  int64_t windows_ = 0;
  int64_t prev_window_end_ = 0;
  // Per cell, index side * cells_ + (rel_ticks + half_width); side 0 = A, 1 = B.
  std::vector<double> ema2_, ema8_, ema32_, ema128_, prev_ema2_, prev_du_dt_;
  // Per-window scratch.
  std::vector<double> depth_start_, depth_end_, add_, pull_, rest_, fill_, omega_, rho_;
  std::vector<double> padded_;  // Smooth's zero-padded input
};

}  // namespace spymaster::engine
