"""Spymaster from Python: the CLI's commands and the engine's windows, over the same C++ as the
`spymaster` executable (the extension spymaster._core links its libraries).

    import spymaster
    spymaster.simulate(lake="lake", dt="2026-01-06")
    summary = spymaster.run(lake="lake", product_type="future_mbo", symbol="ES", dt="2026-01-06")
    for window in spymaster.windows("bronze", "future_mbo", "ESH6", "2026-01-06", lake="lake"):
        window["physics_surface_1s"]  # a pyarrow.RecordBatch

Keyword arguments are named after the CLI's flags (--start-date → start_date, --raw-job → raw_job).
Failures raise UsageError (a ValueError: the CLI exits 2), DataError (a RuntimeError) or IoError (an
OSError), all spymaster.Error, with the message the CLI prints after "error: ". The GIL is released while
the C++ runs.
"""
# pyarrow first: the extension links the libarrow that pyarrow's wheel carries, and this makes the
# process hold one copy of it, pyarrow's (batches cross between them through the Arrow C data interface).
import pyarrow  # noqa: F401

from spymaster._core import (  # noqa: E402
    DataError,
    Error,
    IoError,
    UsageError,
    WindowIterator,
    run,
    select_contract,
    simulate,
    windows,
)

__all__ = [
    "DataError",
    "Error",
    "IoError",
    "UsageError",
    "WindowIterator",
    "run",
    "select_contract",
    "simulate",
    "windows",
]
