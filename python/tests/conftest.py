"""Shared pytest fixtures: paths to the repo, the built CLI, the shared spec fixtures and one simulated lake."""
import os
import pathlib

import pytest

from cli import run

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def spymaster_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("SPYMASTER_BIN", REPO / "build" / "spymaster"))
    assert path.exists(), f"build the CLI first: {path} is missing"
    return path


@pytest.fixture(scope="session")
def dbn_fixtures() -> pathlib.Path:
    path = SHARED / "fixtures" / "dbn"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the DBN fixtures folder {path} is missing")
        pytest.skip(f"{path} not present")
    return path


SIM_DT = "2026-01-06"
SIM_SESSION = ["--session-start", "09:30", "--session-end", "09:33"]


@pytest.fixture(scope="session")
def sim_lake(spymaster_bin, tmp_path_factory) -> pathlib.Path:
    """A short simulated session (09:30-09:33 on 2026-01-06) of all four products through `spymaster run`:
    bronze, contract selection, then silver and gold. ES futures and both option products go through
    `--layer all` (silver and gold in one engine pass), SPY through the two stages (gold from silver read
    back), so the tests reading it cover both paths; then the forecast layer of ES and SPY. Built once per session; tests treat it as read-only
    (those that change a lake copy it first)."""
    root = tmp_path_factory.mktemp("sim_lake")
    run([spymaster_bin, "simulate", "--lake", root, "--dt", SIM_DT, "--start", "09:30", "--end", "09:33",
          "--threads", "1"])
    for pt, raw_root in (("future_mbo", "ES"), ("future_option_mbo", "ES"), ("equity_mbo", "SPY"),
                         ("equity_option_mbo", "SPY")):
        run([spymaster_bin, "run", "--product-type", pt, "--layer", "bronze", "--symbol", raw_root, "--dt", SIM_DT,
              "--lake", root])
    run([spymaster_bin, "select-contract", "--dates", SIM_DT, "--lake", root])
    out = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES", "--dt",
                SIM_DT, "--lake", root, *SIM_SESSION])
    assert "ok      silver_compute_book_states_1s+gold_compute_physics_surface_1s ESH6" in out.stdout
    for layer in ("silver", "gold"):
        run([spymaster_bin, "run", "--product-type", "equity_mbo", "--layer", layer, "--symbol", "SPY", "--dt",
              SIM_DT, "--lake", root, *SIM_SESSION])
    for pt, raw_root, stage in (("future_option_mbo", "ES", "option_physics_surface_1s ESH6"),
                                ("equity_option_mbo", "SPY", "equity_option_physics_surface_1s SPY")):
        out = run([spymaster_bin, "run", "--product-type", pt, "--layer", "all", "--symbol", raw_root, "--dt",
                    SIM_DT, "--lake", root, *SIM_SESSION])
        assert f"+gold_compute_{stage}" in out.stdout
    # The forecast layer (after gold, outside --layer all): the stream's replay reads these rows.
    for pt, symbol, stage in (("future_mbo", "ES", "gold_compute_forecast_1s ESH6"),
                              ("equity_mbo", "SPY", "gold_compute_equity_forecast_1s SPY")):
        out = run([spymaster_bin, "run", "--product-type", pt, "--layer", "forecast", "--symbol", symbol, "--dt",
                   SIM_DT, "--lake", root])
        assert f"ok      {stage}" in out.stdout, out.stdout
    return root


@pytest.fixture(scope="session")
def lake(sim_lake) -> pathlib.Path:
    """`sim_lake` under the name the tests reading it use; modules that build or change a lake of their own
    define their own `lake`, which overrides this one."""
    return sim_lake
