"""`spymaster download` against the fake Databento API (fake_databento.py) serving a simulated day.

Expected job lists are derived by hand from silver.md §7.2 (ES definition parents by weekday) and
independently of our C++ from the simulated definitions with databento_dbn. Downloaded files are
compared byte for byte with the simulator's originals. No test touches the internet."""
import base64
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import databento_dbn
import pyarrow.parquet as pq
import pytest

from fake_databento import Catalog, FakeDatabento

DT = "2026-01-06"  # a Tuesday
KEY = "db-TESTKEYabcdefghijklmnopqrs12345"
ES_TUESDAY_PARENTS = [f"E{n}{s}.OPT" for n in range(1, 6) for s in ["", "A", "B", "C", "D", "E"]]


def run(cmd, env_key=KEY, **kw):
    env = {k: v for k, v in os.environ.items() if k != "DATABENTO_API_KEY"}
    if env_key is not None:
        env["DATABENTO_API_KEY"] = env_key
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, **kw)


@pytest.fixture(scope="module")
def sim_lake(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("sim")
    proc = run([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:33"])
    assert proc.returncode == 0, proc.stderr
    return lake


@pytest.fixture
def fake(sim_lake):
    with FakeDatabento(Catalog(sim_lake), KEY) as server:
        yield server


def download(bin_, fake, tmp_path, *args, action="daemon", market="futures", key=KEY, extra=()):
    cmd = [bin_, "download", market, *args, "--base-url", fake.url, "--lake", tmp_path / "lake",
           "--tracker", tmp_path / "jobs.json", "--poll-interval", "0", "--retry-delay", "0", *extra, action]
    return run(cmd, env_key=key)


def sim_file(sim_lake, product, root, table, suffix):
    base = sim_lake / "raw/source=databento" / f"product_type={product}" / f"symbol={root}" / f"table={table}"
    return next(p for p in base.rglob(f"*{suffix}"))


def zero_dte_assets(definition_file, root, fixed_minus5):
    """The 0DTE option products of a definition file, computed with databento_dbn (not our decoder)."""
    dec = databento_dbn.DBNDecoder()
    dec.write(definition_file.read_bytes() if not definition_file.name.endswith(".zst") else
              subprocess.run(["zstd", "-dc", definition_file], capture_output=True, check=True).stdout)
    latest = {}
    for rec in dec.decode():
        if isinstance(rec, databento_dbn.InstrumentDefMsg):
            latest[rec.instrument_id] = rec
    assets = set()
    for rec in latest.values():
        cls = str(rec.instrument_class)
        cls = cls.split(".")[-1] if "." in cls else cls
        if cls not in ("C", "P", "CALL", "PUT") or rec.expiration >= 2**63:
            continue
        exp_s = rec.expiration // 10**9 - (5 * 3600 if fixed_minus5 else 5 * 3600)  # January: New York is UTC-5 too
        if time.strftime("%Y-%m-%d", time.gmtime(exp_s)) == DT and rec.underlying.startswith(root):
            assets.add(rec.asset)
    return sorted(assets)


def submitted(fake):
    return [(r["params"]["dataset"], r["params"]["schema"], r["params"]["symbols"]) for r in fake.submitted()]


def assert_no_key(*texts):
    for t in texts:
        assert KEY not in t


def test_futures_daemon_submits_the_spec_jobs_and_places_verified_files(spymaster_bin, fake, sim_lake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures")
    assert proc.returncode == 0, proc.stderr
    definition = sim_file(sim_lake, "future_option_mbo", "ES", "definition", ".definition.dbn.zst")
    assets = zero_dte_assets(definition, "ES", True)
    assert assets, "the simulated day has 0DTE ES options"
    parents = ",".join(a + ".OPT" for a in assets)
    assert submitted(fake) == [("GLBX.MDP3", "mbo", "ES.FUT"), ("GLBX.MDP3", "definition", ",".join(ES_TUESDAY_PARENTS)),
                               ("GLBX.MDP3", "mbo", parents), ("GLBX.MDP3", "statistics", parents)]
    for r in fake.submitted():
        p = r["params"]
        assert (p["start"], p["end"], p["stype_in"], p["encoding"], p["compression"]) == \
            (DT, "2026-01-07", "parent", "dbn", "zstd")
    # Every file is byte-identical to what the server had, in table=<schema>/<job_id>/, with manifest.json.
    lake = tmp_path / "lake"
    for product, table, suffix in [("future_mbo", "mbo", ".mbo.dbn.zst"),
                                   ("future_option_mbo", "definition", ".definition.dbn.zst"),
                                   ("future_option_mbo", "mbo", ".mbo.dbn.zst"),
                                   ("future_option_mbo", "statistics", ".statistics.dbn.zst")]:
        got = sim_file(lake, product, "ES", table, suffix)
        assert got.read_bytes() == sim_file(sim_lake, product, "ES", table, suffix).read_bytes()
        manifest = json.loads((got.parent / "manifest.json").read_text())
        assert manifest["job_id"] == got.parent.name
        for f in manifest["files"]:
            data = (got.parent / f["filename"]).read_bytes()
            assert f["size"] == len(data) and f["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert not list(got.parent.parent.glob(".*"))  # no temporaries left
    tracker = json.loads((tmp_path / "jobs.json").read_text())
    assert [j["state"] for j in tracker["jobs"]] == ["downloaded"] * 4
    assert tracker["jobs"][0]["key"] == f"GLBX.MDP3|mbo|ES|{DT}|future_mbo"
    assert "fake server warning" in proc.stderr  # X-Warning headers are logged
    assert "ETA" in proc.stderr and "MB/s" in proc.stderr or "kB/s" in proc.stderr
    assert_no_key(proc.stdout, proc.stderr, (tmp_path / "jobs.json").read_text())
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert all(r["headers"].get("Authorization") == auth for r in fake.requests)


def test_written_manifest_has_the_shape_of_a_real_batch_manifest(spymaster_bin, fake, tmp_path):
    fixture = pathlib.Path(__file__).resolve().parents[3] / "shared/fixtures/databento-batch/es-fut-mbo.manifest.json"
    if not fixture.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {fixture} is missing")
        pytest.skip(f"{fixture} not present")
    real = json.loads(fixture.read_text())
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert proc.returncode == 0, proc.stderr
    ours = json.loads(next((tmp_path / "lake").rglob("manifest.json")).read_text())
    assert list(ours) == list(real) == ["job_id", "files"]
    assert [list(f) for f in ours["files"]] == [list(real["files"][0])] * len(ours["files"])
    assert list(ours["files"][0]["urls"]) == list(real["files"][0]["urls"])
    # the side files of a real job come first, as in the fixture
    assert [f["filename"] for f in ours["files"]][:3] == [f["filename"] for f in real["files"]][:3]


def test_downloaded_futures_day_runs_bronze_to_gold(spymaster_bin, fake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert proc.returncode == 0, proc.stderr
    out = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES", "--dt", DT,
               "--lake", tmp_path / "lake"])
    assert out.returncode == 0, out.stderr
    gold = tmp_path / f"lake/gold/product_type=future_mbo/symbol=ESH6/table=physics_surface_1s/dt={DT}"
    assert pq.ParquetFile(gold / "part-00000.parquet").metadata.num_rows > 0


def test_equities_daemon_requests_xnas_mbo_opra_definitions_then_0dte_parents(spymaster_bin, fake, sim_lake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "SPY", market="equities")
    assert proc.returncode == 0, proc.stderr
    definition = sim_file(sim_lake, "equity_option_mbo", "SPY", "definition", ".definition.dbn.zst")
    parents = ",".join(a + ".OPT" for a in zero_dte_assets(definition, "SPY", False))
    assert parents
    assert submitted(fake) == [("XNAS.ITCH", "mbo", "SPY"), ("OPRA.PILLAR", "definition", "SPY.OPT"),
                               ("OPRA.PILLAR", "cmbp-1", parents), ("OPRA.PILLAR", "statistics", parents)]
    assert fake.submitted()[0]["params"]["stype_in"] == "raw_symbol"
    got = sim_file(tmp_path / "lake", "equity_option_mbo", "SPY", "cmbp-1", ".cmbp-1.dbn.zst")
    assert got.read_bytes() == sim_file(sim_lake, "equity_option_mbo", "SPY", "cmbp-1", ".cmbp-1.dbn.zst").read_bytes()


def test_dry_run_prices_jobs_and_submits_nothing(spymaster_bin, fake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    extra=["--dry-run"])
    assert proc.returncode == 0, proc.stderr
    assert fake.submitted() == []
    costs = [r for r in fake.requests if r["path"] == "/v0/metadata.get_cost"]
    assert [(r["params"]["schema"], r["params"]["symbols"]) for r in costs] == \
        [("mbo", "ES.FUT"), ("definition", ",".join(ES_TUESDAY_PARENTS))]  # option jobs follow the definitions
    assert "2 job(s), $2.5000 in total" in proc.stdout


def test_transient_errors_are_retried(spymaster_bin, fake, sim_lake, tmp_path):
    data_name = sim_file(sim_lake, "future_mbo", "ES", "mbo", ".mbo.dbn.zst").name
    fake.fail_next = {"batch.submit_job": [429, 429], "batch.list_jobs": [500, 503], "batch.list_files": [502],
                      data_name: [500, 429]}
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert proc.returncode == 0, proc.stderr
    assert all(q == [] for q in fake.fail_next.values())
    assert len(fake.submitted()) == 3  # two 429s, then the one job: a 429 creates nothing
    assert "retry" in proc.stderr


def test_a_lost_submit_answer_is_not_resubmitted_but_found_in_list_jobs(spymaster_bin, fake, tmp_path):
    fake.lose_submit_answers = 1
    args = ["--start", DT, "--symbols", "ES", "--include-futures", "--options-schemas", "none"]
    proc = download(spymaster_bin, fake, tmp_path, *args)
    assert proc.returncode == 1
    assert "HTTP 500" in proc.stderr
    assert len(fake.submitted()) == 1  # a 5xx on a billable submit is not retried blindly
    assert json.loads((tmp_path / "jobs.json").read_text())["jobs"][0]["state"] == "submitting"
    proc = download(spymaster_bin, fake, tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert len(fake.submitted()) == 1 and len(fake.jobs) == 1  # the job the lost answer created was adopted
    job = json.loads((tmp_path / "jobs.json").read_text())["jobs"][0]
    assert (job["state"], job["job_id"]) == ("downloaded", next(iter(fake.jobs)))


def test_cut_and_corrupt_downloads_are_resumed_and_verified(spymaster_bin, fake, sim_lake, tmp_path):
    original = sim_file(sim_lake, "future_mbo", "ES", "mbo", ".mbo.dbn.zst")
    fake.truncate[original.name] = 1
    fake.corrupt[original.name] = 1
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert proc.returncode == 0, proc.stderr
    got = sim_file(tmp_path / "lake", "future_mbo", "ES", "mbo", ".mbo.dbn.zst")
    assert got.read_bytes() == original.read_bytes()
    gets = [r for r in fake.requests if r["path"].endswith(original.name)]
    # cut at half → resumed with Range from there; that copy was corrupt → hash mismatch → fresh download
    assert gets[1]["headers"].get("Range") == f"bytes={original.stat().st_size // 2}-"
    assert "does not match" in proc.stderr
    assert len(gets) == 3 and "Range" not in gets[2]["headers"]


def test_server_ignoring_range_restarts_the_file(spymaster_bin, fake, sim_lake, tmp_path):
    original = sim_file(sim_lake, "future_mbo", "ES", "mbo", ".mbo.dbn.zst")
    fake.truncate[original.name] = 1
    fake.ignore_range = True
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert proc.returncode == 0, proc.stderr
    assert sim_file(tmp_path / "lake", "future_mbo", "ES", "mbo", ".mbo.dbn.zst").read_bytes() == original.read_bytes()


def test_persistently_bad_checksum_fails_and_places_nothing(spymaster_bin, fake, sim_lake, tmp_path):
    original = sim_file(sim_lake, "future_mbo", "ES", "mbo", ".mbo.dbn.zst")
    fake.corrupt[original.name] = 100
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none", extra=["--max-attempts", "3"])
    assert proc.returncode == 1
    assert original.name in proc.stderr and "gave up after 3 attempts" in proc.stderr
    table = tmp_path / "lake/raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo"
    assert [p.name.startswith(".") for p in table.iterdir()] == [True]  # only the hidden partial folder


def test_failed_job_is_reported_and_resubmitted_only_on_request(spymaster_bin, fake, tmp_path):
    fake.job_fate = lambda job: ["queued", "expired"] if job["schema"] == "statistics" else None
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES")
    assert proc.returncode == 1
    assert "1 job(s) failed" in proc.stderr and "expired" in proc.stderr
    states = {j["schema"]: j["state"] for j in json.loads((tmp_path / "jobs.json").read_text())["jobs"]}
    assert states == {"definition": "downloaded", "mbo": "downloaded", "statistics": "failed"}
    n = len(fake.submitted())
    fake.job_fate = lambda job: None
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", action="submit")
    assert proc.returncode == 0, proc.stderr
    assert [r["params"]["schema"] for r in fake.submitted()[n:]] == ["statistics"]
    proc = download(spymaster_bin, fake, tmp_path, action="poll")
    assert proc.returncode == 0, proc.stderr
    proc = download(spymaster_bin, fake, tmp_path, action="poll")
    proc = download(spymaster_bin, fake, tmp_path, action="poll")
    assert "3 downloaded, 0 pending, 0 failed" in proc.stdout


def test_rejected_submit_is_a_clear_error(spymaster_bin, fake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", "2026-01-08", "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")  # the fake has no data that day: 422 like an unresolved symbol
    assert proc.returncode == 1
    assert "HTTP 422" in proc.stderr and "did not resolve" in proc.stderr


def test_resume_after_kill_continues_the_partial_file(spymaster_bin, fake, sim_lake, tmp_path):
    original = sim_file(sim_lake, "future_mbo", "ES", "mbo", ".mbo.dbn.zst")
    fake.slow_bytes_per_chunk, fake.slow_delay = 4096, 0.01
    env = {k: v for k, v in os.environ.items()}
    env["DATABENTO_API_KEY"] = KEY
    cmd = [str(c) for c in [spymaster_bin, "download", "futures", "--start", DT, "--symbols", "ES",
                            "--include-futures", "--options-schemas", "none", "--base-url", fake.url,
                            "--lake", tmp_path / "lake", "--tracker", tmp_path / "jobs.json",
                            "--poll-interval", "0", "daemon"]]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table = tmp_path / "lake/raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo"
    partial = None
    for _ in range(3000):  # wait for a condition, not a duration
        found = list(table.glob(".*.partial/" + original.name)) if table.exists() else []
        if found and found[0].stat().st_size > 64 * 1024:
            partial = found[0]
            break
        time.sleep(0.01)
    assert partial is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    have = partial.stat().st_size
    assert 0 < have < original.stat().st_size
    fake.slow_bytes_per_chunk = 0
    n_submits = len(fake.submitted())
    done = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none")
    assert done.returncode == 0, done.stderr
    assert len(fake.submitted()) == n_submits  # the tracker remembered the job: no second (billable) submit
    last = [r for r in fake.requests if r["path"].endswith(original.name)][-1]
    assert last["headers"].get("Range", "").startswith("bytes=") and int(last["headers"]["Range"][6:-1]) >= have
    assert sim_file(tmp_path / "lake", "future_mbo", "ES", "mbo", ".mbo.dbn.zst").read_bytes() == original.read_bytes()


def test_existing_raw_folder_is_never_overwritten(spymaster_bin, fake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", "--include-futures",
                    "--options-schemas", "none", action="submit")
    assert proc.returncode == 0, proc.stderr
    job_id = json.loads((tmp_path / "jobs.json").read_text())["jobs"][0]["job_id"]
    folder = tmp_path / f"lake/raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo/{job_id}"
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text("mine")
    download(spymaster_bin, fake, tmp_path, action="poll")
    proc = download(spymaster_bin, fake, tmp_path, action="poll")
    proc = download(spymaster_bin, fake, tmp_path, action="poll")
    assert proc.returncode == 1
    assert str(folder) in proc.stderr and "never overwritten" in proc.stderr
    assert (folder / "metadata.json").read_text() == "mine"


def test_wrong_key_is_a_401_error_without_the_key(spymaster_bin, fake, tmp_path):
    bad = "db-WRONGKEYabcdefghijklmnopq99999"
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", key=bad)
    assert proc.returncode == 1
    assert "HTTP 401" in proc.stderr and "DATABENTO_API_KEY" in proc.stderr
    assert bad not in proc.stderr and bad not in proc.stdout


@pytest.mark.parametrize("args,needle", [
    (["--start", "2026-13-01", "--symbols", "ES"], "--start"),
    (["--start", "2026-01-07", "--end", "2026-01-06", "--symbols", "ES"], "ends before it starts"),
    (["--start", "2026-01-10", "--symbols", "ES"], "no weekday"),
    (["--start", DT, "--symbols", "ZZ"], "unknown futures root 'ZZ'"),
    (["--start", DT, "--symbols", "ES", "--options-schemas", "mbo"], "must include 'definition'"),
    (["--start", DT, "--symbols", "ES", "--options-schemas", "definition,cmbp-1"], "'cmbp-1' is not one of"),
    (["--symbols", "ES"], "--start"),
])
def test_bad_parameters_are_usage_errors(spymaster_bin, fake, tmp_path, args, needle):
    proc = download(spymaster_bin, fake, tmp_path, *args)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert fake.requests == []


def test_missing_key_names_the_variable(spymaster_bin, fake, tmp_path):
    proc = download(spymaster_bin, fake, tmp_path, "--start", DT, "--symbols", "ES", key=None)
    assert proc.returncode == 2
    assert "DATABENTO_API_KEY" in proc.stderr
    assert fake.requests == []


def test_unreachable_endpoint_fails_after_bounded_retries(spymaster_bin, tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    proc = run([spymaster_bin, "download", "futures", "--start", DT, "--symbols", "ES", "--base-url",
                f"http://127.0.0.1:{port}", "--lake", tmp_path / "lake", "--tracker", tmp_path / "jobs.json",
                "--max-attempts", "3", "--retry-delay", "0", "--dry-run", "daemon"])
    assert proc.returncode == 1
    assert "gave up after 3 attempts" in proc.stderr and f"127.0.0.1:{port}" in proc.stderr
