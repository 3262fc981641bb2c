"""`spymaster serve` checked from the outside with an independent WebSocket client (the `websockets`
package) and pyarrow: a simulated session (09:30-09:33) goes through bronze, selection, silver and gold,
then the real server streams it over loopback.

- protocol order per window (batch_start, then surface_header + one Arrow IPC stream per surface), the
  four schemas, the end message and a normal close;
- every snap/velocity frame equals the lake's silver/gold rows of its window; every options frame equals
  the window's option gold (future_option_mbo, symbol ESH6) summed per rel_ticks over right and side;
- without option partitions the options surface is empty and batch_start says why (replay, compute and raw,
  ES and SPY);
- forecast frames equal an independent numpy implementation (python/tools/gen_forecast_expected.py);
- replay (lake) and compute (engine from bronze, option engine included) send identical bytes for every window;
- so does source=raw (the engine from the raw DBN day files, without bronze); a missing raw file → error then 1008;
  a truncated one → the windows before the cut, an error naming the file and offset, then 1011;
- SPY with its equity options (CMBP-1): compute, raw and replay send identical bytes for every window;
- bad parameters (path-like, huge, NaN, empty, unknown, a partition without _SUCCESS) → error then 1008;
- pacing and control: skip_minutes, start/end, seek, speed, pause/resume;
- concurrent clients plus one that never reads; connect/drop cycles; SIGTERM tells every client.
"""
import asyncio
import json
import os
import pathlib
import shutil
import signal
import socket
import sys
import urllib.request

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import websockets

from cli import run
from serve_process import ServeProcess

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python" / "tools"))
import gen_forecast_expected as oracle  # noqa: E402
from stream_schemas import SCHEMAS  # noqa: E402

DT = "2026-01-06"
SEC = 1_000_000_000
WINDOWS = 180  # 09:30-09:33
SESSION = ["--session-start", "09:30", "--session-end", "09:33"]
SURFACES = ["snap", "velocity", "options", "forecast"]


class Server(ServeProcess):
    def __init__(self, spymaster_bin, lake):
        super().__init__(spymaster_bin, lake, SESSION)


@pytest.fixture(scope="module")
def server(spymaster_bin, lake):
    s = Server(spymaster_bin, lake)
    yield s
    assert s.stop() == 0


def stream(url, controls=None):
    """All messages of one connection: (list of str/bytes, close code, close reason)."""
    async def go():
        messages = []
        async with websockets.connect(url, max_size=None) as ws:
            try:
                async for m in ws:
                    messages.append(m)
                    if controls:
                        await controls(ws, messages)
            except websockets.ConnectionClosed:
                pass
            return messages, ws.close_code, ws.close_reason
    return asyncio.run(go())


def windows_of(messages):
    """Splits a stream into per-window dicts {ts, surfaces: {name: pa.Table}, raw: [...]} and the tail."""
    windows, i = [], 0
    while i < len(messages) and isinstance(messages[i], str) and json.loads(messages[i])["type"] in (
            "batch_start", "dropped"):
        head = json.loads(messages[i])
        if head["type"] == "dropped":
            i += 1
            continue
        w = {"ts": int(head["window_end_ts_ns"]), "head": head, "surfaces": {}, "raw": [messages[i]]}
        i += 1
        for name in head["surfaces"]:
            assert json.loads(messages[i]) == {"type": "surface_header", "surface": name}
            assert isinstance(messages[i + 1], bytes)
            w["surfaces"][name] = pa.ipc.open_stream(messages[i + 1]).read_all()
            w["raw"] += messages[i:i + 2]
            i += 2
        windows.append(w)
    return windows, messages[i:]


