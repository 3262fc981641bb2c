#!/usr/bin/env python3
"""Generates tests/engine/gold_toy_expected.inc, the expectations of GoldTest.ToyThreeWindowsEveryColumnHandComputed.

The values are the formulas of /work/shared/spec/gold.md (Part 1, with Part 2 §1.2 steps A, B and E) evaluated
step by step in plain Python on the toy input below, written without looking at the C++ engine so that the
.inc is an independent oracle. Standard library only.

    python/tools/gen_gold_toy_expected.py > tests/engine/gold_toy_expected.inc

Readings of the spec where it leaves a choice (the same as python/tests/test_engine_lake.py's
test_gold_equals_independent_numpy_surface; docs/engine.md "Gold choices" records them for the engine):
- rel_ticks_side: Part 1 says rel_ticks − round((side_anchor − spot_ref)/tick) "with the side anchor as in
  silver". Gold sees only silver rows, so the side's offset is rel_ticks − rel_ticks_side of that side's rows in
  the window, and 0 (anchor = spot) when the side has no row in that window.
- "Edge cells" (du_dx = d2u_dx2 = 0, smoothing truncated) are the ends of the grid actually used, here ±1.
- Omega_prom = Omega_near − Omega_far and u_prom = u_near − u_far (Part 2 §1.2 step E), then
  nu = 1 + Omega_near + 2·max(0, Omega_prom) and kappa = 1/nu.
- pressure_grad = −u_p on side A, printed as "-0" when u_p is 0 (IEEE negation; the C++ test compares
  numerically, so the sign of a zero is not pinned).
"""
import math
import sys

HALF_WIDTH = 1
SIDES = ("A", "B")
TAUS = (2.0, 8.0, 32.0, 128.0)
NEAR = (6.0, 16)  # (sigma, n) of u_near and Omega_near
FAR = (24.0, 64)  # (sigma, n) of u_far and Omega_far

# (window end in seconds, silver rows). A row is
# (side, rel_ticks, rel_ticks_side, depth_qty_start, depth_qty_end, add_qty, pull_qty_total, depth_qty_rest, fill_qty),
# as in gold_test.cpp's Row(). Window 3 ends 2 s after window 2 and has no rows: every cell decays with Δt = 2.
WINDOWS = (
    (1, (("B", 0, 0, 9, 10, 3, 1, 4, 1), ("A", 1, 0, 0, 2, 2, 0, 0, 0))),
    (2, (("B", 0, 0, 10, 8, 0, 2, 8, 0),)),
    (4, ()),
)

# The cells the .inc pins, in its line order (per window).
CELLS = (("B", 0), ("B", -1), ("A", 1))

# GoldTest's Values() order.
COLUMNS = ("add_intensity", "fill_intensity", "pull_intensity", "liquidity_velocity", "u_ema_2", "u_ema_8",
           "u_ema_32", "u_ema_128", "u_band_fast", "u_band_mid", "u_band_slow", "u_wave_energy", "du_dt",
           "d2u_dt2", "u_near", "u_far", "u_prom", "du_dx", "d2u_dx2", "rho", "phi_rest", "u_p", "u_p_slow",
           "Omega", "Omega_near", "Omega_far", "Omega_prom", "nu", "kappa", "pressure_grad")

RELS = tuple(range(-HALF_WIDTH, HALF_WIDTH + 1))


def smooth(values, sigma, n):
    """Part 1: out(x) = Σ w(k)·v(x+k) / Σ w(k) over −H ≤ x+k ≤ H, w(k) = exp(−k²/2σ²), k = −n..n."""
    out = {}
    for x in RELS:
        num = 0.0
        den = 0.0
        for k in range(-n, n + 1):
            if -HALF_WIDTH <= x + k <= HALF_WIDTH:
                w = math.exp(-k * k / (2.0 * sigma * sigma))
                num += w * values[x + k]
                den += w
        out[x] = num / den
    return out


