"""Bronze on a simulated day against Databento's official decoder (databento-dbn).

`spymaster simulate` writes a short session (09:30-09:35) into a temp lake; `spymaster run --layer
bronze` normalizes it. The expected bronze tables are rebuilt here from the official decoder's records
with the rules of silver.md §2 / Part 1 (written independently of the C++: zoneinfo for New York
dates, Python sorting), and compared column by column over every row.
"""
import datetime as dtm
import json
import pathlib
import subprocess
import zoneinfo

import databento_dbn as dd
import pyarrow.parquet as pq
import pytest

from cli import run

DT = "2026-01-06"
NY = zoneinfo.ZoneInfo("America/New_York")
NULL_PRICE = 2**63 - 1
MBO_COLUMNS = ["ts_recv", "size", "ts_event", "channel_id", "rtype", "order_id", "publisher_id", "flags",
               "instrument_id", "ts_in_delta", "action", "sequence", "side", "symbol", "price"]
OPTION_COLUMNS = MBO_COLUMNS + ["underlying", "right", "strike", "expiration"]
CMBP_COLUMNS = ["ts_recv", "ts_event", "publisher_id", "instrument_id", "bid_px_00", "ask_px_00", "bid_sz_00",
                "ask_sz_00", "underlying", "right", "strike", "expiration"]


def decode(path: pathlib.Path):
    data = path.read_bytes()
    if path.name.endswith(".zst"):
        data = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    dec = dd.DBNDecoder()
    dec.write(data)
    records = dec.decode()
    return records[0], records[1:]


def raw_file(lake: pathlib.Path, product_type: str, root: str, schema: str) -> pathlib.Path:
    table = lake / "raw/source=databento" / f"product_type={product_type}" / f"symbol={root}" / f"table={schema}"
    files = sorted(table.glob(f"*/*-{DT.replace('-', '')}.{schema}.dbn*"))
    assert len(files) == 1, files
    return files[0]


def symbol_map(metadata, day: dtm.date):
    out = {}
    for raw_symbol, intervals in metadata.mappings.items():
        for iv in intervals:
            if iv["start_date"] <= day < iv["end_date"]:
                out[int(iv["symbol"])] = raw_symbol
    return out


def mbo_row(rec, symbol):
    return {
        "ts_recv": rec.ts_recv, "size": rec.size, "ts_event": rec.ts_event, "channel_id": rec.channel_id,
        "rtype": int(rec.rtype), "order_id": rec.order_id, "publisher_id": int(rec.publisher_id),
        "flags": int(rec.flags), "instrument_id": rec.instrument_id, "ts_in_delta": rec.ts_in_delta,
        "action": str(rec.action), "sequence": rec.sequence, "side": str(rec.side), "symbol": symbol,
        "price": 0 if rec.price == NULL_PRICE else rec.price,
    }


def zero_dte(definitions, underlying=None):
    latest = {}
    for rec in definitions:  # file order; a later definition of the same instrument wins
        if isinstance(rec, dd.InstrumentDefMsg):
            prev = latest.get(rec.instrument_id)
            if prev is None or rec.ts_event >= prev.ts_event:
                latest[rec.instrument_id] = rec
    day = dtm.date.fromisoformat(DT)
    out = {}
    for iid, d in latest.items():
        if str(d.instrument_class) not in ("C", "P") or str(d.user_defined_instrument) == "Y":
            continue
        if underlying and d.underlying.upper() != underlying.upper():
            continue
        expiry = dtm.datetime.fromtimestamp(d.expiration / 1e9, tz=dtm.timezone.utc).astimezone(NY).date()
        if expiry == day:
            out[iid] = {"underlying": d.underlying, "right": str(d.instrument_class), "strike": d.strike_price,
                        "expiration": d.expiration}
    return out


def columns(rows, names):
    return {n: [r[n] for r in rows] for n in names}


def bronze_partition(lake, product_type, symbol, table):
    return (lake / "bronze/source=databento" / f"product_type={product_type}" / f"symbol={symbol}" /
            f"table={table}" / f"dt={DT}")


def assert_partition_equals(lake, product_type, symbol, table, expected_rows, names):
    part = bronze_partition(lake, product_type, symbol, table)
    assert (part / "_SUCCESS").is_file(), part
    got = pq.ParquetFile(part / "part-00000.parquet").read()
    assert got.column_names == names
    manifest = json.loads((part / "_MANIFEST.json").read_text())
    assert manifest["row_count"] == len(expected_rows) == got.num_rows
    got_cols = got.to_pydict()
    want_cols = columns(expected_rows, names)
    for name in names:
        assert got_cols[name] == want_cols[name], f"{product_type} {symbol}: column {name} differs"


