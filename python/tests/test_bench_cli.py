"""Every `spymaster bench` subcommand runs on a tiny input and prints a throughput figure.

Smoke tests only: they catch a benchmark that no longer runs or no longer reports, never a speed.
"""
import re
import subprocess

import pytest

CASES = {
    "dbn": ["--records", "200000", "--repeat", "1"],
    "sim": ["--scale", "0.05", "--end", "09:32", "--repeat", "1"],
    "book": ["--events", "200000"],
    "engine": ["--events", "200000"],
    "bronze": ["--scale", "0.05", "--repeat", "1"],
    "pipeline": ["--scale", "0.05", "--repeat", "2"],
}


@pytest.mark.parametrize("area", sorted(CASES))
def test_bench_runs_and_reports_throughput(spymaster_bin, area):
    proc = subprocess.run([str(spymaster_bin), "bench", area, *CASES[area]], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if area == "pipeline":
        assert len(re.findall(r"run \d: [\d.]+ s wall, [\d.]+ s CPU, \d+ MB peak RSS", proc.stdout)) == 2, proc.stdout
        assert re.search(r"wall min [\d.]+ / median [\d.]+ / max [\d.]+ s", proc.stdout), proc.stdout
    else:
        assert re.search(r"[\d.]+ M ?(rec|records|events|rows)?\S*/s", proc.stdout), proc.stdout
