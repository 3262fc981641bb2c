// The forecast against gold.md's worked values (Part 2 §4.4 with Part 1's run-score bounds and sign, derived
// by hand below) and against python/tools/gen_forecast_expected.py, an independent numpy implementation of
// gold.md Part 1 § Forecast (forecast_expected.inc; python/tests/test_forecast_generator.py keeps the two
// in step).
#include "engine/forecast.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace spymaster::engine {
namespace {

struct Cell {
  int32_t rel;
  char side;
  double pg, we, rho, nu, omega;
};

struct Case {
  const char* name;
  int64_t ts;
  int64_t spot;
  std::vector<Cell> cells;
  int32_t d_up, d_down;  // -1: null
  double run_up, run_down, confidence;
  std::array<int64_t, kForecastHorizon> deltas;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
#include "engine/forecast_expected.inc"
  };
  return cases;
}

GoldSurface Surface(const Case& c) {
  GoldSurface g;
  g.window_end_ts_ns = c.ts;
  g.spot_ref_price_int = c.spot;
  g.resize(c.cells.size());
  for (std::size_t i = 0; i < c.cells.size(); ++i) {
    const Cell& cell = c.cells[i];
    g.rel_ticks[i] = cell.rel;
    g.rel_ticks_side[i] = cell.rel;
    g.side[i] = cell.side;
    g.values[kPressureGrad][i] = cell.pg;
    g.values[kUWaveEnergy][i] = cell.we;
    g.values[kRho][i] = cell.rho;
    g.values[kNu][i] = cell.nu;
    g.values[kOmega][i] = cell.omega;
    g.values[kLiquidityVelocity][i] = 123.0;  // not an input of the forecast
  }
  return g;
}

const Case& Named(const char* name) {
  for (const Case& c : Cases()) {
    if (std::string_view(c.name) == name) return c;
  }
  throw std::logic_error(name);
}

TEST(ForecastTest, SplitMix64FirstOutputsForSeedZero) {
  // Published splitmix64 outputs for state 0 (Vigna's reference implementation).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.Next(), 0x06C45D188009454FULL);
}

TEST(ForecastTest, ReferenceFixtureWallsAndRunScoresByHand) {
  // Walls at ±10 (Omega 4 > 3): D = 10 both ways. RunScore_up = mean pg over rel 0..9 = (-0.05 + 9·0.05)/10
  // = 0.04; RunScore_down = mean -pg over rel -9..0 = 10·0.05/10 = 0.05 (Part 1 flips the sign).
  const auto rows = ComputeForecast(Surface(Named("reference_walls_1000")));
  ASSERT_EQ(rows.size(), 31u);
  EXPECT_EQ(rows[0].horizon_s, 0);
  EXPECT_EQ(rows[0].d_up, 10);
  EXPECT_EQ(rows[0].d_down, 10);
  EXPECT_NEAR(rows[0].run_score_up, 0.04, 1e-15);
  EXPECT_NEAR(rows[0].run_score_down, 0.05, 1e-15);
  EXPECT_EQ(rows[0].predicted_tick_delta, 0);
  for (int h = 1; h <= 30; ++h) {
    EXPECT_EQ(rows[h].horizon_s, h);
    EXPECT_EQ(rows[h].d_up, rows[0].d_up);
    EXPECT_EQ(rows[h].run_score_down, rows[0].run_score_down);
    EXPECT_EQ(rows[h].confidence, rows[0].confidence);
    EXPECT_EQ(rows[h].window_end_ts_ns, 1000);
  }
}

TEST(ForecastTest, ReferenceFixtureWithoutWallsHasNullDistances) {
  // No wall: D null, run scores over 200 cells: 0.45/200 up (rel 0..199), 11·0.05/200 down (rel -199..0).
  const auto rows = ComputeForecast(Surface(Named("reference_no_walls")));
  ASSERT_EQ(rows.size(), 31u);
  EXPECT_FALSE(rows[0].d_up.has_value());
  EXPECT_FALSE(rows[0].d_down.has_value());
  EXPECT_NEAR(rows[0].run_score_up, 0.00225, 1e-15);
  EXPECT_NEAR(rows[0].run_score_down, 0.00275, 1e-15);
}

TEST(ForecastTest, EffectiveVelocityOfReferenceFixture) {
  // gold.md Part 2 §4.4: ±0.06/(0.5 + 1e-6) inside (rel 0: -0.12), gap outside -10..10 → g_dir = 0.
  Forecaster f;
  std::vector<ForecastRow> rows;
  f.Compute(Surface(Named("reference_walls_1000")), rows);
  EXPECT_NEAR(f.v_eff()[200 + 5], 0.06 / (0.5 + 1e-6), 1e-15);
  EXPECT_NEAR(f.v_eff()[200 - 5], -0.06 / (0.5 + 1e-6), 1e-15);
  EXPECT_NEAR(f.v_eff()[200], -0.06 / (0.5 + 1e-6), 1e-15);
  EXPECT_EQ(f.v_eff()[200 + 11], 0.0);
  EXPECT_EQ(f.v_eff()[0], 0.0);
}

