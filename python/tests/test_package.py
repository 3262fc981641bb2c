"""The Python package `spymaster` against the CLI it shares its C++ with: windows() yields the rows the
CLI writes to the lake, run()/simulate()/select_contract() write the same lake as the CLI, errors carry
the CLI's messages, and the GIL is released while the engine runs.

The package is imported from the build tree (<build>/python, next to SPYMASTER_BIN), so the test checks
what scripts/build just built; scripts/setup installs the same package into .venv."""
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DT = "2026-01-06"
WINDOW = {"session_start": "09:30", "session_end": "09:33"}
WINDOW_FLAGS = ["--session-start", "09:30", "--session-end", "09:33"]
# name: (product_type, raw root, silver symbol)
PRODUCTS = {"ES": ("future_mbo", "ES", "ESH6"), "SPY": ("equity_mbo", "SPY", "SPY")}
TABLES = (("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"), ("gold", "physics_surface_1s"))


@pytest.fixture(scope="module")
def spymaster(spymaster_bin):
    build_python = spymaster_bin.parent / "python"
    if not (build_python / "spymaster" / "__init__.py").exists():
        message = f"the Python package is not built: {build_python}/spymaster is missing (scripts/build)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sys.path.insert(0, str(build_python))
    try:
        import spymaster as package
    finally:
        sys.path.remove(str(build_python))
    assert pathlib.Path(package.__file__).parent == build_python / "spymaster", package.__file__
    return package


def cli(spymaster_bin, *args, check=True):
    proc = subprocess.run([str(spymaster_bin), *map(str, args)], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def cli_lake(spymaster_bin, tmp_path_factory):
    """Three simulated minutes of ES and SPY, bronze to gold, all by the CLI."""
    lake = tmp_path_factory.mktemp("cli") / "lake"
    cli(spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:33",
        "--product", "future_mbo", "--product", "equity_mbo", "--threads", "1")
    for pt, root, _ in PRODUCTS.values():
        cli(spymaster_bin, "run", "--product-type", pt, "--layer", "all", "--symbol", root, "--dt", DT,
            "--lake", lake, *WINDOW_FLAGS)
    return lake


def read_partition(lake, layer, pt, symbol, table):
    files = sorted((lake / layer / f"product_type={pt}" / f"symbol={symbol}" / f"table={table}" /
                    f"dt={DT}").glob("*.parquet"))
    assert len(files) == 1, files
    return pq.ParquetFile(files[0]).read()


@pytest.mark.parametrize("source", ["bronze", "raw"])
@pytest.mark.parametrize("name", PRODUCTS)
def test_windows_equal_the_lake_rows(spymaster, cli_lake, name, source):
    """Every closed window's batches, concatenated in order, are the silver and gold partitions the CLI
    wrote: same schema, every column, every row."""
    pt, _, symbol = PRODUCTS[name]
    it = spymaster.windows(source, pt, symbol, DT, lake=str(cli_lake), **WINDOW)
    batches = {table: [] for _, table in TABLES}
    count = 0
    for window in it:
        assert list(window) == [table for _, table in TABLES]
        assert window["book_snapshot_1s"].num_rows == 1
        start = window["book_snapshot_1s"].column("window_start_ts_ns")[0]
        for table, batch in window.items():
            assert isinstance(batch, pa.RecordBatch)
            batches[table].append(batch)
            if batch.num_rows and "window_start_ts_ns" in batch.schema.names:
                assert pc.all(pc.equal(batch.column("window_start_ts_ns"), start)).as_py()
        count += 1
    assert count == 180  # 09:30–09:33, one window a second, empty or not
    assert it.counters()["records"] > 0
    assert_batches_equal_the_lake(cli_lake, pt, symbol, batches, it.schemas, source)


def assert_batches_equal_the_lake(lake, pt, symbol, batches, schemas, source):
    """Each table's batches, concatenated, are the partition in the lake: schema, every column, every row."""
    for layer, table in TABLES:
        want = read_partition(lake, layer, pt, symbol, table)
        got = pa.Table.from_batches(batches[table], schema=schemas[table])
        assert got.num_rows == want.num_rows > 0, table
        assert got.schema.equals(want.schema), f"{table}: {got.schema} != {want.schema}"
        for column in want.column_names:
            assert got.column(column).equals(want.column(column)), f"{table}.{column} differs ({source})"


@pytest.mark.parametrize("batch_windows", [7, 180, 1000])
def test_windows_in_batches_of_several_windows(spymaster, cli_lake, batch_windows):
    """batch_windows=N: each step holds up to N consecutive windows' rows (the last step the rest), and the
    steps still concatenate to the lake's partitions."""
    it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), batch_windows=batch_windows,
                           **WINDOW)
    steps = list(it)
    assert [s["book_snapshot_1s"].num_rows for s in steps] == \
        [min(batch_windows, 180 - i) for i in range(0, 180, batch_windows)]
    for layer, table in TABLES:
        want = read_partition(cli_lake, layer, "future_mbo", "ESH6", table)
        assert pa.Table.from_batches([s[table] for s in steps], schema=it.schemas[table]).equals(want), table
    with pytest.raises(spymaster.UsageError, match="batch_windows: 0 is not at least 1"):
        spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), batch_windows=0)


