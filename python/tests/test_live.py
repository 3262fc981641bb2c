"""`spymaster live` against the fake Live gateway (fake_live.py) replaying a simulated day's raw ES file.

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

from fake_live import FakeLiveGateway, index_ts, split_dbn

DT = "2026-01-06"
KEY = "db-LIVEKEYabcdefghijklmnopqr54321"


def run(cmd, key=KEY):
    env = {k: v for k, v in os.environ.items() if k != "DATABENTO_API_KEY"}
    if key is not None:
        env["DATABENTO_API_KEY"] = key
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def sim_lake(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("sim")
    proc = run([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:31",
                "--product", "future_mbo"])
    assert proc.returncode == 0, proc.stderr
    return lake


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
