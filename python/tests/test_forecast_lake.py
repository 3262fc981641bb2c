"""The forecast layer (`spymaster run --layer forecast`): gold forecast_1s rows checked against the independent
implementation of gold.md Part 1 § Forecast (python/tools/gen_forecast_expected.py, numpy and Python's math)
on real windows of the simulated session (conftest.py's sim_lake: ES and SPY), its lineage, and its refusal of
a forecast computed from another gold.
"""
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python" / "tools"))
import gen_forecast_expected as oracle  # noqa: E402

DT = "2026-01-06"
CASES = [("future_mbo", "ESH6", 250_000_000), ("equity_mbo", "SPY", 500_000_000)]


def table_dir(lake, product, symbol, table):
    return lake / "gold" / f"product_type={product}" / f"symbol={symbol}" / f"table={table}" / f"dt={DT}"


def run(cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True)


@pytest.mark.parametrize("product,symbol,spot_unit", CASES)
def test_forecast_rows_equal_the_independent_implementation(sim_lake, product, symbol, spot_unit):
    gold = pq.read_table(table_dir(sim_lake, product, symbol, "physics_surface_1s") / "part-00000.parquet")
    forecast = pq.read_table(table_dir(sim_lake, product, symbol, "forecast_1s") / "part-00000.parquet")
    gold_windows = sorted(set(gold["window_end_ts_ns"].to_pylist()))
    # 31 rows per gold window, in window order, horizons 0..30.
    assert forecast.num_rows == 31 * len(gold_windows) > 0
    assert forecast["window_end_ts_ns"].to_pylist() == [ts for ts in gold_windows for _ in range(31)]
    assert forecast["horizon_s"].to_pylist() == list(range(31)) * len(gold_windows)
    # Every fifth window (and the last) against the oracle: deltas and confidence exactly, as the spec pins.
    checked = gold_windows[::5] + gold_windows[-1:]
    for ts in checked:
        rows = gold.filter(pc.equal(gold["window_end_ts_ns"], ts)).to_pylist()
        cells = [(r["rel_ticks"], r["side"], r["pressure_grad"], r["u_wave_energy"], r["rho"], r["nu"], r["Omega"])
                 for r in rows]
        d_up, d_down, run_up, run_down, confidence, deltas, _v = oracle.forecast(ts, cells)
        f = forecast.filter(pc.equal(forecast["window_end_ts_ns"], ts)).to_pylist()
        spot_tick = rows[0]["spot_ref_price_int"] // spot_unit
        assert [r["D_up"] for r in f] == [d_up] * 31 and [r["D_down"] for r in f] == [d_down] * 31, ts
        assert f[0]["RunScore_up"] == pytest.approx(run_up, abs=1e-9)
        assert f[0]["RunScore_down"] == pytest.approx(run_down, abs=1e-9)
        assert [r["confidence"] for r in f] == [confidence] * 31, ts
        assert [r["predicted_tick_delta"] for r in f] == [0] + deltas, ts
        assert [r["predicted_spot_tick"] for r in f] == [spot_tick + d for d in [0] + deltas], ts
    assert len(checked) > 10


@pytest.mark.parametrize("product,symbol,spot_unit", CASES)
def test_forecast_manifest_records_the_gold_it_was_computed_from(sim_lake, product, symbol, spot_unit):
    gold_manifest = table_dir(sim_lake, product, symbol, "physics_surface_1s") / "_MANIFEST.json"
    manifest = json.loads((table_dir(sim_lake, product, symbol, "forecast_1s") / "_MANIFEST.json").read_text())
    sha = hashlib.sha256(gold_manifest.read_bytes()).hexdigest()
    assert manifest["params"] == {"gold_manifest_sha256": sha}
    assert manifest["inputs"] == [{"dataset": f"gold.{product}.physics_surface_1s", "dt": DT, "manifest_sha256": sha}]
    assert manifest["row_count"] == manifest["counters"]["forecast_windows"] * 31


def test_rerun_skips_and_a_forecast_of_another_gold_is_refused_without_overwrite(spymaster_bin, sim_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(sim_lake, lake)
    cmd = [spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "forecast", "--symbol", "ESH6", "--dt",
           DT, "--lake", lake]
    out = run(cmd)
    assert out.returncode == 0 and "skipped gold_compute_forecast_1s ESH6" in out.stdout, out.stdout
    part = table_dir(lake, "future_mbo", "ESH6", "forecast_1s")
    before = (part / "part-00000.parquet").read_bytes()
    manifest = json.loads((part / "_MANIFEST.json").read_text())
    manifest["params"]["gold_manifest_sha256"] = "0" * 64  # as if gold had been rebuilt since
    (part / "_MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    out = run(cmd)
    assert out.returncode == 1 and "--overwrite" in out.stdout + out.stderr, out.stdout + out.stderr
    out = run([*cmd, "--overwrite"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert (part / "part-00000.parquet").read_bytes() == before  # deterministic: the same rows again


def test_forecast_needs_gold(spymaster_bin, tmp_path):
    out = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "forecast", "--symbol", "ESH6",
               "--dt", DT, "--lake", tmp_path])
    assert out.returncode == 1
    assert "gold.future_mbo.physics_surface_1s" in out.stdout + out.stderr
