"""Bad input and interrupted writes: clear errors, non-zero exits, nothing that looks complete.

The interrupted write uses the lake's fault-injection hook (SPYMASTER_FAULT_AFTER_ROWS=N makes the
process die without cleanup, like kill -9, once N rows went to Parquet writers).
"""
import os
import pathlib
import shutil
import struct
import subprocess

import databento_dbn as dd
import pytest

DT = "2026-01-06"
MBO_RECORD = 56  # bytes of a v3 MBO record


def run(cmd, env=None):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def ok(cmd, env=None):
    proc = run(cmd, env)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def bronze_runs(bin_, lake, product_type="future_mbo", symbol="ES", extra=(), env=None):
    return run([bin_, "run", "--product-type", product_type, "--layer", "bronze", "--symbol", symbol, "--dt", DT,
                "--lake", lake, *extra], env)


def complete_partitions(lake):
    return sorted(str(p.parent.relative_to(lake)) for p in lake.rglob("_SUCCESS"))


@pytest.fixture(scope="module")
def raw_lake(spymaster_bin, tmp_path_factory):
    """A lake with only raw files (short simulated session), copied by tests that write bronze."""
    lake = tmp_path_factory.mktemp("raw")
    ok([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--seed", "11", "--start", "09:30", "--end", "09:33"])
    return lake


@pytest.fixture
def lake(raw_lake, tmp_path):
    copy = tmp_path / "lake"
    shutil.copytree(raw_lake, copy)
    return copy


def es_mbo_file(lake):
    return next((lake / "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo").glob("*/*.mbo.dbn.zst"))


def test_interrupted_write_leaves_no_complete_partition_and_rerun_completes(spymaster_bin, lake):
    proc = bronze_runs(spymaster_bin, lake, env={"SPYMASTER_FAULT_AFTER_ROWS": "1000"})
    assert proc.returncode == 86, proc.stderr
    assert "fault injection" in proc.stderr
    assert complete_partitions(lake) == []
    bronze = lake / "bronze/source=databento/product_type=future_mbo"
    assert not list(bronze.rglob("dt=*")), "no directory may carry a partition's name"
    assert list(bronze.rglob(".tmp-dt=*")), "the dead writer's temporary directory should be there"

    ok(bronze_runs(spymaster_bin, lake).args)
    assert complete_partitions(lake) == [
        "bronze/source=databento/product_type=future_mbo/symbol=ESH6/table=mbo/dt=2026-01-06",
        "bronze/source=databento/product_type=future_mbo/symbol=ESM6/table=mbo/dt=2026-01-06"]
    assert not list(bronze.rglob(".tmp-*")), "the rerun removes stale temporaries"


def test_crash_between_fan_out_partitions_keeps_the_first_and_rerun_adds_the_second(spymaster_bin, lake, tmp_path):
    # Row count of the first partition (ESH6) from a clean run on a copy.
    probe = tmp_path / "probe"
    shutil.copytree(lake, probe)
    ok(bronze_runs(spymaster_bin, probe).args)
    import pyarrow.parquet as pq
    first = pq.ParquetFile(next(probe.rglob("symbol=ESH6/table=mbo/dt=*/part-00000.parquet"))).metadata.num_rows
    second = pq.ParquetFile(next(probe.rglob("symbol=ESM6/table=mbo/dt=*/part-00000.parquet"))).metadata.num_rows
    # Bronze streams batches of 64 Ki rows per partition and commits in symbol order; with less than
    # one batch of ESM6 rows, all of them reach the writer after ESH6 is committed.
    assert second < 65536

    proc = bronze_runs(spymaster_bin, lake, env={"SPYMASTER_FAULT_AFTER_ROWS": str(first + 1)})
    assert proc.returncode == 86
    assert complete_partitions(lake) == [
        "bronze/source=databento/product_type=future_mbo/symbol=ESH6/table=mbo/dt=2026-01-06"]
    out = ok(bronze_runs(spymaster_bin, lake).args)
    assert len(complete_partitions(lake)) == 2
    assert "partitions_skipped" not in out  # counters are in the manifest, not the summary
    esm6 = next(lake.rglob("symbol=ESM6/table=mbo/dt=*/part-00000.parquet"))
    assert pq.ParquetFile(esm6).metadata.num_rows > 0


def test_unknown_product_type_is_a_usage_error(spymaster_bin, lake):
    proc = bronze_runs(spymaster_bin, lake, product_type="future_mbp")
    assert proc.returncode == 2
    assert "future_mbp" in proc.stderr and "--product-type" in proc.stderr


def test_unknown_layer_is_a_usage_error(spymaster_bin, lake):
    proc = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "platinum", "--symbol", "ES",
                "--dt", DT, "--lake", lake])
    assert proc.returncode == 2
    assert "platinum" in proc.stderr


