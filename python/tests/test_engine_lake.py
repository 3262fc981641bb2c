"""Silver and gold of the MBO engine checked by independent Python implementations.

A short simulated session (09:30-09:33) goes through `spymaster run` (bronze, selection, silver, gold)
for ES and SPY. Then:
- silver is recomputed here from the bronze Parquet with a plain-dict order book that follows
  silver.md Part 1 (written from the spec, not from the C++), and compared row by row, exactly;
- gold is recomputed here with numpy from the silver Parquet (gold.md Part 1 formulas) and every
  column compared to the gold Parquet;
- the gold layout (rows per window, order, finiteness) is checked with DuckDB.
"""
import json
import math
import shutil

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from cli import run
from lake_oracle import read_partition as read, round_half_even_div

DT = "2026-01-06"
REST_NS = 500_000_000
SEC = 1_000_000_000
PRODUCTS = {
    # name: (product_type, raw root, silver symbol, tick, cell, half_width, snap spot)
    "ES": ("future_mbo", "ES", "ESH6", 250_000_000, 250_000_000, 200, False),
    "SPY": ("equity_mbo", "SPY", "SPY", 10_000_000, 500_000_000, 100, True),
}


class NaiveSilver:
    """The spec's rules with dicts; one window at a time."""

    def __init__(self, tick, cell, half, snap):
        self.cell, self.half, self.snap = cell, half, snap
        self.orders = {}  # id -> [side, price, rem, pending, ts_at_price]
        self.depth = {"B": {}, "A": {}}
        self.last_trade = 0
        self.valid, self.in_snapshot = True, False

    def level(self, side, price, qty):
        d = self.depth[side]
        d[price] = d.get(price, 0) + qty
        if d[price] == 0:
            del d[price]

    def best(self, side):
        d = self.depth[side]
        return (max(d) if side == "B" else min(d)) if d else 0

    def open(self, start):
        self.start, self.has_snapshot, self.flows = start, False, {}
        self.bid0, self.ask0 = self.best("B"), self.best("A")
        lt, bid, ask = self.last_trade, self.bid0, self.ask0
        if lt > 0 and (lt in self.depth["B"] or lt in self.depth["A"]):
            spot = lt
        elif bid > 0 and ask > 0:
            spot = bid if lt <= 0 or abs(lt - bid) <= abs(ask - lt) else ask
        else:
            spot = bid or ask or max(lt, 0)
        if self.snap and spot > 0:
            spot = round_half_even_div(spot, self.cell) * self.cell
        self.spot = spot

    def flow(self, side, price, kind, qty, rested=False):
        if self.spot <= 0:
            return
        rel = round_half_even_div(price - self.spot, self.cell)
        if abs(rel) > self.half:
            return
        f = self.flows.setdefault((side, rel), {"add": 0, "pull": 0, "pull_rest": 0, "fill": 0})
        f[kind] += qty
        if kind == "pull" and rested:
            f["pull_rest"] += qty

    def leave(self, o, removed, ts, count):
        fill_part = min(removed, o[3])
        pull_part = removed - fill_part
        o[3] -= fill_part
        o[2] -= removed
        self.level(o[0], o[1], -removed)
        if count and pull_part > 0:
            self.flow(o[0], o[1], "pull", pull_part, ts - o[4] >= REST_NS)

    def apply(self, ts, action, side, price, size, oid, flags, count):
        snap_flag = flags & 0x20
        if snap_flag:
            self.has_snapshot = True
        if action == "R":
            self.orders, self.depth = {}, {"B": {}, "A": {}}
            self.valid, self.in_snapshot, self.has_snapshot = False, True, True
            return
        if self.in_snapshot and (not snap_flag or flags & 0x80):
            self.valid, self.in_snapshot = True, False
        o = self.orders.get(oid)
        if action == "A" and side in "BA":
            if o is not None:
                self.level(o[0], o[1], -o[2])
            self.orders[oid] = [side, price, size, 0, ts]
            self.level(side, price, size)
            if count:
                self.flow(side, price, "add", size)
        elif action == "C" and o is not None:
            self.leave(o, o[2] if size == 0 else min(size, o[2]), ts, count)
            if o[2] == 0:
                del self.orders[oid]
        elif action == "M" and o is not None and side in "BA":
            if price != o[1]:
                self.leave(o, o[2], ts, count)
                o[1], o[2], o[3], o[4] = price, size, 0, ts
                self.level(o[0], price, size)
                if count:
                    self.flow(o[0], price, "add", size)
            elif size < o[2]:
                self.leave(o, o[2] - size, ts, count)
            elif size > o[2]:
                if count:
                    self.flow(o[0], price, "add", size - o[2])
                self.level(o[0], price, size - o[2])
                o[2], o[4] = size, ts
            if o[2] == 0:
                del self.orders[oid]
        elif action == "F" and o is not None:
            if count:
                self.flow(o[0], o[1], "fill", size)
            o[3] = min(o[2], o[3] + size)
        elif action == "T" and price > 0:
            self.last_trade = price

    def close(self):
        end = self.start + SEC
        snap = dict(window_end_ts_ns=end, best_bid_price_int=self.best("B"), best_ask_price_int=self.best("A"),
                    spot_ref_price_int=self.spot, last_trade_price_int=self.last_trade, book_valid=self.valid)
        snap["best_bid_qty"] = self.depth["B"].get(snap["best_bid_price_int"], 0)
        snap["best_ask_qty"] = self.depth["A"].get(snap["best_ask_price_int"], 0)
        rows = []
        if self.spot > 0:
            cells = {}
            for side, price, rem, _, ts in self.orders.values():
                rel = round_half_even_div(price - self.spot, self.cell)
                if abs(rel) <= self.half:
                    c = cells.setdefault((side, rel), [0, 0])
                    c[0] += rem
                    if end - ts >= REST_NS:
                        c[1] += rem
            window_valid = self.valid and not self.has_snapshot
            for side in ("B", "A"):
                start_best = self.bid0 if side == "B" else self.ask0
                end_best = snap["best_bid_price_int"] if side == "B" else snap["best_ask_price_int"]
                anchor = start_best if start_best > 0 else end_best if end_best > 0 else self.spot
                offset = round_half_even_div(anchor - self.spot, self.cell)
                for rel in range(-self.half, self.half + 1):
                    d_end, d_rest = cells.get((side, rel), (0, 0))
                    f = self.flows.get((side, rel))
                    if d_end <= 0 and f is None:
                        continue
                    f = f or {"add": 0, "pull": 0, "pull_rest": 0, "fill": 0}
                    rows.append(dict(window_end_ts_ns=end, side=side, rel_ticks=rel, rel_ticks_side=rel - offset,
                                     price_int=self.spot + rel * self.cell, depth_qty_end=d_end,
                                     depth_qty_rest=d_rest, add_qty=f["add"], pull_qty_total=f["pull"],
                                     pull_qty_rest=f["pull_rest"], fill_qty=f["fill"],
                                     depth_qty_start=max(0, d_end - f["add"] + f["pull"] + f["fill"]),
                                     window_valid=window_valid))
        return snap, rows


