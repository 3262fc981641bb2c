#include "engine/gold_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace spymaster::engine {
namespace {

constexpr double kEpsQty = 1.0;
constexpr double kTau[4] = {2.0, 8.0, 32.0, 128.0};

}  // namespace

GoldState::GoldState(int32_t half_width)
    : half_width_(half_width), cells_(2 * half_width + 1), near_(MakeKernel(6.0, 16)), far_(MakeKernel(24.0, 64)) {
  const std::size_t n = 2 * static_cast<std::size_t>(cells_);
  for (auto* v : {&ema2_, &ema8_, &ema32_, &ema128_, &prev_ema2_, &prev_du_dt_, &depth_start_, &depth_end_, &add_,
                  &pull_, &rest_, &fill_, &omega_, &u_near_, &u_far_, &omega_near_, &omega_far_}) {
    v->assign(n, 0.0);
  }
  padded_.assign(static_cast<std::size_t>(cells_) + 2 * kMaxTaps + 32, 0.0);
}

GoldState::Kernel GoldState::MakeKernel(double sigma, int32_t n) const {
  Kernel k{n, {}, {}};
  for (int32_t i = -n; i <= n; ++i) k.weights.push_back(std::exp(-double(i) * i / (2.0 * sigma * sigma)));
  for (int32_t x = 0; x < cells_; ++x) {
    double sum = 0.0;
    for (int32_t i = -n; i <= n; ++i) {
      if (x + i >= 0 && x + i < cells_) sum += k.weights[i + n];
    }
    k.norm.push_back(1.0 / sum);
  }
  return k;
}

// out(x) = Σ w(k)·in(x+k) / Σ w(k) over the cells inside the grid (gold.md Part 1, renormalized edges).
// The input is copied into a zero-padded buffer so every tap is in range (zeros add nothing; the per-cell
// norm divides by the in-grid weights only), then 8 outputs at a time accumulate in registers across the
// taps: one broadcast weight, one load and one FMA per 8 cells per tap, no stores in the inner loop.
void GoldState::Smooth(const Kernel& kernel, const double* in, double* out) {
  // GCC/Clang vector extension: AVX2 FMAs with -march=x86-64-v3, SSE2 pairs on the baseline. Eight
  // independent accumulators (32 cells) hide the FMA latency.
  typedef double V4 __attribute__((vector_size(32)));
  constexpr int32_t kLanes = 8;
  const int32_t n = kernel.n;
  std::fill(padded_.begin(), padded_.end(), 0.0);
  std::copy(in, in + cells_, padded_.begin() + kMaxTaps);
  const double* w = kernel.weights.data();
  for (int32_t x0 = 0; x0 < cells_; x0 += 4 * kLanes) {
    V4 acc[kLanes] = {};
    const double* src = padded_.data() + kMaxTaps + x0 - n;
    for (int32_t k = 0; k <= 2 * n; ++k) {
      for (int32_t l = 0; l < kLanes; ++l) {
        V4 v;
        std::memcpy(&v, src + k + 4 * l, sizeof v);
        acc[l] += w[k] * v;
      }
    }
    double sums[4 * kLanes];
    std::memcpy(sums, acc, sizeof sums);
    for (int32_t j = 0; j < 4 * kLanes && x0 + j < cells_; ++j) out[x0 + j] = sums[j] * kernel.norm[x0 + j];
  }
}