def test_windows_before_a_read_error_come_first(spymaster, cli_lake, tmp_path):
    """A raw file cut short: every window that closed before the cut is yielded, then the read error,
    whatever the windows a step (the engine computes several per step; those already closed are not lost
    with the error); they are the intact lake's first windows."""
    shutil.copytree(cli_lake / "raw", tmp_path / "raw")
    (dbn,) = (tmp_path / "raw").glob("source=databento/product_type=future_mbo/symbol=ES/table=mbo/*/*.dbn.zst")
    dbn.write_bytes(dbn.read_bytes()[:dbn.stat().st_size * 97 // 100])
    want = read_partition(cli_lake, "silver", "future_mbo", "ESH6", "book_snapshot_1s")
    for batch_windows in (1, 7, 60):
        steps = []
        with pytest.raises(spymaster.DataError, match="truncated zstd frame"):
            for step in spymaster.windows("raw", "future_mbo", "ESH6", DT, lake=str(tmp_path),
                                          batch_windows=batch_windows, **WINDOW):
                steps.append(step["book_snapshot_1s"])
        got = pa.Table.from_batches(steps)
        assert 0 < got.num_rows < 180, batch_windows
        assert got.equals(want.slice(0, got.num_rows)), batch_windows
        assert [s.num_rows for s in steps[:-1]] == [batch_windows] * (len(steps) - 1)


def test_threads_sharing_windows_get_each_window_once(spymaster, cli_lake):
    """Threads stepping one iterator (each step fetches without the GIL) get every window exactly once."""
    it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), batch_windows=3, **WINDOW)
    got = [[], [], []]

    def drain(out):
        for step in it:
            out.append(step["book_snapshot_1s"])

    threads = [threading.Thread(target=drain, args=(out,)) for out in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts = sorted(s for out in got for batch in out for s in batch.column("window_start_ts_ns").to_pylist())
    want = read_partition(cli_lake, "silver", "future_mbo", "ESH6", "book_snapshot_1s")
    assert starts == want.column("window_start_ts_ns").to_pylist() and len(starts) == 180


def test_windows_resolve_es_through_the_selection_map(spymaster, cli_lake):
    """ES is the date's front-month contract, as for `run --layer silver --symbol ES`."""
    es = next(iter(spymaster.windows("bronze", "future_mbo", "ES", DT, lake=str(cli_lake), **WINDOW)))
    esh6 = next(iter(spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), **WINDOW)))
    for table, batch in es.items():
        assert batch.equals(esh6[table]), table


@pytest.fixture(scope="module")
def option_lake(spymaster_bin, tmp_path_factory):
    """Three simulated minutes of ES and SPY with their 0DTE options, bronze to gold, all by the CLI
    (underlyings first: an option run reads its underlying's bronze)."""
    lake = tmp_path_factory.mktemp("options") / "lake"
    cli(spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", "09:33", "--product",
        "future_mbo", "--product", "future_option_mbo", "--product", "equity_mbo", "--product", "equity_option_mbo",
        "--threads", "1")
    for pt, root in OPTION_RUNS:
        cli(spymaster_bin, "run", "--product-type", pt, "--layer", "all", "--symbol", root, "--dt", DT,
            "--lake", lake, *WINDOW_FLAGS)
    return lake


