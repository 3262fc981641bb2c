"""The simulator's non-default presets, checked from the written files with Databento's official decoder
(databento_dbn) and plain Python written from the spec, not from our engine:

- `--scenario late`: adds whose ts_event lags their arrival (ts_recv order) by 1.2-2 s. The raw file holds
  records stamped more than 1 s below the largest ts_event before them; books stay valid in arrival and in
  (ts_event, sequence) order; `spymaster run --source raw` reports as many late_records as the window clock
  of architecture.md ("Window clock and late records"), recomputed here, and bronze-driven silver none.
- `--scenario deviations`: what README.md's deliberate deviations 2-4 are about, really in the file: fills
  whose C/M falls in a later 1 s window than the F, partial cancels sent as C, orders resting since before
  06:00 ET that are still live at 09:30.
"""
import collections
import datetime as dt
import json
import os
import shutil
import zoneinfo

import pyarrow.parquet as pq
import pytest

from cli import run
from sim_output import decode, parse_timeline

DATE = "2026-01-06"
SEC = 10**9
END = "09:34"
SEED = int(os.environ.get("SPYMASTER_SIM_SEED", "7"))
NY = zoneinfo.ZoneInfo("America/New_York")
ESH6, SPY = 42140878, 15144
F_SNAPSHOT = 0x20


def et_ns(hh, mm):
    return int(dt.datetime(2026, 1, 6, hh, mm, tzinfo=NY).timestamp()) * SEC


OPEN, CLOSE, SIX_ET = et_ns(9, 30), et_ns(9, 34), et_ns(6, 0)


def mbo_file(lake, pt, root):
    d = lake / "raw" / "source=databento" / f"product_type={pt}" / f"symbol={root}" / "table=mbo"
    files = list(d.glob("*/*.mbo.dbn.zst"))
    assert len(files) == 1, files
    return files[0]


def timeline(bin_path, scenario):
    """kind -> [(begin_ns, end_ns)] from `simulate --describe`."""
    text = run([bin_path, "simulate", "--describe", "--scenario", scenario, "--end", END]).stdout
    return parse_timeline(text), text


def simulate(bin_path, lake, scenario, *products):
    args = [a for p in products for a in ("--product", p)]
    run([bin_path, "simulate", "--lake", lake, "--scenario", scenario, "--seed", SEED, "--end", END,
         "--threads", "1", *args])


class Replay:
    """A plain MBO book per instrument with Databento's rule (the book changes only on A, C, M, R).
    Asserts on every record: adds use fresh ids, C/M/F name a live order, a C never removes more than
    rests, a same-price M only shrinks; so no depth can go negative. Records what the checks below need."""

    def __init__(self, records):
        self.orders = collections.defaultdict(dict)  # iid -> oid -> [side, price, size, add ts]
        self.partial_cancels = []  # (iid, ts, cancelled, remaining before)
        self.fill_removals = []  # (iid, F ts, C/M ts, action, filled, remaining before)
        self.live_at_open = None  # iid -> {oid: add ts}, taken before the first record at or after OPEN
        self.cancelled = {}  # (iid, oid) -> ts of the C that pulled all that rested (not a fill's C)
        pending = {}  # (iid, oid) -> (F ts, filled) awaiting the C/M
        for r in records:
            iid, a, ts = r.instrument_id, r.action.value, r.ts_event
            if self.live_at_open is None and ts >= OPEN:
                self.live_at_open = {i: {o: v[3] for o, v in b.items()} for i, b in self.orders.items()}
            book = self.orders[iid]
            if a == "R":
                book.clear()
                continue
            if a == "T":
                continue
            if a == "A":
                assert r.order_id not in book, f"add of live order {r.order_id} at {ts}"
                book[r.order_id] = [r.side.value, r.price, r.size, ts]
                continue
            assert a in "CMF", a
            assert r.order_id in book, f"{a} of unknown order {r.order_id} at {ts}"
            side, price, remaining, added = book[r.order_id]
            if a == "F":
                assert r.price == price and 0 < r.size <= remaining
                pending[(iid, r.order_id)] = (ts, r.size)
                continue
            fill = pending.pop((iid, r.order_id), None)
            if fill is not None:
                self.fill_removals.append((iid, fill[0], ts, a, fill[1], remaining))
            if a == "C":
                assert r.price == price and 0 < r.size <= remaining, (r, remaining)
                if r.size < remaining:
                    assert fill is None, "a fill is removed by C only when it takes the whole order"
                    self.partial_cancels.append((iid, ts, r.size, remaining))
                    book[r.order_id][2] = remaining - r.size
                else:
                    if fill is None:
                        self.cancelled[(iid, r.order_id)] = ts
                    del book[r.order_id]
            elif r.price == price:
                assert 0 < r.size < remaining, "same-price modify must shrink"
                book[r.order_id][2] = r.size
            else:
                book[r.order_id] = [side, r.price, r.size, added]
        assert not pending, f"fills never removed from the book: {pending}"


