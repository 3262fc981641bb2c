"""The job's tasks in dependency order: bronze of every raw day, the ES contract selection for the dates,
then silver/gold of futures and equities, then their options (an option engine merges its underlying's
bronze with its options' for each window's spot; an option task waits for its underlying's silver/gold
too, so that a day whose underlying failed is reported blocked once, whatever step failed).

A task is one (product_type, root symbol, dt): one engine run and one atomic partition commit, as
`spymaster run --dt` makes it, and one row of the summary. Spark runs them in groups (`groups`: one
symbol's tasks over a run of dates, several dates per spymaster.run call). Tasks are plain dicts so that
Spark ships them to executors as they are.
"""
from __future__ import annotations

import dataclasses

from spymaster.spark.raw_listing import PRODUCT_TYPES, RawDay

# Products whose silver/gold needs another product's silver of the same day.
UNDERLYING = {"future_option_mbo": "future_mbo", "equity_option_mbo": "equity_mbo"}
# Root symbols the C++ runner resolves to the day's front-month contract through the selection map
# (pipeline/runner.cpp ResolvesThroughSelection).
SELECTED_ROOTS = {("future_mbo", "ES"), ("future_option_mbo", "ES")}

BRONZE, SELECTION, UNDERLYINGS, OPTIONS = "bronze", "selection", "silver/gold", "options silver/gold"
STAGES = (BRONZE, SELECTION, UNDERLYINGS, OPTIONS)
LAYERS = ("bronze", "silver", "gold")


@dataclasses.dataclass(frozen=True)
class RunParams:
    """What every task passes to spymaster.run besides its own product, symbol and date."""
    lake: str
    overwrite: bool = False
    session_start: str = "09:30"
    session_end: str = "10:30"
    source: str = "bronze"


def key(stage: str, product_type: str, symbol: str, dt: str) -> tuple[str, str, str, str]:
    return (stage, product_type, symbol, dt)


def engine_layers(layers: set[str], overwrite: bool) -> list[str]:
    """The `layer` arguments of a silver/gold task's spymaster.run calls.

    Silver and gold after this run's bronze go through layer "all": the runner then computes both in
    one engine pass (its bronze part finds the day complete and skips it). Without bronze in the job,
    "all" would run bronze for a day that lacks it, and the runner refuses --overwrite next to bronze,
    so those cases make one call per layer."""
    wanted = [layer for layer in ("silver", "gold") if layer in layers]
    if wanted == ["silver", "gold"] and "bronze" in layers and not overwrite:
        return ["all"]
    return wanted


def plan(days: list[RawDay], layers: set[str], params: RunParams) -> list[tuple[str, list[dict]]]:
    """[(stage name, tasks)] in the order the stages must run; stages without tasks are left out.

    Each task: {"key", "stage", "product_type", "symbol", "dt", "layers", "deps", "selected", "weight",
    "params"}. `deps` are keys of earlier tasks that must end ok or skipped; `selected` marks a task
    whose symbol resolves through the selection map (dates the map lacks are not run)."""
    params_dict = dataclasses.asdict(params)
    present = {(d.product_type, d.symbol, d.dt) for d in days}
    stages: list[tuple[str, list[dict]]] = []

    def task(stage, day, run_layers, deps, selected=False):
        return {"key": key(stage, day.product_type, day.symbol, day.dt), "stage": stage,
                "product_type": day.product_type, "symbol": day.symbol, "dt": day.dt, "layers": run_layers,
                "deps": [d for d in deps if d is not None], "selected": selected, "weight": day.bytes,
                "params": params_dict}

    def bronze_dep(pt, symbol, dt):
        return key(BRONZE, pt, symbol, dt) if "bronze" in layers and (pt, symbol, dt) in present else None

    if "bronze" in layers:
        stages.append((BRONZE, [task(BRONZE, d, ["bronze"], []) for d in days]))
    silver_gold = engine_layers(layers, params.overwrite)
    if not silver_gold:
        return stages
    selected_dates = sorted({d.dt for d in days if (d.product_type, d.symbol) in SELECTED_ROOTS})
    selection_key = None
    if selected_dates:
        selection_key = key(SELECTION, "future_mbo", "ES", ",".join(selected_dates))
        stages.append((SELECTION, [{"key": selection_key, "stage": SELECTION, "product_type": "future_mbo",
                                    "symbol": "ES", "dt": ",".join(selected_dates), "layers": [], "deps": [],
                                    "selected": False, "weight": 0, "params": params_dict}]))
    for stage, wanted in ((UNDERLYINGS, lambda pt: pt not in UNDERLYING), (OPTIONS, lambda pt: pt in UNDERLYING)):
        tasks = []
        for d in days:
            if not wanted(d.product_type):
                continue
            selected = (d.product_type, d.symbol) in SELECTED_ROOTS
            deps = [bronze_dep(d.product_type, d.symbol, d.dt), selection_key if selected else None]
            underlying = UNDERLYING.get(d.product_type)
            if underlying is not None and (underlying, d.symbol, d.dt) in present:
                deps.append(key(UNDERLYINGS, underlying, d.symbol, d.dt))
            tasks.append(task(stage, d, silver_gold, deps, selected))
        if tasks:
            stages.append((stage, tasks))
    return stages


def groups(tasks: list[dict], parallelism: int) -> list[list[dict]]:
    """The Spark tasks of one job: the planned tasks grouped by root symbol and a run of consecutive dates,
    each group in dependency order (stage, then product type, then date), so that an executor runs one
    product's dates of a stage in one spymaster.run call and a task's dependencies within its symbol and
    dates come before it. The dates are cut into as few runs as give about two groups per core (balance
    without the per-call costs of one date per call); the heaviest groups (raw bytes) come first."""
    if not tasks:
        return []
    symbols = {t["symbol"] for t in tasks}
    dates = sorted({t["dt"] for t in tasks})
    chunks = min(len(dates), max(1, -(-2 * parallelism // len(symbols))))
    chunk_of = {dt: i * chunks // len(dates) for i, dt in enumerate(dates)}
    grouped: dict[tuple[str, int], list[dict]] = {}
    for t in tasks:
        grouped.setdefault((t["symbol"], chunk_of[t["dt"]]), []).append(t)
    stage_order = {s: i for i, s in enumerate(STAGES)}
    pt_order = {pt: i for i, pt in enumerate(PRODUCT_TYPES)}
    for group in grouped.values():
        group.sort(key=lambda t: (stage_order[t["stage"]], pt_order[t["product_type"]], t["dt"]))
    return sorted(grouped.values(), key=lambda g: -sum(t["weight"] for t in g))
