"""The command line's error contract, with the real binary: a bad parameter exits 2 with a message that
names it; a failed write to standard output exits 1 with a message, never 0 (output lost) or 134 (an
abort); logs go to stderr, results to stdout."""
import os
import pathlib
import shutil
import subprocess

import pytest

DT = "2026-01-06"
RUN = ["run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES"]


def run(cmd, **kwargs):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)


def ok(cmd):
    proc = run(cmd)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def raw_lake(spymaster_bin, tmp_path_factory):
    """Raw ES futures for three minutes of the simulated day."""
    lake = tmp_path_factory.mktemp("raw")
    ok([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:33",
        "--product", "future_mbo", "--threads", "1"])
    return lake


@pytest.fixture(scope="module")
def bronze_lake(spymaster_bin, raw_lake, tmp_path_factory):
    lake = tmp_path_factory.mktemp("bronze") / "lake"
    shutil.copytree(raw_lake, lake)
    ok([spymaster_bin, *RUN, "--dt", DT, "--lake", lake])
    ok([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake])
    return lake


# (arguments, text the message must contain: the parameter's name)
USAGE_ERRORS = [
    (["dbn", "to-json", "x.dbn", "--limit", "-1"], "--limit"),
    (["dbn", "to-json", "x.dbn", "--input-dbn-version", "2"], "--input-dbn-version"),
    ([*RUN, "--dt", DT, "--dates", DT], "--dates"),
    ([*RUN, "--dt", DT, "--start-date", DT, "--end-date", DT], "--start-date"),
    ([*RUN, "--dates", DT, "--start-date", DT, "--end-date", DT], "--start-date"),
    ([*RUN, "--end-date", DT], "--start-date"),
    ([*RUN], "--dt"),
    ([*RUN, "--dt", "2026-02-30"], "--dt"),
    ([*RUN, "--dates", "2026-01-07:2026-01-05"], "--dates"),
    ([*RUN, "--dt", DT, "--session-start", "25:00"], "--session-start"),
    ([*RUN, "--dt", DT, "--session-end", "9h30"], "--session-end"),
    ([*RUN, "--dt", DT, "--session-start", "10:30", "--session-end", "09:30"], "--session-start/--session-end"),
    ([*RUN, "--dt", DT, "--workers", "0"], "--workers"),
    (["select-contract", "--dates", "2026-13-01"], "--dates"),
    (["demo", "--dt", "2026-02-30"], "--dt"),
    (["demo", "--start", "25:00"], "--start"),
    (["demo", "--end", "9h"], "--end"),
    (["demo", "--start", "10:30", "--end", "09:30"], "--start/--end"),
    (["demo", "--dt", "2026-01-10"], "--dt"),  # a Saturday: the simulator refuses it
    (["demo", "--workers", "0"], "--workers"),
    (["simulate", "--scale", "0"], "--scale"),
    (["bench", "sim", "--scale", "0"], "--scale"),
    (["bench", "sim", "--end", "25:00"], "--end"),
    (["bench", "bronze", "--scale", "1000"], "--scale"),
    (["bench", "bronze", "--repeat", "0"], "--repeat"),
    (["bench", "pipeline", "--raw-lake", "/nonexistent/lake"], "--raw-lake"),
    (["bench", "dbn", "--records", "0"], "--records"),
]


