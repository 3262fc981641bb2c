"""`spymaster live` and `serve --live-feed` against the fake Live gateway (fake_live.py) replaying a simulated day's raw
ES file (and, for the equity feed of `serve --live-feed`, the raw SPY file).

The recorded DBN file is compared record by record (bytes) with the simulator's file, decoded
independently with databento_dbn; no record is lost or doubled across disconnects."""
import json
import os
import shutil
import signal
import struct
import subprocess
import time

import databento_dbn
import pyarrow.parquet as pq
import pytest
import websockets

from fake_live import FakeLiveGateway, index_ts, split_dbn

DT = "2026-01-06"
KEY = "db-LIVEKEYabcdefghijklmnopqr54321"


def run(cmd, key=KEY):
    env = {k: v for k, v in os.environ.items() if k != "DATABENTO_API_KEY"}
    if key is not None:
        env["DATABENTO_API_KEY"] = key
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)


def simulated_minute(spymaster_bin, tmp_path_factory, *products, scenario="default"):
    """A lake holding the raw files of one simulated minute (09:30–09:31) of each of `products`, in `scenario`."""
    lake = tmp_path_factory.mktemp("_".join(products) + "_" + scenario)
    for product in products:
        proc = run([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:31",
                    "--product", product, "--scenario", scenario])
        assert proc.returncode == 0, proc.stderr
    return lake


@pytest.fixture(scope="module")
def sim_lake(spymaster_bin, tmp_path_factory):
    return simulated_minute(spymaster_bin, tmp_path_factory, "future_mbo")


@pytest.fixture(scope="module")
def day_dbn(sim_lake):
    path = next(sim_lake.rglob("*.mbo.dbn.zst"))
    return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout


def live(bin_, gw, tmp_path, *extra, key=KEY):
    return run([bin_, "live", "--dataset", "GLBX.MDP3", "--schema", "mbo", "--symbols", "ES.FUT", "--stype", "parent",
                "--gateway", f"127.0.0.1:{gw.port}", "--reconnect-delay", "0", *extra], key=key)


def recorded_records(path):
    """Records of a recorded file, as bytes, checked to decode with databento_dbn."""
    data = path.read_bytes()
    dec = databento_dbn.DBNDecoder()
    dec.write(data)
    decoded = [r for r in dec.decode() if isinstance(r, databento_dbn.MBOMsg)]
    meta, records = split_dbn(data)
    assert len(decoded) == len(records)
    return records


def test_stream_is_decoded_and_recorded_exactly(spymaster_bin, day_dbn, tmp_path):
    with FakeLiveGateway(day_dbn, KEY) as gw:
        n = len(gw.records)
        proc = live(spymaster_bin, gw, tmp_path, "--record", tmp_path / "rec.dbn", "--max-records", n)
    assert proc.returncode == 0, proc.stderr
    assert f"live: {n} records delivered, 0 replayed duplicates skipped, 0 reconnects, 0 gaps" in proc.stdout
    assert recorded_records(tmp_path / "rec.dbn") == gw.records
    auth = dict(kv.split("=", 1) for kv in gw.sessions[0]["auth"].split("|"))
    assert (auth["dataset"], auth["encoding"], auth["compression"]) == ("GLBX.MDP3", "dbn", "none")
    assert gw.sessions[0]["lines"] == ["schema=mbo|stype_in=parent|id=1|symbols=ES.FUT|snapshot=0|is_last=1"]
    assert KEY not in proc.stdout + proc.stderr


