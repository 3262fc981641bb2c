"""Which (product_type, root symbol, dt) days the raw lake holds, read from its directory names.

The layout is the C++'s (src/lake/raw_layout.hpp, src/source/raw_input.cpp FindRawFiles):
    <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/table=<schema>/<job_id>/
        <dataset>-<YYYYMMDD>.<schema>.dbn[.zst]
A day exists for a product when its primary table holds a file of that date; job folders starting with
'.' (the simulator's temporaries) are not looked at, as in FindRawFiles. Only names are read here: the
engine opens, checks and decodes the files on the executors.
"""
from __future__ import annotations

import dataclasses
import datetime
import os
import re

# The table bronze reads a day's records from (the others, definition and statistics, come with it).
PRIMARY_SCHEMA = {
    "future_mbo": "mbo",
    "future_option_mbo": "mbo",
    "equity_mbo": "mbo",
    "equity_option_mbo": "cmbp-1",
}
PRODUCT_TYPES = tuple(PRIMARY_SCHEMA)

_DATE = re.compile(r"(?<!\d)(\d{8})(?!\d)")


@dataclasses.dataclass(frozen=True)
class RawDay:
    product_type: str
    symbol: str  # the raw root: ES, SPY, QQQ
    dt: str  # YYYY-MM-DD
    files: int  # data files of the primary table that day
    bytes: int  # their size: the driver schedules the largest days first


def _partition_values(directory: str, key: str) -> list[str]:
    """The values v of the key=v subdirectories of `directory` (none when it is missing)."""
    if not os.path.isdir(directory):
        return []
    prefix = key + "="
    return sorted(e.name[len(prefix):] for e in os.scandir(directory) if e.is_dir() and e.name.startswith(prefix))


def _file_date(name: str, schema: str) -> str | None:
    if not (name.endswith(".dbn") or name.endswith(".dbn.zst")) or f".{schema}.dbn" not in name:
        return None
    for match in _DATE.finditer(name):
        try:
            return datetime.datetime.strptime(match.group(1), "%Y%m%d").date().isoformat()
        except ValueError:
            continue
    return None


def list_raw_days(lake: str, product_types: list[str], symbols: list[str] | None, start_date: str,
                  end_date: str) -> list[RawDay]:
    """Every raw day of the product types (and root symbols; None = all found) in [start_date, end_date],
    sorted by (product_type order of PRODUCT_TYPES, symbol, dt)."""
    base = os.path.join(lake, "raw", "source=databento")
    days: dict[tuple[str, str, str], list[int]] = {}
    for pt in product_types:
        schema = PRIMARY_SCHEMA[pt]
        pt_dir = os.path.join(base, f"product_type={pt}")
        for symbol in _partition_values(pt_dir, "symbol"):
            if symbols is not None and symbol not in symbols:
                continue
            table = os.path.join(pt_dir, f"symbol={symbol}", f"table={schema}")
            if not os.path.isdir(table):
                continue
            for job in os.scandir(table):
                if not job.is_dir() or job.name.startswith("."):
                    continue
                for entry in os.scandir(job.path):
                    dt = _file_date(entry.name, schema)
                    if dt is None or not start_date <= dt <= end_date or not entry.is_file():
                        continue
                    counts = days.setdefault((pt, symbol, dt), [0, 0])
                    counts[0] += 1
                    counts[1] += entry.stat().st_size
    order = {pt: i for i, pt in enumerate(PRODUCT_TYPES)}
    return [RawDay(pt, symbol, dt, n, size)
            for (pt, symbol, dt), (n, size) in sorted(days.items(), key=lambda kv: (order[kv[0][0]], kv[0][1:]))]