OPTION_RUNS = [("future_mbo", "ES"), ("equity_mbo", "SPY"), ("future_option_mbo", "ES"),
               ("equity_option_mbo", "SPY")]


@pytest.mark.parametrize("pt, symbol, source", [("future_option_mbo", "ESH6", "bronze"),
                                                ("future_option_mbo", "ES", "raw"),
                                                ("equity_option_mbo", "SPY", "bronze"),
                                                ("equity_option_mbo", "SPY", "raw")])
def test_option_windows_equal_the_lake_rows(spymaster, option_lake, pt, symbol, source):
    """The option engines' windows (the underlying merged with its options, as the option silver stage
    reads them, which gives every window its spot) are the option silver and gold partitions the CLI wrote;
    ES resolves through the selection map to the contract the options are on."""
    it = spymaster.windows(source, pt, symbol, DT, lake=str(option_lake), **WINDOW)
    batches = {table: [] for _, table in TABLES}
    count = with_gold = 0
    for window in it:
        assert list(window) == [table for _, table in TABLES]
        starts = set()
        for table, batch in window.items():
            batches[table].append(batch)
            if batch.num_rows and "window_start_ts_ns" in batch.schema.names:
                starts |= set(batch.column("window_start_ts_ns").to_pylist())
        assert len(starts) <= 1, starts
        with_gold += window["physics_surface_1s"].num_rows > 0
        count += 1
    assert count == 180 and with_gold > 0
    assert it.counters()["option_records"] > 0
    contract = "ESH6" if pt == "future_option_mbo" else symbol
    assert_batches_equal_the_lake(option_lake, pt, contract, batches, it.schemas, source)


@pytest.mark.parametrize("pt, symbol", [("future_option_mbo", "ESH6"), ("equity_option_mbo", "SPY")])
@pytest.mark.parametrize("batch_windows", [7, 1000])
def test_option_windows_in_batches_of_several_windows(spymaster, option_lake, pt, symbol, batch_windows):
    """Option windows built into columns as they close, N a step: each step's tables hold the same
    consecutive windows (at most N of them, 180 in all), and the steps concatenate to the lake's option
    partitions. A kept step keeps its rows while the next ones are built."""
    it = spymaster.windows("bronze", pt, symbol, DT, lake=str(option_lake), batch_windows=batch_windows, **WINDOW)
    steps = list(it)
    assert len(steps) == -(-180 // batch_windows)
    ends = []
    for step in steps:
        # physics_surface_1s has window_end_ts_ns only; silver rows carry both.
        step_ends = [set(step[table].column("window_end_ts_ns").to_pylist()) for _, table in TABLES]
        assert step_ends[1] <= step_ends[0] and step_ends[2] <= step_ends[0], step_ends
        assert 0 < len(step_ends[0]) <= batch_windows
        ends.append(step_ends[0])
    for before, after in zip(ends, ends[1:]):
        assert max(before) < min(after)
    contract = "ESH6" if pt == "future_option_mbo" else symbol
    assert_batches_equal_the_lake(option_lake, pt, contract, {table: [s[table] for s in steps] for _, table in TABLES},
                                  it.schemas, "bronze")


def buffer_addresses(window):
    return {buf.address for batch in window.values() for column in batch.columns for buf in column.buffers()
            if buf is not None and buf.size > 0}


def column_bits(column):
    """The [start, end) bit addresses (address * 8 + bit) that hold a flat column's rows: its slice of its
    buffers (a string's offsets but the last, which the next rows' share as their first)."""
    start, n = column.offset, len(column)
    buffers = column.buffers()
    assert buffers[0] is None  # no validity bitmap: no nulls
    if pa.types.is_string(column.type):
        offsets = pa.Array.from_buffers(pa.int32(), start + n + 1, [None, buffers[1]])
        return [(8 * (buffers[1].address + 4 * start), 8 * (buffers[1].address + 4 * (start + n))),
                (8 * (buffers[2].address + offsets[start].as_py()), 8 * (buffers[2].address + offsets[start + n].as_py()))]
    width = column.type.bit_width
    return [(8 * buffers[1].address + width * start, 8 * buffers[1].address + width * (start + n))]


def row_bits(window):
    return [r for batch in window.values() for column in batch.columns for r in column_bits(column)]


def overlap(ranges, others):
    return any(a < d and c < b for a, b in ranges if a < b for c, d in others if c < d)


def test_one_libarrow_in_the_process(spymaster, cli_lake):
    """The extension uses pyarrow's libarrow (the batches cross through the C data interface between
    them): one libarrow mapped, and the engine's column buffers are pyarrow memory-pool memory, which the
    batches take over without a copy: once a consumer drops each window before the next step, a step
    allocates nothing from the pool (the engine's buffers come back for the next windows), where a copy on
    export or import would allocate the window's bytes every step."""
    base = pa.total_allocated_bytes()
    it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), **WINDOW)
    window = next(it)
    maps = pathlib.Path("/proc/self/maps").read_text().splitlines()
    libarrow = {line.split()[-1] for line in maps if "/libarrow.so" in line}
    assert len(libarrow) == 1, libarrow
    nbytes = sum(batch.nbytes for batch in window.values())
    assert window["physics_surface_1s"].num_rows > 0
    assert pa.total_allocated_bytes() - base >= nbytes  # the batch's buffers are pool memory
    first = buffer_addresses(window)
    del window
    steady = pa.total_allocated_bytes()
    for _ in range(100):  # past the first of the engine's batches, whose rows the first steps slice
        window = next(it)
        assert window["physics_surface_1s"].num_rows > 0
        assert buffer_addresses(window) == first  # the engine's buffers again, not a copy elsewhere
        assert pa.total_allocated_bytes() - steady < sum(batch.nbytes for batch in window.values()) / 10
        del window


