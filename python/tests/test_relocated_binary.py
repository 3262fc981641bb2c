"""A copy of the binary in another directory runs simulate and the whole pipeline without the source tree:
datasets.yaml and the Avro contracts are compiled in (src/lake/embedded_config.hpp).

Where unprivileged user and mount namespaces are available (`unshare -rm`, as on the development machines),
the source tree is hidden behind an empty tmpfs while the copy runs, as if it had been renamed away; only
the pyarrow libraries that the binary's rpath names are bound back at their path. Elsewhere (a container
without namespaces) the copy runs under strace and no file under the source tree but those libraries may
be opened or looked at.
"""
import hashlib
import json
import os
import pathlib
import shlex
import shutil
import subprocess

import pyarrow
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DT = "2026-01-06"


def can_hide_directories() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True)
    return probe.returncode == 0


def pipeline_commands(binary: pathlib.Path, lake: pathlib.Path) -> list[list[str]]:
    common = ["--dt", DT, "--lake", str(lake)]
    run = [str(binary), "run", "--product-type", "future_mbo", "--symbol", "ES", *common,
           "--session-start", "09:30", "--session-end", "09:33"]
    return [
        [str(binary), "simulate", "--product", "future_mbo", "--start", "09:30", "--end", "09:33", "--seed", "4",
         "--threads", "1", *common],
        [*run, "--layer", "bronze"],
        [str(binary), "select-contract", "--dates", DT, "--lake", str(lake)],
        [*run, "--layer", "all"],
    ]


def check_lake(lake: pathlib.Path) -> None:
    gold = lake / "gold/product_type=future_mbo/symbol=ESH6/table=physics_surface_1s" / f"dt={DT}"
    assert (gold / "_SUCCESS").exists()
    manifest = json.loads((gold / "_MANIFEST.json").read_text())
    contract = REPO / manifest["contract_path"]
    assert manifest["contract_sha256"] == hashlib.sha256(contract.read_bytes()).hexdigest()
    assert (lake / "selection/mbo_contract_day_selection.parquet").exists()


def test_copied_binary_runs_simulate_and_run_without_the_source_tree(spymaster_bin, tmp_path):
    binary = tmp_path / "bin" / "spymaster"
    binary.parent.mkdir()
    shutil.copy2(spymaster_bin, binary)
    lake = tmp_path / "lake"
    env = {k: v for k, v in os.environ.items() if k != "SPYMASTER_CONFIG"}
    commands = pipeline_commands(binary, lake)
    if can_hide_directories():
        # The rpath may point into the tree (.venv is inside it on a fresh clone); bind pyarrow back there.
        arrow_libs = pathlib.Path(pyarrow.get_library_dirs()[0])
        keep = tmp_path / "arrow-libs"
        keep.mkdir()
        script = [
            f"mount --bind {shlex.quote(str(arrow_libs.resolve()))} {shlex.quote(str(keep))}",
            f"mount -t tmpfs none {shlex.quote(str(REPO))}",
            f"test ! -e {shlex.quote(str(REPO / 'config/datasets.yaml'))}",
            f"test ! -e {shlex.quote(str(REPO / 'contracts'))}",
        ]
        if arrow_libs.is_relative_to(REPO):
            script += [f"mkdir -p {shlex.quote(str(arrow_libs))}",
                       f"mount --bind {shlex.quote(str(keep))} {shlex.quote(str(arrow_libs))}"]
        script += [shlex.join(c) for c in commands]
        proc = subprocess.run(["unshare", "-rm", "sh", "-ec", "\n".join(script)], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    elif shutil.which("strace"):
        arrow_libs = str(pathlib.Path(pyarrow.get_library_dirs()[0]))
        for i, command in enumerate(commands):
            trace = tmp_path / f"trace-{i}.txt"
            proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(trace), *command],
                                  cwd=tmp_path, env=env, capture_output=True, text=True)
            assert proc.returncode == 0, f"{command}\n{proc.stdout}{proc.stderr}"
            touched = [line for line in trace.read_text().splitlines() if f'"{REPO}/' in line
                       and f'"{arrow_libs}/' not in line and f'"{arrow_libs}"' not in line]
            assert touched == [], touched[:5]
    else:
        message = "needs `unshare -rm` or strace to show the source tree is not used"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    check_lake(lake)
