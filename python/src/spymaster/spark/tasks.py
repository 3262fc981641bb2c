"""What an executor does with one Spark task, a group of planned tasks (plan.groups): the engine runs
through the spymaster package, several dates per call, and an outcome dict per planned task that the
driver collects. Nothing escapes as an exception: a failing task is an outcome with its error, so the
other tasks run on (Spark would otherwise abort the job). The driver runs the selection task itself.
"""
from __future__ import annotations

import os
import socket
import time
import traceback

import pyarrow.parquet as pq

from spymaster.spark.plan import key

# selection.future_mbo.mbo_contract_day_selection in config/datasets.yaml; its manifest is written
# last, next to it, so a map without one is not complete (lake::IsComplete).
SELECTION_FILE = os.path.join("selection", "mbo_contract_day_selection.parquet")
DONE = ("ok", "skipped")


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


def blocked_by(task: dict, results: dict) -> str | None:
    """The first of the task's dependencies that ended neither ok nor skipped, as text; None when every
    one did or has no outcome in `results` (run elsewhere, or not part of this job)."""
    for dep in task["deps"]:
        o = results.get(tuple(dep))
        if o is not None and o["status"] not in DONE:
            return f"{o['stage']} {o['product_type']} {o['symbol']} {o['dt']} {o['status']}"
    return None


def _run_days(task: dict, dates: list[str], layer: str) -> list[dict]:
    """spymaster.run over the dates; its per-(layer, date) task dicts, failed ones with their "error".
    A run that raises (before any of its tasks, e.g. a contract without bronze) is repeated date by date,
    so that the exception is the one date's."""
    import spymaster

    p = task["params"]
    kwargs = dict(lake=p["lake"], product_type=task["product_type"], symbol=task["symbol"], layer=layer,
                  overwrite=p["overwrite"] and layer != "bronze", session_start=p["session_start"],
                  session_end=p["session_end"], source=p["source"], check=False)
    try:
        return spymaster.run(dates=",".join(dates), **kwargs)["tasks"]
    except Exception as e:  # noqa: BLE001 - one date's outcome, found by running them one by one
        if len(dates) > 1:
            return [t for dt in dates for t in _run_days(task, [dt], layer)]
        return [{"layer": layer, "stage": "", "symbol": task["symbol"], "dt": dates[0], "rows": 0, "skipped": False,
                 "seconds": 0.0, "counters": {}, "datasets_written": [], "error": f"{type(e).__name__}: {e}"}]


def _engine(tasks: list[dict]) -> list[dict]:
    """Tasks of one (stage, product_type, symbol, layers), one per date, through one spymaster.run per layer
    for all their dates (the runner's fixed costs, its dataset registry, commit recovery and completeness
    checks, are paid once). The runner stops at a failed date, so the dates it did not reach run again in
    another call without the failed ones: a failure costs one call and stops no other date."""
    first = tasks[0]
    fields = {t["dt"]: {"stages": [], "partitions": [], "rows": 0, "engine_seconds": 0.0, "counters": {},
                        "contracts": set(), "worked": False, "error": ""} for t in tasks}
    for layer in first["layers"]:
        pending = [t["dt"] for t in tasks if not fields[t["dt"]]["error"]]
        while pending:
            ran = _run_days(first, pending, layer)
            failed = set()
            for t in ran:
                f = fields[t["dt"]]
                if t["error"]:
                    f["error"] = f"{t['stage']} {t['symbol']} {t['dt']}: {t['error']}".lstrip()
                    failed.add(t["dt"])
                # Layer "all" of a silver/gold task also visits bronze, which this job's bronze stage did.
                if t["layer"] == "bronze" and first["stage"] != "bronze":
                    continue
                f["contracts"].add(t["symbol"])
                f["engine_seconds"] += t["seconds"]
                if t["skipped"] or t["error"]:
                    continue
                if t["stage"] not in f["stages"]:
                    f["stages"].append(t["stage"])
                f["worked"] = True
                f["partitions"].extend(f"{d} dt={t['dt']}" for d in t["datasets_written"])
                f["rows"] += t["rows"]
                for name, value in t["counters"].items():
                    f["counters"][name] = f["counters"].get(name, 0) + value
            if not failed:
                break
            pending = [dt for dt in pending if dt not in failed]
    out = []
    for t in tasks:
        f = fields[t["dt"]]
        status = "failed" if f["error"] else "ok" if f["worked"] else "skipped"
        out.append(outcome_of(t, status, stages=f["stages"], partitions=f["partitions"], rows=f["rows"],
                              engine_seconds=f["engine_seconds"], counters=f["counters"], error=f["error"],
                              contract=",".join(sorted(f["contracts"]))))
    return out


def execute(task: dict) -> dict:
    """Runs the selection task here (the driver); returns its outcome (status ok, skipped or failed)."""
    start = time.perf_counter()
    try:
        row = _select(task)
    except Exception as e:  # noqa: BLE001 - any failure is this task's outcome, never the job's
        message = str(e) or traceback.format_exc(limit=3)
        row = outcome_of(task, "failed", error=f"{type(e).__name__}: {message}")
    row["task_seconds"] = time.perf_counter() - start
    row["host"], row["pid"] = socket.gethostname(), os.getpid()
    return row


def execute_group(tasks: list[dict]) -> list[dict]:
    """One Spark task: a group of planned tasks (one symbol's products over a few dates, in dependency
    order, plan.groups), run as consecutive batches of the same (stage, product_type, layers). A task whose
    dependency in the group failed is blocked; a failing batch fails only its failing dates. Each outcome's
    task_seconds is its engine time plus an equal share of the batch's time outside the engine."""
    results: dict[tuple, dict] = {}
    outcomes: list[dict] = []
    host, pid = socket.gethostname(), os.getpid()
    i = 0
    while i < len(tasks):
        j = i
        while j < len(tasks) and _batch_key(tasks[j]) == _batch_key(tasks[i]):
            j += 1
        runnable, done = [], []
        for task in tasks[i:j]:
            blocker = blocked_by(task, results)
            if blocker is not None:
                done.append(outcome_of(task, "blocked", error=f"needs {blocker}"))
            else:
                runnable.append(task)
        if runnable:
            start = time.perf_counter()
            try:
                ran = _engine(runnable)
            except Exception as e:  # noqa: BLE001 - a failure of this code is the batch's outcome
                message = str(e) or traceback.format_exc(limit=3)
                ran = [outcome_of(t, "failed", error=f"{type(e).__name__}: {message}") for t in runnable]
            outside = (time.perf_counter() - start - sum(o["engine_seconds"] for o in ran)) / len(ran)
            for o in ran:
                o["task_seconds"] = o["engine_seconds"] + outside
            done.extend(ran)
        for o in done:
            o["host"], o["pid"] = host, pid
            results[key(o["stage"], o["product_type"], o["symbol"], o["dt"])] = o
        outcomes.extend(done)
        i = j
    return outcomes


def _batch_key(task: dict) -> tuple:
    return (task["stage"], task["product_type"], task["symbol"], tuple(task["layers"]))
