"""Shared pytest fixtures: paths to the repo, the built CLI and the shared spec fixtures."""
import os
import pathlib

import pytest

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
