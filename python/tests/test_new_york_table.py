"""The committed America/New_York table that the C++ rule is checked against (tests/common/new_york_table.txt,
read by NewYorkTime tests in common_tests) is exactly what Python's zoneinfo says today."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_committed_table_is_what_zoneinfo_says():
    script = REPO / "python/tools/gen_new_york_table.py"
    fresh = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    committed = (REPO / "tests/common/new_york_table.txt").read_text()
    assert sum(line.startswith("O ") for line in fresh.splitlines()) == 1 + 186  # two switches a year, 2007-2099
    assert fresh == committed, "regenerate: python3 python/tools/gen_new_york_table.py > tests/common/new_york_table.txt"
