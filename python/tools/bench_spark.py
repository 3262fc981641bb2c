"""Benchmark of the Spark job against the CLI alone, on the same simulated days (figures in docs/scale.md).

    PYTHONPATH=build/python .venv/bin/python python/tools/bench_spark.py [--days 8] [--scale 0.3]
        [--start 09:30 --end 09:40] [--cores 1 2] [--repeat 1] [--work DIR]

(PYTHONPATH=build/python: the package this build built; without it, the one scripts/setup installed.)

Simulates the days (seed i for day i, all four product types) into a raw lake, then on fresh copies of it:
- the CLI alone: `spymaster run --layer all --dates <all days>` per (product type, root), underlyings
  first, one process each, --workers 1 (what one core does without Spark);
- the Spark job at local[N] for each N of --cores, `python -m spymaster.spark` in its own process.
Rounds alternate the CLI and the Spark runs (--repeat, best of each). It prints wall times, the Spark job's
time without its fixed start (the JVM and SparkContext; the job's own "wall" line measures from the listing
to the summary) and without the executors' warm-up (the context's first job, which starts the Python
workers: a cost per job, not per task, that the job logs), the speed-up between core counts, and the
overhead per task: (job time at 1 core - CLI time) / tasks, and as a share of the CLI time (the goal is
<= 10 %), with and without those fixed costs.
"""
import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
DAYS = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-12", "2026-01-13",
        "2026-01-14", "2026-01-15", "2026-01-16", "2026-01-20", "2026-01-21"]
PRODUCTS = [("future_mbo", "ES"), ("equity_mbo", "SPY"), ("equity_mbo", "QQQ"), ("future_option_mbo", "ES"),
            ("equity_option_mbo", "SPY"), ("equity_option_mbo", "QQQ")]


def timed(cmd) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout


def fresh_lake(work: pathlib.Path, raw: pathlib.Path, name: str) -> pathlib.Path:
    lake = work / name
    shutil.rmtree(lake, ignore_errors=True)
    shutil.copytree(raw / "raw", lake / "raw")
    return lake


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=8, choices=range(1, len(DAYS) + 1))
    parser.add_argument("--scale", default="0.3")
    parser.add_argument("--start", default="09:30")
    parser.add_argument("--end", default="09:40")
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="rounds (CLI, then Spark at each core count); best of")
    parser.add_argument("--work", type=pathlib.Path, help="scratch directory (default: a temporary one)")
    parser.add_argument("--bin", type=pathlib.Path,
                        default=pathlib.Path(os.environ.get("SPYMASTER_BIN", REPO / "build" / "spymaster")))
    args = parser.parse_args()
    work = args.work or pathlib.Path(tempfile.mkdtemp(prefix="bench_spark_"))
    days = DAYS[:args.days]
    session = ["--session-start", args.start, "--session-end", args.end]
    raw = work / "raw_source"
    if not (raw / "raw").is_dir():
        for seed, dt in enumerate(days, start=1):
            timed([args.bin, "simulate", "--lake", raw, "--dt", dt, "--seed", seed, "--scale", args.scale,
                   "--start", args.start, "--end", args.end])
    raw_bytes = sum(p.stat().st_size for p in (raw / "raw").rglob("*.dbn.zst"))
    print(f"{len(days)} days, scale {args.scale}, session {args.start}-{args.end}: raw {raw_bytes / 1e6:.1f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")

    tasks = 2 * len(PRODUCTS) * len(days) + 1
    cli_runs, jobs = [], {cores: [] for cores in args.cores}  # jobs: (wall, job, warm-up) per round
    for round_ in range(args.repeat):
        # CLI and Spark alternate, round after round, so that a shared machine's load weighs on both alike.
        lake = fresh_lake(work, raw, "cli")
        cli_seconds = 0.0
        for pt, symbol in PRODUCTS:
            seconds, _ = timed([args.bin, "run", "--lake", lake, "--product-type", pt, "--symbol", symbol, "--layer",
                                "all", "--dates", ",".join(days), *session])
            cli_seconds += seconds
        cli_runs.append(cli_seconds)
        print(f"round {round_ + 1}: CLI alone (6 runs, --workers 1): {cli_seconds:8.2f} s  ({tasks} tasks' work); "
              f"load average {os.getloadavg()[0]:.1f}")
        for cores in args.cores:
            lake = fresh_lake(work, raw, f"spark{cores}")
            seconds, out = timed([sys.executable, "-m", "spymaster.spark", "--lake", lake, "--start-date", days[0],
                                  "--end-date", days[-1], *session, "--master", f"local[{cores}]"])
            m = re.search(r"^all .* wall ([\d.]+) s \(executor warm-up ([\d.]+) s\)$", out, re.M)
            job, warm_up = float(m.group(1)), float(m.group(2))
            totals = re.search(r"^all\s+(\d+)\s+(\d+)", out, re.M)
            assert int(totals.group(1)) == tasks and int(totals.group(2)) == tasks, out
            jobs[cores].append((seconds, job, warm_up))
            print(f"round {round_ + 1}: Spark local[{cores}]: {seconds:8.2f} s wall; {job:8.2f} s from the listing to "
                  f"the summary, of which executor warm-up {warm_up:.2f} s; JVM/context start {seconds - job:.2f} s; "
                  f"load average {os.getloadavg()[0]:.1f}")
    cli_seconds = min(cli_runs)
    print(f"best of {args.repeat}: CLI alone {cli_seconds:.2f} s")
    best = {}
    for cores, runs in jobs.items():
        wall, job, warm_up = min(runs, key=lambda r: r[1] - r[2])
        best[cores] = job - warm_up
        print(f"best of {args.repeat}: Spark local[{cores}] {wall:.2f} s wall, {job:.2f} s job, {job - warm_up:.2f} s "
              f"without the warm-up")
    if 1 in best:
        for name, seconds in (("job without JVM/context start and warm-up", best[1]),
                              ("job with the warm-up", min(j for _, j, _ in jobs[1])),
                              ("whole process", min(w for w, _, _ in jobs[1]))):
            overhead = seconds - cli_seconds
            print(f"overhead at 1 core, {name}: {overhead:+.2f} s = {overhead / tasks * 1000:+.0f} ms per task = "
                  f"{overhead / cli_seconds * 100:+.1f} % of the CLI")
        for cores, seconds in best.items():
            if cores != 1:
                print(f"speed-up local[{cores}] / local[1] (without start and warm-up): {best[1] / seconds:.2f}x")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
