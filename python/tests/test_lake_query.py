"""The lake opens in DuckDB and polars with the schemas of the shipped Avro contracts.

A short simulated day goes through bronze (all four products), contract selection, and the silver and
gold stages registered for future_mbo (ES → ESH6 through the selection map) and equity_mbo; then every
dataset written is read as a Hive-partitioned dataset by DuckDB and by polars, and the column types
are compared with the dataset's .avsc contract from config/datasets.yaml.
"""
import glob
import json
import pathlib

import duckdb
import polars as pl
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from cli import run

REPO = pathlib.Path(__file__).resolve().parents[2]
DT = "2026-01-06"
DUCKDB_TYPES = {"long": "BIGINT", "int": "INTEGER", "double": "DOUBLE", "boolean": "BOOLEAN", "string": "VARCHAR"}
POLARS_TYPES = {"long": pl.Int64, "int": pl.Int32, "double": pl.Float64, "boolean": pl.Boolean, "string": pl.String}


def registry():
    """datasets.yaml is flat enough to read without a YAML library: key → (path, contract)."""
    datasets, key = {}, None
    for line in (REPO / "config/datasets.yaml").read_text().splitlines():
        if line.startswith("  ") and not line.startswith("    ") and line.strip().endswith(":"):
            key = line.strip()[:-1]
            datasets[key] = {}
        elif line.startswith("    ") and key:
            name, _, value = line.strip().partition(": ")
            datasets[key][name] = value
    return datasets


def contract_fields(dataset):
    """(name, Avro type); a nullable union ["null", T] gives T."""
    avsc = json.loads((REPO / dataset["contract"]).read_text())
    return [(f["name"], f["type"][1] if isinstance(f["type"], list) else f["type"]) for f in avsc["fields"]]


