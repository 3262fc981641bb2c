"""tests/engine/gold_toy_expected.inc (GoldTest.ToyThreeWindowsEveryColumnHandComputed) must be what
python/tools/gen_gold_toy_expected.py derives from the spec: a change to either side without the other fails."""
import math

import pytest
from generated_inc import EXPECTATIONS, assert_values_close, expectation_lines, floats, generator_output

GENERATOR = "gen_gold_toy_expected.py"
INC = EXPECTATIONS / "gold_toy_expected.inc"
LINE = r"^    \{(\d+), '([AB])', (-?\d+), (-?\d+), \{([^{}]*)\}\},$"
COLUMNS = 30  # GoldTest's Values()


def parse(text, origin):
    rows = []
    for m in expectation_lines(text, origin, LINE):
        key = (int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4)))
        rows.append((key, floats(m.group(5), COLUMNS, f"{origin} {key}")))
    return rows


@pytest.fixture(scope="module")
def generated():
    return parse(generator_output(GENERATOR), "generator")


def test_committed_file_equals_generator_output(generated):
    committed = parse(INC.read_text(), INC.name)
    assert [key for key, _ in committed] == [key for key, _ in generated]
    assert len(committed) == 9  # 3 windows x 3 cells, as the C++ test counts
    for (key, want), (_, got) in zip(committed, generated):
        assert_values_close(want, got, str(key))


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