def test_ping_pong_and_close_while_windows_are_written(server, replay):
    """The server writes each window as one gathered write of frames it framed itself, beneath Beast, which
    writes its pong and close frames: they must not land inside a window's bytes. An independent client
    (websockets) lets a speed=max stream fill the sockets, pings 60 times, reads it to the end, gets every pong
    and the same bytes as an undisturbed client; another closes mid-stream and gets the server's close
    frame (not a protocol error)."""
    pings = 60

    async def go():
        messages, waiters = [], []
        # A small receive buffer (no autotuning) and not reading fill the sockets well before the stream's
        # end (websockets stops reading past 16 queued messages): the server's write of a window then waits
        # for room while the pings come in.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
        sock.connect(("127.0.0.1", server.port))
        async with websockets.connect(server.url("speed=max"), max_size=None, ping_interval=None, sock=sock) as ws:
            await asyncio.sleep(1.0)
            for k in range(pings):
                waiters.append(await ws.ping(bytes([k]) * 125))
                await asyncio.sleep(0.005)
            async for m in ws:
                messages.append(m)
        code = ws.close_code
        latencies = await asyncio.wait_for(asyncio.gather(*waiters), timeout=30)
        closer_windows = 0
        # max_queue=None: the client keeps reading while it waits for the close frame (with a bounded queue
        # websockets stops reading the socket and the server's close frame waits behind unread windows).
        async with websockets.connect(server.url("speed=max"), max_size=None, ping_interval=None,
                                      max_queue=None) as ws:
            while closer_windows < 30:
                m = await ws.recv()
                closer_windows += isinstance(m, str) and json.loads(m)["type"] == "batch_start"
            await ws.close()
            return messages, code, latencies, ws.close_code, ws.protocol.close_rcvd

    messages, code, latencies, closer_code, close_rcvd = asyncio.run(go())
    assert len(latencies) == pings
    windows, tail = windows_of(messages)
    assert [w["raw"] for w in windows] == [w["raw"] for w in windows_of(replay[0])[0]]
    assert [json.loads(m) for m in tail] == [{"type": "end", "windows": WINDOWS}]
    assert code == 1000
    assert closer_code == 1000
    assert close_rcvd is not None and close_rcvd.code == 1000


def read_lake(lake, layer, table, product="future_mbo", symbol="ESH6"):
    base = lake / layer / f"product_type={product}" / f"symbol={symbol}" / f"table={table}" / f"dt={DT}"
    return pq.read_table(base / "part-00000.parquet")


@pytest.fixture(scope="module")
def replay(server):
    return stream(server.url("speed=max"))


def test_message_order_schemas_and_end(replay):
    messages, code, _ = replay
    windows, tail = windows_of(messages)
    assert len(windows) == WINDOWS
    assert [w["head"]["surfaces"] for w in windows] == [SURFACES] * WINDOWS
    assert [w["ts"] for w in windows] == sorted(w["ts"] for w in windows)
    for w in windows:
        for name, table in w["surfaces"].items():
            assert table.schema.remove_metadata() == SCHEMAS[name], name
        assert "options_missing" not in w["head"]
    assert [json.loads(m) for m in tail] == [{"type": "end", "windows": WINDOWS}]
    assert code == 1000


def test_frames_equal_lake_rows(lake, replay):
    windows, _ = windows_of(replay[0])
    snap = read_lake(lake, "silver", "book_snapshot_1s").to_pylist()
    gold = read_lake(lake, "gold", "physics_surface_1s").select(SCHEMAS["velocity"].names)
    assert [w["ts"] for w in windows] == [r["window_end_ts_ns"] for r in snap]
    gold_windows = 0
    for w, s in zip(windows, snap):
        assert w["surfaces"]["snap"].to_pylist() == [{k: s[k] for k in SCHEMAS["snap"].names}]
        rows = gold.filter(pa.compute.equal(gold["window_end_ts_ns"], w["ts"]))
        got = w["surfaces"]["velocity"]
        assert got.num_rows == rows.num_rows
        assert got.to_pylist() == rows.cast(SCHEMAS["velocity"]).to_pylist()
        forecast = w["surfaces"]["forecast"]
        if rows.num_rows:
            gold_windows += 1
            assert rows.num_rows == 802
            assert forecast.column("horizon_s").to_pylist() == list(range(31))
        else:
            assert forecast.num_rows == 0
    assert gold_windows > WINDOWS // 2