def test_window_batches_own_their_buffers(spymaster, cli_lake):
    """A window kept while the iterator steps on (or is gone) keeps its rows: the next windows' rows are in
    other memory (other rows of the engine's batch, or another batch once that one is used up), and the
    batch holds its buffers until the last reference to it goes; so does a column kept without its batch."""
    it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(cli_lake), batch_windows=2, **WINDOW)
    first = next(it)
    column = first["physics_surface_1s"].column("rho")
    column_values = column.to_pylist()
    del first
    kept = next(it)
    expected = {table: batch.serialize().to_pybytes() for table, batch in kept.items()}
    kept_bits = row_bits(kept)
    later = 0
    for window in it:  # every later step, past the engine batch the kept window's rows are in
        assert not overlap(column_bits(column), row_bits(window))
        assert not overlap(kept_bits, row_bits(window))
        later += 1
    assert later == 180 // 2 - 2
    del it
    gold = kept["physics_surface_1s"]
    assert gold.num_rows > 0 and pc.max(gold.column("window_end_ts_ns")).as_py() > 0
    assert {table: batch.serialize().to_pybytes() for table, batch in kept.items()} == expected
    assert len(column_values) > 0 and column.to_pylist() == column_values


@pytest.fixture(scope="module")
def python_lake(spymaster, tmp_path_factory):
    """The same lake as cli_lake, written through the package."""
    lake = tmp_path_factory.mktemp("py") / "lake"
    report = spymaster.simulate(lake=str(lake), dt=DT, start="09:30", end="09:33",
                                product=["future_mbo", "equity_mbo"], threads=1)
    assert report["records"] == sum(f["records"] for f in report["files"]) > 0
    summaries = {}
    for name, (pt, root, _) in PRODUCTS.items():
        summaries[name] = spymaster.run(lake=str(lake), product_type=pt, symbol=root, dt=DT, layer="all", **WINDOW)
    return lake, summaries


def lake_files(lake):
    return sorted(p.relative_to(lake) for p in lake.rglob("*") if p.is_file())


def test_run_and_simulate_write_the_cli_lake(python_lake, cli_lake):
    """Byte for byte: raw files, bronze, the selection map, silver, gold and every manifest."""
    lake, _ = python_lake
    assert lake_files(lake) == lake_files(cli_lake)
    for rel in lake_files(cli_lake):
        assert (lake / rel).read_bytes() == (cli_lake / rel).read_bytes(), rel


