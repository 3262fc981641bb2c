"""Raw input integrity through the real CLI on simulated days: a day in two batch-job folders (identical →
read once, different → exit 1 naming both, --raw-job picks one), the raw files a bronze manifest lists
(checked against hashlib), a corrupt zstd frame reported as such, and `run --layer all --symbol ES` on a
raw-only lake. Tests copy the simulated raw lake; they never modify it.
"""
import hashlib
import json
import os
import pathlib
import shutil
import struct
import subprocess

import pyarrow.parquet as pq
import pytest

DT = "2026-01-06"
ES_MBO = "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo"


def run(cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True)


def ok(cmd):
    proc = run(cmd)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def bronze(bin_, lake, product_type="future_mbo", symbol="ES", extra=()):
    return run([bin_, "run", "--product-type", product_type, "--layer", "bronze", "--symbol", symbol, "--dt", DT,
                "--lake", lake, *extra])


def simulate(bin_, lake, seed):
    ok([bin_, "simulate", "--lake", lake, "--dt", DT, "--seed", seed, "--start", "09:30", "--end", "09:33"])


@pytest.fixture(scope="module")
def raw_lake(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("raw")
    simulate(spymaster_bin, lake, 11)
    return lake


@pytest.fixture(scope="module")
def other_day(spymaster_bin, tmp_path_factory):
    """The same day simulated with another seed: a differing download of the same (dataset, schema, day)."""
    lake = tmp_path_factory.mktemp("other")
    simulate(spymaster_bin, lake, 12)
    return lake


@pytest.fixture(scope="module")
def one_job_bronze(spymaster_bin, raw_lake, tmp_path_factory):
    """Bronze of the untouched raw lake, for comparison."""
    lake = tmp_path_factory.mktemp("one") / "lake"
    shutil.copytree(raw_lake, lake)
    ok(bronze(spymaster_bin, lake).args)
    return lake


@pytest.fixture
def lake(raw_lake, tmp_path):
    copy = tmp_path / "lake"
    shutil.copytree(raw_lake, copy)
    return copy


def job_dir(lake, table=ES_MBO):
    (job,) = [p for p in (lake / table).iterdir() if p.is_dir()]
    return job


def bronze_tables(lake, product_type="future_mbo"):
    root = lake / f"bronze/source=databento/product_type={product_type}"
    return {p.parts[-4]: pq.ParquetFile(p).read() for p in sorted(root.rglob("part-00000.parquet"))}


def manifest(lake, symbol, product_type="future_mbo", table="mbo"):
    part = lake / f"bronze/source=databento/product_type={product_type}/symbol={symbol}/table={table}/dt={DT}"
    return json.loads((part / "_MANIFEST.json").read_text())


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def test_identical_second_job_folder_gives_the_rows_of_one(spymaster_bin, lake, one_job_bronze):
    first = job_dir(lake)
    shutil.copytree(first, first.parent / "JOB-REDOWNLOAD")
    proc = bronze(spymaster_bin, lake)
    assert proc.returncode == 0, proc.stderr
    assert "duplicate is ignored" in proc.stdout + proc.stderr
    got, want = bronze_tables(lake), bronze_tables(one_job_bronze)
    assert sorted(got) == sorted(want) == ["symbol=ESH6", "symbol=ESM6"]
    for part in want:
        assert got[part].num_rows == want[part].num_rows
        assert got[part].equals(want[part]), part
    inputs = manifest(lake, "ESH6")["inputs"]
    assert len(inputs) == 1, inputs
    assert inputs[0]["sha256"] == sha256(first / "glbx-mdp3-20260106.mbo.dbn.zst")


def test_differing_second_job_folder_fails_naming_both_and_raw_job_picks_one(spymaster_bin, lake, other_day,
                                                                             tmp_path):
    mine = job_dir(lake)
    theirs = mine.parent / "JOB-OTHER"
    shutil.copytree(job_dir(other_day), theirs)
    name = "glbx-mdp3-20260106.mbo.dbn.zst"
    assert sha256(mine / name) != sha256(theirs / name)

    proc = bronze(spymaster_bin, lake)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert str(mine / name) in proc.stderr and str(theirs / name) in proc.stderr
    assert "--raw-job JOB-OTHER" in proc.stderr and f"--raw-job {mine.name}" in proc.stderr
    assert not list(lake.rglob("_SUCCESS"))

    proc = bronze(spymaster_bin, lake, extra=["--raw-job", "JOB-OTHER"])
    assert proc.returncode == 0, proc.stderr
    inputs = manifest(lake, "ESH6")["inputs"]
    assert [i["path"] for i in inputs] == [f"{ES_MBO}/JOB-OTHER/{name}"]
    assert inputs[0]["sha256"] == sha256(theirs / name)
    # The rows are those of the other day, read once.
    other_bronze = tmp_path / "other-bronze"
    shutil.copytree(other_day, other_bronze)
    ok(bronze(spymaster_bin, other_bronze).args)
    got, want = bronze_tables(lake), bronze_tables(other_bronze)
    assert {k: t.num_rows for k, t in got.items()} == {k: t.num_rows for k, t in want.items()}

    proc = bronze(spymaster_bin, lake, extra=["--raw-job", "NO-SUCH-JOB"])
    assert proc.returncode == 2
    assert "--raw-job NO-SUCH-JOB" in proc.stderr


@pytest.mark.parametrize("product_type,symbol,partition,table,schemas", [
    ("future_mbo", "ES", "ESH6", "mbo", ["mbo"]),
    ("future_option_mbo", "ES", "ESH6", "mbo", ["definition", "mbo"]),
    ("equity_mbo", "SPY", "SPY", "mbo", ["mbo"]),
    ("equity_option_mbo", "SPY", "SPY", "cmbp_1", ["definition", "cmbp-1"]),
])
def test_bronze_manifest_lists_each_raw_file_with_size_and_sha256(spymaster_bin, lake, product_type, symbol,
                                                                   partition, table, schemas):
    ok(bronze(spymaster_bin, lake, product_type, symbol).args)
    inputs = manifest(lake, partition, product_type, table)["inputs"]
    raw = lake / f"raw/source=databento/product_type={product_type}/symbol={symbol}"
    want = [f for schema in schemas for f in sorted(raw.glob(f"table={schema}/*/*-20260106.{schema}.dbn.zst"))]
    assert len(want) == len(schemas)
    assert [i["path"] for i in inputs] == [str(f.relative_to(lake)) for f in want]
    for ref, f in zip(inputs, want):
        assert ref["bytes"] == os.path.getsize(f)
        assert ref["sha256"] == sha256(f)
        assert ref["manifest_sha256"] == sha256(f.parent / "manifest.json")


def ts_recv_goes_back(dbn: bytes) -> bool:
    """Whether an MBO record's ts_recv is below the one before (the records a corrupt frame hands out)."""
    pos, prev = 8 + struct.unpack_from("<I", dbn, 4)[0], 0
    while pos + 56 <= len(dbn):
        length = dbn[pos] * 4
        if length == 0:
            return False
        if dbn[pos + 1] == 0xA0:
            ts = struct.unpack_from("<Q", dbn, pos + 40)[0]
            if ts < prev:
                return True
            prev = ts
        pos += length
    return False


def flip_inside_the_frame(path):
    """Flips 4 bytes of a copy's compressed data where zstd notices nothing before the frame's checksum
    at its end and the records it hands out go back in ts_recv (what bronze used to report). Returns
    the position."""
    data = bytearray(path.read_bytes())
    original = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    for at in range(len(data) // 4, len(data) // 2, 997):
        bad = bytearray(data)
        bad[at:at + 4] = bytes(b ^ 0xFF for b in data[at:at + 4])
        decoded = subprocess.run(["zstd", "-dc", "--no-check"], input=bytes(bad), capture_output=True)
        if decoded.returncode == 0 and len(decoded.stdout) == len(original) and ts_recv_goes_back(decoded.stdout):
            path.chmod(0o644)
            path.write_bytes(bytes(bad))
            return at
    raise AssertionError("no flip found that zstd only notices at the checksum")


def drop_from_job_manifest(raw):
    """A file its job's manifest.json does not list (placed by hand): only the decoder can judge it."""
    manifest = raw.parent / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["files"] = [f for f in doc["files"] if f["filename"] != raw.name]
    manifest.write_text(json.dumps(doc))


def test_corrupt_zstd_raw_file_is_reported_as_corrupt_not_as_out_of_order(spymaster_bin, lake):
    raw = job_dir(lake) / "glbx-mdp3-20260106.mbo.dbn.zst"
    flip_inside_the_frame(raw)
    drop_from_job_manifest(raw)
    official = run(["zstd", "-t", raw])
    assert official.returncode != 0 and "checksum" in official.stderr.lower(), official.stderr
    proc = bronze(spymaster_bin, lake)
    assert proc.returncode == 1
    assert str(raw) in proc.stderr and "byte offset" in proc.stderr
    assert "corrupt zstd data" in proc.stderr and "checksum" in proc.stderr
    assert "out of order" not in proc.stderr
    assert not list(lake.rglob("_SUCCESS"))
    to_json = run([spymaster_bin, "dbn", "to-json", raw])
    assert to_json.returncode == 1 and "checksum" in to_json.stderr
    # Silver straight from raw reads the same file through the engine's raw source.
    silver = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--source", "raw",
                  "--symbol", "ESH6", "--dt", DT, "--lake", lake])
    assert silver.returncode == 1
    assert str(raw) in silver.stderr and "corrupt zstd data" in silver.stderr and "checksum" in silver.stderr
    assert "out of order" not in silver.stderr


