#include "sim/market_path.hpp"

#include <algorithm>
#include <cmath>

#include "sim/rng.hpp"

namespace spymaster::sim {
namespace {

constexpr double kSecondsPerYear = 365.0 * 86400.0;
constexpr double kBaseVolPerSqrtSecond = 4.0e-5;  // ≈ 0.24 % per hour, ES-like
constexpr double kLogVolReversionPerSecond = 1.0 / 240.0;
constexpr double kLogVolNoisePerSqrtSecond = 0.035;
constexpr double kJumpsPerSecond = 4.0 / 3600.0;
constexpr double kJumpStd = 6.0e-4;  // ≈ 4 ES points
constexpr double kWallApproachSeconds = 45.0;

struct WallState {
  std::size_t begin = 0, end = 0;  // grid indices
  bool bid = true;
  double distance = 0;  // log distance below (bid) or above (ask) the price at the start
  double level = 0;     // log level of the wall, fixed at the start
};

}  // namespace

MarketPath::MarketPath(const Session& session, std::uint64_t seed) : start_ns_(session.snapshot_ns) {
  const std::size_t n = static_cast<std::size_t>((session.close_ns - start_ns_) / kStepNs) + 2;
  es_.resize(n);
  spy_.resize(n);
  qqq_.resize(n);
  activity_.resize(n);
  annual_vol_.resize(n);
  Rng rng(seed, 0x5EED'0001);
  const double dt = static_cast<double>(kStepNs) / 1e9;
  const double sqrt_dt = std::sqrt(dt);
  auto index_of = [&](std::uint64_t ts) { return static_cast<std::size_t>((ts - start_ns_) / kStepNs); };

  std::vector<WallState> walls;
  std::vector<std::pair<std::size_t, double>> vacuum_moves;  // (first index, drift per step)
  for (const auto& e : session.episodes) {
    if (e.episode.kind == EpisodeKind::kWall) {
      walls.push_back(
          {index_of(e.begin_ns), index_of(e.end_ns), e.episode.side == 'B', e.episode.distance_bp * 1e-4, 0});
    } else if (e.episode.kind == EpisodeKind::kVacuum) {
      const double sign = e.episode.side == 'A' ? 1.0 : -1.0;
      const double steps = kVacuumMoveSeconds / dt;
      vacuum_moves.push_back({index_of(e.end_ns), sign * e.episode.move_bp * 1e-4 / steps});
    }
  }

  const double es0 = 6900.0 + std::round((rng.Uniform() - 0.5) * 40.0) * 0.25;
  const double spy0 = 690.0 + (rng.Uniform() - 0.5) * 2.0;
  const double qqq0 = 620.0 + (rng.Uniform() - 0.5) * 2.0;
  double x = 0, log_vol = 0, idio_spy = 0, idio_qqq = 0, smooth_vol = 0;
  const double open_s = static_cast<double>(session.open_ns - start_ns_) / 1e9;
  for (std::size_t i = 0; i < n; ++i) {
    const double t_s = static_cast<double>(i) * dt;
    const double since_open = t_s - open_s;
    // Intraday: the open carries more volatility and activity, decaying over ~12 minutes.
    const double profile = since_open < 0 ? 0.08 : 0.7 + 1.1 * std::exp(-since_open / 720.0);
    const double vol_profile = since_open < 0 ? 0.45 : 0.85 + 0.6 * std::exp(-since_open / 900.0);
    log_vol += -kLogVolReversionPerSecond * log_vol * dt + kLogVolNoisePerSqrtSecond * sqrt_dt * rng.Normal();
    const double vol = kBaseVolPerSqrtSecond * vol_profile * std::exp(log_vol);
    double dx = vol * sqrt_dt * rng.Normal();
    if (rng.Chance(kJumpsPerSecond * dt * (since_open < 0 ? 0.2 : 1.0))) dx += kJumpStd * rng.Normal();
    for (const auto& [first, drift] : vacuum_moves) {
      if (i >= first && i < first + static_cast<std::size_t>(kVacuumMoveSeconds / dt)) dx += drift;
    }
    x += dx;
    for (auto& w : walls) {
      if (i < w.begin || i >= w.end) continue;
      if (i == w.begin) w.level = w.bid ? x - w.distance : x + w.distance;
      // Drift toward the wall until it is reached, then reflect off it (a floor for a bid wall).
      const double approach = w.distance / (kWallApproachSeconds / dt);
      const double margin = 1.5e-4;
      if (w.bid) {
        if (x > w.level + margin * 2) x -= approach;
        if (x < w.level + margin) x = 2 * (w.level + margin) - x;
      } else {
        if (x < w.level - margin * 2) x += approach;
        if (x > w.level - margin) x = 2 * (w.level - margin) - x;
      }
    }
    idio_spy += -idio_spy * dt / 600.0 + 0.15 * vol * sqrt_dt * rng.Normal();
    idio_qqq += -idio_qqq * dt / 600.0 + 0.3 * vol * sqrt_dt * rng.Normal();
    es_[i] = es0 * std::exp(x);
    spy_[i] = spy0 * std::exp(x + idio_spy);
    qqq_[i] = qqq0 * std::exp(1.2 * x + idio_qqq);
    activity_[i] = profile * std::exp(0.7 * log_vol);
    // Implied vol follows realised vol slowly (10-minute EMA): option prices move with the underlying,
    // not with every wiggle of the instantaneous volatility.
    smooth_vol = i == 0 ? vol : smooth_vol + (vol - smooth_vol) * dt / 600.0;
    annual_vol_[i] = std::clamp(smooth_vol * std::sqrt(kSecondsPerYear) * 0.75, 0.06, 0.9);
  }
}

}  // namespace spymaster::sim