@pytest.mark.parametrize("args,needle", USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_bad_arguments_exit_2_and_name_the_parameter(spymaster_bin, tmp_path, args, needle):
    lake = tmp_path / "lake"
    proc = run([spymaster_bin, *args, *(["--lake", lake] if args[0] in ("run", "select-contract", "demo",
                                                                        "simulate") else [])], cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr, proc.stderr
    assert not lake.exists(), "a usage error must not write anything"


def test_date_forms_exclude_each_other_whatever_the_order(spymaster_bin, tmp_path):
    """--dt with --dates used to pick one silently; now either order is refused and names both."""
    for args in (["--dt", DT, "--dates", DT], ["--dates", DT, "--dt", DT]):
        proc = run([spymaster_bin, *RUN, *args, "--lake", tmp_path / "lake"])
        assert proc.returncode == 2 and "--dt" in proc.stderr and "--dates" in proc.stderr, proc.stderr


def test_runtime_errors_exit_1(spymaster_bin, tmp_path):
    # Missing raw input is not a usage error: the parameters are fine, the data is not there.
    proc = run([spymaster_bin, *RUN, "--dt", DT, "--lake", tmp_path / "empty"])
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "missing raw input" in proc.stderr
    proc = run([spymaster_bin, "dbn", "info", tmp_path / "absent.dbn"])
    assert proc.returncode == 1 and str(tmp_path / "absent.dbn") in proc.stderr and "cannot open" in proc.stderr


def full_stdout(cmd, cwd=None):
    with open("/dev/full", "w") as full:
        return subprocess.run([str(c) for c in cmd], stdout=full, stderr=subprocess.PIPE, text=True, cwd=cwd)


def assert_write_error(proc):
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr}"
    # The reason (ENOSPC) is known when the failing write is ours; a write that failed inside stdio
    # earlier in the run leaves only its error flag behind.
    assert "error: standard output: write failed" in proc.stderr, proc.stderr
    assert proc.stderr.count("error:") == 1, proc.stderr


def test_dev_full_dbn(spymaster_bin, dbn_fixtures, raw_lake):
    small = dbn_fixtures / "test_data.mbo.v3.dbn"
    # More than the 1 MiB to-json buffers: the write fails while records are still being decoded.
    big = next(raw_lake.rglob("*.mbo.dbn.zst"))
    for args in (["dbn", "to-json", small], ["dbn", "to-json", small, "--metadata"], ["dbn", "to-json", big],
                 ["dbn", "to-json", big, "--pretty"], ["dbn", "info", small], ["dbn", "info", big]):
        assert_write_error(full_stdout([spymaster_bin, *args]))
    assert len(ok([spymaster_bin, "dbn", "to-json", big]).stdout) > 1 << 20


def test_dev_full_run_and_select_contract(spymaster_bin, raw_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(raw_lake, lake)
    assert_write_error(full_stdout([spymaster_bin, *RUN, "--dt", DT, "--lake", lake]))
    assert_write_error(full_stdout([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake]))
    assert_write_error(full_stdout([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all",
                                    "--symbol", "ES", "--dt", DT, "--lake", lake, "--session-end", "09:33"]))


def test_dev_full_simulate_demo_help_and_version(spymaster_bin, tmp_path):
    assert_write_error(full_stdout([spymaster_bin, "simulate", "--describe"]))
    assert_write_error(full_stdout([spymaster_bin, "simulate", "--lake", tmp_path / "sim", "--end", "09:31",
                                    "--product", "equity_mbo"]))
    assert_write_error(full_stdout([spymaster_bin, "demo", "--no-serve", "--lake", tmp_path / "demo", "--end", "09:31"]))
    assert_write_error(full_stdout([spymaster_bin, "--help"]))
    assert_write_error(full_stdout([spymaster_bin, "run", "--help"]))
    assert_write_error(full_stdout([spymaster_bin, "--version"]))


@pytest.mark.parametrize("args", [["book", "--events", "20000", "--repeat", "1"],
                                  ["engine", "--events", "20000", "--repeat", "1"],
                                  ["dbn", "--records", "20000", "--repeat", "1"],
                                  ["sim", "--scale", "0.05", "--end", "09:31", "--repeat", "1"]])
def test_dev_full_bench(spymaster_bin, args):
    assert_write_error(full_stdout([spymaster_bin, "bench", *args]))


def test_logs_go_to_stderr_and_the_summary_to_stdout(spymaster_bin, bronze_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(bronze_lake, lake)
    proc = ok([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES", "--dt", DT,
               "--lake", lake, "--session-end", "09:33"])
    assert "[info]" not in proc.stdout and "windows=" not in proc.stdout, proc.stdout
    assert "windows=" in proc.stderr and "[info]" in proc.stderr, proc.stderr
    assert "ok      silver_compute_book_states_1s+gold_compute_physics_surface_1s ESH6" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("DONE lake=")
