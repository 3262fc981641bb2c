"""Shared checks of a committed C++ expectation file (tests/engine/*.inc) against the Python generator that
derives it (python/tools/gen_*.py): run the generator, parse both texts line by line with one pattern, and
compare values with the tolerance the C++ tests use."""
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOLS = REPO / "python" / "tools"
EXPECTATIONS = REPO / "tests" / "engine"


def generator_output(name):
    """Standard output of python/tools/<name>, run with this interpreter."""
    return subprocess.run([sys.executable, TOOLS / name], check=True, capture_output=True, text=True).stdout


def expectation_lines(text, origin, pattern, header=None):
    """Each line of `text` matched against `pattern` (a failure names origin:line); `header`, when given, is
    the prefix the first line must carry (the generator's name), and that line is skipped."""
    line_re = re.compile(pattern)
    lines = text.splitlines()
    first = 1
    if header is not None:
        assert lines and lines[0].startswith(header), f"{origin}:1: header is not {header!r}"
        first = 2
    matches = []
    for number, line in enumerate(lines[first - 1:], first):
        m = line_re.match(line)
        assert m, f"{origin}:{number}: not an expectation line: {line!r}"
        matches.append(m)
    return matches


def floats(text, count, where):
    """A C++ initializer list's comma-separated doubles, exactly `count` of them."""
    values = [float(v) for v in text.split(", ")]
    assert len(values) == count, f"{where}: {len(values)} values, expected {count}"
    return values


def assert_values_close(want, got, where):
    """The C++ tests' tolerance: 1e-12 relative, absolute near 0."""
    assert len(want) == len(got), f"{where}: {len(want)} values against {len(got)}"
    for column, (w, g) in enumerate(zip(want, got)):
        assert abs(g - w) <= 1e-12 * (1 + abs(w)), f"{where} column {column}: file {w!r}, generator {g!r}"