def net_option_velocity(lake, product="future_option_mbo", symbol="ESH6", step=20):
    """{window_end_ts_ns: [(ts, spot_ref, rel_ticks, sum of liquidity_velocity over right and side)]} from the
    lake's option gold, summed in the file's row order, rows outside ±400 dropped (stream.md §A.4)."""
    gold = read_lake(lake, "gold", "physics_surface_1s", product, symbol).select(
        ["window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "liquidity_velocity"]).to_pylist()
    sums = {}
    for r in gold:
        assert r["rel_ticks"] % step == 0, r  # $5 strikes on the $0.25 tick grid; $1 on the $0.50 buckets
        if abs(r["rel_ticks"]) > 400:
            continue
        key = (r["window_end_ts_ns"], r["spot_ref_price_int"], r["rel_ticks"])
        sums[key] = sums.get(key, 0.0) + r["liquidity_velocity"]
    out = {}
    for (ts, spot, rel), v in sorted(sums.items()):
        out.setdefault(ts, []).append({"window_end_ts_ns": ts, "spot_ref_price_int": spot, "rel_ticks": rel,
                                       "liquidity_velocity": v})
    return out


def test_options_frames_equal_net_option_gold_per_strike(lake, replay):
    windows, _ = windows_of(replay[0])
    want = net_option_velocity(lake)
    assert len(want) > WINDOWS // 2  # the simulated day has option gold in most windows
    assert set(want) <= {w["ts"] for w in windows}
    nonzero = 0
    for w in windows:
        got = w["surfaces"]["options"].to_pylist()
        assert got == want.get(w["ts"], []), w["ts"]
        assert all(r["rel_ticks"] % 20 == 0 for r in got)
        nonzero += any(r["liquidity_velocity"] != 0.0 for r in got)
    assert nonzero > 0  # the comparison is not only of zeros


@pytest.mark.parametrize("symbol,product", [("ESH6", "future_option_mbo"), ("SPY", "equity_option_mbo")])
def test_missing_option_partitions_give_empty_options_and_a_note(spymaster_bin, lake, tmp_path, symbol, product):
    """Without the options' gold, bronze or raw files every source streams the underlying with an empty options
    surface (the schema kept), and batch_start says what is missing and how to get it."""
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    shutil.rmtree(copy / "gold" / f"product_type={product}")
    shutil.rmtree(copy / "bronze" / "source=databento" / f"product_type={product}")
    shutil.rmtree(copy / "raw" / "source=databento" / f"product_type={product}")
    s = Server(spymaster_bin, copy)
    try:
        for source, how in (("replay", "spymaster run"), ("compute", "spymaster run"), ("raw", "raw")):
            windows, tail = windows_of(stream(s.url(f"symbol={symbol}&speed=max&end=09:30:10&source={source}"))[0])
            assert len(windows) == 10 and json.loads(tail[0]) == {"type": "end", "windows": 10}
            for w in windows:
                assert w["surfaces"]["options"].num_rows == 0
                assert w["surfaces"]["options"].schema.remove_metadata() == SCHEMAS["options"]
                assert product in w["head"]["options_missing"], (source, w["head"])
                assert how in w["head"]["options_missing"], (source, w["head"])
    finally:
        assert s.stop() == 0


def test_forecast_equals_independent_implementation(lake, replay):
    windows, _ = windows_of(replay[0])
    gold = read_lake(lake, "gold", "physics_surface_1s")
    with_gold = [w for w in windows if w["surfaces"]["forecast"].num_rows]
    for w in (with_gold[0], with_gold[len(with_gold) // 2], with_gold[-1]):
        rows = gold.filter(pa.compute.equal(gold["window_end_ts_ns"], w["ts"])).to_pylist()
        cells = [(r["rel_ticks"], r["side"], r["pressure_grad"], r["u_wave_energy"], r["rho"], r["nu"], r["Omega"])
                 for r in rows]
        d_up, d_down, run_up, run_down, confidence, deltas, _v = oracle.forecast(w["ts"], cells)
        f = w["surfaces"]["forecast"].to_pylist()
        spot_tick = rows[0]["spot_ref_price_int"] // 250_000_000
        assert f[0]["D_up"] == d_up and f[0]["D_down"] == d_down
        assert f[0]["RunScore_up"] == pytest.approx(run_up, abs=1e-9)
        assert f[0]["RunScore_down"] == pytest.approx(run_down, abs=1e-9)
        assert [r["confidence"] for r in f] == [confidence] * 31
        assert [r["predicted_tick_delta"] for r in f] == [0] + deltas
        assert [r["predicted_spot_tick"] for r in f] == [spot_tick + d for d in [0] + deltas]


def test_spy_frames_equal_the_equity_lake_rows(server, lake):
    """symbol=SPY streams equity_mbo silver/gold with the equity option gold per $1 strike (2 buckets); the
    forecast's spot tick is the $0.50 bucket index."""
    messages, code, _ = stream(server.url("symbol=SPY&speed=max"))
    windows, tail = windows_of(messages)
    assert code == 1000 and json.loads(tail[0]) == {"type": "end", "windows": WINDOWS}
    snap = read_lake(lake, "silver", "book_snapshot_1s", "equity_mbo", "SPY").to_pylist()
    gold = read_lake(lake, "gold", "physics_surface_1s", "equity_mbo", "SPY").select(SCHEMAS["velocity"].names)
    options = net_option_velocity(lake, "equity_option_mbo", "SPY", step=2)
    assert [w["ts"] for w in windows] == [r["window_end_ts_ns"] for r in snap]
    with_gold = with_options = 0
    for w, s in zip(windows, snap):
        assert "options_missing" not in w["head"]
        assert w["surfaces"]["snap"].to_pylist() == [{k: s[k] for k in SCHEMAS["snap"].names}]
        rows = gold.filter(pa.compute.equal(gold["window_end_ts_ns"], w["ts"]))
        assert w["surfaces"]["velocity"].to_pylist() == rows.cast(SCHEMAS["velocity"]).to_pylist()
        assert w["surfaces"]["options"].to_pylist() == options.get(w["ts"], []), w["ts"]
        with_options += bool(options.get(w["ts"]))
        f = w["surfaces"]["forecast"].to_pylist()
        if rows.num_rows:
            with_gold += 1
            assert rows.num_rows == 402
            spot = rows["spot_ref_price_int"][0].as_py() // 500_000_000
            assert [r["predicted_spot_tick"] - r["predicted_tick_delta"] for r in f] == [spot] * 31
        else:
            assert f == []
    assert with_gold > WINDOWS // 2 and with_options > WINDOWS // 2


def assert_same_frames(reference, *others):
    """Each of the other streams sends the reference's bytes, every message of every window and the tail, and
    every stream closes normally; returns each stream's windows, the reference's first."""
    split = [windows_of(messages) for messages, _, _ in (reference, *others)]
    ref_windows, ref_tail = split[0]
    assert len(ref_windows) == WINDOWS
    for (messages, code, _), (windows, tail) in zip((reference, *others), split):
        assert len(windows) == WINDOWS and tail == ref_tail and code == 1000
        for r, w in zip(ref_windows, windows):
            assert w["raw"] == r["raw"], r["ts"]
    return [windows for windows, _ in split]


def test_replay_and_compute_send_identical_frames(server, replay):
    assert_same_frames(replay, stream(server.url("speed=max&source=compute")))


def test_raw_compute_and_replay_send_identical_frames(server, replay):
    """source=raw: the engine driven from the raw DBN day files (ES futures MBO, the ES options' MBO and
    definitions) through bronze's normalization sends the bytes replay and compute from bronze send, every window."""
    raw = stream(server.url("speed=max&source=raw"))
    _, raw_windows, _ = assert_same_frames(replay, raw, stream(server.url("speed=max&source=compute")))
    assert sum(w["surfaces"]["options"].num_rows > 0 for w in raw_windows) > WINDOWS // 2


def test_raw_spy_frames_equal_compute_and_replay_frames(server):
    """SPY with its 0DTE equity options: compute from bronze (equity_mbo MBO and equity_option_mbo CMBP-1 merged
    into the QuoteOptionEngine the option silver/gold stage runs) and raw (the XNAS.ITCH MBO, OPRA CMBP-1 and
    definition day files) send the replay's bytes, every message of every window, the options surface included."""
    _, raw_windows, _ = assert_same_frames(stream(server.url("symbol=SPY&speed=max")),
                                           stream(server.url("symbol=SPY&speed=max&source=raw")),
                                           stream(server.url("symbol=SPY&speed=max&source=compute")))
    assert all("options_missing" not in w["head"] for w in raw_windows)
    assert sum(w["surfaces"]["options"].num_rows > 0 for w in raw_windows) > WINDOWS // 2


def test_raw_source_needs_no_bronze_and_names_a_missing_raw_file(spymaster_bin, lake, replay, tmp_path):
    """Without any bronze, source=raw still streams the replay's bytes; without the options' raw files the
    options surface is empty and batch_start says which file is missing; without the underlying's raw file,
    an error naming the directory, then 1008."""
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy, ignore=lambda d, names: ["bronze"] if pathlib.Path(d) == lake else [])
    raw_root = copy / "raw" / "source=databento"
    s = Server(spymaster_bin, copy)
    try:
        assert json.loads(stream(s.url("source=compute"))[0][0])["type"] == "error"  # no bronze indeed
        windows, tail = windows_of(stream(s.url("speed=max&source=raw"))[0])
        assert [w["raw"] for w in windows] == [w["raw"] for w in windows_of(replay[0])[0]]

        shutil.rmtree(raw_root / "product_type=future_option_mbo" / "symbol=ES" / "table=definition")
        windows, tail = windows_of(stream(s.url("speed=max&end=09:30:10&source=raw"))[0])
        assert len(windows) == 10 and json.loads(tail[0]) == {"type": "end", "windows": 10}
        for w in windows:
            assert w["surfaces"]["options"].num_rows == 0
            assert w["surfaces"]["options"].schema.remove_metadata() == SCHEMAS["options"]
            assert "no definition file for 2026-01-06" in w["head"]["options_missing"]
            assert "product_type=future_option_mbo" in w["head"]["options_missing"]

        for symbol, product in (("ESH6", "future_mbo"), ("SPY", "equity_mbo")):
            shutil.rmtree(raw_root / f"product_type={product}")
            messages, code, reason = stream(s.url(f"symbol={symbol}&source=raw"))
            assert len(messages) == 1 and code == 1008 and reason, messages[:3]
            msg = json.loads(messages[0])
            assert msg["type"] == "error", msg
            assert "no mbo file for 2026-01-06" in msg["message"] and f"product_type={product}" in msg["message"]
    finally:
        assert s.stop() == 0


def test_truncated_raw_file_gives_an_error_naming_it_then_1011(spymaster_bin, lake, replay, tmp_path):
    """The ES futures' raw MBO day file cut short mid-record (mid zstd frame): source=raw sends the replay's
    windows up to the cut, then an error naming the file and the byte offset, then 1011 (the request was good,
    the server's data is not). A second raw client gets the same error; the server stays healthy and serves the
    next replay client in full."""
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    raw_file = next((copy / "raw" / "source=databento" / "product_type=future_mbo").rglob("*.mbo.dbn.zst"))
    data = raw_file.read_bytes()
    cut = len(data) * 3 // 4
    raw_file.write_bytes(data[:cut])
    replay_windows = windows_of(replay[0])[0]
    s = Server(spymaster_bin, copy)
    try:
        for _ in range(2):
            messages, code, reason = stream(s.url("speed=max&source=raw"))
            windows, tail = windows_of(messages)
            assert code == 1011 and reason, (code, reason)
            assert len(tail) == 1, tail[:3]
            msg = json.loads(tail[0])
            assert msg["type"] == "error", msg
            assert str(raw_file) in msg["message"] and f"byte offset {cut}:" in msg["message"], msg
            assert "truncated" in msg["message"] and "download it again" in msg["message"], msg
            assert len(windows) < WINDOWS
            assert [w["raw"] for w in windows] == [w["raw"] for w in replay_windows[:len(windows)]]
        assert http_json(s, "/health") == {"status": "ok"}
        windows, tail = windows_of(stream(s.url("speed=max"))[0])
        assert [w["raw"] for w in windows] == [w["raw"] for w in replay_windows]
        assert json.loads(tail[0]) == {"type": "end", "windows": WINDOWS}
    finally:
        assert s.stop() == 0


def http_json(server, path):
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}"))


@pytest.mark.parametrize("source,counter", [("compute", "compute_engine_runs"), ("replay", "replay_reads")])
def test_clients_of_one_day_share_one_engine_run_or_lake_reading(server, replay, source, counter):
    """Four compute (or replay) clients of the same (symbol, dt): one engine run (one reading of the lake's
    rows) on GET /v1/stats, identical frames, equal to the replay's."""
    n = 4
    runs_before = http_json(server, "/v1/stats")[counter]

    async def go():
        connected = asyncio.Event()
        started = []

        async def client():
            async with websockets.connect(server.url(f"speed=1&source={source}"), max_size=None) as ws:
                messages = [await ws.recv()]  # the first window's batch_start: this client is reading the run
                started.append(ws)
                if len(started) == n:
                    connected.set()
                await connected.wait()
                await ws.send(json.dumps({"type": "control", "action": "speed", "value": "max"}))
                try:
                    async for m in ws:
                        messages.append(m)
                except websockets.ConnectionClosed:
                    pass
                return messages
        return await asyncio.gather(*[client() for _ in range(n)])
    results = asyncio.run(go())
    stats = http_json(server, "/v1/stats")
    assert stats[counter] == runs_before + 1
    replay_windows, _ = windows_of(replay[0])
    for messages in results:
        windows, tail = windows_of(messages)
        assert [w["raw"] for w in windows] == [w["raw"] for w in replay_windows]
        assert tail == [json.dumps({"type": "end", "windows": WINDOWS}, separators=(",", ":"))]
    if source == "compute":
        assert stats["close_to_socket_latency_ns"]["count"] >= n * WINDOWS


def test_replay_without_the_forecast_layer_or_with_a_stale_one_sends_the_same_frames(spymaster_bin, lake, replay,
                                                                                     tmp_path):
    """The lake's forecast_1s is read only when it was computed from the gold partition being replayed; a
    lake without it, or with one of an older gold, streams the forecast computed per window: the same bytes."""
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    forecast = copy / "gold" / "product_type=future_mbo" / "symbol=ESH6" / "table=forecast_1s"
    assert (forecast / f"dt={DT}" / "_SUCCESS").exists()
    expected, expected_tail = windows_of(replay[0])
    for case in ("missing", "stale"):
        if case == "missing":
            shutil.rmtree(forecast)
        else:
            run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "forecast", "--symbol", "ESH6",
                 "--dt", DT, "--lake", copy])
            # As if gold had been rebuilt after the forecast: the forecast's recorded gold is another one.
            path = forecast / f"dt={DT}" / "_MANIFEST.json"
            manifest = json.loads(path.read_text())
            manifest["params"]["gold_manifest_sha256"] = "0" * 64
            path.write_text(json.dumps(manifest, indent=2) + "\n")
        s = Server(spymaster_bin, copy)
        try:
            messages, code, _ = stream(s.url("speed=max"))
        finally:
            assert s.stop() == 0
        windows, tail = windows_of(messages)
        assert code == 1000 and tail == expected_tail, case
        assert [w["raw"] for w in windows] == [w["raw"] for w in expected], case


