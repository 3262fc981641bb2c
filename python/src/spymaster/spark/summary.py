"""The run's summary: a table on stdout and one Parquet file per run under <lake>/_runs/.

The file appears whole or not at all: it is written as a dot-file in the same directory (Arrow and
Spark dataset readers skip names starting with '.' or '_'), flushed to disk and renamed into place.
"""
from __future__ import annotations

import datetime
import os

import pyarrow as pa
import pyarrow.parquet as pq

from spymaster.spark.plan import STAGES

STATUSES = ("ok", "skipped", "failed", "blocked")

SCHEMA = pa.schema([
    ("run_id", pa.string()),
    ("started_at", pa.timestamp("us", tz="UTC")),
    ("stage", pa.string()),
    ("product_type", pa.string()),
    ("symbol", pa.string()),
    ("contract", pa.string()),
    ("dt", pa.string()),
    ("status", pa.string()),
    ("engine_stages", pa.list_(pa.string())),
    ("partitions", pa.list_(pa.string())),
    ("rows", pa.int64()),
    ("engine_seconds", pa.float64()),
    ("task_seconds", pa.float64()),
    ("counters", pa.map_(pa.string(), pa.int64())),
    ("error", pa.string()),
    ("note", pa.string()),
    ("host", pa.string()),
    ("pid", pa.int64()),
])


def to_table(run_id: str, started_at: datetime.datetime, outcomes: list[dict]) -> pa.Table:
    columns = {name: [] for name in SCHEMA.names}
    for o in outcomes:
        columns["run_id"].append(run_id)
        columns["started_at"].append(started_at)
        columns["engine_stages"].append(o["stages"])
        columns["counters"].append(sorted(o["counters"].items()))
        for name in SCHEMA.names:
            if name not in ("run_id", "started_at", "engine_stages", "counters"):
                columns[name].append(o[name])
    return pa.table(columns, schema=SCHEMA)


def write_parquet(lake: str, run_id: str, table: pa.Table) -> str:
    """<lake>/_runs/<run_id>.parquet, atomically; returns its path."""
    directory = os.path.join(lake, "_runs")
    os.makedirs(directory, exist_ok=True)
    final = os.path.join(directory, f"{run_id}.parquet")
    temp = os.path.join(directory, f".{run_id}.parquet.tmp")
    try:
        pq.write_table(table, temp, compression="zstd")
        with open(temp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temp, final)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def format_table(outcomes: list[dict], wall_seconds: float, warm_up_seconds: float) -> str:
    """Per-task lines (skipped ones summed up), totals per stage, and every failure with its error."""
    lines = [f"{'stage':<20} {'product_type':<18} {'symbol':<7} {'contract':<9} {'dt':<10} {'status':<8} "
             f"{'parts':>5} {'rows':>10} {'engine s':>9} {'task s':>8}  counters"]
    for o in outcomes:
        if o["status"] == "skipped":
            continue
        dt = o["dt"] if o["stage"] != "selection" else f"{len(o['dt'].split(','))} dates"
        counters = " ".join(f"{k}={v}" for k, v in sorted(o["counters"].items()))
        lines.append(f"{o['stage']:<20} {o['product_type']:<18} {o['symbol']:<7} {o['contract'] or '-':<9} "
                     f"{dt:<10} {o['status']:<8} {len(o['partitions']):>5} {o['rows']:>10} "
                     f"{o['engine_seconds']:>9.2f} {o['task_seconds']:>8.2f}  {counters}")
    lines.append("")
    lines.append(f"{'stage':<20} {'tasks':>6} " + " ".join(f"{s:>8}" for s in STATUSES) +
                 f" {'parts':>6} {'rows':>11} {'engine s':>9} {'task s':>9}")
    total = {s: 0 for s in STATUSES}
    for stage in STAGES:
        rows = [o for o in outcomes if o["stage"] == stage]
        if not rows:
            continue
        counts = {s: sum(o["status"] == s for o in rows) for s in STATUSES}
        for s in STATUSES:
            total[s] += counts[s]
        lines.append(f"{stage:<20} {len(rows):>6} " + " ".join(f"{counts[s]:>8}" for s in STATUSES) +
                     f" {sum(len(o['partitions']) for o in rows):>6} {sum(o['rows'] for o in rows):>11}"
                     f" {sum(o['engine_seconds'] for o in rows):>9.2f} {sum(o['task_seconds'] for o in rows):>9.2f}")
    lines.append(f"{'all':<20} {len(outcomes):>6} " + " ".join(f"{total[s]:>8}" for s in STATUSES) +
                 f" {sum(len(o['partitions']) for o in outcomes):>6} {sum(o['rows'] for o in outcomes):>11}"
                 f"   wall {wall_seconds:.2f} s (executor warm-up {warm_up_seconds:.2f} s)")
    for o in outcomes:
        if o["status"] in ("failed", "blocked"):
            lines.append(f"{o['status'].upper():<8} {o['stage']} {o['product_type']} {o['symbol']} {o['dt']}: "
                         f"{o['error']}")
    return "\n".join(lines) + "\n"
