"""Every `spymaster bench` subcommand (the project's one benchmark harness) runs on a tiny input and prints a
throughput figure for each path it times.

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
    "gold": ["--windows", "200", "--repeat", "1"],
    "bronze": ["--scale", "0.05", "--repeat", "1"],
    "pipeline": ["--scale", "0.05", "--repeat", "2"],
    "serve": ["--events", "200000"],
    "options": ["--events", "20000", "--instruments", "50", "--repeat", "1"],
    "windows": ["--scale", "0.05", "--repeat", "1"],
}

EXTRA_LINES = {
    "dbn": [r"zstd encode .* Mrec/s", r"zstd decode .* Mrec/s", r"libzstd alone .* Mrec/s"],
    "sim": [r"market path .*: best cpu [\d.]+ s", r"ESH6 generator alone: \d+ records; .* M records/s/core"],
    "bronze": [r"every column .* M rows/s per core", r"engine columns .* M rows/s per core"],
    "engine": [r"engine book\+silver\+gold: .* M events/s/core"],
    "serve": [r"serve frames: \d+ windows; forecast [\d.]+ us/window \([\d.]+ us cpu\), Arrow IPC frames "
              r"[\d.]+ us/window \([\d.]+ us cpu\)"],
    "windows": [r"engine alone from bronze \(windows dropped\): \d+ records, 3600 windows; .* M records/s/core",
                r"window stream from bronze, 1 window\(s\) a batch \(engine \+ Arrow batches\): \d+ records, 3600 "
                r"windows; .* M records/s",
                r"window stream from bronze, 32 window\(s\) a batch .*: \d+ records, 3600 windows; .* M records/s",
                r"window stream from bronze, 60 window\(s\) a batch .*: \d+ records, 3600 windows; .* M records/s",
                r"store floor: \d+ MB of batch values \(\d+ bytes a window\) .* ms more = [\d.]+ % of the engine alone"],
    "options": [r"option books: .* M events/s/core", r"option engine books\+silver\+gold: .* M events/s/core",
                r"cmbp-1 engine tops\+silver\+gold: .* M updates/s/core"],
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
        assert re.search(r"[\d.]+ M ?(rec|records|events|rows|cells)?\S*/s", proc.stdout), proc.stdout
    # The areas that time more than one path report each of them.
    for line in EXTRA_LINES.get(area, []):
        assert re.search(line, proc.stdout), (line, proc.stdout)


def test_every_bench_area_is_smoke_tested(spymaster_bin):
    help_text = subprocess.run([str(spymaster_bin), "bench", "--help"], capture_output=True, text=True,
                               check=True).stdout
    areas = re.findall(r"^  (\w+) {2,}", help_text.split("Subcommands:", 1)[1], flags=re.MULTILINE)
    assert sorted(areas) == sorted(CASES)