BAD = {
    "symbol=../../etc": "symbol",
    "symbol=%2E%2E%2Fgold": "symbol",
    "symbol=": "empty",
    "symbol=NOPE": "input not ready",
    "dt=2026-13-01": "dt",
    "dt=2026-01-07": "input not ready",
    "dt=../2026-01-06": "dt",
    "speed=0": "speed",
    "speed=-1": "speed",
    "speed=nan": "speed",
    "speed=inf": "speed",
    "speed=1e400": "speed",
    "speed=10000.5": "speed",
    "speed=fast": "speed",
    "skip_minutes=-1": "skip_minutes",
    "skip_minutes=99999999999999999999": "skip_minutes",
    "skip_minutes=1.5": "skip_minutes",
    "surfaces=snap,heat": "surfaces",
    "surfaces=snap,snap": "surfaces",
    "surfaces=": "empty",
    "start=25:00": "start",
    "start=09:32&end=09:31": "start",
    "source=bronze": "source",
    "source=live": "no live stream",
    "colour=red": "unknown parameter",
    "speed=1&speed=2": "twice",
    "symbol=%zz": "escape",
}


@pytest.mark.parametrize("query", list(BAD))
def test_bad_parameters_get_an_error_then_1008(server, query):
    messages, code, reason = stream(server.url(query))
    assert len(messages) == 1, messages[:3]
    msg = json.loads(messages[0])
    assert msg["type"] == "error" and BAD[query] in msg["message"], msg
    assert code == 1008 and reason