# ---- late records --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def late_day(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("late_lake")
    simulate(spymaster_bin, lake, "late", "future_mbo")
    tl, _ = timeline(spymaster_bin, "late")
    md, recs = decode(mbo_file(lake, "future_mbo", "ES"))
    return {"lake": lake, "timeline": tl, "metadata": md, "records": recs}


def window_clock_late(ts_events, start, end):
    """Late records by architecture.md's window clock: windows [start + k s, start + (k+1) s); the open
    window closes when a record at or after its end arrives (opening the window holding that record); a
    record before the open window's start is late; records before the first window only build the book;
    a record at or after the session end closes every window (nothing after it can change the output)."""
    open_k = -1
    late = 0
    for ts in ts_events:
        if ts >= end:
            break
        if open_k < 0:
            if ts >= start:
                open_k = (ts - start) // SEC
        elif ts >= start + (open_k + 1) * SEC:
            open_k = (ts - start) // SEC
        elif ts < start + open_k * SEC:
            late += 1
    return late


def test_describe_lists_the_late_episode(spymaster_bin):
    tl, text = timeline(spymaster_bin, "late")
    (b, e), = tl["late"]
    assert (b, e) == (OPEN + 30 * SEC, OPEN + 180 * SEC)
    assert "1200–2000 ms" in text


def test_raw_file_holds_records_stamped_more_than_a_second_late(late_day):
    recs = late_day["records"]
    (b, e), = late_day["timeline"]["late"]
    max_ts = 0
    prev_recv = 0
    lagging = []
    for r in recs:
        assert r.ts_recv >= prev_recv, "file not in ts_recv (arrival) order"
        assert r.ts_recv >= r.ts_event
        prev_recv = r.ts_recv
        if r.ts_event < max_ts - SEC:
            lagging.append(r)
        max_ts = max(max_ts, r.ts_event)
    assert len(lagging) >= 20, len(lagging)
    # Only fresh adds of the front month, arriving during the episode, lag, by the configured amount;
    # every other record's ts_recv trails its ts_event by microseconds.
    stamped_late = [r for r in recs if r.ts_recv - r.ts_event >= SEC]
    assert {id(r) for r in lagging} <= {id(r) for r in stamped_late}
    for r in stamped_late:
        assert r.action == "A" and not r.flags & F_SNAPSHOT and r.instrument_id == ESH6
        assert b <= r.ts_recv < e + SEC
        assert 1.2 * SEC <= r.ts_recv - r.ts_event <= 2.0 * SEC + 10_000
    assert all(r.ts_recv - r.ts_event < 100_000 for r in recs if r.ts_recv - r.ts_event < SEC)


def test_late_day_books_are_valid_in_arrival_and_event_order(late_day):
    recs = late_day["records"]
    arrival = Replay(recs)
    by_event = Replay(sorted(recs, key=lambda r: (r.ts_event, r.sequence)))
    # Same orders resting at the end either way.
    assert {i: set(b) for i, b in arrival.orders.items()} == {i: set(b) for i, b in by_event.orders.items()}


@pytest.fixture(scope="module")
def late_runs(spymaster_bin, late_day, tmp_path_factory):
    """Silver of ESH6 driven from the raw file, and (in a copy of the raw lake) from bronze."""
    window = ["--session-start", "09:30", "--session-end", END, "--dt", DATE]
    raw_lake = late_day["lake"]
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6",
         "--lake", raw_lake, "--source", "raw", *window])
    bronze_lake = tmp_path_factory.mktemp("late_bronze")
    shutil.copytree(raw_lake / "raw", bronze_lake / "raw")
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES",
         "--dt", DATE, "--lake", bronze_lake])
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6",
         "--lake", bronze_lake, *window])
    return raw_lake, bronze_lake


def silver_dir(lake, table):
    return lake / "silver" / "product_type=future_mbo" / "symbol=ESH6" / f"table={table}" / f"dt={DATE}"


def counters(lake):
    return json.loads((silver_dir(lake, "book_snapshot_1s") / "_MANIFEST.json").read_text())["counters"]


def test_raw_driven_silver_counts_late_records_like_the_spec(late_day, late_runs):
    raw_lake, bronze_lake = late_runs
    es = [r for r in late_day["records"] if r.instrument_id == ESH6]
    expected = window_clock_late((r.ts_event for r in es), OPEN, CLOSE)
    assert expected > 0
    raw = counters(raw_lake)
    assert raw["late_records"] == expected
    # Records below the previous (ts_event, sequence): each lagged add, counted the engine's way.
    last = (0, -1)
    out_of_order = 0
    for r in es:
        if (r.ts_event, r.sequence) < last:
            out_of_order += 1
        else:
            last = (r.ts_event, r.sequence)
    assert raw["records_out_of_order"] == out_of_order > 0
    # Bronze is sorted by (ts_event, sequence): nothing is late there, the same records reach the engine.
    bronze = counters(bronze_lake)
    assert bronze["late_records"] == 0 and bronze["records_out_of_order"] == 0
    assert bronze["records"] == raw["records"] == len(es)
    assert bronze["windows"] == raw["windows"] == (CLOSE - OPEN) // SEC


