#include "engine/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace spymaster::engine {
namespace {

constexpr double kSigma = 0.5;          // Brownian step, ticks per √s
constexpr double kMaxVelocity = 5.0;    // ticks/s
constexpr double kMaxPosition = 150.0;  // ticks
constexpr double kMaxDelta = 100.0;     // ticks
constexpr double kGapRho = 0.1;         // summed rho below this: a gap, motion is ballistic

// numpy.interp over integer knots -200..200 for |x| <= kMaxPosition (so the held ends never apply): the same
// arithmetic, so results agree exactly. numpy returns fp[j] itself at a knot; the formula gives the same
// value there (slope·0 + fp[j]), so there is no branch and the particle loop vectorizes.
static_assert(kMaxPosition < kForecastHalfWidth);
double Interp(const double* __restrict fp, double x) {
  // floor(x) through truncation: vectorizes where std::floor does not (it may trap; |x| is small here).
  const auto truncated = static_cast<int32_t>(x);
  const int32_t floor = truncated - (static_cast<double>(truncated) > x ? 1 : 0);
  const auto knot = static_cast<double>(floor);
  const int32_t j = floor + kForecastHalfWidth;
  const double slope = fp[j + 1] - fp[j];
  return slope * (x - knot) + fp[j];
}

// One step of every particle: drift, noise, clip. The loop vectorizes (the velocity read as a gather) only
// while the restrict qualifiers hold, which GCC forgets once the function is inlined.
[[gnu::noinline]] void Step(double* __restrict x, const double* __restrict z, const double* __restrict v_eff) {
  for (int32_t i = 0; i < kForecastParticles; ++i) {
    const double moved = x[i] + (Interp(v_eff, x[i]) + kSigma * z[i]);
    x[i] = moved < -kMaxPosition ? -kMaxPosition : (moved > kMaxPosition ? kMaxPosition : moved);
  }
}

double Sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

}  // namespace

double SplitMix64::Normal() {
  const double u1 = Uniform();
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

void GenerateForecastNormals(int64_t window_end_ts_ns, std::span<double> out) {
  SplitMix64 rng(static_cast<uint64_t>(window_end_ts_ns));
  for (double& z : out.first(kForecastNormals)) z = rng.Normal();
}

Forecaster::Forecaster(int64_t spot_unit)
    : spot_unit_(spot_unit), x_(kForecastParticles), normals_(kForecastParticles) {}

void Forecaster::Compute(const GoldSurface& gold, std::vector<ForecastRow>& out) {
  SplitMix64 rng(static_cast<uint64_t>(gold.window_end_ts_ns));
  Run(
      gold,
      [&](int32_t) {
        for (double& z : normals_) z = rng.Normal();
        return static_cast<const double*>(normals_.data());
      },
      out);
}

void Forecaster::Compute(const GoldSurface& gold, std::span<const double> normals, std::vector<ForecastRow>& out) {
  if (normals.size() < static_cast<std::size_t>(kForecastNormals)) {
    throw std::invalid_argument("Forecaster::Compute: fewer normals than steps × particles");
  }
  Run(
      gold, [&](int32_t h) { return normals.data() + static_cast<std::size_t>(h - 1) * kForecastParticles; }, out);
}

template <class NormalsOf>
void Forecaster::Run(const GoldSurface& gold, NormalsOf&& normals_of, std::vector<ForecastRow>& out) {
  out.clear();
  if (gold.empty()) return;
  pg_.fill(0.0);
  we_.fill(0.0);
  rho_.fill(0.0);
  nu_.fill(0.0);
  omega_.fill(0.0);  // Omega >= 0, so max over the present sides equals max with 0
  const auto& pg = gold.values[kPressureGrad];
  const auto& we = gold.values[kUWaveEnergy];
  const auto& rho = gold.values[kRho];
  const auto& nu = gold.values[kNu];
  const auto& omega = gold.values[kOmega];
  for (std::size_t r = 0; r < gold.size(); ++r) {
    const int32_t rel = gold.rel_ticks[r];
    if (rel < -kForecastHalfWidth || rel > kForecastHalfWidth) continue;
    const int32_t i = rel + kForecastHalfWidth;
    pg_[i] += pg[r];
    we_[i] += we[r];
    rho_[i] += rho[r];
    nu_[i] += nu[r];
    omega_[i] = std::max(omega_[i], omega[r]);
  }
  constexpr int32_t c = kForecastHalfWidth;
  std::optional<int32_t> d_up;
  std::optional<int32_t> d_down;
  for (int32_t k = 1; k <= kForecastHalfWidth && !d_up; ++k) {
    if (omega_[c + k] > kForecastWallOmega) d_up = k;
  }
  for (int32_t k = 1; k <= kForecastHalfWidth && !d_down; ++k) {
    if (omega_[c - k] > kForecastWallOmega) d_down = k;
  }
  // The free path from spot to just before the wall, spot included; positive = pressure toward the wall.
  const int32_t up_len = d_up.value_or(kForecastHalfWidth);
  const int32_t down_len = d_down.value_or(kForecastHalfWidth);
  double up_sum = 0.0;
  for (int32_t k = 0; k < up_len; ++k) up_sum += pg_[c + k];
  double down_sum = 0.0;
  for (int32_t k = down_len - 1; k >= 0; --k) down_sum += -pg_[c - k];
  const double run_up = up_sum / up_len;
  const double run_down = down_sum / down_len;

  for (int32_t i = 0; i < kCells; ++i) {
    const double g = pg_[i] + Sign(pg_[i]) * we_[i];
    const double v = rho_[i] < kGapRho ? g : g / (nu_[i] * rho_[i] + 1e-6);
    v_eff_[i] = std::clamp(v, -kMaxVelocity, kMaxVelocity);
  }

  const int64_t spot_tick = gold.spot_ref_price_int / spot_unit_;
  out.resize(kForecastHorizon + 1);
  std::fill(x_.begin(), x_.end(), 0.0);
  double mean = 0.0;
  for (int32_t h = 1; h <= kForecastHorizon; ++h) {
    Step(x_.data(), normals_of(h), v_eff_.data());
    double sum = 0.0;
    for (const double x : x_) sum += x;
    mean = sum / kForecastParticles;
    out[h].predicted_tick_delta = static_cast<int64_t>(std::clamp(mean, -kMaxDelta, kMaxDelta));
  }
  double confidence = 0.0;
  if (mean != 0.0) {
    int32_t same_side = 0;
    for (double x : x_) same_side += (mean > 0 ? x > 0 : x < 0) ? 1 : 0;
    confidence = std::max(0.0, static_cast<double>(2 * same_side - kForecastParticles) / kForecastParticles);
  }
  for (int32_t h = 0; h <= kForecastHorizon; ++h) {
    ForecastRow& row = out[h];
    row.window_end_ts_ns = gold.window_end_ts_ns;
    row.horizon_s = h;
    if (h == 0) row.predicted_tick_delta = 0;
    row.predicted_spot_tick = spot_tick + row.predicted_tick_delta;
    row.confidence = confidence;
    row.run_score_up = run_up;
    row.run_score_down = run_down;
    row.d_up = d_up;
    row.d_down = d_down;
  }
}

std::vector<ForecastRow> ComputeForecast(const GoldSurface& gold) {
  Forecaster forecaster;
  std::vector<ForecastRow> rows;
  forecaster.Compute(gold, rows);
  return rows;
}

}  // namespace spymaster::engine