def test_partition_without_success_is_refused(spymaster_bin, lake, tmp_path):
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    (copy / "gold" / "product_type=future_mbo" / "symbol=ESH6" / "table=physics_surface_1s" / f"dt={DT}" /
     "_SUCCESS").unlink()
    s = Server(spymaster_bin, copy)
    try:
        messages, code, _ = stream(s.url())
        msg = json.loads(messages[0])
        assert msg["type"] == "error" and "gold.future_mbo.physics_surface_1s" in msg["message"]
        assert "spymaster run" in msg["message"] and code == 1008
    finally:
        assert s.stop() == 0


def test_skip_minutes_start_end_and_surfaces(server, lake):
    first = read_lake(lake, "silver", "book_snapshot_1s")["window_end_ts_ns"][0].as_py()
    windows, tail = windows_of(stream(server.url("speed=max&skip_minutes=1"))[0])
    assert len(windows) == WINDOWS - 60 and windows[0]["ts"] == first + 60 * SEC
    windows, tail = windows_of(stream(server.url("speed=max&start=09:31:30&end=09:32&surfaces=forecast,snap"))[0])
    assert len(windows) == 30 and windows[0]["ts"] == first + 90 * SEC
    assert all(list(w["surfaces"]) == ["snap", "forecast"] for w in windows)
    assert json.loads(tail[0]) == {"type": "end", "windows": 30}
    windows, _ = windows_of(stream(server.url("symbol=ES&speed=max&end=09:30:05"))[0])
    assert [w["ts"] for w in windows] == [first + k * SEC for k in range(5)]