@pytest.fixture(scope="module")
def sim_lake(spymaster_bin, tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake")
    run([spymaster_bin, "simulate", "--lake", lake, "--dt", DT, "--seed", "7", "--start", "09:30", "--end", "09:35"])
    for product_type, symbol in [("future_mbo", "ES"), ("future_option_mbo", "ES"), ("equity_mbo", "SPY"),
                                 ("equity_mbo", "QQQ"), ("equity_option_mbo", "SPY"), ("equity_option_mbo", "QQQ")]:
        run([spymaster_bin, "run", "--product-type", product_type, "--layer", "bronze", "--symbol", symbol,
             "--dt", DT, "--lake", lake])
    return lake


def test_future_mbo_bronze_matches_official_decoder(sim_lake):
    metadata, records = decode(raw_file(sim_lake, "future_mbo", "ES", "mbo"))
    symbols = symbol_map(metadata, dtm.date.fromisoformat(DT))
    by_symbol = {}
    for rec in records:
        if not isinstance(rec, dd.MBOMsg):
            continue
        sym = symbols.get(rec.instrument_id)
        if sym is None or "-" in sym:
            continue
        by_symbol.setdefault(sym, []).append(mbo_row(rec, sym))
    assert "ESH6" in by_symbol and "ESM6" in by_symbol
    assert any("-" in s for s in symbols.values()), "the simulated day should include a spread to drop"
    for sym, rows in by_symbol.items():
        rows.sort(key=lambda r: (r["ts_event"], r["sequence"]))
        assert_partition_equals(sim_lake, "future_mbo", sym, "mbo", rows, MBO_COLUMNS)
    written = sorted(p.name for p in (sim_lake / "bronze/source=databento/product_type=future_mbo").iterdir())
    assert written == sorted(f"symbol={s}" for s in by_symbol)


def test_future_option_bronze_keeps_0dte_and_joins_definitions(sim_lake):
    _, definitions = decode(raw_file(sim_lake, "future_option_mbo", "ES", "definition"))
    meta = zero_dte(definitions)
    metadata, records = decode(raw_file(sim_lake, "future_option_mbo", "ES", "mbo"))
    symbols = symbol_map(metadata, dtm.date.fromisoformat(DT))
    by_underlying = {}
    dropped_non_0dte = 0
    for rec in records:
        if not isinstance(rec, dd.MBOMsg):
            continue
        sym = symbols.get(rec.instrument_id)
        if sym is None or sym.startswith("UD:") or "-" in sym:
            continue
        m = meta.get(rec.instrument_id)
        if m is None:
            dropped_non_0dte += 1
            continue
        by_underlying.setdefault(m["underlying"], []).append({**mbo_row(rec, sym), **m})
    assert dropped_non_0dte > 0, "the simulated day should include later expiries to drop"
    assert set(by_underlying) == {"ESH6"}
    rows = sorted(by_underlying["ESH6"], key=lambda r: (r["ts_event"], r["sequence"]))
    assert_partition_equals(sim_lake, "future_option_mbo", "ESH6", "mbo", rows, OPTION_COLUMNS)


@pytest.mark.parametrize("ticker", ["SPY", "QQQ"])
def test_equity_mbo_bronze_matches_official_decoder(sim_lake, ticker):
    metadata, records = decode(raw_file(sim_lake, "equity_mbo", ticker, "mbo"))
    symbols = symbol_map(metadata, dtm.date.fromisoformat(DT))
    rows = [mbo_row(r, symbols[r.instrument_id]) for r in records
            if isinstance(r, dd.MBOMsg) and r.instrument_id in symbols]
    assert {r["symbol"] for r in rows} == {ticker}
    rows.sort(key=lambda r: (r["ts_event"], r["sequence"]))
    assert_partition_equals(sim_lake, "equity_mbo", ticker, "mbo", rows, MBO_COLUMNS)


@pytest.mark.parametrize("ticker", ["SPY", "QQQ"])
def test_equity_option_cmbp1_bronze_matches_official_decoder(sim_lake, ticker):
    _, definitions = decode(raw_file(sim_lake, "equity_option_mbo", ticker, "definition"))
    meta = zero_dte(definitions, underlying=ticker)
    assert meta
    _, records = decode(raw_file(sim_lake, "equity_option_mbo", ticker, "cmbp-1"))
    rows = []
    for r in records:
        if not isinstance(r, dd.CMBP1Msg) or int(r.rtype) != 0xB1 or r.instrument_id not in meta:
            continue
        lvl = r.levels[0]
        rows.append({
            "ts_recv": r.ts_recv, "ts_event": r.ts_event, "publisher_id": int(r.publisher_id),
            "instrument_id": r.instrument_id, "bid_px_00": 0 if lvl.bid_px == NULL_PRICE else lvl.bid_px,
            "ask_px_00": 0 if lvl.ask_px == NULL_PRICE else lvl.ask_px, "bid_sz_00": lvl.bid_sz,
            "ask_sz_00": lvl.ask_sz, **meta[r.instrument_id]})
    assert any(r["ask_px_00"] == 0 or r["bid_px_00"] == 0 for r in rows), "expected one-sided quotes"
    rows.sort(key=lambda r: (r["ts_event"], r["ts_recv"]))
    assert_partition_equals(sim_lake, "equity_option_mbo", ticker, "cmbp_1", rows, CMBP_COLUMNS)


def test_bronze_rerun_skips_complete_partitions(spymaster_bin, sim_lake):
    part = bronze_partition(sim_lake, "future_mbo", "ESH6", "mbo") / "part-00000.parquet"
    before = part.stat().st_mtime_ns
    out = run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES",
               "--dt", DT, "--lake", sim_lake]).stdout
    assert "skipped" in out
    assert part.stat().st_mtime_ns == before


def test_select_contract_picks_esh6(spymaster_bin, sim_lake):
    out = run([spymaster_bin, "select-contract", "--dates", DT, "--lake", sim_lake]).stdout
    assert f"{DT} -> ESH6" in out
    table = pq.read_table(sim_lake / "selection/mbo_contract_day_selection.parquet").to_pylist()
    assert table == [{"session_date": DT, "selected_symbol": "ESH6", "selected_exp_date": "2026-03-20",
                      "prev_trading_date": "", "prev_volume_selected": 0, "prev_volume_rank2": 0, "roll_flag": 0}]