void GoldState::OnWindow(const SnapshotRow& snapshot, std::span<const DepthFlowRow> rows, std::vector<GoldRow>& out) {
  const int64_t spot = snapshot.spot_ref_price_int;
  if (spot <= 0) {
    out.clear();
    return;
  }

  for (auto* v : {&depth_start_, &depth_end_, &add_, &pull_, &rest_, &fill_}) std::fill(v->begin(), v->end(), 0.0);
  // rel_ticks_side offset per side (rel_ticks - rel_ticks_side); 0 for a side without rows.
  int32_t offset[2] = {0, 0};
  for (const DepthFlowRow& r : rows) {
    if (r.rel_ticks < -half_width_ || r.rel_ticks > half_width_) continue;
    const int s = r.side == 'A' ? 0 : 1;
    offset[s] = r.rel_ticks - r.rel_ticks_side;
    const std::size_t c = s * cells_ + (r.rel_ticks + half_width_);
    depth_start_[c] += r.depth_qty_start;
    depth_end_[c] += r.depth_qty_end;
    add_[c] += r.add_qty;
    pull_[c] += r.pull_qty_total;
    rest_[c] += r.depth_qty_rest;
    fill_[c] += r.fill_qty;
  }

  const bool first = windows_ == 0;
  double alpha[4] = {1.0, 1.0, 1.0, 1.0};
  if (!first) {
    const double dt = double(snapshot.window_end_ts_ns - prev_window_end_) * 1e-9;
    for (int i = 0; i < 4; ++i) alpha[i] = 1.0 - std::exp(-dt / kTau[i]);
  }
  ++windows_;
  prev_window_end_ = snapshot.window_end_ts_ns;

  out.resize(2 * static_cast<std::size_t>(cells_));  // every field of every row is written below
  const std::size_t n = out.size();
  for (std::size_t c = 0; c < n; ++c) {
    GoldRow& g = out[c];
    const int s = static_cast<int>(c / cells_);
    const int32_t rel = static_cast<int32_t>(c % cells_) - half_width_;
    g.window_end_ts_ns = snapshot.window_end_ts_ns;
    g.event_ts_ns = snapshot.window_end_ts_ns;
    g.spot_ref_price_int = spot;
    g.rel_ticks = rel;
    g.rel_ticks_side = rel - offset[s];
    g.side = s == 0 ? 'A' : 'B';

    const double denom = depth_start_[c] + kEpsQty;
    g.add_intensity = add_[c] / denom;
    g.fill_intensity = fill_[c] / denom;
    g.pull_intensity = pull_[c] / denom;
    const double u = g.add_intensity - g.pull_intensity - g.fill_intensity;
    g.liquidity_velocity = u;

    // EMA = first value at the first window (alpha 1), then decays toward u every window, idle or not.
    ema2_[c] += alpha[0] * (u - ema2_[c]);
    ema8_[c] += alpha[1] * (u - ema8_[c]);
    ema32_[c] += alpha[2] * (u - ema32_[c]);
    ema128_[c] += alpha[3] * (u - ema128_[c]);
    g.u_ema_2 = ema2_[c];
    g.u_ema_8 = ema8_[c];
    g.u_ema_32 = ema32_[c];
    g.u_ema_128 = ema128_[c];
    g.u_band_fast = g.u_ema_2 - g.u_ema_8;
    g.u_band_mid = g.u_ema_8 - g.u_ema_32;
    g.u_band_slow = g.u_ema_32 - g.u_ema_128;
    g.u_wave_energy =
        std::sqrt(g.u_band_fast * g.u_band_fast + g.u_band_mid * g.u_band_mid + g.u_band_slow * g.u_band_slow);
    g.du_dt = first ? 0.0 : ema2_[c] - prev_ema2_[c];
    g.d2u_dt2 = first ? 0.0 : g.du_dt - prev_du_dt_[c];
    prev_ema2_[c] = ema2_[c];
    prev_du_dt_[c] = g.du_dt;

    g.rho = std::log(1.0 + depth_end_[c]);
    g.phi_rest = rest_[c] / (depth_end_[c] + 1.0);
    g.u_p = g.phi_rest * g.u_ema_8;
    g.u_p_slow = g.phi_rest * g.u_ema_32;
    g.Omega = g.rho * (0.5 + 0.5 * g.phi_rest) * (1.0 + std::max(0.0, g.u_p_slow));
    omega_[c] = g.Omega;
    g.pressure_grad = s == 1 ? g.u_p : -g.u_p;
  }

  for (int s = 0; s < 2; ++s) {
    const std::size_t base = s * static_cast<std::size_t>(cells_);
    Smooth(near_, ema8_.data() + base, u_near_.data() + base);
    Smooth(far_, ema32_.data() + base, u_far_.data() + base);
    Smooth(near_, omega_.data() + base, omega_near_.data() + base);
    Smooth(far_, omega_.data() + base, omega_far_.data() + base);
    for (int32_t x = 0; x < cells_; ++x) {
      const std::size_t c = base + x;
      GoldRow& g = out[c];
      g.u_near = u_near_[c];
      g.u_far = u_far_[c];
      g.u_prom = g.u_near - g.u_far;
      const bool edge = x == 0 || x == cells_ - 1;
      g.du_dx = edge ? 0.0 : (u_near_[c + 1] - u_near_[c - 1]) * 0.5;
      g.d2u_dx2 = edge ? 0.0 : u_near_[c + 1] - 2.0 * u_near_[c] + u_near_[c - 1];
      g.Omega_near = omega_near_[c];
      g.Omega_far = omega_far_[c];
      g.Omega_prom = g.Omega_near - g.Omega_far;
      g.nu = 1.0 + g.Omega_near + 2.0 * std::max(0.0, g.Omega_prom);
      g.kappa = 1.0 / g.nu;
    }
  }
}

}  // namespace spymaster::engine