def test_disconnects_resume_from_the_last_timestamp_without_loss_or_doubles(spymaster_bin, day_dbn, tmp_path):
    with FakeLiveGateway(day_dbn, KEY) as gw:
        n = len(gw.records)
        gw.cut_after = [n // 3, n // 3]
        proc = live(spymaster_bin, gw, tmp_path, "--record", tmp_path / "rec.dbn", "--max-records", n)
    assert proc.returncode == 0, proc.stderr
    assert f"live: {n} records delivered" in proc.stdout and "2 reconnects, 0 gaps" in proc.stdout
    assert recorded_records(tmp_path / "rec.dbn") == gw.records
    resume = index_ts(gw.records[n // 3 - 1])
    assert gw.sessions[1]["lines"] == [f"schema=mbo|stype_in=parent|id=1|start={resume}|symbols=ES.FUT|snapshot=0|is_last=1"]


def test_a_silent_gateway_is_dropped_after_heartbeat_plus_5_s_and_resumed(spymaster_bin, day_dbn, tmp_path):
    with FakeLiveGateway(day_dbn, KEY) as gw:
        n = len(gw.records)
        gw.stall_after = [n // 2]
        proc = live(spymaster_bin, gw, tmp_path, "--record", tmp_path / "rec.dbn", "--max-records", n,
                    "--heartbeat", "1")
    assert proc.returncode == 0, proc.stderr
    assert "nothing received for 6 s" in proc.stderr and "1 reconnects, 0 gaps" in proc.stdout
    assert "heartbeat_interval_s=1" in gw.sessions[0]["auth"]
    assert recorded_records(tmp_path / "rec.dbn") == gw.records


def test_a_replay_that_starts_late_is_counted_as_a_gap(spymaster_bin, day_dbn, tmp_path):
    with FakeLiveGateway(day_dbn, KEY) as gw:
        n = len(gw.records)
        cut = n // 4
        floor_index = next(i for i in range(n // 2, n) if index_ts(gw.records[i]) > index_ts(gw.records[i - 1]))
        gw.cut_after = [cut]
        gw.replay_floor = index_ts(gw.records[floor_index])
        expected = gw.records[:cut] + gw.records[floor_index:]
        proc = live(spymaster_bin, gw, tmp_path, "--record", tmp_path / "rec.dbn", "--max-records", len(expected))
    assert proc.returncode == 0, proc.stderr
    gap_ns = index_ts(gw.records[floor_index]) - index_ts(gw.records[cut - 1])
    assert f"1 reconnects, 1 gaps ({gap_ns} ns)" in proc.stdout
    assert recorded_records(tmp_path / "rec.dbn") == expected


def test_auth_failure_is_an_error_without_retries(spymaster_bin, day_dbn, tmp_path):
    bad = "db-WRONGabcdefghijklmnopqrstu00000"
    with FakeLiveGateway(day_dbn, KEY) as gw:
        proc = live(spymaster_bin, gw, tmp_path, key=bad)
    assert proc.returncode == 1
    assert "authentication failed: Authentication failed." in proc.stderr
    assert len(gw.sessions) == 1
    assert bad not in proc.stdout + proc.stderr


def test_crash_leaves_a_readable_recording(spymaster_bin, day_dbn, tmp_path):
    rec = tmp_path / "rec.dbn"
    with FakeLiveGateway(day_dbn, KEY) as gw:
        env = dict(os.environ, DATABENTO_API_KEY=KEY)
        p = subprocess.Popen([str(spymaster_bin), "live", "--symbols", "ES.FUT", "--gateway", f"127.0.0.1:{gw.port}",
                              "--record", str(rec)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        want = sum(len(r) for r in gw.records)
        for _ in range(3000):  # until every record is on disk (a condition, not a duration)
            if rec.exists() and rec.stat().st_size >= want:
                break
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert recorded_records(rec) == gw.records


def test_unreachable_gateway_gives_up_after_bounded_reconnects(spymaster_bin, tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = run([spymaster_bin, "live", "--symbols", "ES.FUT", "--gateway", f"127.0.0.1:{port}", "--max-reconnects", "2",
                "--reconnect-delay", "0"])
    assert proc.returncode == 1
    assert "gave up after 2 failed reconnects" in proc.stderr and "Connection refused" in proc.stderr


@pytest.mark.parametrize("args,key,needle", [
    (["--symbols", "ES.FUT", "--gateway", "127.0.0.1:1"], None, "DATABENTO_API_KEY"),
    (["--symbols", "ES.FUT", "--gateway", "nocolon"], KEY, "--gateway"),
    (["--symbols", "", "--gateway", "127.0.0.1:1"], KEY, "--symbols"),
])
def test_bad_parameters_are_usage_errors(spymaster_bin, args, key, needle):
    proc = run([spymaster_bin, "live", *args], key=key)
    assert proc.returncode == 2 and needle in proc.stderr


def test_existing_record_file_is_never_overwritten(spymaster_bin, tmp_path):
    rec = tmp_path / "rec.dbn"
    rec.write_bytes(b"mine")
    proc = run([spymaster_bin, "live", "--symbols", "ES.FUT", "--gateway", "127.0.0.1:1", "--record", rec])
    assert proc.returncode == 2 and "never overwritten" in proc.stderr
    assert rec.read_bytes() == b"mine"


def test_live_driven_windows_equal_the_raw_driven_lake_rows(spymaster_bin, sim_lake, day_dbn, tmp_path):
    """spec README § one-engine rule: the same records through the live path give the lake's windows, even
    across a mid-stream disconnect and replay."""
    session = ["--session-start", "09:30", "--session-end", "09:31"]
    lake = tmp_path / "lake"
    shutil.copytree(sim_lake, lake)
    silver = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--source", "raw",
                  "--symbol", "ESH6", "--dt", DT, "--lake", lake, *session])
    assert silver.returncode == 0, silver.stderr
    table = pq.read_table(lake / f"silver/product_type=future_mbo/symbol=ESH6/table=book_snapshot_1s/dt={DT}/part-00000.parquet").to_pylist()
    assert len(table) == 60
    with FakeLiveGateway(day_dbn, KEY) as gw:
        gw.cut_after = [len(gw.records) // 2]
        proc = live(spymaster_bin, gw, tmp_path, "--max-records", len(gw.records), "--engine-symbol", "ESH6",
                    "--dt", DT, *session)
    assert proc.returncode == 0, proc.stderr
    assert "1 reconnects" in proc.stderr
    windows = [json.loads(line) for line in proc.stdout.splitlines()]
    fields = ["window_start_ts_ns", "window_end_ts_ns", "best_bid_price_int", "best_bid_qty", "best_ask_price_int",
              "best_ask_qty", "mid_price_int", "last_trade_price_int", "spot_ref_price_int", "book_valid"]
    assert [{f: w[f] for f in fields} for w in windows] == [{f: row[f] for f in fields} for row in table]
    assert any(w["book_valid"] for w in windows)
    flow = pq.read_table(lake / f"silver/product_type=future_mbo/symbol=ESH6/table=depth_and_flow_1s/dt={DT}/"
                                "part-00000.parquet", columns=["window_start_ts_ns"]).column(0).to_pylist()
    assert [w["depth_flow_rows"] for w in windows] == [flow.count(w["window_start_ts_ns"]) for w in windows]


# `spymaster serve --live-feed`: the Live client feeds the engine inside the stream server (source=live).

SESSION_0931 = ["--session-start", "09:30", "--session-end", "09:31"]
SESSION_START_NS = 1767709800 * 1_000_000_000  # 2026-01-06 09:30 New York


@pytest.fixture(scope="module")
def raw_lake(spymaster_bin, sim_lake, tmp_path_factory):
    """The simulated minute through silver and gold from the raw file (the raw-driven lake)."""
    lake = tmp_path_factory.mktemp("raw_lake")
    shutil.copytree(sim_lake, lake, dirs_exist_ok=True)
    for layer in ("silver", "gold"):
        proc = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", layer, "--source", "raw",
                    "--symbol", "ESH6", "--dt", DT, "--lake", lake, *SESSION_0931])
        assert proc.returncode == 0, proc.stderr
    return lake


class LiveServer:
    def __init__(self, spymaster_bin, lake, gw, key=KEY, feeds=("ESH6",), extra=()):
        """`gw`: the fake gateway of the one dataset, or {dataset: gateway}."""
        env = {k: v for k, v in os.environ.items() if k != "DATABENTO_API_KEY"}
        env["DATABENTO_API_KEY"] = key
        gateways = ([f"127.0.0.1:{gw.port}"] if isinstance(gw, FakeLiveGateway)
                    else [f"{d}=127.0.0.1:{g.port}" for d, g in gw.items()])
        self.proc = subprocess.Popen(
            [str(spymaster_bin), "serve", "--lake", str(lake), "--port", "0", *SESSION_0931,
             *(a for f in feeds for a in ("--live-feed", f)), "--live-dt", DT,
             *(a for g in gateways for a in ("--gateway", g)), "--reconnect-delay", "0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), (line, self.proc.stderr.read())
        self.port = int(line.split()[1].rsplit(":", 1)[1])

    def url(self, query):
        return f"ws://127.0.0.1:{self.port}/v1/velocity/stream?{query}"

    def get(self, path):
        import urllib.request
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out + err


def split_windows(messages):
    """[(head, [binary surfaces])] per window, the other text messages (status, end) in order."""
    windows, texts, i = [], [], 0
    while i < len(messages):
        m = json.loads(messages[i])
        if m["type"] != "batch_start":
            texts.append(m)
            i += 1
            continue
        n = len(m["surfaces"])
        windows.append((m, [messages[i + 2 + 2 * k] for k in range(n)]))
        i += 1 + 2 * n
    return windows, texts


async def read_all(ws, on_message=None):
    messages = []
    try:
        async for m in ws:
            messages.append(m)
            if on_message:
                await on_message(messages)
    except websockets.ConnectionClosed:
        pass
    return messages


def read_live_once_subscribed(url, gate):
    """A source=live client reading its stream to the end: (messages, close code). It sets `gate` (the fake
    gateways start sending) once subscribed, so no record is sent before the client listens."""
    import asyncio

    async def go():
        async with websockets.connect(url, max_size=None) as ws:
            async def on_message(messages):
                if len(messages) == 1:  # subscribed (the feed's status came first)
                    gate.set()
            return await read_all(ws, on_message), ws.close_code
    return asyncio.run(go())


def split_equal_live_and_raw_windows(live_messages, raw_messages):
    """Asserts that a live stream and source=raw over the same records sent the same 60 windows, every surface
    byte for byte (snap, velocity, options, forecast), with the same surfaces and late records; returns both
    as split_windows gives them."""
    a, a_texts = split_windows(live_messages)
    c, c_texts = split_windows(raw_messages)
    assert len(c) == 60 and c_texts[-1] == {"type": "end", "windows": 60}
    assert [h["window_end_ts_ns"] for h, _ in a] == [h["window_end_ts_ns"] for h, _ in c]
    for (ha, sa), (hc, sc) in zip(a, c):
        assert sa == sc, ha["window_end_ts_ns"]
        assert (ha["surfaces"], ha["late_records"]) == (hc["surfaces"], hc["late_records"])
    return (a, a_texts), (c, c_texts)


def test_serve_live_streams_the_replay_windows_to_every_client_across_a_reconnect(spymaster_bin, raw_lake, day_dbn):
    """One live engine, two clients (one joining late), a gateway drop in the middle: every window streamed live
    equals, surface for surface, the window a replay of the raw-driven lake sends; the late client gets the
    windows after it joined; the drop reaches clients as status messages."""
    import asyncio
    import threading
    with FakeLiveGateway(day_dbn, KEY) as gw:
        gw.speed = 6  # the session's minute in about 10 s
        gw.pace_from = SESSION_START_NS
        gw.gate = threading.Event()
        # the first connection drops half way through the session
        gw.cut_after = [next(i for i, r in enumerate(gw.records) if index_ts(r) >= SESSION_START_NS + 30 * 10**9)]
        server = LiveServer(spymaster_bin, raw_lake, gw)
        try:
            async def go():
                late = {}

                async def on_first(messages):
                    if len(messages) == 1:  # subscribed (the feed's status came first): let the gateway go
                        gw.gate.set()
                    if "task" not in late and sum(isinstance(m, str) and '"batch_start"' in m for m in messages) == 5:
                        late["task"] = asyncio.create_task(client(None))

                async def client(on_message):
                    async with websockets.connect(server.url(f"source=live&symbol=ESH6&dt={DT}"), max_size=None) as ws:
                        messages = await read_all(ws, on_message)
                        return messages, ws.close_code

                first = await client(on_first)
                return first, await late["task"]
            (first, first_code), (second, second_code) = asyncio.run(go())
            replay = stream_all(server.url(f"symbol=ESH6&dt={DT}&speed=max"))
            stats = server.get("/v1/stats")
            catalog = server.get("/v1/catalog")
        finally:
            code, logs = server.stop()
    assert code == 0, logs
    assert KEY not in logs
    a, a_texts = split_windows(first)
    b, b_texts = split_windows(second)
    r, _ = split_windows(replay)
    assert len(r) == 60 and first_code == 1000 and second_code == 1000
    assert [h["window_end_ts_ns"] for h, _ in a] == [h["window_end_ts_ns"] for h, _ in r]
    for (ha, sa), (hr, sr) in zip(a, r):
        assert sa == sr, ha["window_end_ts_ns"]  # snap, velocity, options (empty), forecast: byte for byte
        assert (ha["surfaces"], ha["late_records"]) == (hr["surfaces"], hr["late_records"])
        assert "underlying's MBO only" in ha["options_missing"]
    assert 0 < len(b) < len(a) and b == a[-len(b):]
    states = [t["state"] for t in a_texts if t["type"] == "status"]
    assert states[:2] == ["connecting", "live"] or states[:1] == ["live"], a_texts
    assert "reconnecting" in states and states[states.index("reconnecting") + 1] == "live"
    assert states[-1] == "ended"
    assert a_texts[-1] == {"type": "end", "windows": 60} and b_texts[-1] == {"type": "end", "windows": len(b)}
    assert len(gw.sessions) == 2 and "start=" in gw.sessions[1]["lines"][0]
    live = stats["live"][0]
    assert (live["symbol"], live["dt"], live["windows"], live["status"]["state"]) == ("ESH6", DT, 60, "ended")
    assert stats["close_to_socket_latency_ns"]["count"] == len(a) + len(b)
    assert catalog["live"] == [{"product_type": "future_mbo", "symbol": "ESH6", "dt": DT, "source": "live"}]


@pytest.fixture(scope="module")
def spy_lake(spymaster_bin, tmp_path_factory):
    """A simulated minute of SPY (XNAS.ITCH MBO): the raw file only."""
    return simulated_minute(spymaster_bin, tmp_path_factory, "equity_mbo")


def test_serve_live_streams_spy_windows_equal_to_the_raw_compute_of_the_same_records(spymaster_bin, spy_lake):
    """--live-feed SPY:equity_mbo: the Live client subscribes SPY on XNAS.ITCH and the equity engine runs on
    what the gateway sends; every window streamed live equals, surface for surface, the window the compute
    source sends from the raw file the gateway replays (source=raw), with a drop and resume in the middle."""
    import threading
    spy_file = next((spy_lake / "raw").rglob("symbol=SPY/table=mbo/*/*.mbo.dbn.zst"))  # the simulator writes QQQ too
    spy_dbn = subprocess.run(["zstd", "-dc", spy_file], capture_output=True, check=True).stdout
    with FakeLiveGateway(spy_dbn, KEY) as gw:
        gw.speed = 10
        gw.pace_from = SESSION_START_NS
        gw.gate = threading.Event()
        gw.cut_after = [next(i for i, r in enumerate(gw.records) if index_ts(r) >= SESSION_START_NS + 30 * 10**9)]
        server = LiveServer(spymaster_bin, spy_lake, gw, feeds=("SPY:equity_mbo",))
        try:
            live_messages, live_code = read_live_once_subscribed(server.url(f"source=live&symbol=SPY&dt={DT}"), gw.gate)
            computed = stream_all(server.url(f"source=raw&symbol=SPY&dt={DT}&speed=max"))
            catalog = server.get("/v1/catalog")
        finally:
            code, logs = server.stop()
    assert code == 0, logs
    assert live_code == 1000
    (a, a_texts), _ = split_equal_live_and_raw_windows(live_messages, computed)  # options empty on both sides
    assert all("underlying's MBO only" in h["options_missing"] for h, _ in a)
    assert sum(pa_rows(s[1]) > 0 for _, s in a) > 30  # the equity engine's velocity rows, not empty windows
    states = [t["state"] for t in a_texts if t["type"] == "status"]
    assert "reconnecting" in states and states[-1] == "ended" and a_texts[-1] == {"type": "end", "windows": 60}
    auth = dict(kv.split("=", 1) for kv in gw.sessions[0]["auth"].split("|"))
    assert auth["dataset"] == "XNAS.ITCH"
    assert gw.sessions[0]["lines"] == ["schema=mbo|stype_in=raw_symbol|id=1|symbols=SPY|snapshot=0|is_last=1"]
    assert catalog["live"] == [{"product_type": "equity_mbo", "symbol": "SPY", "dt": DT, "source": "live"}]


def test_serve_live_streams_es_and_spy_from_their_two_gateways_at_once(spymaster_bin, sim_lake, spy_lake, day_dbn,
                                                                       tmp_path):
    """--live-feed ESH6 --live-feed SPY:equity_mbo: one Live session per dataset (GLBX.MDP3 and XNAS.ITCH are
    separate gateways, each serving its dataset only), both feeding one server; a drop on the ES gateway does not
    touch the SPY feed; every window of each stream equals, surface for surface, the window source=raw sends from
    the file that stream's gateway replays."""
    import asyncio
    import threading
    lake = tmp_path / "lake"
    for part in (sim_lake, spy_lake):
        shutil.copytree(part, lake, dirs_exist_ok=True)
    spy_file = next((spy_lake / "raw").rglob("symbol=SPY/table=mbo/*/*.mbo.dbn.zst"))
    spy_dbn = subprocess.run(["zstd", "-dc", spy_file], capture_output=True, check=True).stdout
    gate = threading.Event()
    with FakeLiveGateway(day_dbn, KEY, dataset="GLBX.MDP3") as es_gw, \
            FakeLiveGateway(spy_dbn, KEY, dataset="XNAS.ITCH") as spy_gw:
        for gw in (es_gw, spy_gw):
            gw.speed = 10
            gw.pace_from = SESSION_START_NS
            gw.gate = gate
        es_gw.cut_after = [next(i for i, r in enumerate(es_gw.records)
                                if index_ts(r) >= SESSION_START_NS + 30 * 10**9)]
        server = LiveServer(spymaster_bin, lake, {"GLBX.MDP3": es_gw, "XNAS.ITCH": spy_gw},
                            feeds=("ESH6", "SPY:equity_mbo"))
        try:
            async def go():
                subscribed = set()

                async def client(symbol):
                    async with websockets.connect(server.url(f"source=live&symbol={symbol}&dt={DT}"),
                                                  max_size=None) as ws:
                        async def on_message(messages):
                            if len(messages) == 1:  # both clients subscribed: let the gateways go
                                subscribed.add(symbol)
                                if len(subscribed) == 2:
                                    gate.set()
                        return await read_all(ws, on_message), ws.close_code
                return await asyncio.gather(client("ESH6"), client("SPY"))
            (es_live, es_code), (spy_live, spy_code) = asyncio.run(go())
            es_raw = stream_all(server.url(f"source=raw&symbol=ESH6&dt={DT}&speed=max"))
            spy_raw = stream_all(server.url(f"source=raw&symbol=SPY&dt={DT}&speed=max"))
            stats = server.get("/v1/stats")
            catalog = server.get("/v1/catalog")
        finally:
            code, logs = server.stop()
    assert code == 0, logs
    assert KEY not in logs
    assert es_code == 1000 and spy_code == 1000
    for live_messages, raw_messages in ((es_live, es_raw), (spy_live, spy_raw)):
        (a, a_texts), _ = split_equal_live_and_raw_windows(live_messages, raw_messages)  # options empty on both
        assert sum(pa_rows(s[1]) > 0 for _, s in a) > 30  # the engines' velocity rows, not empty windows
        assert a_texts[-1] == {"type": "end", "windows": 60}
    es_states = [t["state"] for t in split_windows(es_live)[1] if t["type"] == "status"]
    spy_states = [t["state"] for t in split_windows(spy_live)[1] if t["type"] == "status"]
    assert "reconnecting" in es_states and es_states[-1] == "ended"
    assert "reconnecting" not in spy_states and spy_states[-1] == "ended"
    assert len(es_gw.sessions) == 2 and len(spy_gw.sessions) == 1
    for gw, dataset, line in ((es_gw, "GLBX.MDP3", "schema=mbo|stype_in=parent|id=1|symbols=ES.FUT|snapshot=0|is_last=1"),
                              (spy_gw, "XNAS.ITCH", "schema=mbo|stype_in=raw_symbol|id=1|symbols=SPY|snapshot=0|is_last=1")):
        assert dict(kv.split("=", 1) for kv in gw.sessions[0]["auth"].split("|"))["dataset"] == dataset
        assert gw.sessions[0]["lines"] == [line]
    assert sorted((f["symbol"], f["windows"], f["status"]["state"]) for f in stats["live"]) == [
        ("ESH6", 60, "ended"), ("SPY", 60, "ended")]
    assert catalog["live"] == [{"product_type": "future_mbo", "symbol": "ESH6", "dt": DT, "source": "live"},
                               {"product_type": "equity_mbo", "symbol": "SPY", "dt": DT, "source": "live"}]


@pytest.fixture(scope="module", params=["default", "late"])
def es_options_lake(request, spymaster_bin, tmp_path_factory):
    """The simulated minute's raw ES futures and ES options (MBO, definitions, statistics) files, of the default
    scenario and of the one with late-stamped records (ts_recv 1.2–2 s after ts_event for a tenth of the records
    from 09:30:30, so arrival order and ts_event order disagree across window boundaries)."""
    return simulated_minute(spymaster_bin, tmp_path_factory, "future_mbo", "future_option_mbo",
                            scenario=request.param), request.param


def test_serve_live_streams_es_with_its_options_equal_to_the_raw_compute(spymaster_bin, es_options_lake):
    """--live-feed ESH6:future_option_mbo: one GLBX.MDP3 session subscribing the futures' MBO, the options' MBO and
    their definitions (a fake gateway holding the day's four raw files sends what was subscribed, as one mixed
    stream in ts_recv order); every live window, the options surface included, equals byte for byte the window
    source=raw computes from the same files (the option engine over the underlying and the options merged by
    ts_event), across a drop and resume in the middle."""
    import threading
    es_options_lake, scenario = es_options_lake
    files = sorted((es_options_lake / "raw").rglob("*.dbn.zst"))
    tables = [subprocess.run(["zstd", "-dc", f], capture_output=True, check=True).stdout for f in files]
    assert len(tables) == 4  # futures mbo; options definition, mbo, statistics
    with FakeLiveGateway(None, KEY, dataset="GLBX.MDP3", tables=tables) as gw:
        gw.speed = 10
        gw.pace_from = SESSION_START_NS
        gw.gate = threading.Event()
        gw.cut_at = [SESSION_START_NS + 30 * 10**9]
        # the close grace covers the records' lag behind the gateway clock (that is what it is for)
        grace = ["--close-grace-ms", "2500"] if scenario == "late" else []
        server = LiveServer(spymaster_bin, es_options_lake, gw, feeds=("ESH6:future_option_mbo",), extra=grace)
        try:
            live_messages, live_code = read_live_once_subscribed(server.url(f"source=live&symbol=ESH6&dt={DT}"),
                                                                 gw.gate)
            computed = stream_all(server.url(f"source=raw&symbol=ESH6&dt={DT}&speed=max"))
        finally:
            code, logs = server.stop()
    assert code == 0, logs
    assert live_code == 1000
    (a, a_texts), (c, _) = split_equal_live_and_raw_windows(live_messages, computed)
    assert not any("options_missing" in h for h, _ in a + c)
    assert sum(pa_rows(s[2]) > 0 for _, s in a) > 30  # the options surface, not empty windows
    states = [t["state"] for t in a_texts if t["type"] == "status"]
    assert "reconnecting" in states and states[-1] == "ended" and a_texts[-1] == {"type": "end", "windows": 60}
    # the session subscribed futures MBO, options MBO and definitions; the statistics were not sent
    lines = [dict(kv.split("=", 1) for kv in line.split("|")) for line in gw.sessions[0]["lines"]]
    assert [(sub["schema"], sub["stype_in"], sub["id"]) for sub in lines] == [("mbo", "parent", "1"),
                                                                           ("definition", "parent", "2")]
    assert "ES.FUT" in lines[0]["symbols"].split(",") and "E1B.OPT" in lines[1]["symbols"].split(",")
    assert sorted(schema for schema, _ in gw.sessions[0]["tables"]) == ["definition", "mbo", "mbo"]


@pytest.fixture(scope="module", params=["default", "late"])
def spy_options_lake(request, spymaster_bin, tmp_path_factory):
    """The simulated minute's raw SPY and QQQ files: XNAS.ITCH MBO, and OPRA.PILLAR CMBP-1, definitions and
    statistics of their options, of the default scenario and of the one with late-stamped records (there the
    tickers' MBO: ts_recv 1.2–2 s after ts_event for a tenth of the adds from 09:30:30)."""
    return simulated_minute(spymaster_bin, tmp_path_factory, "equity_mbo", "equity_option_mbo",
                            scenario=request.param), request.param


def test_serve_live_streams_spy_with_its_options_from_two_gateways_equal_to_the_raw_compute(spymaster_bin,
                                                                                           spy_options_lake):
    """--live-feed SPY:equity_option_mbo: two Live sessions, as XNAS.ITCH and OPRA.PILLAR are two gateways (each
    serving its dataset only, holding the day's files of SPY and QQQ and sending what was subscribed): SPY's MBO
    from one, the SPY options' CMBP-1 and definitions (parent SPY.OPT, one mixed stream in ts_recv order) from the
    other, the first starting later than the second, each dropped once at a different time and resumed. Every
    live window, the options surface included,
    equals byte for byte the window source=raw computes from the same files (QuoteOptionEngine over SPY's MBO and
    its 0DTE options' tops merged by ts_event), so the merge across the two sessions' clocks gave the files'
    order."""
    import threading
    lake, scenario = spy_options_lake
    raw = lake / "raw"
    xnas = [zstd_bytes(f) for f in sorted(raw.rglob("product_type=equity_mbo/*/*/*/*.mbo.dbn.zst"))]
    opra = [zstd_bytes(f) for f in sorted(raw.rglob("product_type=equity_option_mbo/*/*/*/*.dbn.zst"))]
    assert len(xnas) == 2 and len(opra) == 6  # SPY and QQQ: MBO; options cmbp-1, definition, statistics
    gate = threading.Event()
    with FakeLiveGateway(None, KEY, dataset="XNAS.ITCH", tables=xnas) as xnas_gw, \
            FakeLiveGateway(None, KEY, dataset="OPRA.PILLAR", tables=opra) as opra_gw:
        for gw in (xnas_gw, opra_gw):
            gw.speed = 10
            gw.pace_from = SESSION_START_NS
            gw.gate = gate
        # XNAS starts 15 s of the session (1.5 s at speed 10) after OPRA, then each drops once
        xnas_gw.start_delay = 1.5
        xnas_gw.cut_at = [SESSION_START_NS + 20 * 10**9]
        opra_gw.cut_at = [SESSION_START_NS + 40 * 10**9]
        # the close grace covers the records' lag behind the gateway clock (that is what it is for)
        grace = ["--close-grace-ms", "2500"] if scenario == "late" else []
        server = LiveServer(spymaster_bin, lake, {"XNAS.ITCH": xnas_gw, "OPRA.PILLAR": opra_gw},
                            feeds=("SPY:equity_option_mbo",), extra=grace)
        try:
            live_messages, live_code = read_live_once_subscribed(server.url(f"source=live&symbol=SPY&dt={DT}"), gate)
            computed = stream_all(server.url(f"source=raw&symbol=SPY&dt={DT}&speed=max"))
            catalog = server.get("/v1/catalog")
        finally:
            code, logs = server.stop()
    assert code == 0, logs
    assert KEY not in logs
    assert live_code == 1000
    (a, a_texts), (c, _) = split_equal_live_and_raw_windows(live_messages, computed)
    assert not any("options_missing" in h for h, _ in a + c)
    assert sum(pa_rows(s[2]) > 0 for _, s in a) > 30  # the options surface, not empty windows
    # the late scenario's lagging records are late in the files' merge too (it takes them in arrival order), and
    # live counts the same ones in the same windows (the comparison above)
    assert (sum(h["late_records"] for h, _ in a) > 0) == (scenario == "late")
    states = [t["state"] for t in a_texts if t["type"] == "status"]
    assert states.count("reconnecting") == 2 and states[-1] == "ended" and a_texts[-1] == {"type": "end", "windows": 60}
    assert len(xnas_gw.sessions) == 2 and len(opra_gw.sessions) == 2
    assert xnas_gw.sessions[0]["lines"] == ["schema=mbo|stype_in=raw_symbol|id=1|symbols=SPY|snapshot=0|is_last=1"]
    assert opra_gw.sessions[0]["lines"] == [
        "schema=cmbp-1|stype_in=parent|id=1|symbols=SPY.OPT|snapshot=0|is_last=1",
        "schema=definition|stype_in=parent|id=2|symbols=SPY.OPT|snapshot=0|is_last=1"]
    assert sorted(opra_gw.sessions[0]["tables"]) == [("cmbp-1", ["SPY.OPT"]), ("definition", ["SPY.OPT"])]
    assert all("start=" in line for line in opra_gw.sessions[1]["lines"] + xnas_gw.sessions[1]["lines"])
    assert catalog["live"] == [{"product_type": "equity_mbo", "symbol": "SPY", "dt": DT, "source": "live"}]


def zstd_bytes(path):
    return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout


def pa_rows(ipc):
    import pyarrow as pa
    return pa.ipc.open_stream(ipc).read_all().num_rows


def stream_all(url):
    import asyncio

    async def go():
        async with websockets.connect(url, max_size=None) as ws:
            return await read_all(ws)
    return asyncio.run(go())


def test_serve_live_auth_failure_stops_the_server_with_exit_1(spymaster_bin, raw_lake, day_dbn):
    bad = "db-WRONGabcdefghijklmnopqrstu00000"
    with FakeLiveGateway(day_dbn, KEY) as gw:
        server = LiveServer(spymaster_bin, raw_lake, gw, key=bad)
        code = server.proc.wait(timeout=60)
        logs = server.proc.stdout.read() + server.proc.stderr.read()
    assert code == 1 and "live feed failed" in logs and "authentication failed" in logs, logs
    assert bad not in logs


@pytest.mark.parametrize("args,key,needle", [
    (["--live-feed", "ESH6"], None, "DATABENTO_API_KEY"),
    (["--live-feed", "ESH6", "--live-dt", "2026-02-30"], KEY, "--live-dt"),
    (["--live-feed", "ESH6", "--gateway", "nocolon"], KEY, "--gateway"),
    (["--live-feed", "SPY"], KEY, "SPY:equity_mbo"),  # a ticker needs its product
    (["--live-feed", "ESH6:future_mbp"], KEY, "equity_option_mbo (with the equity options)"),
    (["--live-feed", ":equity_mbo"], KEY, "SYMBOL[:PRODUCT]"),
    (["--live-feed", "ESH6", "--live-feed", "ESH6"], KEY, "given twice"),
    (["--gateway", "127.0.0.1:1"], KEY, "only with --live-feed"),
    # two datasets: a bare HOST:PORT is ambiguous; a dataset without a feed is a mistake
    (["--live-feed", "ESH6", "--live-feed", "SPY:equity_mbo", "--gateway", "127.0.0.1:1"], KEY, "DATASET=HOST:PORT"),
    (["--live-feed", "ESH6", "--gateway", "XNAS.ITCH=127.0.0.1:1"], KEY, "no --live-feed uses dataset XNAS.ITCH"),
    # SPY with its options is two datasets (XNAS.ITCH and OPRA.PILLAR) on its own
    (["--live-feed", "SPY:equity_option_mbo", "--gateway", "127.0.0.1:1"], KEY, "the feeds use 2 datasets"),
    (["--live-feed", "SPY:equity_mbo", "--gateway", "OPRA.PILLAR=127.0.0.1:1"], KEY, "no --live-feed uses dataset OPRA"),
])
def test_serve_live_bad_parameters_are_usage_errors(spymaster_bin, tmp_path, args, key, needle):
    proc = run([spymaster_bin, "serve", "--lake", tmp_path, "--port", "0", *args], key=key)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