def test_controls_seek_speed_pause_resume(server, lake):
    first = read_lake(lake, "silver", "book_snapshot_1s")["window_end_ts_ns"][0].as_py()
    # 120 windows after the target: at speed 4 the client has 30 s to send its backwards seek before the
    # server could reach the end (with 30 windows, a loaded machine lost that race once in ~6 runs).
    target = first + 60 * SEC
    sent = []

    async def controls(ws, messages):
        starts = [json.loads(m) for m in messages if isinstance(m, str) and '"batch_start"' in m]
        if len(starts) == 1 and not sent:
            sent.append("seek")
            await ws.send(json.dumps({"type": "control", "action": "pause"}))
            await ws.send(json.dumps({"type": "control", "action": "seek", "ts_ns": str(target)}))
            await ws.send(json.dumps({"type": "control", "action": "speed", "value": 4}))
            await ws.send(json.dumps({"type": "control", "action": "resume"}))
        elif len(starts) == 5 and len(sent) == 1:
            sent.append("back")  # a seek backwards reads the day again from its start
            await ws.send(json.dumps({"type": "control", "action": "seek", "ts_ns": str(first + 10 * SEC)}))
            await ws.send(json.dumps({"type": "control", "action": "speed", "value": "max"}))

    messages, code, _ = stream(server.url("speed=1"), controls)
    windows, tail = windows_of(messages)
    ts = [w["ts"] for w in windows]
    assert ts[0] == first
    i = ts.index(target)
    assert all(t < target for t in ts[1:i])  # at most a window in flight before the seek took effect
    j = ts.index(first + 10 * SEC, i)
    # The four windows the client saw after the target before seeking back, plus any in flight then.
    assert j - i >= 4 and ts[i:j] == [target + k * SEC for k in range(j - i)]
    assert ts[j:] == [first + k * SEC for k in range(10, WINDOWS)]
    assert json.loads(tail[-1])["type"] == "end" and code == 1000


