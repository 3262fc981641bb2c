"""tests/engine/gold_toy_expected.inc (GoldTest.ToyThreeWindowsEveryColumnHandComputed) must be what
python/tools/gen_gold_toy_expected.py derives from the spec: a change to either side without the other fails."""
import math
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
GENERATOR = REPO / "python" / "tools" / "gen_gold_toy_expected.py"
INC = REPO / "tests" / "engine" / "gold_toy_expected.inc"
LINE = re.compile(r"^    \{(\d+), '([AB])', (-?\d+), (-?\d+), \{([^{}]*)\}\},$")
COLUMNS = 30  # GoldTest's Values()


def parse(text, origin):
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        m = LINE.match(line)
        assert m, f"{origin}:{number}: not an expectation line: {line!r}"
        values = [float(v) for v in m.group(5).split(", ")]
        assert len(values) == COLUMNS, f"{origin}:{number}: {len(values)} values"
        rows.append(((int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))), values))
    return rows


@pytest.fixture(scope="module")
def generated():
    out = subprocess.run([sys.executable, GENERATOR], check=True, capture_output=True, text=True).stdout
    return parse(out, "generator")


def test_committed_file_equals_generator_output(generated):
    committed = parse(INC.read_text(), INC.name)
    assert [key for key, _ in committed] == [key for key, _ in generated]
    assert len(committed) == 9  # 3 windows x 3 cells, as the C++ test counts
    for (key, want), (_, got) in zip(committed, generated):
        for column, (w, g) in enumerate(zip(want, got)):
            # The C++ test's tolerance: 1e-12 relative, absolute near 0.
            assert abs(g - w) <= 1e-12 * (1 + abs(w)), f"{key} column {column}: file {w!r}, generator {g!r}"


def test_generator_reproduces_the_closed_forms_in_the_test_comment(generated):
    """A few values derived in closed form (gold_test.cpp's comment, Part 1 EMA over a 2 s gap), so the
    generator and the file cannot drift together unnoticed."""
    v = {key[:3]: values for key, values in generated}
    b0 = v[(1, "B", 0)]
    assert b0[3] == pytest.approx(0.1, rel=1e-15)  # u = (3 - 1 - 1) / 10
    assert b0[19] == pytest.approx(math.log(11), rel=1e-15)
    assert b0[20] == pytest.approx(4 / 11, rel=1e-15)
    assert b0[23] == pytest.approx(math.log(11) * (0.5 + 2 / 11) * (1 + 0.1 * 4 / 11), rel=1e-14)
    assert b0[14] == pytest.approx(0.1 / (1 + 2 * math.exp(-1 / 72)), rel=1e-14)  # u_near(0)
    # A1: u = 2 in window 1, idle afterwards: decays by exp(-1/tau) then exp(-2/tau).
    for i, tau in enumerate((2, 8, 32, 128)):
        assert v[(2, "A", 1)][4 + i] == pytest.approx(2 * math.exp(-1 / tau), rel=1e-14)
        assert v[(4, "A", 1)][4 + i] == pytest.approx(2 * math.exp(-3 / tau), rel=1e-14)
    assert v[(4, "A", 1)][12] == pytest.approx(2 * (math.exp(-1.5) - math.exp(-0.5)), rel=1e-14)  # du_dt
