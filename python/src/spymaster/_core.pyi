"""Type stubs of the extension spymaster._core (re-exported by the spymaster package)."""
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow

class Error(Exception):
    """A spymaster command failed; the message is the CLI's."""

class UsageError(Error, ValueError):
    """A bad argument (the CLI exits 2); the message names it."""

class DataError(Error, RuntimeError):
    """Malformed or missing input data (the CLI exits 1)."""

class IoError(Error, OSError):
    """The system failed a read, write or rename (the CLI exits 1)."""

def run(
    *,
    product_type: str,
    symbol: str,
    layer: str = "all",
    dt: str | None = None,
    dates: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    workers: int = 1,
    overwrite: bool = False,
    lake: str = "lake",
    session_start: str = "09:30",
    session_end: str = "10:30",
    source: str = "bronze",
    raw_job: Sequence[str] = (),
    check: bool = True,
) -> dict[str, Any]:
    """`spymaster run`. Returns {"tasks": [{"stage", "layer", "symbol", "dt", "rows", "skipped",
    "seconds", "counters", "datasets_written", "error"}], "written": [partition], "skipped": int,
    "failed": int, "rows": int, "counters": {name: int}, "report": the CLI's summary text}. A failed task
    raises DataError with the CLI's message; with check=False the summary is returned, the failed task
    with its "error" (a sequential run stops at its first failure, so later dates have no entry)."""

def simulate(
    *,
    dt: str = "2026-01-06",
    seed: int = 1,
    scale: float = 1.0,
    start: str = "09:30",
    end: str = "10:30",
    lake: str = "lake",
    product: Sequence[str] = (),
    scenario: str = "default",
    overwrite: bool = False,
    threads: int = 0,
    describe: bool = False,
) -> dict[str, Any] | str:
    """`spymaster simulate`. Returns {"files": [{"path", "product_type", "symbol", "schema", "records",
    "bytes"}], "records", "seconds"}; with describe=True the scenario timeline (str), nothing written."""

def select_contract(*, dates: str, lake: str = "lake") -> dict[str, Any]:
    """`spymaster select-contract`. Returns {"rows": [selection row as dict], "file": path written}."""

class WindowIterator(Iterator[dict[str, pyarrow.RecordBatch]]):
    """The closed windows of one (product, symbol, dt), as {table: pyarrow.RecordBatch}."""

    def __iter__(self) -> WindowIterator: ...
    def __next__(self) -> dict[str, pyarrow.RecordBatch]: ...
    @property
    def schemas(self) -> dict[str, pyarrow.Schema]: ...
    def counters(self) -> dict[str, int]: ...

def windows(
    source: str,
    product_type: str,
    symbol: str,
    dt: str,
    *,
    lake: str = "lake",
    session_start: str = "09:30",
    session_end: str = "10:30",
    raw_job: Sequence[str] = (),
    batch_windows: int = 1,
) -> WindowIterator:
    """Each closed session window of the engine run over bronze (source="bronze") or the raw DBN day
    (source="raw"): {"book_snapshot_1s", "depth_and_flow_1s", "physics_surface_1s": pyarrow.RecordBatch}.
    Every product type: the option products (future_option_mbo, equity_option_mbo; symbol = the
    underlying's, ES resolves through the selection map) merge the underlying's records with their
    options' for each window's spot, as the option silver stage does. batch_windows=N: each step gives
    the rows of up to N consecutive windows in one batch per table; below 32, the steps are zero-copy
    slices of batches of up to 32 windows, which the engine computes at once (counters() runs ahead of
    the windows yielded by up to that many)."""