@pytest.mark.parametrize("name", ["ES", "SPY"])
def test_silver_equals_independent_python_book(lake, name):
    pt, _, symbol, tick, cell, half, snap = PRODUCTS[name]
    bronze = read(lake, "bronze", pt, symbol, "mbo", source=True).to_pydict()
    snaps = read(lake, "silver", pt, symbol, "book_snapshot_1s").to_pylist()
    flows = read(lake, "silver", pt, symbol, "depth_and_flow_1s").to_pylist()
    start = snaps[0]["window_start_ts_ns"]
    n = len(snaps)
    assert n == 180
    book = NaiveSilver(tick, cell, half, snap)
    want_snaps, want_rows = [], []
    k = -1

    def next_window():
        nonlocal k
        if k >= 0:
            s, r = book.close()
            want_snaps.append(s)
            want_rows.extend(r)
        k += 1
        if k < n:
            book.open(start + k * SEC)

    cols = [bronze[c] for c in ("ts_event", "action", "side", "price", "size", "order_id", "flags")]
    for ts, action, side, price, size, oid, flags in zip(*cols):
        if ts >= start + n * SEC:
            break
        while ts >= start + (k + 1) * SEC and k + 1 <= n:
            next_window()
        book.apply(ts, action, side, price, size, oid, flags, k >= 0)
    while k < n:
        next_window()
    assert len(want_snaps) == n
    for got, want in zip(snaps, want_snaps):
        for key, value in want.items():
            assert got[key] == value, (key, got, want)
    assert len(flows) == len(want_rows)
    for got, want in zip(flows, want_rows):
        for key, value in want.items():
            assert got[key] == value, (key, got, want)
    assert len(flows) > 300


def ema_alphas(dt):
    return np.array([1 - math.exp(-dt / tau) for tau in (2, 8, 32, 128)])


def smooth(v, sigma, n):
    """out(x) = sum w(k) v(x+k) / sum w(k) over the cells inside the grid."""
    cells = v.shape[-1]
    out = np.zeros_like(v)
    norm = np.zeros(cells)
    for k in range(-n, n + 1):
        w = math.exp(-k * k / (2 * sigma * sigma))
        lo, hi = max(0, -k), min(cells, cells - k)
        out[..., lo:hi] += w * v[..., lo + k:hi + k]
        norm[lo:hi] += w
    return out / norm