@pytest.fixture(scope="module")
def lake(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake")
    run([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--seed", "3", "--start", "09:30", "--end", "09:33"])
    for product_type, symbol in [("future_mbo", "ES"), ("future_option_mbo", "ES"), ("equity_mbo", "SPY"),
                                 ("equity_option_mbo", "QQQ")]:
        run([spymaster_bin, "run", "--product-type", product_type, "--layer", "bronze", "--symbol", symbol,
             "--dt", DT, "--lake", lake, "--workers", "2"])
    run([spymaster_bin, "select-contract", "--dates", DT, "--lake", lake])
    for product_type, symbol in [("future_mbo", "ES"), ("equity_mbo", "SPY")]:
        for layer in ("silver", "gold", "forecast"):
            run([spymaster_bin, "run", "--product-type", product_type, "--layer", layer, "--symbol", symbol,
                 "--dt", DT, "--lake", lake, "--session-end", "09:33"])
    return lake


BRONZE = ["bronze.future_mbo.mbo", "bronze.future_option_mbo.mbo", "bronze.equity_mbo.mbo",
          "bronze.equity_option_mbo.cmbp_1"]
# Written by the engine's stages (the registered silver/gold/forecast stages of the MBO products).
DERIVED = [f"{layer}.{pt}.{table}" for pt in ("future_mbo", "equity_mbo")
           for layer, table in (("silver", "book_snapshot_1s"), ("silver", "depth_and_flow_1s"),
                                ("gold", "physics_surface_1s"), ("gold", "forecast_1s"))]


def dataset_glob(lake, dataset):
    return str(lake / dataset["path"].replace("{symbol}", "*") / "dt=*" / "*.parquet")


def manifest_rows(lake, dataset):
    root = lake / dataset["path"].split("/symbol=")[0]
    table = dataset["path"].rsplit("table=", 1)[1]
    return sum(json.loads(m.read_text())["row_count"]
               for m in root.glob(f"symbol=*/table={table}/dt=*/_MANIFEST.json"))


@pytest.mark.parametrize("key", BRONZE + DERIVED)
def test_duckdb_reads_the_lake_with_contract_schema(lake, key):
    dataset = registry()[key]
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{dataset_glob(lake, dataset)}', hive_partitioning = true)")
    described = dict(zip(rel.columns, [str(t) for t in rel.types]))
    for name, avro_type in contract_fields(dataset):
        assert described[name] == DUCKDB_TYPES[avro_type], (key, name)
    assert described["dt"] == "DATE"
    count, dts = con.execute(f"SELECT count(*), count(DISTINCT dt) FROM read_parquet('{dataset_glob(lake, dataset)}', "
                         "hive_partitioning = true)").fetchone()
    assert count == manifest_rows(lake, dataset) > 0
    assert dts == 1


@pytest.mark.parametrize("key", BRONZE + DERIVED)
def test_polars_reads_the_lake_with_contract_schema(lake, key):
    dataset = registry()[key]
    frame = pl.scan_parquet(dataset_glob(lake, dataset), hive_partitioning=True)
    schema = frame.collect_schema()
    for name, avro_type in contract_fields(dataset):
        assert schema[name] == POLARS_TYPES[avro_type], (key, name)
    names = [n for n, _ in contract_fields(dataset)]
    assert list(schema.names())[: len(names)] == names  # contract order, partition columns after
    assert frame.select(pl.len()).collect().item() == manifest_rows(lake, dataset)


def test_bronze_is_sorted_and_prices_are_fixed_point(lake):
    con = duckdb.connect()
    glob = dataset_glob(lake, registry()["bronze.future_mbo.mbo"])
    unsorted = con.execute(f"""
        SELECT count(*) FROM (
          SELECT ts_event, sequence, lag(ts_event) OVER w AS pt, lag(sequence) OVER w AS ps
          FROM read_parquet('{glob}', hive_partitioning = true, file_row_number = true)
          WINDOW w AS (PARTITION BY symbol ORDER BY file_row_number))
        WHERE ts_event < pt OR (ts_event = pt AND sequence < ps)""").fetchone()[0]
    assert unsorted == 0
    bad_price = con.execute(f"SELECT count(*) FROM read_parquet('{glob}') WHERE action IN ('A','M') AND "
                        "(price <= 0 OR price % 250000000 <> 0)").fetchone()[0]
    assert bad_price == 0
    spreads = con.execute(f"SELECT count(*) FROM read_parquet('{glob}') WHERE symbol LIKE '%-%'").fetchone()[0]
    assert spreads == 0


def test_selection_opens_in_duckdb_and_polars(lake):
    path = lake / "selection/mbo_contract_day_selection.parquet"
    fields = contract_fields(registry()["selection.future_mbo.mbo_contract_day_selection"])
    rel = duckdb.connect().sql(f"SELECT * FROM read_parquet('{path}')")
    assert [(c, str(t)) for c, t in zip(rel.columns, rel.types)] == [(n, DUCKDB_TYPES[t]) for n, t in fields]
    frame = pl.read_parquet(path)
    assert frame.row(0, named=True)["selected_symbol"] == "ESH6"
    assert [(n, frame.schema[n]) for n in frame.columns] == [(n, POLARS_TYPES[t]) for n, t in fields]


def test_the_query_printed_by_demo_reads_exactly_the_committed_gold(spymaster_bin, tmp_path):
    """demo ends with a DuckDB query over gold's physics surfaces. It must read every complete one once and
    nothing else: not a writer's temporary (<lake>/_tmp/), not the `.tmp-dt=…`/`.trash-dt=…` siblings
    older versions left beside partitions (the query's former glob `gold/*/*/*/*/*.parquet` read them)."""
    import re
    import shutil

    lake = tmp_path / "lake"
    out = run([spymaster_bin, "demo", "--no-serve", "--lake", lake, "--start", "09:30", "--end", "09:33"]).stdout
    sql = re.search(r'duckdb\.sql\(\\"(.+?)\\"\)', out).group(1)
    manifests = [json.loads(p.read_text())
                 for p in (lake / "gold").rglob("table=physics_surface_1s/dt=*/_MANIFEST.json")]
    assert {m["symbol"] for m in manifests} == {"ESH6", "SPY", "QQQ"}
    want = sum(m["row_count"] for m in manifests)
    count, first, last = duckdb.connect().execute(sql).fetchone()
    assert count == want
    assert (last - first) // 1_000_000_000 == 3 * 60 - 1  # the 180 windows of 09:30–09:33

    part = next((lake / "gold").rglob("dt=*/part-00000.parquet"))
    for decoy in (lake / "_tmp/123-456.0.gold.future_mbo.physics_surface_1s.ESH6.2026-01-06",
                  part.parent.parent / f".tmp-dt={DT}.123.0", part.parent.parent / f".trash-dt={DT}.123.1"):
        decoy.mkdir(parents=True)
        shutil.copy(part, decoy / "part-00000.parquet")
    assert duckdb.connect().execute(sql).fetchone()[0] == want


@pytest.mark.parametrize("key", BRONZE + DERIVED)
def test_duckdb_and_polars_decode_every_value_as_pyarrow_does(lake, key):
    """Every column's values, not only the row count: the lake's integer columns use three Parquet encodings
    (delta, BYTE_STREAM_SPLIT, plain), which each reader decodes with its own code. Per column: the sum
    (numbers, booleans as counts of true; integers modulo 2^64) or the count of each distinct value (strings),
    compared with pyarrow's."""
    dataset = registry()[key]
    files = sorted(glob.glob(dataset_glob(lake, dataset)))
    assert files
    table = ds.dataset(files, format="parquet").to_table()
    con = duckdb.connect()
    # The files' own columns: bronze's symbol column is not its path's symbol= (options: the option's symbol).
    source = f"read_parquet('{dataset_glob(lake, dataset)}', hive_partitioning = false)"
    frame = pl.scan_parquet(dataset_glob(lake, dataset), hive_partitioning=False)
    for name, avro_type in contract_fields(dataset):
        column = table[name]
        if avro_type == "string":
            expected = {v["values"]: v["counts"] for v in pc.value_counts(column).to_pylist()}
            got_duck = dict(con.execute(f'SELECT "{name}", count(*) FROM {source} GROUP BY 1').fetchall())
            got_polars = dict(frame.group_by(name).agg(pl.len()).collect().iter_rows())
        else:
            expected = pc.sum(pc.cast(column, "float64") if avro_type == "double" else
                              pc.cast(column, "int64")).as_py()
            cast = "DOUBLE" if avro_type == "double" else "HUGEINT"
            got_duck = con.execute(f'SELECT sum(CAST("{name}" AS {cast})) FROM {source}').fetchone()[0]
            got_polars = frame.select(pl.col(name).cast(pl.Float64 if avro_type == "double" else pl.Int64).sum()
                                      ).collect().item()
            if avro_type == "double":
                assert got_duck == pytest.approx(expected, rel=1e-12, abs=1e-9), (key, name)
                assert got_polars == pytest.approx(expected, rel=1e-12, abs=1e-9), (key, name)
                continue
            # Nanosecond stamps overflow int64 sums: pyarrow and polars wrap, DuckDB's HUGEINT does not.
            got_duck, got_polars, expected = ((v or 0) % 2**64 for v in (int(got_duck or 0), got_polars, expected))
        assert got_duck == expected, (key, name)
        assert got_polars == expected, (key, name)
