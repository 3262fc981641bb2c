"""The Spark job (`python -m spymaster.spark`) against the CLI, over 8 simulated days of all four
product types (each day its own seed, a small scale and a 3-minute session, so it stays quick).

The oracle is the lake `spymaster run --layer all --dates ...` builds from a copy of the same raw files,
one CLI run per (product type, root), underlyings before options. The Spark job runs three times on its
own copy:
Each run is `python -m spymaster.spark --master local[2]` in its own process, with the package this build
built (<build>/python) on its PYTHONPATH:
1. with one raw file corrupted (QQQ equity_mbo on the third day): exit 1, that bronze task reported
   failed with an error naming the file, the two tasks that need it (QQQ silver/gold, QQQ options)
   blocked, every other task ok and every other partition complete;
2. with the file restored: exit 0, only those three tasks run (the rest skipped as complete), and then
   the whole lake equals the CLI's partition by partition (rows and values through pyarrow, manifests);
3. again: exit 0, every task skipped and no lake file touched.
Each run leaves its summary Parquet under <lake>/_runs/ and no temporary there.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

DAYS = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-12", "2026-01-13",
        "2026-01-14"]
SESSION = ("09:30", "09:33")
SCALE = "0.03"
PRODUCTS = [("future_mbo", "ES"), ("equity_mbo", "SPY"), ("equity_mbo", "QQQ"), ("future_option_mbo", "ES"),
            ("equity_option_mbo", "SPY"), ("equity_option_mbo", "QQQ")]
BROKEN = ("equity_mbo", "QQQ", DAYS[2])
LAKE_LAYERS = ("bronze", "silver", "gold", "selection")
# Manifest fields that hold wall-clock times and may differ between two runs (the manifest has none
# today: it records counters, inputs and hashes only, so everything else must be equal).
TIMING_KEYS = {"seconds", "started_at", "finished_at", "written_at", "created_at"}


def need(condition, what):
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {what}")
        pytest.skip(what)


@pytest.fixture(scope="module")
def spark_ready(spymaster_bin):
    """The package as this build built it (<build>/python, as test_package.py imports it), on the PYTHONPATH
    of the job and so of its executors; pyspark and a java for Spark."""
    build_python = spymaster_bin.parent / "python"
    need((build_python / "spymaster" / "spark" / "__main__.py").exists() and
         list((build_python / "spymaster").glob("_core*.so")),
         f"the Python package is not built: {build_python}/spymaster/spark or _core is missing (scripts/build)")
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        need(False, f"pyspark cannot be imported: {e} (scripts/setup installs it)")
    java_home = os.environ.get("JAVA_HOME")
    need(shutil.which("java") or (java_home and shutil.which("java", path=os.path.join(java_home, "bin"))),
         "no java for Spark (scripts/setup installs openjdk-17-jre-headless)")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(build_python), *filter(None, [os.environ.get("PYTHONPATH")])])}


def run(cmd, expect=0, env=None):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)
    if proc.returncode != expect:
        raise AssertionError(f"{cmd} exited {proc.returncode}, not {expect}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def partitions(lake: pathlib.Path) -> dict[str, pathlib.Path]:
    """Every committed partition (a directory with _SUCCESS) or single-file dataset, by relative path."""
    found = {}
    for layer in LAKE_LAYERS:
        for path in (lake / layer).rglob("*"):
            if path.name == "_SUCCESS" or path.name.endswith(".parquet.manifest.json"):
                found[str(path.parent.relative_to(lake) if path.name == "_SUCCESS" else
                          path.relative_to(lake))] = path.parent
    return found


def file_states(lake: pathlib.Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.relative_to(lake)): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino)
            for layer in LAKE_LAYERS for p in (lake / layer).rglob("*")}


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def spark_job(env, lake, expect):
    """`python -m spymaster.spark` over the days; the range runs past the last raw day."""
    return run([sys.executable, "-m", "spymaster.spark", "--lake", lake, "--start-date", DAYS[0], "--end-date",
                "2026-01-16", "--product-types", "future_mbo,future_option_mbo", "equity_mbo", "equity_option_mbo",
                "--symbols", "ES", "SPY", "QQQ", "--session-start", SESSION[0], "--session-end", SESSION[1],
                "--master", "local[2]"], expect, env)


def summary_rows(lake, before):
    """The rows of the one summary file the last run added under <lake>/_runs/."""
    new = sorted(set((lake / "_runs").iterdir()) - before)
    assert len(new) == 1 and new[0].suffix == ".parquet", new
    return pq.read_table(new[0]).to_pylist(), new[0]


@pytest.fixture(scope="module")
def lakes(spark_ready, spymaster_bin, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark")
    raw = root / "raw_source"
    for seed, dt in enumerate(DAYS, start=1):
        run([spymaster_bin, "simulate", "--lake", raw, "--dt", dt, "--seed", seed, "--scale", SCALE, "--start",
             SESSION[0], "--end", SESSION[1], "--threads", "1"])
    cli, spark = root / "cli", root / "spark"
    for lake in (cli, spark):
        shutil.copytree(raw / "raw", lake / "raw")
    for pt, symbol in PRODUCTS:
        run([spymaster_bin, "run", "--lake", cli, "--product-type", pt, "--symbol", symbol, "--layer", "all",
             "--dates", ",".join(DAYS), "--session-start", SESSION[0], "--session-end", SESSION[1]])

    pt, symbol, dt = BROKEN
    [broken] = (spark / "raw/source=databento" / f"product_type={pt}" / f"symbol={symbol}" / "table=mbo").glob(
        f"*/*-{dt.replace('-', '')}.mbo.dbn.zst")
    original = broken.read_bytes()
    broken.write_bytes(original[:len(original) // 2] + bytes(len(original) - len(original) // 2))
    runs = {}
    (spark / "_runs").mkdir()
    for name, expect in (("broken", 1), ("repaired", 0), ("again", 0)):
        before = set((spark / "_runs").iterdir())
        proc = spark_job(spark_ready, spark, expect)
        rows, path = summary_rows(spark, before)
        runs[name] = {"proc": proc, "rows": rows, "path": path, "partitions": partitions(spark),
                      "files": file_states(spark)}
        if name == "broken":
            broken.write_bytes(original)
    return {"cli": cli, "spark": spark, "runs": runs, "broken_file": broken.name}


def test_a_failing_task_leaves_every_other_day_complete(lakes):
    run1 = lakes["runs"]["broken"]
    by_status = {}
    for r in run1["rows"]:
        by_status.setdefault(r["status"], []).append((r["stage"], r["product_type"], r["symbol"], r["dt"]))
    pt, symbol, dt = BROKEN
    assert by_status["failed"] == [("bronze", pt, symbol, dt)]
    assert sorted(by_status["blocked"]) == [("options silver/gold", "equity_option_mbo", symbol, dt),
                                            ("silver/gold", pt, symbol, dt)]
    # 6 products x 8 days of bronze, one selection, 6 x 8 silver/gold.
    assert len(run1["rows"]) == 97 and len(by_status["ok"]) == 94
    [failed] = [r for r in run1["rows"] if r["status"] == "failed"]
    assert lakes["broken_file"] in failed["error"]
    assert f"FAILED   bronze {pt} {symbol} {dt}: " in run1["proc"].stdout
    assert lakes["broken_file"] in run1["proc"].stdout
    # Every CLI partition is complete after the failing run but QQQ's of that day that need its equity_mbo
    # bronze: that bronze, QQQ silver/gold and QQQ option silver/gold (QQQ's option bronze is there).
    missing = {p for p in partitions(lakes["cli"]) if f"symbol={symbol}/" in p and f"dt={dt}" in p and
               (f"product_type={pt}/" in p or not p.startswith("bronze/"))}
    assert len(missing) == 1 + 3 + 3
    assert set(run1["partitions"]) == set(partitions(lakes["cli"])) - missing


def test_a_rerun_completes_only_what_failed(lakes):
    rows = lakes["runs"]["repaired"]["rows"]
    ran = sorted((r["stage"], r["product_type"]) for r in rows if r["status"] == "ok")
    assert ran == [("bronze", "equity_mbo"), ("options silver/gold", "equity_option_mbo"),
                   ("silver/gold", "equity_mbo")]
    assert all(r["dt"] == BROKEN[2] and r["symbol"] == BROKEN[1] for r in rows if r["status"] == "ok")
    assert sum(r["status"] == "skipped" for r in rows) == 94


def test_spark_lake_equals_cli_lake(lakes):
    cli = partitions(lakes["cli"])
    spark = lakes["runs"]["repaired"]["partitions"]
    assert set(spark) == set(cli)
    # 8 days: bronze 8 x (ESH6, ESM6, ES options, SPY, QQQ, SPY options, QQQ options), silver 8 x 6 x 2 tables,
    # gold 8 x 6, and the selection map.
    assert len(cli) == 8 * 7 + 8 * 12 + 8 * 6 + 1
    for rel, cli_dir in sorted(cli.items()):
        if rel.endswith(".parquet.manifest.json"):
            pairs = [(lakes["cli"] / rel, lakes["spark"] / rel)]
            tables = [(lakes["cli"] / rel.removesuffix(".manifest.json"),
                       lakes["spark"] / rel.removesuffix(".manifest.json"))]
        else:
            spark_dir = lakes["spark"] / rel
            pairs = [(cli_dir / "_MANIFEST.json", spark_dir / "_MANIFEST.json")]
            names = sorted(p.name for p in cli_dir.glob("*.parquet"))
            assert names == sorted(p.name for p in spark_dir.glob("*.parquet")) and names, rel
            tables = [(cli_dir / n, spark_dir / n) for n in names]
        for a, b in pairs:
            assert without_timings(json.loads(a.read_text())) == without_timings(json.loads(b.read_text())), rel
        for a, b in tables:
            ta, tb = pq.ParquetFile(a).read(), pq.ParquetFile(b).read()
            assert ta.num_rows > 0 or "selection" not in rel, rel
            assert ta.schema == tb.schema and ta.equals(tb), rel


def test_a_third_run_is_a_no_op(lakes):
    again = lakes["runs"]["again"]
    assert {r["status"] for r in again["rows"]} == {"skipped"} and len(again["rows"]) == 97
    assert again["files"] == lakes["runs"]["repaired"]["files"]
    [totals] = [line.split() for line in again["proc"].stdout.splitlines() if line.startswith("all ")]
    assert totals[:6] == ["all", "97", "0", "97", "0", "0"], totals


def test_each_run_leaves_one_summary_and_no_temporary(lakes):
    names = sorted(p.name for p in (lakes["spark"] / "_runs").iterdir())
    assert names == sorted(lakes["runs"][r]["path"].name for r in ("broken", "repaired", "again"))
    summary = pq.read_table(lakes["runs"]["broken"]["path"])
    assert summary.num_rows == 97
    ok = [r for r in summary.to_pylist() if r["status"] == "ok" and r["stage"] == "silver/gold"]
    assert all(r["rows"] > 0 and len(r["partitions"]) == 3 and r["engine_seconds"] > 0 for r in ok)
    assert all(dict(r["counters"]).get("windows") == 180 for r in ok)


@pytest.mark.parametrize("args, message", [
    (["--lake", "s3://bucket/lake"], "--lake: 's3://bucket/lake': the scheme s3:// is not supported"),
    (["--layers", "bronze,platinum"], "--layers: unknown layer 'platinum'"),
    (["--product-types", "future_mbo,bond_mbo"], "--product-types: unknown product type 'bond_mbo'"),
    (["--start-date", "2026-01-09", "--end-date", "2026-01-05"], "--start-date 2026-01-09 is after --end-date"),
    (["--start-date", "2026-02-30"], "--start-date: '2026-02-30' is not a date YYYY-MM-DD"),
    (["--session-start", "9:30"], "--session-start: '9:30' is not a time HH:MM"),
    (["--layers", "bronze", "--overwrite"], "--overwrite recomputes silver and gold"),
])
def test_bad_arguments_exit_2_naming_them(spark_ready, tmp_path, args, message):
    base = {"--lake": str(tmp_path), "--start-date": "2026-01-05", "--end-date": "2026-01-09"}
    for flag in list(base):
        if flag in args:
            del base[flag]
    proc = run([sys.executable, "-m", "spymaster.spark", *[x for kv in base.items() for x in kv], *args], 2, spark_ready)
    assert message in proc.stderr


def test_a_lake_without_raw_days_is_an_error(spark_ready, tmp_path):
    proc = run([sys.executable, "-m", "spymaster.spark", "--lake", tmp_path, "--start-date", "2026-01-05",
                "--end-date", "2026-01-09"], 1, spark_ready)
    assert f"error: --lake: no raw lake at {tmp_path}/raw" in proc.stderr