@pytest.mark.parametrize("name", ["ES", "SPY"])
def test_gold_equals_independent_numpy_surface(lake, name):
    pt, _, symbol, tick, cell, half, snap = PRODUCTS[name]
    snaps = read(lake, "silver", pt, symbol, "book_snapshot_1s").to_pylist()
    flows = read(lake, "silver", pt, symbol, "depth_and_flow_1s").to_pylist()
    gold = read(lake, "gold", pt, symbol, "physics_surface_1s").to_pydict()
    gold = {k: np.array(v) for k, v in gold.items()}
    cells = 2 * half + 1
    sides = ["A", "B"]
    ema = np.zeros((4, 2, cells))
    prev_ema2 = np.zeros((2, cells))
    prev_du = np.zeros((2, cells))
    prev_end = None
    by_window = {}
    for r in flows:
        by_window.setdefault(r["window_end_ts_ns"], []).append(r)
    ends, first_row = np.unique(gold["window_end_ts_ns"], return_index=True)
    gold_windows = {int(e): i for e, i in zip(ends, first_row)}
    checked = 0
    for s in snaps:
        end = s["window_end_ts_ns"]
        if s["spot_ref_price_int"] <= 0:
            assert end not in gold_windows
            continue
        vals = {c: np.zeros((2, cells)) for c in ("start", "end", "add", "pull", "rest", "fill")}
        offset = [0, 0]
        for r in by_window.get(end, []):
            si = sides.index(r["side"])
            x = r["rel_ticks"] + half
            offset[si] = r["rel_ticks"] - r["rel_ticks_side"]
            vals["start"][si, x] += r["depth_qty_start"]
            vals["end"][si, x] += r["depth_qty_end"]
            vals["add"][si, x] += r["add_qty"]
            vals["pull"][si, x] += r["pull_qty_total"]
            vals["rest"][si, x] += r["depth_qty_rest"]
            vals["fill"][si, x] += r["fill_qty"]
        denom = vals["start"] + 1.0
        add_i, pull_i, fill_i = vals["add"] / denom, vals["pull"] / denom, vals["fill"] / denom
        u = add_i - pull_i - fill_i
        first = prev_end is None
        alpha = np.ones(4) if first else ema_alphas((end - prev_end) / SEC)
        for i in range(4):
            ema[i] += alpha[i] * (u - ema[i])
        du = np.zeros_like(u) if first else ema[0] - prev_ema2
        d2u = np.zeros_like(u) if first else du - prev_du
        prev_ema2, prev_du, prev_end = ema[0].copy(), du, end
        rho = np.log(1.0 + vals["end"])
        phi = vals["rest"] / (vals["end"] + 1.0)
        u_p, u_p_slow = phi * ema[1], phi * ema[2]
        omega = rho * (0.5 + 0.5 * phi) * (1.0 + np.maximum(0.0, u_p_slow))
        u_near, u_far = smooth(ema[1], 6, 16), smooth(ema[2], 24, 64)
        o_near, o_far = smooth(omega, 6, 16), smooth(omega, 24, 64)
        du_dx = np.zeros_like(u_near)
        d2u_dx2 = np.zeros_like(u_near)
        du_dx[:, 1:-1] = (u_near[:, 2:] - u_near[:, :-2]) * 0.5
        d2u_dx2[:, 1:-1] = u_near[:, 2:] - 2 * u_near[:, 1:-1] + u_near[:, :-2]
        nu = 1 + o_near + 2 * np.maximum(0.0, o_near - o_far)
        bands = (ema[0] - ema[1], ema[1] - ema[2], ema[2] - ema[3])
        expected = {
            "add_intensity": add_i, "fill_intensity": fill_i, "pull_intensity": pull_i, "liquidity_velocity": u,
            "u_ema_2": ema[0], "u_ema_8": ema[1], "u_ema_32": ema[2], "u_ema_128": ema[3],
            "u_band_fast": bands[0], "u_band_mid": bands[1], "u_band_slow": bands[2],
            "u_wave_energy": np.sqrt(bands[0] ** 2 + bands[1] ** 2 + bands[2] ** 2),
            "du_dt": du, "d2u_dt2": d2u, "u_near": u_near, "u_far": u_far, "u_prom": u_near - u_far,
            "du_dx": du_dx, "d2u_dx2": d2u_dx2, "rho": rho, "phi_rest": phi, "u_p": u_p, "u_p_slow": u_p_slow,
            "Omega": omega, "Omega_near": o_near, "Omega_far": o_far, "Omega_prom": o_near - o_far, "nu": nu,
            "kappa": 1 / nu, "pressure_grad": np.stack([-u_p[0], u_p[1]]),
        }
        first_row = gold_windows[end]
        g = {k: v[first_row:first_row + 2 * cells] for k, v in gold.items()}
        assert (g["window_end_ts_ns"] == end).all()
        assert list(g["side"]) == ["A"] * cells + ["B"] * cells
        assert list(g["rel_ticks"]) == list(range(-half, half + 1)) * 2
        assert (g["spot_ref_price_int"] == s["spot_ref_price_int"]).all()
        assert (g["event_ts_ns"] == end).all()
        rel = np.arange(-half, half + 1)
        assert list(g["rel_ticks_side"]) == list(rel - offset[0]) + list(rel - offset[1])
        for column, value in expected.items():
            np.testing.assert_allclose(g[column], value.reshape(-1), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} window {end} column {column}")
        checked += 1
    assert checked == len(gold_windows) > 100
    assert len(gold["window_end_ts_ns"]) == checked * 2 * cells


