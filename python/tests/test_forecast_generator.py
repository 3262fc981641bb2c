"""tests/engine/forecast_expected.inc (ForecastTest.*) must be what python/tools/gen_forecast_expected.py
derives from gold.md Part 1 § Forecast: a change to either side without the other fails."""
import sys

from generated_inc import EXPECTATIONS, TOOLS, generator_output

INC = EXPECTATIONS / "forecast_expected.inc"


def test_committed_file_equals_generator_output():
    assert INC.read_text() == generator_output("gen_forecast_expected.py")


def test_generator_reproduces_the_spec_worked_values():
    sys.path.insert(0, str(TOOLS))
    import gen_forecast_expected as gen
    d_up, d_down, run_up, run_down, _conf, _deltas, v = gen.forecast(1000, gen.reference_fixture(True))
    assert (d_up, d_down) == (10, 10)
    assert abs(run_up - 0.04) < 1e-15 and abs(run_down - 0.05) < 1e-15
    assert abs(v[205] - 0.06 / (0.5 + 1e-6)) < 1e-15 and v[211] == 0.0
    d_up, d_down, run_up, run_down, *_ = gen.forecast(1000, gen.reference_fixture(False))
    assert (d_up, d_down) == (None, None)
    assert abs(run_up - 0.00225) < 1e-15 and abs(run_down - 0.00275) < 1e-15