def surface():
    """Yields (end_s, side, rel, rel_side, {column: value}) for every window and every cell of the grid."""
    ema = {}  # (side, rel) -> [ema_2, ema_8, ema_32, ema_128]
    prev_du_dt = {}
    prev_end = None
    for end_s, rows in WINDOWS:
        # Silver sums per cell (cells without rows are zero) and the side offsets for rel_ticks_side.
        qty = {(s, r): [0.0] * 6 for s in SIDES for r in RELS}
        offset = {s: 0 for s in SIDES}
        for side, rel, rel_side, *q in rows:
            offset[side] = rel - rel_side
            qty[(side, rel)] = [a + b for a, b in zip(qty[(side, rel)], q)]

        cell = {}
        for key, (start, end, add, pull, rest, fill) in qty.items():
            c = {}
            # Step A.
            denom = start + 1.0
            c["add_intensity"] = add / denom
            c["fill_intensity"] = fill / denom
            c["pull_intensity"] = pull / denom
            c["liquidity_velocity"] = c["add_intensity"] - c["pull_intensity"] - c["fill_intensity"]
            c["rho"] = math.log(1.0 + end)
            c["phi_rest"] = rest / (end + 1.0)
            # Step B, Part 1 time rules: every cell updates every window, α = 1 − exp(−Δt/τ), EMA starts at
            # the first value (the first gold window), du_dt and d2u_dt2 are 0 there.
            u = c["liquidity_velocity"]
            if prev_end is None:
                e = [u] * 4
                du_dt = d2u_dt2 = 0.0
            else:
                dt = float(end_s - prev_end)
                old = ema[key]
                e = [m + (1.0 - math.exp(-dt / tau)) * (u - m) for m, tau in zip(old, TAUS)]
                du_dt = e[0] - old[0]
                d2u_dt2 = du_dt - prev_du_dt[key]
            ema[key] = e
            prev_du_dt[key] = du_dt
            c["u_ema_2"], c["u_ema_8"], c["u_ema_32"], c["u_ema_128"] = e
            c["u_band_fast"] = e[0] - e[1]
            c["u_band_mid"] = e[1] - e[2]
            c["u_band_slow"] = e[2] - e[3]
            c["u_wave_energy"] = math.sqrt(c["u_band_fast"] ** 2 + c["u_band_mid"] ** 2 + c["u_band_slow"] ** 2)
            c["du_dt"] = du_dt
            c["d2u_dt2"] = d2u_dt2
            c["u_p"] = c["phi_rest"] * c["u_ema_8"]
            c["u_p_slow"] = c["phi_rest"] * c["u_ema_32"]
            c["Omega"] = c["rho"] * (0.5 + 0.5 * c["phi_rest"]) * (1.0 + max(0.0, c["u_p_slow"]))
            cell[key] = c

        # Step C (Part 1 smoothing) and step E, per side.
        for side in SIDES:
            ema_8, ema_32, omega = ({r: cell[(side, r)][name] for r in RELS}
                                    for name in ("u_ema_8", "u_ema_32", "Omega"))
            u_near = smooth(ema_8, *NEAR)
            u_far = smooth(ema_32, *FAR)
            o_near = smooth(omega, *NEAR)
            o_far = smooth(omega, *FAR)
            for r in RELS:
                c = cell[(side, r)]
                c["u_near"] = u_near[r]
                c["u_far"] = u_far[r]
                c["u_prom"] = u_near[r] - u_far[r]
                inner = -HALF_WIDTH < r < HALF_WIDTH
                c["du_dx"] = (u_near[r + 1] - u_near[r - 1]) * 0.5 if inner else 0.0
                c["d2u_dx2"] = u_near[r + 1] - 2.0 * u_near[r] + u_near[r - 1] if inner else 0.0
                c["Omega_near"] = o_near[r]
                c["Omega_far"] = o_far[r]
                c["Omega_prom"] = o_near[r] - o_far[r]
                c["nu"] = 1.0 + c["Omega_near"] + 2.0 * max(0.0, c["Omega_prom"])
                c["kappa"] = 1.0 / c["nu"]
                c["pressure_grad"] = c["u_p"] if side == "B" else -c["u_p"]
                yield end_s, side, r, r - offset[side], c
        prev_end = end_s


def lines():
    """The .inc lines: one per window and pinned cell, values as %.17g (round-trips every double)."""
    rows = {(end_s, side, rel): (rel_side, c) for end_s, side, rel, rel_side, c in surface()}
    out = []
    for end_s, _ in WINDOWS:
        for side, rel in CELLS:
            rel_side, c = rows[(end_s, side, rel)]
            values = ", ".join("%.17g" % c[name] for name in COLUMNS)
            out.append(f"    {{{end_s}, '{side}', {rel}, {rel_side}, {{{values}}}}},")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 1:
        print(f"usage: {sys.argv[0]} > tests/engine/gold_toy_expected.inc", file=sys.stderr)
        sys.exit(2)
    print("\n".join(lines()))
