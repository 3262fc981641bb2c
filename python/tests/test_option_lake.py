"""Option silver and gold (future_option_mbo, equity_option_mbo) checked by an independent Python
implementation.

A short simulated session (09:30-09:33) with ES futures + ES 0DTE options and SPY + OPRA 0DTE CMBP-1 goes
through `spymaster run` (bronze, selection, underlying silver, options `--layer all`). Then, written from
silver.md Part 1 "Option rules" / Part 2 §6 and gold.md §2 (not from the C++):
- per-instrument plain-dict books (MBO) or tops (CMBP-1) are rebuilt from the option bronze Parquet from
  the start of the file; each session window maps every book's depth and the window's flow onto the dense
  strike grid ($5 ±10 for ES, $1 ±25 for SPY) around the underlying's spot_ref (taken from the underlying's
  silver, itself checked by test_engine_lake.py), and every grid row and snapshot row is compared exactly;
- option gold is recomputed from the option silver with numpy and every column compared.
"""
import math
import subprocess

import numpy as np
import pytest

from cli import run
from lake_oracle import read_partition, round_half_even_div

DT = "2026-01-06"
REST_NS = 500_000_000
SEC = 1_000_000_000
PRODUCTS = {
    # name: (option product type, underlying product type, raw root, partition symbol, step, max offset,
    #        rel ticks per step, bronze table)
    "ES": ("future_option_mbo", "future_mbo", "ES", "ESH6", 5_000_000_000, 10, 20, "mbo"),
    "SPY": ("equity_option_mbo", "equity_mbo", "SPY", "SPY", 1_000_000_000, 25, 2, "cmbp_1"),
}


def read(lake, layer, pt, table, source=False, symbol="ESH6"):
    return read_partition(lake, layer, pt, symbol, table, source=source)