@pytest.mark.parametrize("flags", [["--dt", "2026-13-01"], ["--dates", "2026-01-06,2026-02-30"],
                                   ["--dates", "2026-01-07:2026-01-05"], ["--start-date", "2026-01-06"]])
def test_bad_dates_are_usage_errors_naming_the_date(spymaster_bin, lake, flags):
    proc = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES",
                "--lake", lake, *flags])
    assert proc.returncode == 2, proc.stderr
    assert flags[-1].split(",")[-1].split(":")[0] in proc.stderr or "--end-date" in proc.stderr
    assert complete_partitions(lake) == []


def test_missing_raw_files_name_the_directory(spymaster_bin, tmp_path):
    proc = bronze_runs(spymaster_bin, tmp_path / "empty")
    assert proc.returncode == 1
    assert "missing raw input" in proc.stderr
    assert "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo" in proc.stderr
    assert "20260106" in proc.stderr


def test_overwrite_is_refused_for_bronze(spymaster_bin, lake):
    proc = bronze_runs(spymaster_bin, lake, extra=["--overwrite"])
    assert proc.returncode == 2
    assert "never deleted" in proc.stderr


def rewrite_plain(path: pathlib.Path, mutate):
    """Decompresses a raw .dbn.zst into a plain .dbn beside it (and removes the .zst), with
    mutate(bytearray of the record section, metadata length) applied to the record bytes."""
    data = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    meta_len = 8 + struct.unpack_from("<I", data, 4)[0]
    body = bytearray(data[meta_len:])
    mutate(body)
    out = path.with_name(path.name[: -len(".zst")])
    out.write_bytes(data[:meta_len] + bytes(body))
    path.unlink()
    return out


def mbo_offsets(body):
    """Byte offsets of MBO records (rtype 0xA0) in a record section."""
    offsets, pos = [], 0
    while pos < len(body):
        length = body[pos] * 4
        if body[pos + 1] == 0xA0:
            offsets.append(pos)
        pos += length
    return offsets


def test_out_of_order_raw_file_names_file_and_record(spymaster_bin, lake):
    swapped = {}

    def swap(body):
        offs = mbo_offsets(body)
        ts = lambda o: struct.unpack_from("<Q", body, o + 40)[0]  # ts_recv
        i = next(k for k in range(100, len(offs) - 1) if ts(offs[k]) < ts(offs[k + 1]))
        a, b = offs[i], offs[i + 1]
        body[a:a + MBO_RECORD], body[b:b + MBO_RECORD] = body[b:b + MBO_RECORD], body[a:a + MBO_RECORD]
        swapped["index"] = i + 1

    out = rewrite_plain(es_mbo_file(lake), swap)
    dd_check = dd.DBNDecoder()
    dd_check.write(out.read_bytes())
    assert len(dd_check.decode()) > 100  # still a valid DBN file for the official decoder
    proc = bronze_runs(spymaster_bin, lake)
    assert proc.returncode == 1
    assert out.name in proc.stderr and "out of order" in proc.stderr
    assert "byte offset" in proc.stderr
    assert complete_partitions(lake) == []
    assert not (lake / "bronze").exists() or not list((lake / "bronze").rglob("dt=*"))


def test_add_without_price_is_an_error_naming_the_record(spymaster_bin, lake):
    def null_price_on_an_add(body):
        for o in mbo_offsets(body):
            if chr(body[o + 38]) == "A":
                struct.pack_into("<q", body, o + 24, 2**63 - 1)
                return
        raise AssertionError("no add record")

    out = rewrite_plain(es_mbo_file(lake), null_price_on_an_add)
    proc = bronze_runs(spymaster_bin, lake)
    assert proc.returncode == 1
    assert out.name in proc.stderr and "without a price" in proc.stderr
    assert complete_partitions(lake) == []


def test_select_contract_without_bronze_names_what_is_missing(spymaster_bin, tmp_path):
    proc = run([spymaster_bin, "select-contract", "--dates", DT, "--lake", tmp_path])
    assert proc.returncode == 1
    assert "no ES outright contracts in bronze" in proc.stderr
    assert not (tmp_path / "selection").exists()


