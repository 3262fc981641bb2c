#include "engine/gold_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

// The loop that follows has no dependence between iterations through memory (see OnWindow).
#if defined(__clang__)
#define SPYMASTER_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#else
#define SPYMASTER_IVDEP _Pragma("GCC ivdep")
#endif

namespace spymaster::engine {
namespace {

constexpr double kEpsQty = 1.0;
constexpr double kTau[4] = {2.0, 8.0, 32.0, 128.0};

}  // namespace

GoldState::GoldState(int32_t half_width)
    : half_width_(half_width), cells_(2 * half_width + 1), near_(MakeKernel(6.0, 16)), far_(MakeKernel(24.0, 64)) {
  const std::size_t n = 2 * static_cast<std::size_t>(cells_);
  for (auto* v : {&ema2_, &ema8_, &ema32_, &ema128_, &prev_ema2_, &prev_du_dt_, &depth_start_, &depth_end_, &add_,
                  &pull_, &rest_, &fill_, &omega_, &rho_}) {
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

void GoldState::OnWindow(const SnapshotRow& snapshot, std::span<const DepthFlowRow> rows, GoldSurface& out) {
  if (snapshot.spot_ref_price_int <= 0) {
    out.clear();
    return;
  }
  out.resize(surface_rows());  // every value of every cell is written below
  out.window_end_ts_ns = snapshot.window_end_ts_ns;
  out.spot_ref_price_int = snapshot.spot_ref_price_int;
  GoldColumnPointers columns{out.rel_ticks.data(), out.rel_ticks_side.data(), out.side.data(), {}};
  for (int i = 0; i < kGoldValueCount; ++i) columns.values[i] = out.values[i].data();
  OnWindow(snapshot, rows, columns);
}

std::size_t GoldState::OnWindow(const SnapshotRow& snapshot, std::span<const DepthFlowRow> rows,
                                const GoldColumnPointers& out) {
  if (snapshot.spot_ref_price_int <= 0) return 0;

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

  const std::size_t n = surface_rows();
  double* v[kGoldValueCount];
  std::copy(out.values.begin(), out.values.end(), v);
  for (int s = 0; s < 2; ++s) {
    const std::size_t base = s * static_cast<std::size_t>(cells_);
    for (int32_t x = 0; x < cells_; ++x) {
      const int32_t rel = x - half_width_;
      out.rel_ticks[base + x] = rel;
      out.rel_ticks_side[base + x] = rel - offset[s];
      out.side[base + x] = s == 0 ? 'A' : 'B';
    }
  }

  // The cell loops below run 4 cells at a time (AVX2). SPYMASTER_IVDEP tells the compiler that the output
  // columns and this state's buffers never overlap (GoldColumnPointers' promise), which it cannot prove for
  // this many pointers; -fno-math-errno and -fno-trapping-math (CMakeLists.txt) make sqrt and max
  // branch-free. Division and sqrt are correctly rounded in vector form too and the expressions are the
  // scalar ones, so every value is the same bits. The log has no vector form here: a scalar loop of its own.
  for (std::size_t c = 0; c < n; ++c) rho_[c] = std::log(1.0 + depth_end_[c]);
  for (int s = 0; s < 2; ++s) {
    const std::size_t base = s * static_cast<std::size_t>(cells_);
    SPYMASTER_IVDEP
    for (std::size_t c = base; c < base + cells_; ++c) {
      const double denom = depth_start_[c] + kEpsQty;
      const double add = add_[c] / denom;
      const double fill = fill_[c] / denom;
      const double pull = pull_[c] / denom;
      const double u = add - pull - fill;
      v[kAddIntensity][c] = add;
      v[kFillIntensity][c] = fill;
      v[kPullIntensity][c] = pull;
      v[kLiquidityVelocity][c] = u;

      // EMA = first value at the first window (alpha 1), then decays toward u every window, idle or not.
      const double e2 = ema2_[c] + alpha[0] * (u - ema2_[c]);
      const double e8 = ema8_[c] + alpha[1] * (u - ema8_[c]);
      const double e32 = ema32_[c] + alpha[2] * (u - ema32_[c]);
      const double e128 = ema128_[c] + alpha[3] * (u - ema128_[c]);
      ema2_[c] = e2;
      ema8_[c] = e8;
      ema32_[c] = e32;
      ema128_[c] = e128;
      v[kUEma2][c] = e2;
      v[kUEma8][c] = e8;
      v[kUEma32][c] = e32;
      v[kUEma128][c] = e128;
      const double band_fast = e2 - e8;
      const double band_mid = e8 - e32;
      const double band_slow = e32 - e128;
      v[kUBandFast][c] = band_fast;
      v[kUBandMid][c] = band_mid;
      v[kUBandSlow][c] = band_slow;
      v[kUWaveEnergy][c] = std::sqrt(band_fast * band_fast + band_mid * band_mid + band_slow * band_slow);
      const double du_dt = first ? 0.0 : e2 - prev_ema2_[c];
      v[kDuDt][c] = du_dt;
      v[kD2uDt2][c] = first ? 0.0 : du_dt - prev_du_dt_[c];
      prev_ema2_[c] = e2;
      prev_du_dt_[c] = du_dt;

      const double rho = rho_[c];
      const double phi_rest = rest_[c] / (depth_end_[c] + 1.0);
      const double u_p = phi_rest * e8;
      const double u_p_slow = phi_rest * e32;
      v[kRho][c] = rho;
      v[kPhiRest][c] = phi_rest;
      v[kUP][c] = u_p;
      v[kUPSlow][c] = u_p_slow;
      omega_[c] = rho * (0.5 + 0.5 * phi_rest) * (1.0 + std::max(0.0, u_p_slow));
      v[kOmega][c] = omega_[c];
      v[kPressureGrad][c] = s == 1 ? u_p : -u_p;
    }
  }

  for (int s = 0; s < 2; ++s) {
    const std::size_t base = s * static_cast<std::size_t>(cells_);
    Smooth(near_, ema8_.data() + base, v[kUNear] + base);
    Smooth(far_, ema32_.data() + base, v[kUFar] + base);
    Smooth(near_, omega_.data() + base, v[kOmegaNear] + base);
    Smooth(far_, omega_.data() + base, v[kOmegaFar] + base);
    const double* u_near = v[kUNear];
    SPYMASTER_IVDEP
    for (int32_t x = 0; x < cells_; ++x) {
      const std::size_t c = base + x;
      v[kUProm][c] = u_near[c] - v[kUFar][c];
      const double omega_prom = v[kOmegaNear][c] - v[kOmegaFar][c];
      v[kOmegaProm][c] = omega_prom;
      const double nu = 1.0 + v[kOmegaNear][c] + 2.0 * std::max(0.0, omega_prom);
      v[kNu][c] = nu;
      v[kKappa][c] = 1.0 / nu;
    }
    // Central differences inside the side's grid, 0 at its two edges.
    SPYMASTER_IVDEP
    for (std::size_t c = base + 1; c + 1 < base + cells_; ++c) {
      v[kDuDx][c] = (u_near[c + 1] - u_near[c - 1]) * 0.5;
      v[kD2uDx2][c] = u_near[c + 1] - 2.0 * u_near[c] + u_near[c - 1];
    }
    for (const std::size_t c : {base, base + cells_ - 1}) v[kDuDx][c] = v[kD2uDx2][c] = 0.0;
  }
  return n;
}

}  // namespace spymaster::engine