def test_run_summary(spymaster, python_lake):
    lake, summaries = python_lake
    es = summaries["ES"]
    assert es["failed"] == 0 and es["skipped"] == 0
    stages = [(t["layer"], t["stage"], t["symbol"]) for t in es["tasks"]]
    assert stages == [("bronze", "bronze_ingest_future_mbo", "ES"),
                      ("silver", "silver_compute_book_states_1s+gold_compute_physics_surface_1s", "ESH6")]
    assert "gold.future_mbo.physics_surface_1s symbol=ESH6" in es["written"]
    assert es["rows"] == sum(t["rows"] for t in es["tasks"]) > 0
    gold_rows = read_partition(lake, "gold", "future_mbo", "ESH6", "physics_surface_1s").num_rows
    silver_rows = sum(read_partition(lake, "silver", "future_mbo", "ESH6", t).num_rows
                      for t in ("book_snapshot_1s", "depth_and_flow_1s"))
    assert es["tasks"][1]["rows"] == silver_rows + gold_rows
    assert es["counters"]["records"] == es["tasks"][1]["counters"]["records"] > 0
    assert es["report"].splitlines()[-1].startswith("DONE lake=")
    # A rerun finds every partition complete.
    again = spymaster.run(lake=str(lake), product_type="future_mbo", symbol="ES", dt=DT, **WINDOW)
    assert again["skipped"] == len(again["tasks"]) == 2 and again["written"] == [] and again["rows"] == 0


# (CLI arguments, the same as keyword arguments of the package's function)
RUN = ["run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES"]
RUN_KW = {"product_type": "future_mbo", "layer": "bronze", "symbol": "ES"}
ERRORS = [
    (RUN + ["--dt", "2026-02-30"], "run", {**RUN_KW, "dt": "2026-02-30"}),
    (RUN + ["--dt", DT, "--dates", DT], "run", {**RUN_KW, "dt": DT, "dates": DT}),
    (RUN + ["--end-date", DT], "run", {**RUN_KW, "end_date": DT}),
    (RUN, "run", RUN_KW),
    (RUN + ["--dates", "2026-01-07:2026-01-05"], "run", {**RUN_KW, "dates": "2026-01-07:2026-01-05"}),
    (RUN + ["--dt", DT, "--session-start", "25:00"], "run", {**RUN_KW, "dt": DT, "session_start": "25:00"}),
    (RUN + ["--dt", DT, "--session-start", "10:30", "--session-end", "09:30"], "run",
     {**RUN_KW, "dt": DT, "session_start": "10:30", "session_end": "09:30"}),
    (RUN + ["--dt", DT, "--workers", "0"], "run", {**RUN_KW, "dt": DT, "workers": 0}),
    (["run", "--product-type", "future", "--layer", "bronze", "--symbol", "ES", "--dt", DT], "run",
     {**RUN_KW, "product_type": "future", "dt": DT}),
    (["run", "--product-type", "future_mbo", "--layer", "platinum", "--symbol", "ES", "--dt", DT], "run",
     {**RUN_KW, "layer": "platinum", "dt": DT}),
    (RUN + ["--dt", DT, "--source", "kafka"], "run", {**RUN_KW, "dt": DT, "source": "kafka"}),
    (["run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt", DT, "--overwrite"],
     "run", {**RUN_KW, "dt": DT, "overwrite": True}),
    (RUN + ["--dt", DT], "run", {**RUN_KW, "dt": DT}),  # no raw input: a data error
    (["run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6", "--dt", DT], "run",
     {**RUN_KW, "layer": "silver", "symbol": "ESH6", "dt": DT}),  # no bronze: a failed task
    (["select-contract", "--dates", "2026-13-01"], "select_contract", {"dates": "2026-13-01"}),
    (["select-contract", "--dates", DT], "select_contract", {"dates": DT}),  # no bronze contracts
    (["simulate", "--scale", "0"], "simulate", {"scale": 0.0}),
    (["simulate", "--dt", "2026-01-10"], "simulate", {"dt": "2026-01-10"}),  # a Saturday
    (["simulate", "--scenario", "nonexistent.json"], "simulate", {"scenario": "nonexistent.json"}),
]


