"""The driver: lists the raw lake, plans the tasks, runs each stage's tasks on the executors and
gathers their outcomes. It writes nothing to the lake but the run's summary; executors write the
partitions, through the spymaster package.
"""
from __future__ import annotations

import dataclasses
import datetime
import os
import sys
import time

from spymaster.spark import plan as planning
from spymaster.spark import summary
from spymaster.spark.raw_listing import list_raw_days
from spymaster.spark.tasks import execute, outcome_of

DONE = ("ok", "skipped")


@dataclasses.dataclass(frozen=True)
class JobOptions:
    lake: str  # a POSIX path every executor sees
    product_types: list[str]
    symbols: list[str] | None  # raw roots; None = every one in the raw lake
    start_date: str
    end_date: str
    layers: set[str]
    overwrite: bool = False
    session_start: str = "09:30"
    session_end: str = "10:30"
    source: str = "bronze"


@dataclasses.dataclass
class JobResult:
    outcomes: list[dict]
    summary_path: str
    wall_seconds: float

    @property
    def failed(self) -> int:
        return sum(o["status"] not in DONE for o in self.outcomes)


def _blocked_by(task: dict, results: dict) -> str | None:
    for dep in task["deps"]:
        o = results.get(tuple(dep))
        if o is not None and o["status"] not in DONE:
            return f"{o['stage']} {o['product_type']} {o['symbol']} {o['dt']} {o['status']}"
    return None


def _run_stage(sc, tasks: list[dict]) -> list[dict]:
    """One Spark job: one partition per task, the largest raw days first so that the last tasks to
    start are short ones."""
    if not tasks:
        return []
    ordered = sorted(tasks, key=lambda t: -t["weight"])
    try:
        return sc.parallelize(ordered, len(ordered)).map(execute).collect()
    except Exception as e:  # noqa: BLE001 - an executor lost mid-stage fails the tasks, not the driver
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return [outcome_of(t, "failed", error=f"Spark stage failed: {first}") for t in ordered]


def run_job(sc, options: JobOptions, log=sys.stdout) -> JobResult:
    started_at = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    days = list_raw_days(options.lake, options.product_types, options.symbols, options.start_date,
                         options.end_date)
    if not days:
        raise LookupError(f"no raw days of {','.join(options.product_types)} "
                          f"({','.join(options.symbols) if options.symbols else 'any symbol'}) from "
                          f"{options.start_date} to {options.end_date} under "
                          f"{os.path.join(options.lake, 'raw', 'source=databento')}")
    params = planning.RunParams(lake=options.lake, overwrite=options.overwrite,
                                session_start=options.session_start, session_end=options.session_end,
                                source=options.source)
    stages = planning.plan(days, options.layers, params)
    log.write(f"spymaster.spark: {len(days)} raw days, stages "
              f"{', '.join(f'{name} ({len(tasks)})' for name, tasks in stages)}\n")
    results: dict[tuple, dict] = {}
    outcomes: list[dict] = []
    selection: dict[str, str] = {}
    for name, tasks in stages:
        stage_start = time.perf_counter()
        runnable, done = [], []
        for task in tasks:
            blocker = _blocked_by(task, results)
            if blocker is not None:
                done.append(outcome_of(task, "blocked", error=f"needs {blocker}"))
            elif task["selected"] and task["dt"] not in selection:
                # As `spymaster run` does for dates without a front-month contract (no trades that day).
                done.append(outcome_of(task, "skipped", note="not in the selection map"))
            else:
                runnable.append(task)
        done.extend(_run_stage(sc, runnable))
        for o in done:
            results[planning.key(o["stage"], o["product_type"], o["symbol"], o["dt"])] = o
            selection.update(o["selection"])
        done.sort(key=lambda o: (o["product_type"], o["symbol"], o["dt"]))
        outcomes.extend(done)
        counts = {s: sum(o["status"] == s for o in done) for s in summary.STATUSES}
        log.write(f"  {name}: {len(done)} tasks in {time.perf_counter() - stage_start:.2f} s "
                  f"({', '.join(f'{n} {s}' for s, n in counts.items() if n)})\n")
        log.flush()
    wall = time.perf_counter() - start
    run_id = started_at.strftime("%Y%m%dT%H%M%S.%fZ")
    path = summary.write_parquet(options.lake, run_id, summary.to_table(run_id, started_at, outcomes))
    return JobResult(outcomes, path, wall)
