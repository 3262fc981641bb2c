"""Python spymaster.windows() throughput against the CLI engine's, on the same bronze partition.

    .venv/bin/python python/tools/bench_windows.py [--bin build/spymaster] [--scale 1] [--repeat 3]

Simulates ES futures for the session (09:30–10:30 by default) into a temporary lake, writes bronze with
the CLI, then, best of --repeat each (the two alternate):
- CLI: `spymaster run --layer all` (bronze skipped as complete; silver and gold in one engine pass, from
  bronze, Parquet written), its silver+gold task's input records per second as the CLI reports it;
- Python: every window of spymaster.windows("bronze", ...) as pyarrow batches (engine, silver and gold
  rows, Arrow export and import, the Python loop), engine input records per second.
Prints both figures and their ratio (goal: Python >= 90 % of the CLI)."""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
DT = "2026-01-06"


def cli(binary, *args):
    proc = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", type=pathlib.Path, default=REPO / "build" / "spymaster")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", default="09:30")
    parser.add_argument("--end", default="10:30")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    build_python = args.bin.absolute().parent / "python"
    if (build_python / "spymaster").is_dir():
        sys.path.insert(0, str(build_python))
    import spymaster

    session = ["--session-start", args.start, "--session-end", args.end]
    with tempfile.TemporaryDirectory(prefix="bench_windows_") as tmp:
        lake = pathlib.Path(tmp) / "lake"
        cli(args.bin, "simulate", "--lake", lake, "--dt", DT, "--start", args.start, "--end", args.end,
            "--scale", args.scale, "--product", "future_mbo")
        cli(args.bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt", DT,
            "--lake", lake)
        cli(args.bin, "select-contract", "--dates", DT, "--lake", lake)
        # CLI and Python alternate, so that the load of a shared machine weighs on both alike.
        cli_rates, py_rates = [], []
        for _ in range(args.repeat):
            for layer in ("silver", "gold"):
                shutil.rmtree(lake / layer, ignore_errors=True)
            out = cli(args.bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES",
                      "--dt", DT, "--lake", lake, *session)
            line = next(x for x in out.splitlines() if "ok      silver_compute_book_states_1s+gold" in x)
            rate = re.search(r"([0-9.]+)s\s+([0-9.]+) M input records/s", line)
            cli_rates.append((float(rate.group(2)) * 1e6, float(rate.group(1))))

            start = time.perf_counter()
            it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(lake), session_start=args.start,
                                   session_end=args.end)
            windows = rows = 0
            for window in it:
                windows += 1
                rows += window["depth_and_flow_1s"].num_rows + window["physics_surface_1s"].num_rows
            seconds = time.perf_counter() - start
            counters = it.counters()  # the CLI reports records_read when the source counts it
            records = counters.get("records_read", counters["records"])
            py_rates.append((records / seconds, seconds))
    cli_rate, cli_seconds = max(cli_rates)
    py_rate, py_seconds = max(py_rates)
    print(f"records: {records}  windows: {windows}  silver depth/flow + gold rows: {rows}")
    print(f"CLI run --layer all (silver+gold, Parquet): {cli_rate / 1e6:.2f} M records/s ({cli_seconds:.2f} s)")
    print(f"Python windows() (silver+gold as pyarrow):  {py_rate / 1e6:.2f} M records/s ({py_seconds:.2f} s)")
    print(f"ratio Python / CLI: {py_rate / cli_rate:.1%}  (goal >= 90%)")


if __name__ == "__main__":
    main()
