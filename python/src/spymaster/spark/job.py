"""The driver: lists the raw lake, plans the tasks, runs them on the executors in two Spark jobs (all
that does not need the ES selection map, then the ES silver/gold) around the selection, which it runs
itself, and gathers their outcomes. Executors write the partitions through the spymaster package; the
driver writes the selection map (through it too) and the run's summary.
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
from spymaster.spark.tasks import DONE, blocked_by, execute, execute_group, outcome_of


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
    warm_up_seconds: float  # part of wall_seconds: the first Spark job, which starts the Python workers

    @property
    def failed(self) -> int:
        return sum(o["status"] not in DONE for o in self.outcomes)


def _import_package(_):
    import spymaster  # noqa: F401 - what every task needs first

    return spymaster.__file__


def _warm_up(sc, log) -> float:
    """A first Spark job of one no-op task per core: it pays what the first job of a context pays once
    (the scheduler's first run in the JVM, the Python workers' start, the package's import), so that the
    job's log tells that fixed cost apart from the tasks'. A failure here is logged; the tasks then report
    their own errors."""
    start = time.perf_counter()
    try:
        sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).map(_import_package).collect()
    except Exception as e:  # noqa: BLE001 - the tasks fail with their own error if the executors cannot run
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        log.write(f"  executor warm-up failed: {first}\n")
    seconds = time.perf_counter() - start
    log.write(f"  executors warmed up (Python workers started, spymaster imported) in {seconds:.2f} s\n")
    return seconds


def _run_groups(sc, tasks: list[dict]) -> list[dict]:
    """One Spark job: one partition per group of tasks (plan.groups), the heaviest first so that the last
    to start are short ones; the outcomes of every task."""
    groups = planning.groups(tasks, sc.defaultParallelism)
    if not groups:
        return []
    try:
        return [o for outcomes in sc.parallelize(groups, len(groups)).map(execute_group).collect() for o in outcomes]
    except Exception as e:  # noqa: BLE001 - an executor lost mid-job fails the tasks, not the driver
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return [outcome_of(t, "failed", error=f"Spark job failed: {first}") for t in tasks]


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
    warm_up = _warm_up(sc, log)
    tasks = [t for _, stage_tasks in stages for t in stage_tasks]
    [selection_task] = [t for t in tasks if t["stage"] == planning.SELECTION] or [None]
    selection_key = selection_task["key"] if selection_task else None
    # Two Spark jobs: everything that does not need the ES selection map (bronze of every product, the
    # silver/gold of the others), then, after the driver extended the map, the ES silver/gold.
    waves = [("bronze and silver/gold not selected", [t for t in tasks if t["stage"] != planning.SELECTION and
                                                       selection_key not in t["deps"]]),
             ("silver/gold selected", [t for t in tasks if selection_key is not None and selection_key in t["deps"]])]
    results: dict[tuple, dict] = {}
    outcomes: list[dict] = []
    selection: dict[str, str] = {}
    for i, (name, wave) in enumerate(waves):
        if i == 1 and selection_task is not None:
            o = execute(selection_task)
            results[selection_key] = o
            selection.update(o["selection"])
            outcomes.append(o)
            log.write(f"  selection (driver): {o['status']} in {o['task_seconds']:.2f} s\n")
        if not wave:
            continue
        wave_start = time.perf_counter()
        runnable, done = [], []
        for task in wave:
            blocker = blocked_by(task, results)
            if blocker is not None:
                done.append(outcome_of(task, "blocked", error=f"needs {blocker}"))
            elif task["selected"] and task["dt"] not in selection:
                # As `spymaster run` does for dates without a front-month contract (no trades that day).
                done.append(outcome_of(task, "skipped", note="not in the selection map"))
            else:
                runnable.append(task)
        done.extend(_run_groups(sc, runnable))
        for o in done:
            results[planning.key(o["stage"], o["product_type"], o["symbol"], o["dt"])] = o
        outcomes.extend(done)
        counts = {s: sum(o["status"] == s for o in done) for s in summary.STATUSES}
        log.write(f"  {name}: {len(done)} tasks in {time.perf_counter() - wave_start:.2f} s "
                  f"({', '.join(f'{n} {s}' for s, n in counts.items() if n)})\n")
        log.flush()
    order = {s: i for i, s in enumerate(planning.STAGES)}
    outcomes.sort(key=lambda o: (order[o["stage"]], o["product_type"], o["symbol"], o["dt"]))
    wall = time.perf_counter() - start
    run_id = started_at.strftime("%Y%m%dT%H%M%S.%fZ")
    path = summary.write_parquet(options.lake, run_id, summary.to_table(run_id, started_at, outcomes))
    return JobResult(outcomes, path, wall, warm_up)