def test_contract_mismatch_names_dataset_and_column_and_writes_nothing(spymaster_bin, lake, tmp_path):
    """A registry whose bronze contract expects a column bronze does not produce (SPYMASTER_CONFIG)."""
    repo = pathlib.Path(__file__).resolve().parents[2]
    config = tmp_path / "config-repo"
    shutil.copytree(repo / "config", config / "config")
    shutil.copytree(repo / "contracts", config / "contracts")
    avsc = config / "contracts/bronze/future_mbo/mbo.avsc"
    text = avsc.read_text().replace('{"name": "price", "type": "long"}',
                                    '{"name": "price", "type": "long"},\n    {"name": "venue", "type": "string"}')
    assert "venue" in text
    avsc.write_text(text)
    proc = bronze_runs(spymaster_bin, lake, env={"SPYMASTER_CONFIG": str(config)})
    assert proc.returncode == 1
    assert "bronze.future_mbo.mbo" in proc.stderr and "missing column 'venue'" in proc.stderr
    assert complete_partitions(lake) == []
    assert not list((lake / "bronze").rglob("dt=*"))


def test_sigkill_at_any_moment_never_leaves_a_partition_that_looks_complete(spymaster_bin, tmp_path):
    """kill -9 during real bronze writes at several moments: every dt=* directory is complete and
    consistent (manifest row count = Parquet rows), and a rerun finishes the rest."""
    import json
    import signal
    import time

    import pyarrow.parquet as pq

    raw = tmp_path / "raw-lake"
    ok([spymaster_bin, "simulate", "--lake", raw, "--dt", DT, "--seed", "5", "--start", "09:30", "--end", "09:50",
        "--product", "future_mbo"])
    for delay in (0.05, 0.15, 0.3, 0.6):
        lake = tmp_path / f"lake-{delay}"
        shutil.copytree(raw, lake)
        proc = subprocess.Popen([str(spymaster_bin), "run", "--product-type", "future_mbo", "--layer", "bronze",
                                 "--symbol", "ES", "--dt", DT, "--lake", str(lake)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for part in lake.rglob("dt=*"):
            assert (part / "_SUCCESS").is_file(), f"{part} looks like a partition but is incomplete"
            manifest = json.loads((part / "_MANIFEST.json").read_text())
            assert pq.ParquetFile(part / "part-00000.parquet").metadata.num_rows == manifest["row_count"]
        ok(bronze_runs(spymaster_bin, lake).args)
        assert len(complete_partitions(lake)) == 2
        assert not list(lake.rglob(".tmp-*"))


def test_gold_write_failing_in_the_one_pass_silver_gold_run_fails_cleanly(spymaster_bin, lake, tmp_path):
    """`--layer all` computes silver and gold in one engine pass with gold written on a second thread. A write
    error there (the file-size limit, like a full disk) must fail the task with the error, leave no silver or
    gold partition and no temporary directory, and a rerun completes."""
    import resource
    import signal

    import pyarrow.parquet as pq

    def all_layers(lake_dir, preexec=None):
        return subprocess.run([str(c) for c in [spymaster_bin, "run", "--product-type", "future_mbo", "--layer",
                                                "all", "--symbol", "ES", "--dt", DT, "--lake", lake_dir]],
                              capture_output=True, text=True, preexec_fn=preexec)

    ok(bronze_runs(spymaster_bin, lake).args)
    ok([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake])
    probe = tmp_path / "probe"
    shutil.copytree(lake, probe)
    proc = all_layers(probe)
    assert proc.returncode == 0, proc.stderr
    sizes = {p.parent.parent.name: p.stat().st_size for p in probe.rglob("table=*/dt=*/part-00000.parquet")
             if "silver" in str(p) or "gold" in str(p)}
    gold = sizes["table=physics_surface_1s"]
    largest_other = max(v for k, v in sizes.items() if k != "table=physics_surface_1s")
    assert gold > 2 * largest_other, sizes
    limit = (gold + largest_other) // 2

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    before = complete_partitions(lake)
    proc = all_layers(lake, limited)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout and "silver_compute_book_states_1s+gold_compute_physics_surface_1s" in proc.stdout
    assert "gold" in proc.stdout + proc.stderr
    assert complete_partitions(lake) == before  # bronze only: no silver, no gold
    assert not list((lake / "silver").rglob("*.parquet")) and not list((lake / "gold").rglob("*.parquet"))
    assert not list(lake.rglob(".tmp-*"))

    proc = all_layers(lake)
    assert proc.returncode == 0, proc.stderr
    for table in ("book_snapshot_1s", "depth_and_flow_1s", "physics_surface_1s"):
        got = pq.read_table(next(lake.rglob(f"table={table}/dt=*/part-00000.parquet")))
        want = pq.read_table(next(probe.rglob(f"table={table}/dt=*/part-00000.parquet")))
        assert got.equals(want), table
