"""What the independent lake oracles (test_engine_lake.py, test_option_lake.py) share: reading one partition
of the simulated day and the spec's round-half-even integer division (silver.md Part 1)."""
import pyarrow.parquet as pq

DT = "2026-01-06"


def read_partition(lake, layer, pt, symbol, table, source=False):
    """The one Parquet file of a partition of day DT (bronze sits under source=databento) as a pyarrow Table."""
    base = lake / layer / ("source=databento" if source else "") / f"product_type={pt}" / f"symbol={symbol}"
    files = sorted((base / f"table={table}" / f"dt={DT}").glob("*.parquet"))
    assert len(files) == 1, files
    return pq.ParquetFile(files[0]).read()


def round_half_even_div(num: int, den: int) -> int:
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q
