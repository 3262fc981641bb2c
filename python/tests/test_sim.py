"""The simulated day (`spymaster simulate`), checked with Databento's official decoder (databento_dbn) and a
plain reference order book written here (not our engine)."""
import collections
import datetime as dt
import hashlib
import heapq
import json
import os
import pty
import re
import subprocess

import databento_dbn as dbn
import pytest

from sim_output import decode, parse_timeline

DATE = "2026-01-06"
DAY_START = 1767657600 * 10**9  # 2026-01-06T00:00:00Z
DAY_END = DAY_START + 86400 * 10**9
SEED = int(os.environ.get("SPYMASTER_SIM_SEED", "7"))  # other seeds: a robustness check
F_LAST, F_SNAPSHOT = 0x80, 0x20

# (product_type, symbol, table, dataset, file, stype_in, query symbols)
JOBS = [
    ("future_mbo", "ES", "mbo", "GLBX.MDP3", "glbx-mdp3-20260106.mbo.dbn.zst", "parent", ["ES.FUT"]),
    ("future_option_mbo", "ES", "mbo", "GLBX.MDP3", "glbx-mdp3-20260106.mbo.dbn.zst", "parent", None),
    ("future_option_mbo", "ES", "definition", "GLBX.MDP3", "glbx-mdp3-20260106.definition.dbn.zst", "parent", None),
    ("future_option_mbo", "ES", "statistics", "GLBX.MDP3", "glbx-mdp3-20260106.statistics.dbn.zst", "parent", None),
    ("equity_mbo", "SPY", "mbo", "XNAS.ITCH", "xnas-itch-20260106.mbo.dbn.zst", "raw_symbol", ["SPY"]),
    ("equity_mbo", "QQQ", "mbo", "XNAS.ITCH", "xnas-itch-20260106.mbo.dbn.zst", "raw_symbol", ["QQQ"]),
    ("equity_option_mbo", "SPY", "cmbp-1", "OPRA.PILLAR", "opra-pillar-20260106.cmbp-1.dbn.zst", "parent", ["SPY.OPT"]),
    ("equity_option_mbo", "SPY", "definition", "OPRA.PILLAR", "opra-pillar-20260106.definition.dbn.zst", "parent", ["SPY.OPT"]),
    ("equity_option_mbo", "SPY", "statistics", "OPRA.PILLAR", "opra-pillar-20260106.statistics.dbn.zst", "parent", ["SPY.OPT"]),
    ("equity_option_mbo", "QQQ", "cmbp-1", "OPRA.PILLAR", "opra-pillar-20260106.cmbp-1.dbn.zst", "parent", ["QQQ.OPT"]),
    ("equity_option_mbo", "QQQ", "definition", "OPRA.PILLAR", "opra-pillar-20260106.definition.dbn.zst", "parent", ["QQQ.OPT"]),
    ("equity_option_mbo", "QQQ", "statistics", "OPRA.PILLAR", "opra-pillar-20260106.statistics.dbn.zst", "parent", ["QQQ.OPT"]),
]
RTYPE = {"mbo": 160, "definition": 19, "statistics": 24, "cmbp-1": 177}


def job_dir(lake, pt, sym, table):
    return lake / "raw" / "source=databento" / f"product_type={pt}" / f"symbol={sym}" / f"table={table}" / f"SIM-20260106-{table}"


