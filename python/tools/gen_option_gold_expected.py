#!/usr/bin/env python3
"""Generates tests/engine/option_gold_expected.inc, the expectations of
OptionEngineTest.EveryCellOfEveryWindowAsTheGeneratorDerives.

The day is option_engine_test.cpp's: Instruments(), Underlying() and Options(), session 10 s .. 13 s (three
windows). From it this script derives, step by step in plain Python and without looking at the C++ engine,
every option silver cell (silver.md Part 1 "Precise rules" and "Option rules") and every option gold value
(gold.md Part 2 §2 with Part 1's time rules), so that the .inc is an independent oracle. Standard library only.

    python/tools/gen_option_gold_expected.py > tests/engine/option_gold_expected.inc

One line per (window, cell) that has any non-zero silver or gold value; the C++ test checks those lines
column by column and that every other cell of the 84-row grid is zero throughout.
"""
import math
import sys

SEC = 1_000_000_000
MS = 1_000_000
DOLLAR = 1_000_000_000
REST_NS = 500 * MS  # the resting rule: 0.5 s at the order's price
STEP = 5 * DOLLAR  # ES option strike grid ($5)
MAX_OFFSET = 10
SESSION = (10 * SEC, 13 * SEC)
TAUS = (8.0, 32.0)

# option_engine_test.cpp's Instruments(): id -> (right, strike).
INSTRUMENTS = {
    101: ("C", 6002 * DOLLAR + DOLLAR // 2),
    102: ("P", 6007 * DOLLAR + DOLLAR // 2),
    103: ("C", 6100 * DOLLAR),
    104: ("P", 5000 * DOLLAR),
    105: ("C", 6012 * DOLLAR + DOLLAR // 2),
}
SPOT_BID, SPOT_ASK = 6005 * DOLLAR, 6005 * DOLLAR + DOLLAR // 2

# Underlying(): one bid and one ask at 0.5 s, no trade; both rest through the session.
UNDERLYING = ((SEC // 2, "B", SPOT_BID), (SEC // 2, "A", SPOT_ASK))

# Options(): (ts, instrument, action, side, price, size, order id).
OPTIONS = (
    (1 * SEC, 101, "A", "A", 5 * DOLLAR, 10, 1),
    (1 * SEC, 101, "A", "B", 4 * DOLLAR + 750 * MS, 4, 2),
    (10 * SEC + 300 * MS, 103, "A", "A", DOLLAR, 7, 4),
    (10 * SEC + 400 * MS, 104, "A", "B", DOLLAR, 2, 5),
    (10 * SEC + 600 * MS, 102, "A", "B", 2 * DOLLAR, 3, 3),
    (10 * SEC + 900 * MS, 101, "C", "A", 5 * DOLLAR, 4, 1),
    (11 * SEC + 100 * MS, 105, "A", "A", 3 * DOLLAR, 6, 6),
    (11 * SEC + 200 * MS, 105, "F", "A", 3 * DOLLAR, 2, 6),
    (11 * SEC + 300 * MS, 105, "C", "A", 3 * DOLLAR, 2, 6),
)

SILVER = ("depth_qty_start", "depth_qty_end", "add_qty", "pull_qty_total", "pull_qty_rest", "fill_qty",
          "depth_qty_rest")
GOLD = ("add_intensity", "fill_intensity", "pull_intensity", "liquidity_velocity", "rho_opt", "phi_rest_opt",
        "u_opt_ema_8", "u_opt_ema_32", "u_opt_p_slow", "Omega_opt")
CELLS = tuple((off, right, side) for off in range(-MAX_OFFSET, MAX_OFFSET + 1) for right in "CP" for side in "AB")


def round_half_even_div(num, den):
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q


def spot_ref(bids, asks, last_trade=0):
    """silver.md Part 2 §3.6 `_resolve_spot_ref`, from the underlying book at the window start."""
    best_bid = max(bids) if bids else 0
    best_ask = min(asks) if asks else 0
    if last_trade > 0 and (last_trade in bids or last_trade in asks):
        return last_trade
    if best_bid > 0 and best_ask > 0:
        if last_trade > 0:
            return best_bid if abs(last_trade - best_bid) <= abs(best_ask - last_trade) else best_ask
        return best_bid
    return best_bid or best_ask or max(last_trade, 0)


def silver():
    """Yields (window_end, spot_ref, {cell: {column: value}}) per session window."""
    orders = {}  # (iid, oid) -> dict(side, price, rem, pending, at)
    events = list(OPTIONS)
    for start in range(SESSION[0], SESSION[1], SEC):
        end = start + SEC
        # Spot at the window start, before the window's records (every underlying record is before 10 s).
        bids = {p for ts, side, p in UNDERLYING if side == "B" and ts < start}
        asks = {p for ts, side, p in UNDERLYING if side == "A" and ts < start}
        spot = spot_ref(bids, asks)
        cells = {c: dict.fromkeys(SILVER, 0.0) for c in CELLS}

        def cell_of(iid, side):
            right, strike = INSTRUMENTS[iid]
            off = round_half_even_div(strike - spot, STEP)
            return (max(-MAX_OFFSET, min(MAX_OFFSET, off)), right, side)

        while events and events[0][0] < end:
            ts, iid, action, side, price, size, oid = events.pop(0)
            in_session = ts >= SESSION[0]
            flow = cells[cell_of(iid, side)] if in_session else None
            o = orders.get((iid, oid))
            if action == "A":
                orders[(iid, oid)] = dict(side=side, price=price, rem=size, pending=0, at=ts)
                if flow is not None:
                    flow["add_qty"] += size
            elif action == "F" and o is not None:
                if flow is not None:
                    cells[cell_of(iid, o["side"])]["fill_qty"] += size
                o["pending"] = min(o["rem"], o["pending"] + size)
            elif action == "C" and o is not None:
                removed = o["rem"] if size == 0 else min(size, o["rem"])
                fill_part = min(removed, o["pending"])
                pull_part = removed - fill_part
                o["pending"] -= fill_part
                o["rem"] -= removed
                if flow is not None and pull_part > 0:
                    c = cells[cell_of(iid, o["side"])]
                    c["pull_qty_total"] += pull_part
                    if ts - o["at"] >= REST_NS:
                        c["pull_qty_rest"] += pull_part
                if o["rem"] == 0:
                    del orders[(iid, oid)]
        for (iid, _oid), o in orders.items():
            c = cells[cell_of(iid, o["side"])]
            c["depth_qty_end"] += o["rem"]
            if end - o["at"] >= REST_NS:
                c["depth_qty_rest"] += o["rem"]
        for c in cells.values():
            c["depth_qty_start"] = max(0.0, c["depth_qty_end"] - c["add_qty"] + c["pull_qty_total"] + c["fill_qty"])
        yield end, spot, cells


def surface():
    """Yields (window_end, spot_ref, {cell: (silver values, gold values)}): gold.md Part 2 §2 per cell, EMAs
    keyed by (rel_ticks, right, side), every cell every gold window, α = 1 − exp(−Δt/τ), first value starts."""
    ema = {}
    prev_end = None
    for end, spot, cells in silver():
        out = {}
        for key, s in cells.items():
            g = {}
            denom = s["depth_qty_start"] + 1.0
            g["add_intensity"] = s["add_qty"] / denom
            g["fill_intensity"] = s["fill_qty"] / denom
            g["pull_intensity"] = s["pull_qty_total"] / denom
            g["liquidity_velocity"] = g["add_intensity"] - g["pull_intensity"] - g["fill_intensity"]
            g["rho_opt"] = math.log(1.0 + s["depth_qty_end"])
            g["phi_rest_opt"] = s["depth_qty_rest"] / (s["depth_qty_end"] + 1.0)
            u = g["liquidity_velocity"]
            if prev_end is None:
                e = [u, u]
            else:
                dt = (end - prev_end) / SEC
                e = [m + (1.0 - math.exp(-dt / tau)) * (u - m) for m, tau in zip(ema[key], TAUS)]
            ema[key] = e
            g["u_opt_ema_8"], g["u_opt_ema_32"] = e
            g["u_opt_p_slow"] = g["phi_rest_opt"] * g["u_opt_ema_32"]
            g["Omega_opt"] = g["rho_opt"] * (0.5 + 0.5 * g["phi_rest_opt"]) * (1.0 + max(0.0, g["u_opt_p_slow"]))
            out[key] = ([s[c] for c in SILVER], [g[c] for c in GOLD])
        prev_end = end
        yield end, spot, out


def lines():
    """The .inc lines: {window end s, spot_ref, offset, right, side, {silver}, {gold}}, values as %.17g."""
    out = []
    for end, spot, cells in surface():
        for (off, right, side), (s, g) in cells.items():
            if not any(s) and not any(g):
                continue
            sv = ", ".join("%.17g" % v for v in s)
            gv = ", ".join("%.17g" % v for v in g)
            out.append(f"    {{{end // SEC}, {spot}LL, {off}, '{right}', '{side}', {{{sv}}}, {{{gv}}}}},")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 1:
        print(f"usage: {sys.argv[0]} > tests/engine/option_gold_expected.inc", file=sys.stderr)
        sys.exit(2)
    print("// Generated by python/tools/gen_option_gold_expected.py (silver.md option rules, gold.md §2); do not edit.")
    print("\n".join(lines()))
