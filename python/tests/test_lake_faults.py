"""Bad input and interrupted writes: clear errors, non-zero exits, nothing that looks complete.

The interrupted write uses the lake's fault-injection hook (SPYMASTER_FAULT_AFTER_ROWS=N makes the
process die without cleanup, like kill -9, once N rows went to Parquet writers).
"""
import os
import pathlib
import re
import shutil
import signal
import struct
import subprocess
import time

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


def succeeded(proc):
    assert proc.returncode == 0, f"{proc.args}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def bronze_runs(bin_, lake, product_type="future_mbo", symbol="ES", extra=(), env=None):
    return run([bin_, "run", "--product-type", product_type, "--layer", "bronze", "--symbol", symbol, "--dt", DT,
                "--lake", lake, *extra], env)


def complete_partitions(lake):
    return sorted(str(p.parent.relative_to(lake)) for p in lake.rglob("_SUCCESS") if "_tmp" not in p.parts)


def temporaries(lake):
    """Writers' temporaries (and replaced partitions on their way out) live in <lake>/_tmp/ only."""
    tmp = lake / "_tmp"
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


def stray_temporaries(lake):
    """Anything temporary inside the partition trees, where globs would read it."""
    return [p for layer in ("bronze", "silver", "gold") for p in (lake / layer).rglob(".*")]


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
    assert temporaries(lake), "the dead writer's temporary directory should be there"
    assert stray_temporaries(lake) == []

    succeeded(bronze_runs(spymaster_bin, lake))
    assert complete_partitions(lake) == [
        "bronze/source=databento/product_type=future_mbo/symbol=ESH6/table=mbo/dt=2026-01-06",
        "bronze/source=databento/product_type=future_mbo/symbol=ESM6/table=mbo/dt=2026-01-06"]
    assert temporaries(lake) == [], "the rerun removes stale temporaries"


def test_crash_between_fan_out_partitions_keeps_the_first_and_rerun_adds_the_second(spymaster_bin, lake, tmp_path):
    # Row count of the first partition (ESH6) from a clean run on a copy.
    probe = tmp_path / "probe"
    shutil.copytree(lake, probe)
    succeeded(bronze_runs(spymaster_bin, probe))
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
    out = succeeded(bronze_runs(spymaster_bin, lake))
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
        assert stray_temporaries(lake) == []
        succeeded(bronze_runs(spymaster_bin, lake))
        assert len(complete_partitions(lake)) == 2
        assert temporaries(lake) == [] and stray_temporaries(lake) == []


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

    succeeded(bronze_runs(spymaster_bin, lake))
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
    assert temporaries(lake) == [] and stray_temporaries(lake) == []

    proc = all_layers(lake)
    assert proc.returncode == 0, proc.stderr
    for table in ("book_snapshot_1s", "depth_and_flow_1s", "physics_surface_1s"):
        got = pq.read_table(next(lake.rglob(f"table={table}/dt=*/part-00000.parquet")))
        want = pq.read_table(next(probe.rglob(f"table={table}/dt=*/part-00000.parquet")))
        assert got.equals(want), table


# ---- partition integrity: damaged partitions, all-or-nothing commits, sessions, signals ----------------

ENGINE_TABLES = {"book_snapshot_1s": "silver", "depth_and_flow_1s": "silver", "physics_surface_1s": "gold"}


def engine_runs(bin_, lake, layer, extra=(), env=None):
    """Silver/gold over the simulated minutes only (the default session would add an hour of idle
    windows), unless `extra` gives --session-end."""
    session = [] if "--session-end" in extra else ["--session-end", "09:33"]
    return run([bin_, "run", "--product-type", "future_mbo", "--layer", layer, "--symbol", "ES", "--dt", DT,
                "--lake", lake, *session, *extra], env)


def engine_partition(lake, table):
    return lake / ENGINE_TABLES[table] / f"product_type=future_mbo/symbol=ESH6/table={table}/dt={DT}"


