// The forecast of one window (gold.md Part 1 § Forecast), computed from that window's gold surface alone:
// walls (Omega > 3.0) and their distances D_up/D_down, run scores over the free path to each wall, and a
// deterministic 1000-particle ensemble drifting in the effective velocity field for 30 one-second steps.
// The ensemble's generator is seeded from window_end_ts_ns, so every machine and every source (lake
// replay, engine compute) produces the same rows for the same window.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/rows.hpp"

namespace spymaster::engine {

inline constexpr int32_t kForecastHorizon = 30;           // seconds; rows 1..30 plus the horizon-0 row
inline constexpr int32_t kForecastParticles = 1000;       // ensemble size
inline constexpr int32_t kForecastHalfWidth = 200;        // lattice rel_ticks -200..200
inline constexpr double kForecastWallOmega = 3.0;         // a cell is a wall when Omega > this
inline constexpr int64_t kForecastTickInt = 250'000'000;  // spot tick = spot_ref_price_int / this
inline constexpr int32_t kForecastNormals = kForecastHorizon * kForecastParticles;  // per window

struct ForecastRow {
  int64_t window_end_ts_ns = 0;
  int32_t horizon_s = 0;
  int64_t predicted_spot_tick = 0;
  int64_t predicted_tick_delta = 0;
  double confidence = 0.0;
  double run_score_up = 0.0;
  double run_score_down = 0.0;
  std::optional<int32_t> d_up;  // null when no wall above spot within 200 ticks
  std::optional<int32_t> d_down;

  bool operator==(const ForecastRow&) const = default;
};

// splitmix64 with the spec's uniform and Box–Muller normal (cosine branch only).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Normal();

 private:
  uint64_t state_;
};

// The ensemble's normals of the window ending at `window_end_ts_ns`, step by step (normal i of step h at
// h·1000 + i): they depend on the window's end time alone, not on its data, so they can be generated before
// the window closes (serve's NormalsPrefetcher), leaving only the particle steps for the close. `out` holds
// kForecastNormals values.
void GenerateForecastNormals(int64_t window_end_ts_ns, std::span<double> out);

// Reusable forecast computation: holds the lattice and particle scratch so that a window's forecast
// allocates nothing after the first.
class Forecaster {
 public:
  // `spot_unit`: the lattice cell in price units (spot tick = spot_ref_price_int / spot_unit): the futures
  // tick, or for equities the $0.50 gold bucket, whose index is their predicted_spot_tick.
  explicit Forecaster(int64_t spot_unit = kForecastTickInt);

  // Replaces `out` with the window's 31 rows (horizon 0, then 1..30), or nothing when the surface is
  // empty. Cells with |rel_ticks| > 200 are ignored.
  void Compute(const GoldSurface& gold, std::vector<ForecastRow>& out);
  // The same rows from the window's normals generated ahead (GenerateForecastNormals of
  // gold.window_end_ts_ns; kForecastNormals values).
  void Compute(const GoldSurface& gold, std::span<const double> normals, std::vector<ForecastRow>& out);

  // The effective velocity field (ticks/s, index rel_ticks + 200) of the last Compute, for tests.
  const std::array<double, 2 * kForecastHalfWidth + 1>& v_eff() const { return v_eff_; }

 private:
  static constexpr int32_t kCells = 2 * kForecastHalfWidth + 1;
  // `normals_of(h)`: the 1000 normals of step h (1..30).
  template <class NormalsOf>
  void Run(const GoldSurface& gold, NormalsOf&& normals_of, std::vector<ForecastRow>& out);

  int64_t spot_unit_;
  std::array<double, kCells> pg_{}, we_{}, rho_{}, nu_{}, omega_{}, v_eff_{};
  std::vector<double> x_;
  std::vector<double> normals_;  // one step's, one per particle
};

// Convenience: one window's forecast rows.
std::vector<ForecastRow> ComputeForecast(const GoldSurface& gold);

}  // namespace spymaster::engine