def run_sim(bin_path, *args, check=True):
    return subprocess.run([str(bin_path), "simulate", *args], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def day(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("simlake")
    res = run_sim(spymaster_bin, "--lake", str(lake), "--seed", str(SEED))
    timeline = parse_timeline(run_sim(spymaster_bin, "--describe").stdout)
    return {"lake": lake, "stdout": res.stdout, "stderr": res.stderr, "timeline": timeline}


@pytest.fixture(scope="module")
def decoded(day):
    cache = {}

    def get(pt, sym, table):
        key = (pt, sym, table)
        if key not in cache:
            d = job_dir(day["lake"], pt, sym, table)
            cache[key] = decode(next(d.glob("*.dbn.zst")))
        return cache[key]

    return get


# ---- files, metadata, side files ------------------------------------------------------------------------

@pytest.mark.parametrize("job", JOBS, ids=lambda j: f"{j[0]}-{j[1]}-{j[2]}")
def test_file_decodes_with_correct_metadata(day, decoded, job):
    pt, sym, table, dataset, fname, stype_in, symbols = job
    d = job_dir(day["lake"], pt, sym, table)
    assert sorted(p.name for p in d.iterdir()) == sorted(
        ["condition.json", "manifest.json", "metadata.json", "symbology.json", fname])
    md, recs = decoded(pt, sym, table)
    assert md.version == 3
    assert md.dataset == dataset
    assert str(md.schema) == table
    assert str(md.stype_in) == stype_in and str(md.stype_out) == "instrument_id"
    assert (md.start, md.end) == (DAY_START, DAY_END)
    if symbols is not None:
        assert md.symbols == symbols
    ids = {}
    for raw, intervals in md.mappings.items():
        assert len(intervals) == 1
        iv = intervals[0]
        assert (iv["start_date"], iv["end_date"]) == (dt.date(2026, 1, 6), dt.date(2026, 1, 7))
        ids[int(iv["symbol"])] = raw
    assert recs, "no records"
    seen = set()
    prev = (0, -1)
    for r in recs:
        assert r.rtype == RTYPE[table]
        assert r.instrument_id in ids
        seen.add(r.instrument_id)
        assert DAY_START <= r.ts_event < DAY_END
        assert r.ts_recv >= r.ts_event
        seq = getattr(r, "sequence", None)
        if seq is not None and table != "statistics":
            assert (r.ts_event, seq) > prev, "records out of (ts_event, sequence) order"
            prev = (r.ts_event, seq)
        else:
            assert r.ts_event >= prev[0]
            prev = (r.ts_event, prev[1])
    assert seen == set(ids), "every mapped instrument has records"


@pytest.mark.parametrize("job", JOBS, ids=lambda j: f"{j[0]}-{j[1]}-{j[2]}")
def test_side_files_match_fixture_shape(day, decoded, job, dbn_fixtures):
    pt, sym, table, dataset, fname, stype_in, _ = job
    d = job_dir(day["lake"], pt, sym, table)
    fixture = json.loads((dbn_fixtures.parent / "databento-batch" / "es-fut-mbo.metadata.json").read_text())
    meta = json.loads((d / "metadata.json").read_text())
    assert meta.keys() == fixture.keys()
    assert meta["query"].keys() == fixture["query"].keys()
    assert meta["customizations"].keys() == fixture["customizations"].keys()
    assert meta["job_id"] == d.name
    assert meta["query"]["dataset"] == dataset and meta["query"]["schema"] == table
    assert (meta["query"]["start"], meta["query"]["end"]) == (DAY_START, DAY_END)
    assert meta["query"]["stype_in"] == stype_in

    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["job_id"] == d.name
    names = [f["filename"] for f in manifest["files"]]
    assert sorted(names) == sorted(["condition.json", "metadata.json", "symbology.json", fname])
    for f in manifest["files"]:
        data = (d / f["filename"]).read_bytes()
        assert f["size"] == len(data)
        assert f["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert set(f["urls"]) == {"https", "ftp"}

    sym_json = json.loads((d / "symbology.json").read_text())
    fixture_sym = json.loads((dbn_fixtures.parent / "databento-batch" / "es-fut-mbo.symbology.json").read_text())
    assert sym_json.keys() == fixture_sym.keys()
    md, _ = decoded(pt, sym, table)
    assert {k: v[0]["s"] for k, v in sym_json["result"].items()} == {
        k: v[0]["symbol"] for k, v in md.mappings.items()}
    assert all(v[0]["d0"] == DATE and v[0]["d1"] == "2026-01-07" for v in sym_json["result"].values())
    assert sym_json["symbols"] == md.symbols
    cond = json.loads((d / "condition.json").read_text())
    assert cond == [{"date": DATE, "condition": "available", "last_modified_date": DATE}]


def test_future_mbo_has_front_deferred_and_spread(decoded):
    md, recs = decoded("future_mbo", "ES", "mbo")
    ids = {raw: int(v[0]["symbol"]) for raw, v in md.mappings.items()}
    assert ids["ESH6"] == 42140878
    assert set(ids) == {"ESH6", "ESM6", "ESH6-ESM6"}
    counts = collections.Counter(r.instrument_id for r in recs)
    assert counts[ids["ESH6"]] > 5 * counts[ids["ESM6"]] > 0
    assert counts[ids["ESH6-ESM6"]] > 100
    # ES near 6900 and the calendar spread priced negative (deferred above front).
    es = [r.price for r in recs[:20000] if r.instrument_id == ids["ESH6"] and r.action == "A"]
    assert 6500e9 < sum(es) / len(es) < 7300e9
    spread = [r.price for r in recs if r.instrument_id == ids["ESH6-ESM6"] and r.action == "A"]
    assert spread and all(p < 0 for p in spread)
    # Premarket trades exist (contract selection needs them between 05:00 and 08:30 ET).
    premarket_end = DAY_START + (13 * 3600 + 30 * 60) * 10**9  # 08:30 ET = 13:30Z in January
    assert any(r.action == "T" and r.ts_event < premarket_end for r in recs)


def test_es_option_definitions(decoded):
    _, defs = decoded("future_option_mbo", "ES", "definition")
    md, _ = decoded("future_option_mbo", "ES", "mbo")
    by_id = {d.instrument_id: d for d in defs}
    assert set(by_id) == {int(v[0]["symbol"]) for v in md.mappings.values()}
    est = dt.timezone(dt.timedelta(hours=-5))
    zero_dte = [d for d in defs if d.instrument_class in ("C", "P")
                and dt.datetime.fromtimestamp(d.expiration / 1e9, est).date() == dt.date(2026, 1, 6)]
    later = [d for d in defs if d.instrument_class in ("C", "P") and d not in zero_dte]
    ud = [d for d in defs if d.raw_symbol.startswith("UD:")]
    assert len(zero_dte) == 82 and len(later) > 0 and len(ud) == 1
    assert ud[0].user_defined_instrument == "Y" and ud[0].instrument_class == "T"
    strikes = sorted({d.strike_price for d in zero_dte})
    assert len(strikes) == 41 and all(b - a == 5 * 10**9 for a, b in zip(strikes, strikes[1:]))
    assert strikes[-1] - strikes[0] == 200 * 10**9
    for d in zero_dte:
        assert d.underlying == "ESH6" and d.underlying_id == 42140878
        assert d.expiration == 1767733200 * 10**9  # 16:00 ET
        assert re.fullmatch(r"E1BF6 [CP]\d{4}", d.raw_symbol)
        assert d.raw_symbol[6] == d.instrument_class
        assert int(d.raw_symbol[7:]) * 10**9 == d.strike_price


@pytest.mark.parametrize("root", ["SPY", "QQQ"])
def test_equity_option_definitions(decoded, root):
    _, defs = decoded("equity_option_mbo", root, "definition")
    ny = dt.timezone(dt.timedelta(hours=-5))
    zero = [d for d in defs if dt.datetime.fromtimestamp(d.expiration / 1e9, ny).date() == dt.date(2026, 1, 6)]
    assert len(zero) == 122 and len(defs) > len(zero)
    strikes = sorted({d.strike_price for d in zero})
    assert len(strikes) == 61 and all(b - a == 10**9 for a, b in zip(strikes, strikes[1:]))
    mid = strikes[30] / 1e9
    assert (680 if root == "SPY" else 610) < mid < (700 if root == "SPY" else 630)
    for d in defs:
        assert d.underlying == root and d.instrument_class in ("C", "P")
        m = re.fullmatch(r"(\w+)\s+(\d{6})([CP])(\d{8})", d.raw_symbol)
        assert m and m.group(1) == root and len(d.raw_symbol) == 21
        assert m.group(3) == d.instrument_class and int(m.group(4)) * 10**6 == d.strike_price


@pytest.mark.parametrize("pt,root", [("future_option_mbo", "ES"), ("equity_option_mbo", "SPY")])
def test_statistics_types(decoded, pt, root):
    _, stats = decoded(pt, root, "statistics")
    types = collections.Counter(int(s.stat_type) for s in stats)
    assert types[9] > 0 and types[6] > 0  # open interest, cleared volume
    assert types[5] > 0 and types[4] > 0 and types[1] > 0  # session high, low, opening price
    for s in stats:
        if int(s.stat_type) in (9, 6):
            assert s.quantity != dbn.UNDEF_STAT_QUANTITY and s.price == dbn.UNDEF_PRICE
        else:
            assert s.price != dbn.UNDEF_PRICE


# ---- the reference book ------------------------------------------------------------------------------------

class Book:
    """A straightforward per-instrument MBO book: orders by id, FIFO queues per (side, price)."""

    def __init__(self):
        self.orders = {}  # id -> [side, price, size]
        self.levels = {"B": {}, "A": {}}  # price -> dict(order id -> None), insertion ordered = queue
        self.depth = {"B": collections.Counter(), "A": collections.Counter()}
        self.heaps = {"B": [], "A": []}

    def add(self, oid, side, price, size):
        self.orders[oid] = [side, price, size]
        self.levels[side].setdefault(price, {})[oid] = None
        self.depth[side][price] += size
        heapq.heappush(self.heaps[side], -price if side == "B" else price)

    def remove(self, oid, size):
        side, price, remaining = self.orders[oid]
        self.depth[side][price] -= size
        assert self.depth[side][price] >= 0, "negative depth"
        if size >= remaining:
            del self.orders[oid]
            del self.levels[side][price][oid]
        else:
            self.orders[oid][2] = remaining - size

    def best(self, side):
        h = self.heaps[side]
        while h:
            p = -h[0] if side == "B" else h[0]
            if self.depth[side][p] > 0:
                return p
            heapq.heappop(h)
        return None

    def crossed(self):
        b, a = self.best("B"), self.best("A")
        return b is not None and a is not None and b >= a


def replay(recs, sample=(), window=30 * 10**9, shape_tick=None):
    """Replays an MBO file; asserts the invariants and returns counters. For instruments in `sample`,
    also returns the book mid at the end of each window ({instrument: {window index: mid}}) and, given
    `shape_tick`, the spread in ticks at each event end and the mean depth of the first 8 levels."""
    mids = {iid: {} for iid in sample}
    shape = {iid: {"spreads": collections.Counter(), "depth": [0] * 8, "samples": 0} for iid in sample}
    books = collections.defaultdict(Book)
    stats = collections.Counter()
    unknown = []
    crossed_seen = []
    snapshot_open = {}  # instrument -> in a snapshot block
    clears = collections.defaultdict(list)
    ended_cancel = ended_fill = 0
    pending = None  # current trade: dict(aggressor, price, left, fills=[(oid, qty)], phase)
    i, n = 0, len(recs)
    while i < n:
        r = recs[i]
        iid, a = r.instrument_id, r.action.value
        book = books[iid]
        snap = bool(r.flags & F_SNAPSHOT)
        if a == "R":
            assert snap, "clear must start a snapshot block"
            books[iid] = book = Book()
            snapshot_open[iid] = True
            clears[iid].append(r.ts_event)
            if r.flags & F_LAST:
                snapshot_open[iid] = False
            i += 1
            continue
        if snapshot_open.get(iid):
            assert snap and a == "A", "snapshot block holds only F_SNAPSHOT adds"
            book.add(r.order_id, r.side.value, r.price, r.size)
            if r.flags & F_LAST:
                snapshot_open[iid] = False
            i += 1
            continue
        assert not snap
        if a == "T":
            # CME pattern: T (aggressor) then F per resting order in time priority; then C/M of each.
            group = [r]
            j = i + 1
            while recs[j].action == "T" or recs[j].action == "F":
                group.append(recs[j])
                j += 1
            fills = []
            k = 0
            while k < len(group):
                t = group[k]
                assert t.action == "T" and t.order_id == 0
                resting = "A" if t.side.value == "B" else "B"
                k += 1
                queue = list(book.levels[resting].get(t.price, {}))
                total = 0
                q = 0
                while k < len(group) and group[k].action == "F":
                    f = group[k]
                    assert f.side.value == resting and f.price == t.price and f.ts_event == t.ts_event
                    assert f.order_id in book.orders, "fill of an unknown order"
                    assert queue[q] == f.order_id, "fills must follow time priority"
                    fills.append((f.order_id, f.size))
                    total += f.size
                    q += 1
                    k += 1
                assert total == t.size
            for oid, qty in fills:
                m = recs[j]
                assert m.order_id == oid and m.ts_event == r.ts_event
                remaining = book.orders[oid][2]
                if m.action == "C":
                    assert qty == remaining == m.size
                    book.remove(oid, m.size)
                    ended_fill += 1
                else:
                    assert m.action == "M" and m.size == remaining - qty and m.price == book.orders[oid][1]
                    book.remove(oid, qty)
                stats["fill_records"] += 1
                j += 1
            stats["trades"] += 1
            i = j
            if book.crossed():
                crossed_seen.append(recs[i - 1].ts_event)
            continue
        if a == "A":
            assert r.order_id not in book.orders
            book.add(r.order_id, r.side.value, r.price, r.size)
            stats["adds"] += 1
        elif a in ("C", "M", "F"):
            if r.order_id not in book.orders:
                unknown.append((r.ts_event, r.order_id, a))
                i += 1
                continue
            side, price, remaining = book.orders[r.order_id]
            assert a != "F", "F outside a trade"
            if a == "C":
                assert r.size == remaining and r.price == price
                book.remove(r.order_id, r.size)
                ended_cancel += 1
            else:
                if r.price == price:
                    assert r.size < remaining, "size increase"
                    book.remove(r.order_id, remaining - r.size)
                else:
                    book.remove(r.order_id, remaining)
                    book.add(r.order_id, side, r.price, r.size)
        else:
            raise AssertionError(f"unexpected action {a}")
        if r.flags & F_LAST and book.crossed():
            crossed_seen.append(r.ts_event)
        if iid in mids:
            b, a_ = book.best("B"), book.best("A")
            if b is not None and a_ is not None:
                mids[iid][r.ts_event // window] = (b + a_) / 2
                if shape_tick and r.flags & F_LAST:
                    sh = shape[iid]
                    sh["spreads"][(a_ - b) // shape_tick] += 1
                    if sum(sh["spreads"].values()) % 32 == 0:
                        sh["samples"] += 1
                        for k in range(8):
                            sh["depth"][k] += book.depth["B"][b - k * shape_tick] + book.depth["A"][a_ + k * shape_tick]
        i += 1
    stats["ended_cancel"], stats["ended_fill"] = ended_cancel, ended_fill
    for sh in shape.values():
        sh["depth"] = [d / max(1, 2 * sh["samples"]) for d in sh["depth"]]
    return stats, unknown, crossed_seen, clears, mids, shape


MBO_FILES = [("future_mbo", "ES", 42140878), ("future_option_mbo", "ES", None), ("equity_mbo", "SPY", 15144),
             ("equity_mbo", "QQQ", 13340)]


@pytest.fixture(scope="module")
def replays(decoded):
    out = {}
    for pt, root, _ in MBO_FILES:
        md, recs = decoded(pt, root, "mbo")
        front = [42140878] if pt == "future_mbo" else []
        out[(pt, root)] = (md, recs, replay(recs, sample=front, shape_tick=250_000_000))
    return out


@pytest.mark.parametrize("pt,root,primary", MBO_FILES, ids=lambda x: str(x))
def test_mbo_replays_through_reference_book(day, replays, pt, root, primary):
    md, recs, (stats, unknown, crossed, clears, _, _) = replays[(pt, root)]
    tl = day["timeline"]
    # Opens like Databento's daily files: a clear + snapshot of every book.
    instruments = {int(v[0]["symbol"]) for v in md.mappings.values()}
    head = recs[0]
    assert head.action == "R" and head.flags & F_SNAPSHOT
    assert all(c[0] == tl["opening_snapshot"][0][0] for c in clears.values())
    assert set(clears) == instruments
    # The mid-session clear + snapshot hits every instrument.
    (clear_ts, _), = tl["clear_snapshot"]
    assert all(clear_ts in c for c in clears.values())
    # Unknown ids only from the injected episode, the count it asks for.
    (u0, u1), = tl["unknown_cancels"]
    assert len(unknown) == 5
    assert all(u0 <= ts <= u1 and a == "C" for ts, _, a in unknown)
    # Crossed only during the injected moment, and really crossed then.
    (c0, c1), = tl["crossed"]
    assert crossed and all(c0 <= ts < c1 for ts in crossed)
    # Most adds end cancelled; there is real trading.
    assert stats["ended_cancel"] >= 0.8 * stats["adds"], stats
    assert stats["trades"] > 100 and stats["ended_fill"] > 0


def test_es_book_shape(replays):
    """ESH6 keeps a one-tick spread most of the time, and depth is thicker a few ticks from the touch."""
    shape = replays[("future_mbo", "ES")][2][5][42140878]
    spreads = shape["spreads"]
    assert spreads[1] / sum(spreads.values()) > 0.8
    depth = shape["depth"]
    assert depth[0] < depth[2] < depth[4] and depth[0] > 1


def test_order_sizes_are_heavy_tailed(decoded):
    _, recs = decoded("future_mbo", "ES", "mbo")
    sizes = [r.size for r in recs if r.action == "A" and r.instrument_id == 42140878]
    ones = sum(1 for x in sizes if x == 1) / len(sizes)
    big = sum(1 for x in sizes if x >= 20) / len(sizes)
    assert 0.5 < ones < 0.8 and 0.005 < big < 0.05 and max(sizes) >= 100


def test_intensity_peaks_at_the_open(day, decoded):
    (open_ns, close_ns), = day["timeline"]["open"]
    _, recs = decoded("future_mbo", "ES", "mbo")
    minute = collections.Counter((r.ts_event - open_ns) // (60 * 10**9) for r in recs if open_ns <= r.ts_event < close_ns)
    premarket = sum(1 for r in recs if open_ns - 600 * 10**9 <= r.ts_event < open_ns) / 10
    assert minute[0] > 1.8 * (sum(minute[m] for m in range(30, 60)) / 30) > 2 * premarket


def test_lull_has_no_events_anywhere(day, decoded):
    (l0, l1), = day["timeline"]["lull"]
    assert l1 - l0 == 20 * 10**9
    for pt, sym, table, *_ in JOBS:
        if table in ("definition", "statistics"):
            continue
        _, recs = decoded(pt, sym, table)
        assert not any(l0 <= r.ts_event < l1 for r in recs), (pt, sym)
        assert any(r.ts_event >= l1 for r in recs)


def test_wall_holds_and_price_bounces(day, replays):
    (w0, w1), = day["timeline"]["wall"]
    _, recs, _ = replays[("future_mbo", "ES")]
    es = [r for r in recs if r.instrument_id == 42140878]
    wall = next(r for r in es if r.ts_event == w0 and r.action == "A")
    assert wall.side == "B" and wall.size == 900
    cancel = [r for r in es if r.order_id == wall.order_id and r.action == "C"]
    assert cancel and cancel[0].ts_event == w1
    trades = [r.price for r in es if r.action == "T" and w0 <= r.ts_event < w1]
    assert min(trades) >= wall.price
    assert min(trades) <= wall.price + 4 * 250_000_000, "price never came near the wall"


def test_vacuum_pulls_then_moves(day, replays):
    (v0, v1), = day["timeline"]["vacuum"]
    _, recs, _ = replays[("future_mbo", "ES")]
    es = [r for r in recs if r.instrument_id == 42140878 and r.ts_event < v1]
    tick = 250_000_000

    def near_ask_depth(until):
        book = Book()
        for r in es:
            if r.ts_event >= until:
                break
            a = r.action.value
            if a == "R":
                book = Book()
            elif a == "A":
                book.add(r.order_id, r.side.value, r.price, r.size)
            elif a in ("C", "M") and r.order_id in book.orders:
                side, price, remaining = book.orders[r.order_id]
                if a == "C":
                    book.remove(r.order_id, r.size)
                elif r.price == price:
                    book.remove(r.order_id, remaining - r.size)
                else:
                    book.remove(r.order_id, remaining)
                    book.add(r.order_id, side, r.price, r.size)
        bid = book.best("B")
        return sum(book.depth["A"][bid + k * tick] for k in range(1, 6))

    before, during = near_ask_depth(v0), near_ask_depth(v1)
    assert during < 0.3 * before, (before, during)
    last_before = [r.price for r in recs if r.instrument_id == 42140878 and r.action == "T" and r.ts_event < v0][-1]
    first_after = [r.price for r in recs
                   if r.instrument_id == 42140878 and r.action == "T" and r.ts_event >= v1 + 3 * 10**9][0]
    assert first_after - last_before >= 4 * tick, "no fast move up after the ask vacuum"


def test_flicker_adds_and_cancels(day, replays):
    (f0, f1), = day["timeline"]["flicker"]
    _, recs, _ = replays[("future_mbo", "ES")]
    big = [r for r in recs if r.instrument_id == 42140878 and f0 <= r.ts_event < f1 and r.size == 150]
    adds = [r for r in big if r.action == "A"]
    assert len(adds) >= 100 and all(r.side == "A" for r in adds)
    assert sum(1 for r in big if r.action == "C") >= len(adds) - 1


def test_option_books_follow_the_future(decoded):
    """Option order flow reprices with the underlying: per 30 s window, the ATM call's book mid moves with
    the ESH6 mid and the put's against it."""
    md, recs = decoded("future_option_mbo", "ES", "mbo")
    _, futs = decoded("future_mbo", "ES", "mbo")
    ids = {raw: int(v[0]["symbol"]) for raw, v in md.mappings.items()}
    es = replay(futs, sample=[42140878])[4][42140878]
    atm = 5 * round(sum(es.values()) / len(es) / 5e9)
    call, put = ids[f"E1BF6 C{atm}"], ids[f"E1BF6 P{atm}"]
    opt = replay(recs, sample=[call, put])[4]

    def corr(series):
        keys = sorted(set(series) & set(es))
        xs = [es[b] - es[a] for a, b in zip(keys, keys[1:])]
        ys = [series[b] - series[a] for a, b in zip(keys, keys[1:])]
        assert len(xs) > 50
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
        return cov / (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5

    assert corr(opt[call]) > 0.5
    assert corr(opt[put]) < -0.5


@pytest.mark.parametrize("root", ["SPY", "QQQ"])
def test_cmbp1_quotes_are_consistent(decoded, root):
    _, recs = decoded("equity_option_mbo", root, "cmbp-1")
    quotes = trades = 0
    for r in recs:
        lv = r.levels[0]
        if lv.bid_px != dbn.UNDEF_PRICE and lv.ask_px != dbn.UNDEF_PRICE:
            assert lv.bid_px < lv.ask_px
        if r.action == "T":
            trades += 1
            assert r.price == (lv.ask_px if r.side == "B" else lv.bid_px)
        else:
            assert r.action == "A"
            quotes += 1
            assert r.price == (lv.bid_px if r.side == "B" else lv.ask_px)
            assert r.size == (lv.bid_sz if r.side == "B" else lv.ask_sz)
            assert 20 <= (lv.bid_pb if r.side == "B" else lv.ask_pb) <= 37 or r.price == dbn.UNDEF_PRICE
    assert quotes > 10000 and trades > 100


def test_progress_is_plain_log_lines_without_a_terminal(day):
    lines = [l for l in day["stderr"].splitlines() if l]
    assert lines and all(l.startswith("simulate:") for l in lines)
    assert "100% done" in lines[-1]
    assert "records/s" in day["stdout"]


def test_progress_bar_on_a_terminal(spymaster_bin, tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(spymaster_bin), "simulate", "--lake", str(tmp_path), "--product", "equity_mbo",
                             "--end", "09:45"], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child closed its end
            break
        if not chunk:
            break
        data += chunk
    proc.wait()
    os.close(master)
    assert proc.returncode == 0
    assert b"\rsimulate [" in data and b"100.0%" in data and b"#" * 40 in data


def test_scenario_file_sets_the_timeline(spymaster_bin, tmp_path):
    scenario = tmp_path / "quiet.json"
    scenario.write_text(json.dumps({"premarket_minutes": 5, "episodes": [
        {"kind": "lull", "at_s": 60, "duration_s": 30}, {"kind": "clear_snapshot", "at_s": 120}]}))
    res = run_sim(spymaster_bin, "--describe", "--scenario", str(scenario), "--end", "09:35")
    timeline = parse_timeline(res.stdout)
    open_ns = timeline["open"][0][0]
    assert timeline["lull"] == [(open_ns + 60 * 10**9, open_ns + 90 * 10**9)]
    assert timeline["clear_snapshot"] == [(open_ns + 120 * 10**9,) * 2]
    assert timeline["premarket"][0][0] == open_ns - 300 * 10**9
    assert "wall" not in timeline and "crossed" not in timeline
    scenario.write_text('{"episodes": [{"kind": "earthquake", "at_s": 1}]}')
    bad = run_sim(spymaster_bin, "--describe", "--scenario", str(scenario), check=False)
    assert bad.returncode == 2 and "earthquake" in bad.stderr and str(scenario) in bad.stderr


def test_bad_parameters_are_usage_errors(spymaster_bin, tmp_path):
    for args, needle in [(["--dt", "2026-02-30"], "--dt"), (["--end", "09:00"], "--end"),
                         (["--product", "bonds"], "bonds"), (["--dt", "2026-01-10"], "Saturday")]:
        res = run_sim(spymaster_bin, "--lake", str(tmp_path / "lake"), *args, check=False)
        assert res.returncode == 2 and needle in res.stderr, (args, res.stderr)
    assert not (tmp_path / "lake").exists()


def test_describe_lists_every_episode(day):
    assert set(day["timeline"]) >= {"opening_snapshot", "premarket", "open", "wall", "vacuum", "flicker", "lull",
                                    "clear_snapshot", "unknown_cancels", "crossed"}


def test_refuses_to_overwrite_and_leaves_nothing_behind(spymaster_bin, day, tmp_path):
    lake = day["lake"]
    data = job_dir(lake, "equity_mbo", "SPY", "mbo") / "xnas-itch-20260106.mbo.dbn.zst"
    before = data.read_bytes()
    res = run_sim(spymaster_bin, "--lake", str(lake), "--product", "equity_mbo", check=False)
    assert res.returncode == 1 and "already present" in res.stderr and str(data) in res.stderr
    assert data.read_bytes() == before
    assert not list(lake.rglob(".SIM-*")), "temporary files left behind"


def test_different_seed_gives_a_different_day(spymaster_bin, day, tmp_path):
    res = run_sim(spymaster_bin, "--lake", str(tmp_path), "--seed", str(SEED + 1), "--product", "equity_mbo",
                  "--end", "09:40")
    assert res.returncode == 0
    other = (job_dir(tmp_path, "equity_mbo", "QQQ", "mbo") / "xnas-itch-20260106.mbo.dbn.zst").read_bytes()
    mine = (job_dir(day["lake"], "equity_mbo", "QQQ", "mbo") / "xnas-itch-20260106.mbo.dbn.zst").read_bytes()
    assert other != mine
