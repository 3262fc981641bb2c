"""scripts/test's argument checks and scripts/setup's handling of a missing or too old Rust toolchain.

The setup tests run the real script with PATH and HOME set so that only the toolchain the test provides
is visible; the apt and pip steps find everything installed already (scripts/test ran setup first)."""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args,needle", [(["--fuzz"], "--fuzz needs a number"), (["--fuzz", "abc"], "'abc'"),
                                         (["--fuzz", "0"], "'0'"), (["--fuzz", "-5"], "'-5'"),
                                         (["--fuzz", "1.5"], "'1.5'"), (["--bogus"], "'--bogus'")])
def test_scripts_test_rejects_bad_arguments_before_doing_anything(args, needle):
    proc = subprocess.run(["bash", REPO / "scripts" / "test", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr and "usage: scripts/test" in proc.stderr, proc.stderr
    assert proc.stdout == ""  # neither setup nor a build started


def stock_env(home: pathlib.Path, extra_path=None):
    """A login-like environment with Debian's default PATH and an empty HOME: no ~/.cargo."""
    path = "/usr/sbin:/usr/bin:/sbin:/bin"
    return {"HOME": str(home), "PATH": f"{extra_path}:{path}" if extra_path else path, "LANG": "C.UTF-8"}


def fake_toolchain(bin_dir: pathlib.Path, rust_version: str, log: pathlib.Path):
    """cargo and rustc stand-ins that report `rust_version` and record every cargo invocation."""
    bin_dir.mkdir(parents=True)
    (bin_dir / "rustc").write_text(f"#!/bin/sh\necho 'rustc {rust_version} (debian)'\n")
    (bin_dir / "cargo").write_text(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    for tool in ("rustc", "cargo"):
        (bin_dir / tool).chmod(0o755)


def run_setup(env):
    return subprocess.run(["bash", REPO / "scripts" / "setup"], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=600)


def requires_installed_setup():
    if not (REPO / ".venv" / ".requirements.sha256").exists():
        pytest.fail("run scripts/setup first: these tests rerun it expecting apt and pip to be done")


def test_setup_without_any_cargo_succeeds_and_names_the_fallback(tmp_path):
    requires_installed_setup()
    proc = run_setup(stock_env(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no Rust >= 1.88.0 (found: none)" in proc.stdout and "Transcoder" in proc.stdout, proc.stdout
    assert proc.stdout.rstrip().endswith("setup: ok")


def test_setup_skips_the_dbn_cli_with_debians_old_rust(tmp_path):
    requires_installed_setup()
    log = tmp_path / "cargo.log"
    fake_toolchain(tmp_path / "bin", "1.63.0", log)
    proc = run_setup(stock_env(tmp_path / "home", tmp_path / "bin"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no Rust >= 1.88.0 (found: 1.63.0)" in proc.stdout, proc.stdout
    assert not log.exists(), "cargo must not be run"


def test_setup_builds_the_dbn_cli_with_a_new_enough_cargo(tmp_path):
    requires_installed_setup()
    log = tmp_path / "cargo.log"
    fake_toolchain(tmp_path / "bin", "1.88.0", log)
    proc = run_setup(stock_env(tmp_path / "home", tmp_path / "bin"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert log.read_text().split() == ["install", "dbn-cli", "--version", "0.72.0", "--locked", "--quiet"]
