"""Python spymaster.windows() throughput against the C++ engine's own, on the same bronze partitions.

    .venv/bin/python python/tools/bench_windows.py [--bin build/spymaster] [--scale 1] [--repeat 3]
        [--product-type future_mbo future_option_mbo equity_option_mbo] [--batch-windows 1 10 60]
        [--package DIR]

Simulates ES, SPY and their 0DTE options (09:30–10:30) into a temporary lake and writes the products'
bronze with the CLI, then for each product type (ES futures; ES options and SPY options, whose records are
the underlying's merged with the options'), alternating so that the load of a shared machine weighs on
every figure alike, best of --repeat each:
- C++ (`spymaster bench windows --raw-lake <that lake> --product-type PT`, which writes its own bronze
  from the same raw files first, untimed): the engine alone from bronze (the records silver reads driving
  the product's engine, which computes every window's silver and gold rows; every window dropped: no
  Parquet, no Arrow), and the window stream drained in C++ (the same engine work + the windows' silver and
  gold Arrow batches, one window a batch, 32 and 60, what windows() wraps, without Python);
- Python: every window of spymaster.windows("bronze", ...) as pyarrow batches in a Python loop (the
  same window stream, the Arrow C data interface export and import, the loop), --batch-windows windows a
  step (1, 10 and 60 by default).
CPU is the process's (every thread's: the bronze reader's too, on both sides). Prints input records per
wall second and per CPU second of each, and the ratios Python / C++ (goal: Python >= 90 % of the engine's
own throughput)."""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
DT = "2026-01-06"
CPP_LINE = re.compile(r"^(?P<what>[^:\n]+): (?P<records>\d+) records, (?P<windows>\d+) windows; best cpu "
                      r"(?P<cpu>[\d.]+) s = [\d.]+ M records/s/core; best wall (?P<wall>[\d.]+) s", re.M)


def cli(binary, *args):
    proc = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


# product type -> (the symbol windows() reads, the raw roots whose bronze it needs)
PRODUCTS = {
    "future_mbo": ("ESH6", [("future_mbo", "ES")]),
    "future_option_mbo": ("ESH6", [("future_mbo", "ES"), ("future_option_mbo", "ES")]),
    "equity_option_mbo": ("SPY", [("equity_mbo", "SPY"), ("equity_option_mbo", "SPY")]),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", type=pathlib.Path, default=REPO / "build" / "spymaster")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--product-type", nargs="+", choices=list(PRODUCTS), default=list(PRODUCTS))
    parser.add_argument("--batch-windows", nargs="+", type=int, default=[1, 10, 60])
    parser.add_argument("--package", type=pathlib.Path,
                        help="the directory holding the spymaster package to measure (default: <bin dir>/python, "
                             "else the installed one); another build's, to compare two packages against one CLI")
    args = parser.parse_args()
    build_python = args.package or args.bin.absolute().parent / "python"
    if (build_python / "spymaster").is_dir():
        sys.path.insert(0, str(build_python.absolute()))
    import spymaster
    print(f"package: {pathlib.Path(spymaster.__file__).parent}")

    with tempfile.TemporaryDirectory(prefix="bench_windows_") as tmp:
        lake = pathlib.Path(tmp) / "lake"
        simulated = sorted({pt for product in args.product_type for pt, _ in PRODUCTS[product][1]})
        cli(args.bin, "simulate", "--lake", lake, "--dt", DT, "--scale", args.scale,
            *[flag for pt in simulated for flag in ("--product", pt)])
        bronze = []
        for product in args.product_type:
            bronze += [run for run in PRODUCTS[product][1] if run not in bronze]
        for pt, root in bronze:
            cli(args.bin, "run", "--product-type", pt, "--layer", "bronze", "--symbol", root, "--dt", DT, "--lake", lake)
        for product in args.product_type:
            measure(args, spymaster, lake, product)


def measure(args, spymaster, lake, product):
    symbol = PRODUCTS[product][0]
    best: dict[str, tuple[float, float]] = {}  # what -> (wall, cpu)
    records = windows = rows = 0

    def keep(what, wall, cpu):
        w, c = best.get(what, (float("inf"), float("inf")))
        best[what] = (min(w, wall), min(c, cpu))

    floor = ""
    for _ in range(args.repeat):
        out = cli(args.bin, "bench", "windows", "--raw-lake", lake, "--repeat", "1", "--product-type", product)
        floor = next(iter(re.findall(r"^store floor: .*$", out, re.M)), floor)
        for m in CPP_LINE.finditer(out):
            keep(m["what"], float(m["wall"]), float(m["cpu"]))
            records, windows = int(m["records"]), int(m["windows"])

        for batch_windows in args.batch_windows:
            wall0, cpu0 = time.perf_counter(), time.process_time()
            it = spymaster.windows("bronze", product, symbol, DT, lake=str(lake), batch_windows=batch_windows)
            rows = 0
            for window in it:
                rows += sum(batch.num_rows for batch in window.values())
            keep(f"Python windows(), {batch_windows} window(s) a batch, as pyarrow", time.perf_counter() - wall0,
                 time.process_time() - cpu0)
            counters = it.counters()
            assert (counters["records"], counters["windows"]) == (records, windows), (counters, records, windows)
    print(f"{product} {symbol}: records: {records}  windows: {windows}  rows in the batches: {rows}")
    for what, (wall, cpu) in best.items():
        print(f"  {what:<55} wall {wall:6.3f} s = {records / wall / 1e6:5.2f} M records/s   "
              f"cpu {cpu:6.3f} s = {records / cpu / 1e6:5.2f} M records/s/core")
    print(f"  {floor}")
    engine_wall, engine_cpu = next(v for what, v in best.items() if what.startswith("engine alone"))
    for what, (wall, cpu) in best.items():
        if not what.startswith("engine alone"):
            print(f"  {what} / engine alone: {engine_wall / wall:.1%} (wall), {engine_cpu / cpu:.1%} (cpu)"
                  + ("  (goal >= 90%)" if what.startswith("Python") else ""))


if __name__ == "__main__":
    main()