# ---- deviations 2-4 -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def deviations_day(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("deviations_lake")
    simulate(spymaster_bin, lake, "deviations", "future_mbo", "equity_mbo")
    tl, text = timeline(spymaster_bin, "deviations")
    replays = {}
    for pt, root, iid in [("future_mbo", "ES", ESH6), ("equity_mbo", "SPY", SPY)]:
        _, recs = decode(mbo_file(lake, pt, root))
        replays[root] = (iid, recs, Replay(recs))
    return {"lake": lake, "timeline": tl, "describe": text, "replays": replays}


def test_describe_lists_the_deviation_episodes(deviations_day):
    tl = deviations_day["timeline"]
    assert {"fill_split", "partial_cancels", "overnight_orders"} <= set(tl)
    (snap, _), = tl["opening_snapshot"]
    assert snap < SIX_ET
    assert "05:54:00" in deviations_day["describe"]


@pytest.mark.parametrize("root", ["ES", "SPY"])
def test_fills_removed_in_a_later_second(deviations_day, root):
    """Deviation 2: an F counts as fill in its own window; the C/M that removes it falls in the next one."""
    iid, _, replay = deviations_day["replays"][root]
    (b, e), = deviations_day["timeline"]["fill_split"]
    split = [f for f in replay.fill_removals if f[0] == iid and f[2] // SEC > f[1] // SEC]
    assert {f[3] for f in split} == {"C", "M"}, "both full (C) and partial (M) fills"
    assert len(split) >= 10
    for _, f_ts, rm_ts, action, filled, remaining in split:
        assert b <= f_ts < e and rm_ts - f_ts < SEC
        assert (filled == remaining) == (action == "C")
    # Outside the episode the C/M follows its F at the same time (CME's pattern).
    assert all(f[1] == f[2] for f in replay.fill_removals if not b <= f[1] < e)


@pytest.mark.parametrize("root", ["ES", "SPY"])
def test_partial_cancels_sent_as_c(deviations_day, root):
    """Deviation 3: a C removes its own size; here smaller than what rests."""
    iid, _, replay = deviations_day["replays"][root]
    (b, e), = deviations_day["timeline"]["partial_cancels"]
    mine = [p for p in replay.partial_cancels if p[0] == iid]
    assert len(mine) >= 20
    assert all(b <= ts < e and 0 < cancelled < remaining for _, ts, cancelled, remaining in mine)
    assert len(mine) == len(replay.partial_cancels), "only the primary instrument plays the scenario"


@pytest.mark.parametrize("root", ["ES", "SPY"])
def test_orders_resting_since_before_six_are_live_at_the_open(deviations_day, root):
    """Deviation 4: a reader that cut the file at 06:00 ET would miss these orders."""
    iid, recs, replay = deviations_day["replays"][root]
    assert recs[0].ts_event < SIX_ET
    old = {oid: ts for oid, ts in replay.live_at_open[iid].items() if ts < SIX_ET}
    assert len(old) >= 2
    # The overnight_orders episode pulls them in the session (unless a trade took them first).
    (b, e), = deviations_day["timeline"]["overnight_orders"]
    pulled = [ts for (i, oid), ts in replay.cancelled.items() if i == iid and oid in old]
    assert pulled and all(b <= ts < e for ts in pulled)


def test_deviations_day_raw_and_bronze_driven_silver_agree(spymaster_bin, deviations_day, tmp_path):
    """No record is late on this day, so raw-driven and bronze-driven silver are the same rows."""
    window = ["--session-start", "09:30", "--session-end", END, "--dt", DATE]
    raw_lake = tmp_path / "raw_driven"
    bronze_lake = tmp_path / "bronze_driven"
    for lake in (raw_lake, bronze_lake):
        shutil.copytree(deviations_day["lake"] / "raw", lake / "raw")
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6",
         "--lake", raw_lake, "--source", "raw", *window])
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES",
         "--dt", DATE, "--lake", bronze_lake])
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6",
         "--lake", bronze_lake, *window])
    assert counters(raw_lake)["late_records"] == 0
    for table in ("book_snapshot_1s", "depth_and_flow_1s"):
        a = pq.ParquetFile(next(silver_dir(raw_lake, table).glob("*.parquet"))).read()
        b = pq.ParquetFile(next(silver_dir(bronze_lake, table).glob("*.parquet"))).read()
        assert a.num_rows > 0 and a.equals(b), table