TEST(ForecastTest, EveryFixtureMatchesTheIndependentGenerator) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const auto rows = ComputeForecast(Surface(c));
    ASSERT_EQ(rows.size(), 31u);
    EXPECT_EQ(rows[0].d_up.value_or(-1), c.d_up);
    EXPECT_EQ(rows[0].d_down.value_or(-1), c.d_down);
    EXPECT_NEAR(rows[0].run_score_up, c.run_up, 1e-9);
    EXPECT_NEAR(rows[0].run_score_down, c.run_down, 1e-9);
    EXPECT_EQ(rows[0].confidence, c.confidence);
    const int64_t spot_tick = c.spot / kForecastTickInt;
    EXPECT_EQ(rows[0].predicted_spot_tick, spot_tick);
    for (int h = 1; h <= kForecastHorizon; ++h) {
      EXPECT_EQ(rows[h].predicted_tick_delta, c.deltas[h - 1]) << "horizon " << h;
      EXPECT_EQ(rows[h].predicted_spot_tick, spot_tick + c.deltas[h - 1]);
    }
  }
}

TEST(ForecastTest, DriftFixtureMovesUpWithHighConfidence) {
  // Upward pressure everywhere within ±40: the mean path must end above spot, most particles agreeing.
  const auto rows = ComputeForecast(Surface(Named("drift_up")));
  EXPECT_GT(rows[30].predicted_tick_delta, 3);
  EXPECT_GT(rows[0].confidence, 0.9);
  EXPECT_EQ(rows[0].d_up, 25);
  EXPECT_EQ(rows[0].d_down, 31);
}

TEST(ForecastTest, SameWindowSameRowsOtherWindowOtherNoise) {
  const Case& c = Named("reference_walls_1000");
  EXPECT_EQ(ComputeForecast(Surface(c)), ComputeForecast(Surface(c)));
  Forecaster reused;
  std::vector<ForecastRow> a, b;
  reused.Compute(Surface(Named("drift_up")), a);
  reused.Compute(Surface(c), b);
  EXPECT_EQ(b, ComputeForecast(Surface(c)));  // no state carried between windows
}

// The normals generated ahead (what serve's NormalsPrefetcher hands over) give every fixture the rows the
// generator expects, the same as generating them step by step.
TEST(ForecastTest, NormalsGeneratedAheadGiveTheSameRows) {
  Forecaster forecaster;
  std::vector<double> normals(kForecastNormals);
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    GenerateForecastNormals(c.ts, normals);
    std::vector<ForecastRow> rows;
    forecaster.Compute(Surface(c), normals, rows);
    EXPECT_EQ(rows, ComputeForecast(Surface(c)));
    ASSERT_EQ(rows.size(), 31u);
    EXPECT_EQ(rows[0].confidence, c.confidence);
    for (int h = 1; h <= kForecastHorizon; ++h) EXPECT_EQ(rows[h].predicted_tick_delta, c.deltas[h - 1]);
  }
  // Another window's normals are another ensemble (the seed is the window's end time).
  const Case& c = Named("reference_no_walls");
  GenerateForecastNormals(c.ts + 1, normals);
  std::vector<ForecastRow> other;
  forecaster.Compute(Surface(c), normals, other);
  EXPECT_NE(other, ComputeForecast(Surface(c)));
  EXPECT_THROW(forecaster.Compute(Surface(c), std::span<const double>(normals).first(100), other),
               std::invalid_argument);
}

TEST(ForecastTest, GeneratedNormalsAreTheSpecsSequence) {
  std::vector<double> normals(kForecastNormals);
  GenerateForecastNormals(42, normals);
  SplitMix64 rng(42);
  for (int32_t i = 0; i < kForecastNormals; ++i) ASSERT_EQ(normals[i], rng.Normal()) << i;
}

// Equities: the lattice cell is the $0.50 bucket, whose index is the predicted spot tick.
TEST(ForecastTest, SpotUnitSetsThePredictedSpotTick) {
  const Case& c = Named("drift_up");
  std::vector<ForecastRow> rows;
  Forecaster(500'000'000).Compute(Surface(c), rows);
  const auto futures = ComputeForecast(Surface(c));
  ASSERT_EQ(rows.size(), futures.size());
  for (std::size_t h = 0; h < rows.size(); ++h) {
    EXPECT_EQ(rows[h].predicted_tick_delta, futures[h].predicted_tick_delta);
    EXPECT_EQ(rows[h].predicted_spot_tick, c.spot / 500'000'000 + futures[h].predicted_tick_delta);
  }
}

TEST(ForecastTest, EmptySurfaceGivesNoRows) { EXPECT_TRUE(ComputeForecast(GoldSurface{}).empty()); }

}  // namespace
}  // namespace spymaster::engine