class Books:
    """One dict book per instrument; orders keyed by (instrument, order id)."""

    def __init__(self, meta, step, max_off, per_step):
        self.step, self.max_off, self.per_step = step, max_off, per_step
        self.meta = meta  # iid -> (right, strike)
        self.orders = {}  # (iid, oid) -> [side, price, rem, pending, ts_at_price]
        self.depth = {iid: {"B": {}, "A": {}} for iid in meta}
        self.valid = {iid: True for iid in meta}
        self.in_snapshot = {iid: False for iid in meta}
        self.window = None

    def level(self, iid, side, price, qty):
        d = self.depth[iid][side]
        d[price] = d.get(price, 0) + qty
        if d[price] == 0:
            del d[price]

    def open(self, start, spot):
        self.window = dict(start=start, spot=spot, has_snapshot=False, flows={})

    def cell(self, iid):
        off = round_half_even_div(self.meta[iid][1] - self.window["spot"], self.step)
        return max(-self.max_off, min(self.max_off, off))

    def flow(self, iid, side, kind, qty, rested=False):
        w = self.window
        if w is None or w["spot"] <= 0:
            return
        key = (self.cell(iid), self.meta[iid][0], side)
        f = w["flows"].setdefault(key, {"add": 0, "pull": 0, "pull_rest": 0, "fill": 0})
        f[kind] += qty
        if kind == "pull" and rested:
            f["pull_rest"] += qty

    def leave(self, iid, o, removed, ts):
        fill_part = min(removed, o[3])
        pull_part = removed - fill_part
        o[3] -= fill_part
        o[2] -= removed
        self.level(iid, o[0], o[1], -removed)
        if pull_part > 0:
            self.flow(iid, o[0], "pull", pull_part, ts - o[4] >= REST_NS)

    def apply(self, ts, iid, action, side, price, size, oid, flags):
        snap_flag = flags & 0x20
        if self.window is not None and snap_flag:
            self.window["has_snapshot"] = True
        if action == "R":
            for key in [k for k in self.orders if k[0] == iid]:
                del self.orders[key]
            self.depth[iid] = {"B": {}, "A": {}}
            self.valid[iid], self.in_snapshot[iid] = False, True
            if self.window is not None:
                self.window["has_snapshot"] = True
            return
        if self.in_snapshot[iid] and (not snap_flag or flags & 0x80):
            self.valid[iid], self.in_snapshot[iid] = True, False
        o = self.orders.get((iid, oid))
        if action == "A" and side in "BA":
            if o is not None:
                self.level(iid, o[0], o[1], -o[2])
            self.orders[(iid, oid)] = [side, price, size, 0, ts]
            self.level(iid, side, price, size)
            self.flow(iid, side, "add", size)
        elif action == "C" and o is not None:
            self.leave(iid, o, o[2] if size == 0 else min(size, o[2]), ts)
            if o[2] == 0:
                del self.orders[(iid, oid)]
        elif action == "M" and o is not None and side in "BA":
            if price != o[1]:
                self.leave(iid, o, o[2], ts)
                o[1], o[2], o[3], o[4] = price, size, 0, ts
                self.level(iid, o[0], price, size)
                self.flow(iid, o[0], "add", size)
            elif size < o[2]:
                self.leave(iid, o, o[2] - size, ts)
            elif size > o[2]:
                self.flow(iid, o[0], "add", size - o[2])
                self.level(iid, o[0], price, size - o[2])
                o[2], o[4] = size, ts
            if o[2] == 0:
                del self.orders[(iid, oid)]
        elif action == "F" and o is not None:
            self.flow(iid, o[0], "fill", size)
            o[3] = min(o[2], o[3] + size)

    def tops(self, iid):
        bids, asks = self.depth[iid]["B"], self.depth[iid]["A"]
        return (max(bids) if bids else 0), (min(asks) if asks else 0)

    def resting(self, end):
        """(cell, right, side) -> [depth, resting depth] over every live order."""
        cells = {}
        for (iid, _), (side, _, rem, _, ts) in self.orders.items():
            c = cells.setdefault((self.cell(iid), self.meta[iid][0], side), [0, 0])
            c[0] += rem
            if end - ts >= REST_NS:
                c[1] += rem
        return cells

    def valid_now(self):
        return all(self.valid.values())

    def close(self):
        w = self.window
        start, spot = w["start"], w["spot"]
        end = start + SEC
        snaps = []
        for iid in sorted(self.meta):
            bid, ask = self.tops(iid)
            if bid > 0 and ask > 0 and ask > bid:
                snaps.append(dict(window_end_ts_ns=end, instrument_id=iid, right=self.meta[iid][0],
                                  strike_price_int=self.meta[iid][1], bid_price_int=bid, ask_price_int=ask,
                                  mid_price_int=(bid + ask) / 2, spot_ref_price_int=spot,
                                  book_valid=self.valid[iid]))
        rows = []
        if spot > 0:
            cells = self.resting(end)
            valid = self.valid_now() and not w["has_snapshot"]
            for off in range(-self.max_off, self.max_off + 1):
                for right in "CP":
                    for side in "AB":
                        d_end, d_rest = cells.get((off, right, side), (0, 0))
                        f = w["flows"].get((off, right, side), {"add": 0, "pull": 0, "pull_rest": 0, "fill": 0})
                        rows.append(dict(
                            window_end_ts_ns=end, strike_price_int=spot + off * self.step, right=right,
                            side=side, spot_ref_price_int=spot, rel_ticks=self.per_step * off, depth_qty_end=d_end, depth_qty_rest=d_rest,
                            add_qty=f["add"], pull_qty_total=f["pull"], pull_qty_rest=f["pull_rest"],
                            fill_qty=f["fill"], depth_qty_start=max(0, d_end - f["add"] + f["pull"] + f["fill"]),
                            window_valid=valid))
        return snaps, rows


