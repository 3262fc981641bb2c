"""What an executor does with one task: the engine run(s) through the spymaster package, and an
outcome dict the driver can collect. Nothing escapes as an exception: a failing task is an outcome with
its error, so the other tasks of the stage run on (Spark would otherwise abort the stage).
"""
from __future__ import annotations

import os
import socket
import time
import traceback

import pyarrow.parquet as pq

# selection.future_mbo.mbo_contract_day_selection in config/datasets.yaml; its manifest is written
# last, next to it, so a map without one is not complete (lake::IsComplete).
SELECTION_FILE = os.path.join("selection", "mbo_contract_day_selection.parquet")


def outcome_of(task: dict, status: str, **fields) -> dict:
    """The one shape of every task's outcome (the summary table's row)."""
    row = {"stage": task["stage"], "product_type": task["product_type"], "symbol": task["symbol"],
           "dt": task["dt"], "status": status, "contract": "", "stages": [], "partitions": [], "rows": 0,
           "engine_seconds": 0.0, "task_seconds": 0.0, "counters": {}, "error": "", "note": "",
           "host": "", "pid": 0, "selection": {}}
    row.update(fields)
    return row


def read_selection(lake: str) -> dict[str, str]:
    """session_date → contract of the complete selection map ({} when there is none). Rows without a
    contract are left out, as LoadSelection does."""
    path = os.path.join(lake, SELECTION_FILE)
    if not os.path.isfile(path + ".manifest.json"):
        return {}
    table = pq.read_table(path, columns=["session_date", "selected_symbol"]).to_pydict()
    return {str(d): s for d, s in zip(table["session_date"], table["selected_symbol"]) if s}


def _select(task: dict) -> dict:
    """The selection map for the task's dates: only the dates it lacks are selected, and then through
    select_contract over the dates it has and the new ones (select_contract replaces the whole map)."""
    import spymaster

    lake = task["params"]["lake"]
    dates = task["dt"].split(",")
    have = read_selection(lake)
    missing = [d for d in dates if d not in have]
    if not missing:
        return outcome_of(task, "skipped", selection=have, note="the map has every date")
    spymaster.select_contract(dates=",".join(sorted(set(have) | set(dates))), lake=lake)
    after = read_selection(lake)
    return outcome_of(task, "ok", selection=after, partitions=[SELECTION_FILE], rows=len(after),
                      note=f"selected {len([d for d in missing if d in after])} of {len(missing)} new dates")


def _engine(task: dict) -> dict:
    import spymaster

    p = task["params"]
    fields = {"stages": [], "partitions": [], "rows": 0, "engine_seconds": 0.0, "counters": {}}
    all_skipped = True
    contracts = set()
    for layer in task["layers"]:
        summary = spymaster.run(lake=p["lake"], product_type=task["product_type"], symbol=task["symbol"],
                                dt=task["dt"], layer=layer, overwrite=p["overwrite"] and layer != "bronze",
                                session_start=p["session_start"], session_end=p["session_end"],
                                source=p["source"])
        for t in summary["tasks"]:
            # Layer "all" of a silver/gold task also visits bronze, which this job's bronze stage did.
            if t["layer"] == "bronze" and task["stage"] != "bronze":
                continue
            fields["stages"].append(t["stage"])
            contracts.add(t["symbol"])
            all_skipped = all_skipped and t["skipped"]
            if not t["skipped"]:
                fields["partitions"].extend(f"{d} dt={t['dt']}" for d in t["datasets_written"])
                fields["rows"] += t["rows"]
            fields["engine_seconds"] += t["seconds"]
            for name, value in t["counters"].items():
                fields["counters"][name] = fields["counters"].get(name, 0) + value
    fields["contract"] = ",".join(sorted(contracts))
    return outcome_of(task, "skipped" if all_skipped else "ok", **fields)


def execute(task: dict) -> dict:
    """Runs one task on this executor; returns its outcome (status ok, skipped or failed)."""
    start = time.perf_counter()
    try:
        row = _select(task) if task["stage"] == "selection" else _engine(task)
    except Exception as e:  # noqa: BLE001 - any failure is this task's outcome, never the stage's
        message = str(e) or traceback.format_exc(limit=3)
        row = outcome_of(task, "failed", error=f"{type(e).__name__}: {message}")
    row["task_seconds"] = time.perf_counter() - start
    row["host"], row["pid"] = socket.gethostname(), os.getpid()
    return row