def test_run_all_es_on_a_raw_only_lake_completes_to_gold(spymaster_bin, lake):
    out = ok([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES", "--dt", DT,
              "--lake", lake])
    assert f"Selected:     {DT} -> ESH6" in out
    gold = lake / f"gold/product_type=future_mbo/symbol=ESH6/table=physics_surface_1s/dt={DT}"
    assert (gold / "_SUCCESS").is_file()
    assert pq.ParquetFile(gold / "part-00000.parquet").metadata.num_rows > 0
    selection = pq.read_table(lake / "selection/mbo_contract_day_selection.parquet")
    assert selection.column("session_date").to_pylist() == [DT]
    assert selection.column("selected_symbol").to_pylist() == ["ESH6"]
    # A rerun skips bronze with a hint that does not offer --overwrite (bronze refuses it).
    again = ok([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt",
                DT, "--lake", lake])
    skipped = [line for line in again.splitlines() if "skipped" in line]
    assert skipped and "never overwritten" in skipped[0] and "--overwrite" not in skipped[0]


def test_silver_without_selection_names_the_command(spymaster_bin, lake):
    ok(bronze(spymaster_bin, lake).args)
    proc = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ES", "--dt",
                DT, "--lake", lake])
    assert proc.returncode == 1
    command = f"spymaster select-contract --dates {DT} --lake {lake}"
    assert command in proc.stderr
    ok([spymaster_bin, *command.split()[1:]])
    ok([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ES", "--dt", DT,
        "--lake", lake])


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_raw_file_unlike_its_job_manifest_is_refused(spymaster_bin, raw_lake, tmp_path, damage):
    """A partial or damaged download (size or sha256 unlike the job's manifest.json entry) is not read."""
    lake = tmp_path / "lake"
    shutil.copytree(raw_lake, lake)
    (data,) = (lake / ES_MBO).glob("*/*.mbo.dbn.zst")
    body = data.read_bytes()
    entry = next(f for f in json.loads((data.parent / "manifest.json").read_text())["files"]
                 if f["filename"] == data.name)
    assert entry["size"] == len(body) and entry["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    if damage == "truncated":
        data.write_bytes(body[: len(body) // 2])
    else:  # same size, one byte changed: only the hash can tell
        data.write_bytes(body[:-9] + bytes([body[-9] ^ 0x01]) + body[-8:])
    proc = bronze(spymaster_bin, lake)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"raw file {data.relative_to(tmp_path)}" in proc.stderr or str(data) in proc.stderr, proc.stderr
    assert "does not match its batch-job manifest" in proc.stderr and "download the job again" in proc.stderr
    assert not list((lake / "bronze").rglob("_SUCCESS")), "bronze committed from a damaged raw file"


def test_demo_takes_raw_job_for_a_day_in_two_differing_job_folders(spymaster_bin, lake, other_day):
    mine = job_dir(lake)
    shutil.copytree(job_dir(other_day), mine.parent / "JOB-OTHER")
    demo = [spymaster_bin, "demo", "--no-serve", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:33"]
    proc = run(demo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "--raw-job JOB-OTHER" in proc.stderr
    proc = run(demo + ["--raw-job", "NO-SUCH-JOB"])
    assert proc.returncode == 2 and "--raw-job NO-SUCH-JOB" in proc.stderr, proc.stderr
    ok(demo + ["--raw-job", "JOB-OTHER"])
    inputs = manifest(lake, "ESH6")["inputs"]
    assert [pathlib.PurePosixPath(i["path"]).parent.name for i in inputs] == ["JOB-OTHER"]
    assert list((lake / "gold").rglob("_SUCCESS")), "demo did not reach gold"
