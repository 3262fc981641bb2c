// Gold physics surface (gold.md Part 1; formulas Part 2 §1.2).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/gold_state.hpp"

namespace spymaster::engine {
namespace {

constexpr int64_t kSec = 1'000'000'000;

DepthFlowRow Row(char side, int32_t rel, int32_t rel_side, double start, double end, double add, double pull,
                 double rest, double fill) {
  DepthFlowRow r;
  r.side = side;
  r.rel_ticks = rel;
  r.rel_ticks_side = rel_side;
  r.depth_qty_start = start;
  r.depth_qty_end = end;
  r.add_qty = add;
  r.pull_qty_total = pull;
  r.depth_qty_rest = rest;
  r.fill_qty = fill;
  return r;
}

SnapshotRow Snap(int64_t end_s, int64_t spot = 6000'000'000'000) {
  SnapshotRow s;
  s.window_start_ts_ns = (end_s - 1) * kSec;
  s.window_end_ts_ns = end_s * kSec;
  s.spot_ref_price_int = spot;
  return s;
}

std::vector<double> Values(const GoldRow& g) {
  return {g.add_intensity,  g.fill_intensity,
          g.pull_intensity, g.liquidity_velocity,
          g.u_ema_2,        g.u_ema_8,
          g.u_ema_32,       g.u_ema_128,
          g.u_band_fast,    g.u_band_mid,
          g.u_band_slow,    g.u_wave_energy,
          g.du_dt,          g.d2u_dt2,
          g.u_near,         g.u_far,
          g.u_prom,         g.du_dx,
          g.d2u_dx2,        g.rho,
          g.phi_rest,       g.u_p,
          g.u_p_slow,       g.Omega,
          g.Omega_near,     g.Omega_far,
          g.Omega_prom,     g.nu,
          g.kappa,          g.pressure_grad};
}

GoldRow Cell(const GoldSurface& out, int32_t half_width, char side, int32_t rel) {
  const int32_t cells = 2 * half_width + 1;
  return out.Row((side == 'A' ? 0 : cells) + rel + half_width);
}

struct Expected {
  int64_t end_s;
  char side;
  int32_t rel;
  int32_t rel_side;
  std::vector<double> values;  // in Values() order
};

// A 3-cell grid (half-width 1) over three windows ending at 1 s, 2 s and 4 s (a 2 s gap: Δt = 2 in the EMA
// alphas, and window 3 has no rows at all so every cell decays). Expected values are the spec formulas
// evaluated step by step (gold_toy_expected.inc, one line per window and cell), from these inputs:
//   w1: B rel 0 start 9 end 10 add 3 pull 1 rest 4 fill 1;  A rel 1 (rel_ticks_side 0) start 0 end 2 add 2
//   w2: B rel 0 start 10 end 8 pull 2 rest 8
//   w3 (end 4 s): no rows
// e.g. w1 B0: denom 10, u = (3-1-1)/10 = 0.1, EMAs start at u, rho = ln 11, phi = 4/11,
// Omega = ln 11 · (0.5 + 2/11) · (1 + 0.1·4/11) = 1.69438...; u_near(0) = 0.1 / (1 + 2e^(-1/72)).
// Regenerate: python/tools/gen_gold_toy_expected.py > tests/engine/gold_toy_expected.inc (test_gold_toy_generator.py).
const std::vector<Expected> kToy = {
#include "gold_toy_expected.inc"
};

TEST(GoldTest, ToyThreeWindowsEveryColumnHandComputed) {
  GoldState gold(1);
  GoldSurface out;
  const std::vector<std::vector<DepthFlowRow>> windows = {
      {Row('B', 0, 0, 9, 10, 3, 1, 4, 1), Row('A', 1, 0, 0, 2, 2, 0, 0, 0)}, {Row('B', 0, 0, 10, 8, 0, 2, 8, 0)}, {}};
  const int64_t ends[] = {1, 2, 4};
  std::size_t checked = 0;
  for (int w = 0; w < 3; ++w) {
    gold.OnWindow(Snap(ends[w]), windows[w], out);
    ASSERT_EQ(out.size(), 6u);
    for (const Expected& e : kToy) {
      if (e.end_s != ends[w]) continue;
      const GoldRow& g = Cell(out, 1, e.side, e.rel);
      ASSERT_EQ(g.side, e.side);
      ASSERT_EQ(g.rel_ticks, e.rel);
      EXPECT_EQ(g.rel_ticks_side, e.rel_side) << "w" << w << e.side << e.rel;
      EXPECT_EQ(g.window_end_ts_ns, ends[w] * kSec);
      EXPECT_EQ(g.event_ts_ns, ends[w] * kSec);
      const std::vector<double> got = Values(g);
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i], e.values[i], 1e-12 * (1 + std::abs(e.values[i])))
            << "window " << w << " cell " << e.side << e.rel << " column " << i;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 9u * 30u);
}

TEST(GoldTest, RowsAreDenseOrderedAndSkipWindowsWithoutSpot) {
  GoldState gold(200);
  GoldSurface out;
  gold.OnWindow(Snap(1, 0), std::vector<DepthFlowRow>{}, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(gold.windows(), 0);
  gold.OnWindow(Snap(2), std::vector<DepthFlowRow>{Row('B', -3, -2, 1, 1, 0, 0, 1, 0)}, out);
  ASSERT_EQ(out.size(), 802u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const GoldRow g = out.Row(i);
    EXPECT_EQ(g.side, i < 401 ? 'A' : 'B');
    EXPECT_EQ(g.rel_ticks, static_cast<int32_t>(i % 401) - 200);
    EXPECT_EQ(g.spot_ref_price_int, 6000'000'000'000);
    EXPECT_EQ(g.event_ts_ns, g.window_end_ts_ns);
    EXPECT_EQ(g.rel_ticks_side, g.rel_ticks - (i < 401 ? 0 : -1));
    for (double v : Values(g)) EXPECT_TRUE(std::isfinite(v));
  }
  EXPECT_EQ(gold.windows(), 1);
}

TEST(GoldTest, EmaAcrossGapUsesElapsedSeconds) {
  GoldState gold(0);  // one cell per side
  GoldSurface out;
  gold.OnWindow(Snap(1), std::vector<DepthFlowRow>{Row('B', 0, 0, 0, 0, 1, 0, 0, 0)}, out);  // u = 1
  EXPECT_DOUBLE_EQ(Cell(out, 0, 'B', 0).u_ema_8, 1.0);
  gold.OnWindow(Snap(11), std::vector<DepthFlowRow>{}, out);  // 10 s later, u = 0
  const GoldRow& g = Cell(out, 0, 'B', 0);
  EXPECT_NEAR(g.u_ema_2, std::exp(-10.0 / 2), 1e-15);
  EXPECT_NEAR(g.u_ema_8, std::exp(-10.0 / 8), 1e-15);
  EXPECT_NEAR(g.u_ema_32, std::exp(-10.0 / 32), 1e-15);
  EXPECT_NEAR(g.u_ema_128, std::exp(-10.0 / 128), 1e-15);
  EXPECT_NEAR(g.du_dt, std::exp(-5.0) - 1.0, 1e-15);  // a difference, not divided by Δt
  EXPECT_NEAR(g.d2u_dt2, g.du_dt, 1e-15);             // previous du_dt was 0
}

// The reference's own worked example (gold.md Part 2 §1.4), values from re-running the reference transform.
// Interior cells only: the reference differs from us only near the grid edges (NaN vs renormalized).
TEST(GoldTest, MatchesReferenceGoldenExampleOnDenseInput) {
  GoldState gold(200);
  GoldSurface out;
  for (int k = 1; k <= 3; ++k) {
    std::vector<DepthFlowRow> rows;
    for (char side : {'B', 'A'}) {
      for (int32_t rel = -200; rel <= 200; ++rel) {
        const double add = rel == 3 ? 5.0 * k : k;
        const double end = 10 + add - 0.5;
        rows.push_back(Row(side, rel, rel, 10, end, add, 0.5, end / 2, 0));
      }
    }
    gold.OnWindow(Snap(k), rows, out);
    const GoldRow& b0 = Cell(out, 200, 'B', 0);
    const double u[] = {0.0454545, 0.1363636, 0.2272727};
    const double ema2[] = {0.0454545, 0.0812245, 0.1386900};
    const double du_dt[] = {0, 0.035770, 0.057466};
    const double d2u_dt2[] = {0, 0.035770, 0.021696};
    const double energy[] = {0, 0.026381, 0.066657};
    EXPECT_NEAR(b0.liquidity_velocity, u[k - 1], 1e-6);
    EXPECT_NEAR(b0.u_ema_2, ema2[k - 1], 1e-6);
    EXPECT_NEAR(b0.du_dt, du_dt[k - 1], 1e-6);
    EXPECT_NEAR(b0.d2u_dt2, d2u_dt2[k - 1], 1e-6);
    EXPECT_NEAR(b0.u_wave_energy, energy[k - 1], 1e-6);
  }
  auto b = [&](int32_t rel) { return Cell(out, 200, 'B', rel); };
  EXPECT_NEAR(b(0).u_ema_8, 0.076246, 1e-6);
  EXPECT_NEAR(b(0).u_ema_32, 0.053759, 1e-6);
  EXPECT_NEAR(b(0).u_ema_128, 0.047571, 1e-6);
  EXPECT_NEAR(b(0).u_near, 0.104980, 1e-6);
  EXPECT_NEAR(b(3).u_near, 0.108805, 1e-6);
  EXPECT_NEAR(b(3).u_far, 0.060404, 1e-6);
  EXPECT_NEAR(b(0).Omega, 1.951203, 1e-6);
  EXPECT_NEAR(b(3).Omega_near, 2.015746, 1e-6);
  EXPECT_NEAR(b(3).Omega_far, 1.967360, 1e-6);
  EXPECT_NEAR(b(3).nu, 3.112520, 1e-6);
  EXPECT_NEAR(b(3).kappa, 0.321283, 1e-6);
  EXPECT_NEAR(b(2).du_dx, 0.000880, 1e-6);
  EXPECT_NEAR(b(3).d2u_dx2, -0.000898, 1e-6);
  EXPECT_NEAR(b(3).u_p, 0.270483, 1e-6);
  EXPECT_NEAR(b(3).pressure_grad, 0.270483, 1e-6);
  EXPECT_NEAR(Cell(out, 200, 'A', 3).pressure_grad, -0.270483, 1e-6);
  EXPECT_NEAR(b(3).phi_rest, 0.480392, 1e-6);
  EXPECT_NEAR(b(3).rho, 3.238678, 1e-6);
  // Edges: finite (renormalized kernels) with zero spatial derivatives.
  EXPECT_EQ(b(200).du_dx, 0.0);
  EXPECT_EQ(b(-200).d2u_dx2, 0.0);
  EXPECT_TRUE(std::isfinite(b(200).u_far));
}

TEST(GoldTest, RowsOutsideTheGridAreIgnoredAndDuplicateCellsSum) {
  GoldState gold(2);
  GoldSurface out;
  gold.OnWindow(Snap(1),
                std::vector<DepthFlowRow>{Row('B', 5, 5, 100, 100, 100, 0, 0, 0), Row('B', 1, 1, 1, 0, 1, 0, 0, 0),
                                          Row('B', 1, 1, 2, 0, 2, 0, 0, 0)},
                out);
  EXPECT_DOUBLE_EQ(Cell(out, 2, 'B', 1).add_intensity, 3.0 / 4.0);  // (1+2) / (1+2+1)
  EXPECT_DOUBLE_EQ(Cell(out, 2, 'B', 2).add_intensity, 0.0);
}

}  // namespace
}  // namespace spymaster::engine