def test_bad_control_message_gets_error_then_1008(server):
    async def controls(ws, messages):
        if len(messages) == 1:
            await ws.send(json.dumps({"type": "control", "action": "speed", "value": 0}))

    messages, code, _ = stream(server.url("speed=1"), controls)
    assert json.loads(messages[-1])["type"] == "error" and "speed" in json.loads(messages[-1])["message"]
    assert code == 1008


def rss_kb(pid, field="RssAnon"):
    """Private memory of the process (lake files are memory-mapped and shared: RssFile)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_concurrent_clients_and_one_that_never_reads(server):
    async def full(url):
        async with websockets.connect(url, max_size=None) as ws:
            n = 0
            async for m in ws:
                if isinstance(m, str) and json.loads(m)["type"] == "end":
                    return n
                if isinstance(m, str) and '"batch_start"' in m:
                    n += 1

    async def go():
        # A client that connects and never reads: its TCP window fills, the server must not care.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write((f"GET /v1/velocity/stream?speed=max HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        await writer.drain()
        counts = await asyncio.gather(*[full(server.url("speed=max")) for _ in range(20)])
        writer.close()
        return counts

    before = rss_kb(server.proc.pid)
    rounds = []
    for _ in range(3):
        assert asyncio.run(go()) == [WINDOWS] * 20
        rounds.append(rss_kb(server.proc.pid))
    print(f"server RssAnon: {before} kB before, after each round of 21 clients: {rounds} kB")
    # Each client holds one record batch and the Parquet reader's current pages (about 11 MB of 1 MB pages
    # for the 11 streamed columns), whatever the length of the day, plus at most a few queued windows; the
    # shared frame cache holds at most 64 MB. Rounds after the first stay within that bound.
    for r in rounds:
        assert r - before < 21 * 16_000 + 65_536


def test_connect_drop_cycles_leave_the_server_healthy(server):
    async def go():
        for k in range(300):
            ws = await websockets.connect(server.url("speed=max" if k % 2 else "speed=1"), max_size=None)
            if k % 3 == 0:
                await ws.recv()
            ws.transport.abort()  # drop without a close handshake
    asyncio.run(go())
    windows, tail = windows_of(stream(server.url("speed=max&end=09:30:10"))[0])
    assert len(windows) == 10 and json.loads(tail[0])["type"] == "end"


def test_health_and_catalog(server):
    import urllib.request
    base = f"http://127.0.0.1:{server.port}"
    assert json.load(urllib.request.urlopen(f"{base}/health")) == {"status": "ok"}
    catalog = json.load(urllib.request.urlopen(f"{base}/v1/catalog"))
    assert {"product_type": "future_mbo", "symbol": "ESH6", "dt": DT} in catalog["streams"]
    tables = {(p["layer"], p["table"]) for p in catalog["partitions"] if p["symbol"] == "ESH6"}
    assert tables == {("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"), ("gold", "physics_surface_1s"),
                      ("gold", "forecast_1s")}


def test_sigterm_tells_every_client(spymaster_bin, lake):
    s = Server(spymaster_bin, lake)

    async def client(got):
        async with websockets.connect(s.url("speed=1"), max_size=None) as ws:
            try:
                async for m in ws:
                    got.append(m)
                    if len(got) == 9 and len([g for g in got if isinstance(g, str)]) == 5:
                        pass
            except websockets.ConnectionClosed:
                pass
            return ws.close_code

    async def go():
        got = [[], [], []]
        tasks = [asyncio.create_task(client(g)) for g in got]
        while not all(len(g) >= 9 for g in got):
            await asyncio.sleep(0.05)
        s.proc.send_signal(signal.SIGTERM)
        return got, await asyncio.gather(*tasks)

    got, codes = asyncio.run(go())
    assert codes == [1001] * 3
    for g in got:
        assert json.loads(g[-1]) == {"type": "error", "message": "server shutting down"}
    assert s.proc.wait(timeout=30) == 0