@pytest.mark.parametrize("name", ["ES", "SPY"])
def test_gold_layout_with_duckdb(lake, name):
    pt, _, symbol, _, _, half, _ = PRODUCTS[name]
    path = next((lake / "gold" / f"product_type={pt}" / f"symbol={symbol}" / "table=physics_surface_1s" /
                 f"dt={DT}").glob("*.parquet"))
    con = duckdb.connect()
    per_window = con.execute(f"select count(*) c from '{path}' group by window_end_ts_ns").fetchall()
    assert {c for (c,) in per_window} == {2 * (2 * half + 1)}
    non_finite = con.execute(
        f"select count(*) from '{path}' where not (isfinite(nu) and isfinite(kappa) and isfinite(u_far) "
        f"and isfinite(Omega_far) and isfinite(u_prom))").fetchone()[0]
    assert non_finite == 0


@pytest.mark.parametrize("name", PRODUCTS)
def test_window_timestamps_carry_row_group_statistics(lake, name):
    """Readers prune silver/gold row groups by time: every *_ts_ns column has min/max per row group, equal
    to the data's, and row groups hold at most 256 Ki rows."""
    pt, _, symbol, *_ = PRODUCTS[name]
    files = [p for layer in ("silver", "gold") for p in (lake / layer / f"product_type={pt}" /
                                                         f"symbol={symbol}").rglob("part-00000.parquet")]
    assert len(files) == 4  # book_snapshot_1s, depth_and_flow_1s, physics_surface_1s, forecast_1s
    for path in files:
        meta = pq.ParquetFile(path).metadata
        table = pq.read_table(path)
        stamps = [n for n in table.column_names if n.endswith("_ts_ns")]
        assert stamps, path
        start = 0
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            assert group.num_rows <= 1 << 18
            for c in range(group.num_columns):
                column = group.column(c)
                if column.path_in_schema not in stamps:
                    continue
                values = table[column.path_in_schema][start:start + group.num_rows].to_pylist()
                assert column.statistics is not None and column.statistics.has_min_max, (path, column.path_in_schema)
                assert (column.statistics.min, column.statistics.max) == (min(values), max(values))
            start += group.num_rows


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_raw_driven_lake_equals_bronze_driven(lake, spymaster_bin, tmp_path, name):
    """`run --source raw` reads the raw DBN day file (no bronze at all in its lake) through bronze's
    normalization; on the simulated day, where no record is late, every silver and gold column equals the
    bronze-driven lake's, and the manifests say where the records came from."""
    pt, raw_root, symbol, *_ = PRODUCTS[name]
    raw_lake = tmp_path / "raw_only"
    shutil.copytree(lake / "raw", raw_lake / "raw")
    window = ["--session-start", "09:30", "--session-end", "09:33"]
    run([spymaster_bin, "run", "--product-type", pt, "--layer", "silver", "--symbol", symbol, "--dt", DT,
         "--lake", raw_lake, "--source", "raw", *window])
    run([spymaster_bin, "run", "--product-type", pt, "--layer", "gold", "--symbol", symbol, "--dt", DT,
         "--lake", raw_lake, *window])
    assert not (raw_lake / "bronze").exists()
    for layer, table in (("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"),
                         ("gold", "physics_surface_1s")):
        want = read(lake, layer, pt, symbol, table)
        got = read(raw_lake, layer, pt, symbol, table)
        assert got.num_rows == want.num_rows > 0
        assert got.equals(want), f"{layer}.{table} differs between raw- and bronze-driven runs"
    manifest = json.loads((raw_lake / "silver" / f"product_type={pt}" / f"symbol={symbol}" /
                           "table=book_snapshot_1s" / f"dt={DT}" / "_MANIFEST.json").read_text())
    assert manifest["counters"]["late_records"] == 0
    assert manifest["counters"]["raw_records_read"] >= manifest["counters"]["records"] > 0
    assert all(i["dataset"].startswith("raw.mbo") for i in manifest["inputs"])