@pytest.mark.parametrize("args,function,kwargs", ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS])
def test_errors_carry_the_cli_message(spymaster, spymaster_bin, tmp_path, args, function, kwargs):
    """The exception's text is what the CLI prints after "error: ", and its class follows the exit code:
    2 → UsageError (a ValueError), 1 → DataError or IoError (a RuntimeError or an OSError)."""
    lake = tmp_path / "lake"
    proc = cli(spymaster_bin, *args, "--lake", lake, check=False)
    assert proc.returncode in (1, 2), proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.endswith("\n"), proc.stderr
    with pytest.raises(spymaster.Error) as raised:
        getattr(spymaster, function)(lake=str(lake), **kwargs)
    assert f"error: {raised.value}\n" == proc.stderr
    if proc.returncode == 2:
        assert type(raised.value) is spymaster.UsageError and isinstance(raised.value, ValueError)
    else:
        assert type(raised.value) in (spymaster.DataError, spymaster.IoError)
        assert isinstance(raised.value, (RuntimeError, OSError))


@pytest.mark.parametrize("flag,kwargs", [
    ("--session-start", {"session_start": "25:00"}),
    ("--session-end", {"session_end": "9h30"}),
    ("--source", {"source": "kafka"}),
])
def test_windows_usage_errors_name_runs_flags(spymaster, spymaster_bin, tmp_path, flag, kwargs):
    """windows() checks its arguments as `run` does, with run's messages."""
    value = next(iter(kwargs.values()))
    proc = cli(spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "silver", "--symbol", "ESH6",
               "--dt", DT, "--lake", tmp_path, flag, value, check=False)
    assert proc.returncode == 2
    with pytest.raises(spymaster.UsageError) as raised:
        kwargs = {**WINDOW, **kwargs}
        source = kwargs.pop("source", "bronze")
        spymaster.windows(source, "future_mbo", "ESH6", DT, lake=str(tmp_path), **kwargs)
    assert f"error: {raised.value}\n" == proc.stderr


def test_windows_missing_bronze_is_a_data_error(spymaster, tmp_path):
    with pytest.raises(spymaster.Error) as raised:
        spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(tmp_path))
    assert not isinstance(raised.value, spymaster.UsageError)
    assert "bronze.future_mbo.mbo" in str(raised.value) and "ESH6" in str(raised.value)


class Counter(threading.Thread):
    """Counts while it can take the GIL. With a switch interval far longer than the test, a thread that
    holds the GIL keeps it until it blocks or a C extension releases it; the counter's only yield point
    (sleep(0)) lets the main thread in between its steps, so the counter moves during a call only if the
    call released the GIL."""

    def __init__(self):
        super().__init__(daemon=True)
        self.count = 0
        self.stop = False

    def run(self):
        while not self.stop:
            self.count += 1
            time_sleep(0)


def time_sleep(seconds):
    import time
    time.sleep(seconds)


@pytest.fixture
def counter():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    thread = Counter()
    thread.start()
    try:
        yield thread
    finally:
        thread.stop = True
        thread.join()
        sys.setswitchinterval(interval)


def test_gil_released_while_run_executes(spymaster, cli_lake, tmp_path, counter):
    lake = tmp_path / "lake"
    shutil.copytree(cli_lake / "raw", lake / "raw")
    shutil.copytree(cli_lake / "bronze", lake / "bronze")
    before = counter.count
    summary = spymaster.run(lake=str(lake), product_type="future_mbo", symbol="ESH6", layer="silver", dt=DT,
                            source="raw", **WINDOW)
    progressed = counter.count - before
    assert summary["rows"] > 0
    # Held, the GIL would have kept the counter at `before` exactly.
    assert progressed > 0, "the counter thread never ran while run() executed"


def test_gil_released_while_windows_step(spymaster, cli_lake, counter):
    """The first window of a 09:32 session closes after two minutes of records went through the book."""
    it = spymaster.windows("raw", "future_mbo", "ESH6", DT, lake=str(cli_lake), session_start="09:32",
                           session_end="09:33")
    before = counter.count
    window = next(it)
    progressed = counter.count - before
    assert window["book_snapshot_1s"].num_rows == 1
    assert it.counters()["records"] > 1000
    # pyarrow's import of the batches may release the GIL too, briefly; the engine's two minutes are the
    # bulk of this step.
    assert progressed > 0, "the counter thread never ran while windows() stepped"


def test_package_ships_type_stubs(spymaster):
    package = pathlib.Path(spymaster.__file__).parent
    assert (package / "py.typed").exists()
    stub = (package / "_core.pyi").read_text()
    for name in spymaster.__all__:
        assert f"def {name}(" in stub or f"class {name}(" in stub, name