class Tops(Books):
    """CMBP-1: one top per instrument side; adds and pulls inferred from its changes (silver.md §6)."""

    def __init__(self, meta, step, max_off, per_step):
        super().__init__(meta, step, max_off, per_step)
        self.top = {(iid, side): (0, 0) for iid in meta for side in "BA"}

    def quote(self, iid, side, price, size):
        old_p, old_s = self.top[(iid, side)]
        new_p, new_s = (price, size) if price > 0 and size > 0 else (0, 0)
        if old_s > 0 and (new_s == 0 or new_p != old_p):
            self.flow(iid, side, "pull", old_s)
        if new_s > 0 and (old_s == 0 or new_p != old_p):
            self.flow(iid, side, "add", new_s)
        elif new_s > 0 and new_s != old_s:
            self.flow(iid, side, "add" if new_s > old_s else "pull", abs(new_s - old_s))
        self.top[(iid, side)] = (new_p, new_s)

    def tops(self, iid):
        return self.top[(iid, "B")][0], self.top[(iid, "A")][0]

    def resting(self, end):
        cells = {}
        for (iid, side), (_, size) in self.top.items():
            c = cells.setdefault((self.cell(iid), self.meta[iid][0], side), [0, 0])
            c[0] += size
        return cells


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_option_silver_equals_independent_python_books(lake, name):
    opt_pt, under_pt, _, symbol, step, max_off, per_step, table = PRODUCTS[name]
    cmbp = table == "cmbp_1"
    bronze = read(lake, "bronze", opt_pt, table, source=True, symbol=symbol).to_pydict()
    fut = read(lake, "silver", under_pt, "book_snapshot_1s", symbol=symbol).to_pylist()
    snaps = read(lake, "silver", opt_pt, "book_snapshot_1s", symbol=symbol).to_pylist()
    flows = read(lake, "silver", opt_pt, "depth_and_flow_1s", symbol=symbol).to_pylist()
    meta = {}
    for iid, right, strike in zip(bronze["instrument_id"], bronze["right"], bronze["strike"]):
        meta[iid] = (right, strike)
    assert len(meta) > 10
    spots = [s["spot_ref_price_int"] for s in fut]
    start = fut[0]["window_start_ts_ns"]
    n = len(fut)
    assert n == 180 and all(s > 0 for s in spots)
    books = (Tops if cmbp else Books)(meta, step, max_off, per_step)
    want_snaps, want_rows = [], []
    k = -1

    def next_window():
        nonlocal k
        if k >= 0:
            s, r = books.close()
            want_snaps.extend(s)
            want_rows.extend(r)
        k += 1
        if k < n:
            books.open(start + k * SEC, spots[k])

    if cmbp:
        cols = [bronze[c] for c in ("ts_event", "instrument_id", "bid_px_00", "bid_sz_00", "ask_px_00", "ask_sz_00")]
    else:
        cols = [bronze[c] for c in ("ts_event", "instrument_id", "action", "side", "price", "size", "order_id",
                                    "flags")]
    for ts, iid, *rest in zip(*cols):
        if ts >= start + n * SEC:
            break
        while ts >= start + (k + 1) * SEC:
            next_window()
        if cmbp:
            books.quote(iid, "B", rest[0], max(0, rest[1]))
            books.quote(iid, "A", rest[2], max(0, rest[3]))
        else:
            books.apply(ts, iid, *rest)
    while k < n:
        next_window()
    cells = 4 * (2 * max_off + 1)
    assert len(flows) == cells * n == len(want_rows)
    for got, want in zip(flows, want_rows):
        for key, value in want.items():
            if cmbp and key == "depth_qty_rest":
                assert key not in got  # the equity option contract has no resting depth
                continue
            assert got[key] == value, (key, got, want)
        assert got["strike_points"] == got["strike_price_int"] * 1e-9
        assert got["window_start_ts_ns"] == got["window_end_ts_ns"] - SEC
    assert len(snaps) == len(want_snaps) > n
    for got, want in zip(snaps, want_snaps):
        for key, value in want.items():
            assert got[key] == value, (key, got, want)
    # The simulated day exercises the rules: flow of every kind, resting depth, far strikes at the edges.
    assert sum(r["add_qty"] for r in flows) > 0 and sum(r["pull_qty_total"] for r in flows) > 0
    if not cmbp:
        assert sum(r["fill_qty"] for r in flows) > 0 and sum(r["depth_qty_rest"] for r in flows) > 0
    assert sum(r["depth_qty_end"] for r in flows if abs(r["rel_ticks"]) == per_step * max_off) > 0


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_option_gold_equals_independent_numpy(lake, name):
    opt_pt, _, _, symbol, _, max_off, *_ = PRODUCTS[name]
    cells = 4 * (2 * max_off + 1)
    flows = read(lake, "silver", opt_pt, "depth_and_flow_1s", symbol=symbol).to_pydict()
    gold = read(lake, "gold", opt_pt, "physics_surface_1s", symbol=symbol).to_pydict()
    f = {k: np.array(v) for k, v in flows.items()}
    f.setdefault("depth_qty_rest", np.zeros(len(f["window_end_ts_ns"])))  # equity options: no resting depth
    g = {k: np.array(v) for k, v in gold.items()}
    n = len(f["window_end_ts_ns"]) // cells
    assert n == 180 and len(g["window_end_ts_ns"]) == cells * n
    for key in ("window_end_ts_ns", "spot_ref_price_int", "strike_price_int", "strike_points", "rel_ticks", "right",
                "side"):
        assert (g[key] == f[key]).all(), key
    assert (g["event_ts_ns"] == g["window_end_ts_ns"]).all()
    shape = (n, cells)
    start, end, rest = (f[c].reshape(shape) for c in ("depth_qty_start", "depth_qty_end", "depth_qty_rest"))
    add, pull, fill = (f[c].reshape(shape) for c in ("add_qty", "pull_qty_total", "fill_qty"))
    denom = start + 1.0
    add_i, pull_i, fill_i = add / denom, pull / denom, fill / denom
    u = add_i - pull_i - fill_i
    rho = np.log(1.0 + end)
    phi = rest / (end + 1.0)
    ends = f["window_end_ts_ns"].reshape(shape)[:, 0]
    ema8, ema32 = np.zeros(shape), np.zeros(shape)
    for k in range(n):
        if k == 0:
            ema8[0], ema32[0] = u[0], u[0]
            continue
        dt = (ends[k] - ends[k - 1]) / SEC
        a8, a32 = 1 - math.exp(-dt / 8), 1 - math.exp(-dt / 32)
        ema8[k] = ema8[k - 1] + a8 * (u[k] - ema8[k - 1])
        ema32[k] = ema32[k - 1] + a32 * (u[k] - ema32[k - 1])
    p_slow = phi * ema32
    omega = rho * (0.5 + 0.5 * phi) * (1 + np.maximum(0.0, p_slow))
    expected = {"add_intensity": add_i, "fill_intensity": fill_i, "pull_intensity": pull_i, "liquidity_velocity": u,
                "rho_opt": rho, "phi_rest_opt": phi, "u_opt_ema_8": ema8, "u_opt_ema_32": ema32,
                "u_opt_p_slow": p_slow, "Omega_opt": omega}
    for column, value in expected.items():
        np.testing.assert_allclose(g[column], value.reshape(-1), rtol=1e-9, atol=1e-12, err_msg=column)
        assert np.isfinite(g[column]).all()
    assert np.abs(g["Omega_opt"]).sum() > 0


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_option_gold_stage_alone_equals_fused_pass(lake, spymaster_bin, name):
    """`--layer gold` (silver read back) writes the same rows as the fused silver+gold pass."""
    opt_pt, _, _, symbol, *_ = PRODUCTS[name]
    want = read(lake, "gold", opt_pt, "physics_surface_1s", symbol=symbol)
    run([spymaster_bin, "run", "--product-type", opt_pt, "--layer", "gold", "--symbol", symbol,
         "--dt", DT, "--lake", lake, "--session-start", "09:30", "--session-end", "09:33", "--overwrite"])
    got = read(lake, "gold", opt_pt, "physics_surface_1s", symbol=symbol)
    assert got.num_rows == want.num_rows and got.equals(want)


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_option_raw_driven_lake_equals_bronze_driven(lake, spymaster_bin, tmp_path, name):
    """`run --source raw` reads the underlying's and the options' day files (MBO for ES options, OPRA
    CMBP-1 for SPY's) and the definitions, with no bronze in its lake, through bronze's own normalization;
    on the simulated day (no late records) every option silver and gold column equals the bronze-driven
    lake's."""
    import shutil

    opt_pt, _, _, symbol, *_ = PRODUCTS[name]
    raw_lake = tmp_path / "raw_only"
    shutil.copytree(lake / "raw", raw_lake / "raw")
    window = ["--session-start", "09:30", "--session-end", "09:33"]
    out = run([spymaster_bin, "run", "--product-type", opt_pt, "--layer", "silver", "--symbol", symbol,
               "--dt", DT, "--lake", raw_lake, "--source", "raw", *window])
    assert " late_records=0" in out.stdout + out.stderr  # the premise: every option record in ts_event order
    run([spymaster_bin, "run", "--product-type", opt_pt, "--layer", "gold", "--symbol", symbol,
         "--dt", DT, "--lake", raw_lake, *window])
    assert not (raw_lake / "bronze").exists()
    for layer, table in (("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"),
                         ("gold", "physics_surface_1s")):
        want = read(lake, layer, opt_pt, table, symbol=symbol)
        got = read(raw_lake, layer, opt_pt, table, symbol=symbol)
        assert got.schema == want.schema
        assert got.num_rows == want.num_rows > 0
        for column in want.column_names:
            assert got.column(column).equals(want.column(column)), f"{layer}.{table}.{column} differs"


def test_option_silver_without_underlying_bronze_names_it(spymaster_bin, tmp_path, lake):
    """Option silver needs the underlying's bronze: without it the run fails naming that dataset."""
    import shutil

    only = tmp_path / "options_only"
    src = lake / "bronze" / "source=databento" / "product_type=future_option_mbo"
    shutil.copytree(src, only / "bronze" / "source=databento" / "product_type=future_option_mbo")
    proc = subprocess.run([str(spymaster_bin), "run", "--product-type", "future_option_mbo", "--layer", "silver",
                           "--symbol", "ESH6", "--dt", DT, "--lake", str(only), "--session-start", "09:30",
                           "--session-end", "09:33"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "bronze.future_mbo.mbo" in proc.stdout + proc.stderr