def sha256(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checked_manifest(part):
    """The partition is complete and its files are exactly what its manifest lists: names, sizes, rows."""
    import json

    import pyarrow.parquet as pq

    assert (part / "_SUCCESS").is_file(), part
    manifest = json.loads((part / "_MANIFEST.json").read_text())
    assert sorted(p.name for p in part.glob("*.parquet")) == sorted(f["name"] for f in manifest["files"])
    for f in manifest["files"]:
        assert (part / f["name"]).stat().st_size == f["bytes"], part
        assert pq.ParquetFile(part / f["name"]).metadata.num_rows == f["rows"], part
    assert sum(f["rows"] for f in manifest["files"]) == manifest["row_count"]
    return manifest


def assert_engine_lineage(lake):
    """Silver records the bronze manifest it read, gold the two silver manifests: same inputs everywhere."""
    bronze = lake / f"bronze/source=databento/product_type=future_mbo/symbol=ESH6/table=mbo/dt={DT}"
    checked_manifest(bronze)
    snap, flow, gold = (checked_manifest(engine_partition(lake, t)) for t in ENGINE_TABLES)
    for silver in (snap, flow):
        assert [i["manifest_sha256"] for i in silver["inputs"]] == [sha256(bronze / "_MANIFEST.json")]
    assert [i["manifest_sha256"] for i in gold["inputs"]] == [
        sha256(engine_partition(lake, t) / "_MANIFEST.json") for t in ("book_snapshot_1s", "depth_and_flow_1s")]


def engine_tables(lake):
    import pyarrow.parquet as pq
    return {t: pq.read_table(engine_partition(lake, t) / "part-00000.parquet") if
            (engine_partition(lake, t) / "_SUCCESS").exists() else None for t in ENGINE_TABLES}


def pending_journals(lake):
    txn = lake / "_txn"
    return sorted(p.name for p in txn.glob("*.json*")) if txn.is_dir() else []


@pytest.fixture(scope="module")
def engine_base(spymaster_bin, raw_lake, tmp_path_factory):
    """Bronze and the selection map, no silver or gold."""
    lake = tmp_path_factory.mktemp("engine") / "lake"
    shutil.copytree(raw_lake, lake)
    succeeded(bronze_runs(spymaster_bin, lake))
    ok([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake])
    return lake


@pytest.fixture(scope="module")
def clean_all(spymaster_bin, engine_base, tmp_path_factory):
    """engine_base after one clean `run --layer all`: the reference for every rerun below."""
    lake = tmp_path_factory.mktemp("clean") / "lake"
    shutil.copytree(engine_base, lake)
    succeeded(engine_runs(spymaster_bin, lake, "all"))
    assert_engine_lineage(lake)
    return lake


@pytest.mark.parametrize("damage", ["truncate", "empty", "delete"])
def test_damaged_silver_is_refused_and_overwrite_of_gold_destroys_nothing(spymaster_bin, clean_all, tmp_path, damage):
    """_SUCCESS over a short or missing data file used to read as 0 rows, so `--layer gold --overwrite`
    replaced good gold with an empty table and exited 0."""
    lake = tmp_path / "lake"
    shutil.copytree(clean_all, lake)
    snap = engine_partition(lake, "book_snapshot_1s")
    data = snap / "part-00000.parquet"
    if damage == "delete":
        data.unlink()
    else:
        with open(data, "r+b") as f:
            f.truncate(0 if damage == "empty" else data.stat().st_size // 2)
    gold = engine_partition(lake, "physics_surface_1s") / "part-00000.parquet"
    gold_before = gold.read_bytes()

    for layer, extra in (("gold", ["--overwrite"]), ("silver", []), ("all", [])):
        proc = engine_runs(spymaster_bin, lake, layer, extra)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, (layer, extra, out)
        assert f"partition silver.future_mbo.book_snapshot_1s at {snap} is damaged" in out, out
        assert "rerun its stage with --overwrite" in out
        assert ("is missing" if damage == "delete" else "bytes, the manifest says") in out
        assert gold.read_bytes() == gold_before, "nothing is replaced"
    assert temporaries(lake) == []

    succeeded(engine_runs(spymaster_bin, lake, "silver", ["--overwrite"]))  # the repair the message names
    want = engine_tables(clean_all)
    assert engine_tables(lake)["book_snapshot_1s"].equals(want["book_snapshot_1s"])
    succeeded(engine_runs(spymaster_bin, lake, "gold", ["--overwrite"]))
    assert_engine_lineage(lake)
    assert engine_tables(lake)["physics_surface_1s"].equals(want["physics_surface_1s"])


def test_damaged_bronze_is_refused_by_a_silver_overwrite_which_keeps_silver(spymaster_bin, clean_all, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(clean_all, lake)
    bronze = lake / f"bronze/source=databento/product_type=future_mbo/symbol=ESH6/table=mbo/dt={DT}"
    with open(bronze / "part-00000.parquet", "r+b") as f:
        f.truncate(1000)
    before = {t: (engine_partition(lake, t) / "part-00000.parquet").read_bytes() for t in ENGINE_TABLES}
    proc = engine_runs(spymaster_bin, lake, "silver", ["--overwrite"])
    assert proc.returncode == 1
    assert f"remove {bronze} and rerun bronze" in proc.stdout + proc.stderr
    assert {t: (engine_partition(lake, t) / "part-00000.parquet").read_bytes() for t in ENGINE_TABLES} == before
    # A bronze rerun does not take it for complete either.
    proc = bronze_runs(spymaster_bin, lake)
    assert proc.returncode == 1 and "is damaged" in proc.stdout + proc.stderr


def test_manifest_of_an_older_spymaster_is_refused_with_the_way_out(spymaster_bin, clean_all, tmp_path):
    import json
    lake = tmp_path / "lake"
    shutil.copytree(clean_all, lake)
    manifest_path = engine_partition(lake, "depth_and_flow_1s") / "_MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    for key in ("files", "manifest_version", "params"):
        del manifest[key]
    manifest_path.write_text(json.dumps(manifest))
    proc = engine_runs(spymaster_bin, lake, "gold", ["--overwrite"])
    assert proc.returncode == 1
    assert "written by an older spymaster" in proc.stdout + proc.stderr
    succeeded(engine_runs(spymaster_bin, lake, "silver", ["--overwrite"]))
    checked_manifest(engine_partition(lake, "depth_and_flow_1s"))


# Steps of the one-pass silver+gold commit (3 partitions, fresh): the journal's publication, 3 renames
# into place; then the journal's removal.
FRESH_STEPS = {"commit.rename": 4, "commit.unlink": 1}


@pytest.mark.parametrize("mode", ["exit", "throw"])
@pytest.mark.parametrize("point", sorted(FRESH_STEPS))
def test_failure_at_every_step_of_the_silver_gold_commit_then_a_plain_rerun(spymaster_bin, engine_base, clean_all,
                                                                            tmp_path, point, mode):
    """SPYMASTER_FAILPOINT=<point>:<n>[:exit]: the n-th rename/removal of the commit throws or ends the
    process on the spot. A plain rerun then ends with all three partitions complete, consistent (gold's
    inputs are the silver manifests present) and equal to a clean run; nothing temporary is left."""
    want = engine_tables(clean_all)
    for n in range(1, FRESH_STEPS[point] + 2):
        lake = tmp_path / f"lake-{n}"
        shutil.copytree(engine_base, lake)
        spec = f"{point}:{n}" + (":exit" if mode == "exit" else "")
        proc = engine_runs(spymaster_bin, lake, "all", env={"SPYMASTER_FAILPOINT": spec})
        if n > FRESH_STEPS[point]:
            assert proc.returncode == 0, proc.stderr  # every step was hit above
            break
        assert proc.returncode == (87 if mode == "exit" else 1), (spec, proc.stdout, proc.stderr)
        assert f"failpoint {point}:{n}" in proc.stdout + proc.stderr
        assert stray_temporaries(lake) == []
        for table in ENGINE_TABLES:  # what a reader sees: nothing or a complete, checked partition
            if (engine_partition(lake, table) / "_SUCCESS").exists():
                checked_manifest(engine_partition(lake, table))

        out = succeeded(engine_runs(spymaster_bin, lake, "all"))
        assert_engine_lineage(lake)
        got = engine_tables(lake)
        assert all(got[t].equals(want[t]) for t in ENGINE_TABLES)
        assert temporaries(lake) == [] and pending_journals(lake) == []
        # Published before the failure (a journal was written): the rerun finds the group complete.
        published = not (point == "commit.rename" and n == 1)
        assert ("skipped silver_compute_book_states_1s+gold" in out) == published, out


# A silver overwrite commits 2 partitions: journal, then (aside, into place) each; 2 trash removals and
# the journal's.
OVERWRITE_STEPS = {"commit.rename": 5, "commit.unlink": 3}


@pytest.fixture(scope="module")
def other_engine_lake(spymaster_bin, tmp_path_factory):
    """Silver and gold of another simulated day (seed 12): an 'old' version that differs from the new."""
    lake = tmp_path_factory.mktemp("other") / "lake"
    ok([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--seed", "12", "--start", "09:30", "--end", "09:33",
        "--product", "future_mbo"])
    succeeded(bronze_runs(spymaster_bin, lake))
    ok([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake])
    succeeded(engine_runs(spymaster_bin, lake, "all"))
    return lake


@pytest.mark.parametrize("point", sorted(OVERWRITE_STEPS))
def test_crash_at_every_step_of_a_silver_overwrite_leaves_both_old_or_both_new(spymaster_bin, engine_base, clean_all,
                                                                               other_engine_lake, tmp_path, point):
    old, new = engine_tables(other_engine_lake), engine_tables(clean_all)
    silver = ("book_snapshot_1s", "depth_and_flow_1s")
    assert not old["book_snapshot_1s"].equals(new["book_snapshot_1s"])
    for n in range(1, OVERWRITE_STEPS[point] + 2):
        lake = tmp_path / f"lake-{n}"
        shutil.copytree(engine_base, lake)
        for layer in ("silver", "gold"):
            shutil.copytree(other_engine_lake / layer, lake / layer)
        proc = engine_runs(spymaster_bin, lake, "silver", ["--overwrite"],
                           env={"SPYMASTER_FAILPOINT": f"{point}:{n}:exit"})
        if n > OVERWRITE_STEPS[point]:
            assert proc.returncode == 0, proc.stderr
            break
        assert proc.returncode == 87, (n, proc.stdout, proc.stderr)
        succeeded(engine_runs(spymaster_bin, lake, "silver"))  # a plain rerun: recovery, then complete
        got = engine_tables(lake)
        published = not (point == "commit.rename" and n == 1)
        for table in silver:
            checked_manifest(engine_partition(lake, table))
            assert got[table].equals((new if published else old)[table]), (n, table)
        assert temporaries(lake) == [] and pending_journals(lake) == [] and stray_temporaries(lake) == []


def test_changing_the_session_on_an_existing_lake_is_refused(spymaster_bin, clean_all, tmp_path):
    """Another --session-start/--session-end used to be 'skipped (complete)' silently."""
    import json
    lake = tmp_path / "lake"
    shutil.copytree(clean_all, lake)
    for part in map(lambda t: engine_partition(lake, t), ENGINE_TABLES):
        assert json.loads((part / "_MANIFEST.json").read_text())["params"] == {
            "session": "09:30-09:33 America/New_York"}
    for layer in ("silver", "gold", "all"):
        proc = engine_runs(spymaster_bin, lake, layer, ["--session-end", "09:32"])
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, (layer, out)
        assert "computed with session=09:30-09:33 America/New_York" in out, out
        assert "this run asks for session=09:30-09:32 America/New_York" in out
        assert "--overwrite" in out
    succeeded(engine_runs(spymaster_bin, lake, "silver", ["--session-end", "09:32", "--overwrite"]))
    # Gold alone with the old window now finds silver of another session: refused too.
    proc = engine_runs(spymaster_bin, lake, "gold", ["--overwrite"])
    assert proc.returncode == 1 and "this run asks for session=09:30-09:33" in proc.stdout + proc.stderr
    succeeded(engine_runs(spymaster_bin, lake, "gold", ["--session-end", "09:32", "--overwrite"]))
    assert_engine_lineage(lake)
    gold = json.loads((engine_partition(lake, "physics_surface_1s") / "_MANIFEST.json").read_text())
    assert gold["params"] == {"session": "09:30-09:32 America/New_York"}


DEMO_SQL = re.compile(r'duckdb\.sql\(\\"(.+?)\\"\)')


def demo_gold_rows(lake):
    """Rows of the complete gold physics surfaces per (product type, symbol), from their manifests: ESH6 has
    a futures and an options partition (the forecast tables beside them are not counted)."""
    import json
    rows = {}
    for success in (lake / "gold").rglob("table=physics_surface_1s/dt=*/_SUCCESS"):
        manifest = json.loads((success.parent / "_MANIFEST.json").read_text())
        product_type = success.parent.relative_to(lake / "gold").parts[0].removeprefix("product_type=")
        rows[(product_type, manifest["symbol"])] = manifest["row_count"]
    return rows


@pytest.fixture(scope="module")
def demo_raw(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("demo-raw") / "lake"
    ok([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--seed", "1", "--start", "09:30", "--end", "09:45"])
    return lake


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_demo_stops_cleanly_and_the_demo_query_counts_the_committed_rows(spymaster_bin, demo_raw, tmp_path,
                                                                                   sig):
    """SIGTERM/Ctrl-C while the demo computes QQQ silver+gold (ES and SPY are committed by then): exit
    128+signal with a message, no temporary anywhere, every partition complete and matching its manifest,
    QQQ silver and gold both there or both absent; the query the demo prints counts exactly the committed
    gold rows, and a rerun completes the rest."""
    import duckdb
    lake = tmp_path / "lake"
    shutil.copytree(demo_raw, lake)
    cmd = [str(spymaster_bin), "demo", "--no-serve", "--lake", str(lake), "--start", "09:30", "--end", "09:45"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tmp = lake / "_tmp"

    def qqq_pass_started():
        return tmp.is_dir() and any("silver.equity_mbo" in p.name and ".QQQ." in p.name for p in tmp.iterdir())

    while not qqq_pass_started():
        assert proc.poll() is None, f"demo ended before its QQQ pass was seen: {proc.communicate()}"
        time.sleep(0.005)
    proc.send_signal(sig)
    out, err = proc.communicate()
    assert proc.returncode == 128 + sig, (out, err)
    assert f"interrupted by {sig.name}" in err
    assert temporaries(lake) == [] and stray_temporaries(lake) == [] and pending_journals(lake) == []
    for layer in ("bronze", "silver", "gold"):
        for part in (lake / layer).rglob("dt=*"):
            checked_manifest(part)
    committed = demo_gold_rows(lake)
    assert {("future_mbo", "ESH6"), ("equity_mbo", "SPY")} <= set(committed)
    qqq = [(lake / layer / f"product_type=equity_mbo/symbol=QQQ/table={table}/dt={DT}/_SUCCESS").exists()
           for layer, table in (("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"),
                                ("gold", "physics_surface_1s"))]
    assert qqq in ([True] * 3, [False] * 3)

    interrupted = tmp_path / "interrupted"
    shutil.copytree(lake, interrupted)
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    sql = DEMO_SQL.search(rerun.stdout).group(1)
    assert str(lake) in sql
    assert duckdb.connect().execute(sql.replace(str(lake), str(interrupted))).fetchone()[0] == sum(committed.values())
    after = demo_gold_rows(lake)
    assert set(after) == {("future_mbo", "ESH6"), ("future_option_mbo", "ESH6"), ("equity_mbo", "SPY"),
                          ("equity_mbo", "QQQ"), ("equity_option_mbo", "SPY"), ("equity_option_mbo", "QQQ")}
    assert duckdb.connect().execute(sql).fetchone()[0] == sum(after.values())
