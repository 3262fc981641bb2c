"""Python spymaster.windows() throughput against the C++ engine's own, on the same bronze partition.

    .venv/bin/python python/tools/bench_windows.py [--bin build/spymaster] [--scale 1] [--repeat 3]

Simulates ES futures (09:30–10:30) into a temporary lake, then, alternating so that the load of a shared
machine weighs on every figure alike, best of --repeat each:
- C++ (`spymaster bench windows --raw-lake <that lake>`, which writes its own bronze first, untimed):
  the engine alone from bronze (the records silver reads, every window dropped: no Parquet, no Arrow), and
  the window stream drained in C++ (engine + the windows' silver and gold Arrow batches, one window a
  batch and 60, what windows() wraps, without Python);
- Python: every window of spymaster.windows("bronze", ...) as pyarrow batches in a Python loop (the
  same window stream, the Arrow C data interface export and import, the loop), one window a step and
  60 (batch_windows=60).
Prints input records per wall second and per CPU second of each, and the ratios Python / C++ (goal:
Python >= 90 % of the engine's own throughput)."""
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", type=pathlib.Path, default=REPO / "build" / "spymaster")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    build_python = args.bin.absolute().parent / "python"
    if (build_python / "spymaster").is_dir():
        sys.path.insert(0, str(build_python))
    import spymaster

    with tempfile.TemporaryDirectory(prefix="bench_windows_") as tmp:
        lake = pathlib.Path(tmp) / "lake"
        cli(args.bin, "simulate", "--lake", lake, "--dt", DT, "--scale", args.scale, "--product", "future_mbo")
        cli(args.bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt", DT,
            "--lake", lake)
        best: dict[str, tuple[float, float]] = {}  # what -> (wall, cpu)
        records = windows = 0

        def keep(what, wall, cpu):
            w, c = best.get(what, (float("inf"), float("inf")))
            best[what] = (min(w, wall), min(c, cpu))

        for _ in range(args.repeat):
            out = cli(args.bin, "bench", "windows", "--raw-lake", lake, "--repeat", "1")
            for m in CPP_LINE.finditer(out):
                keep(m["what"], float(m["wall"]), float(m["cpu"]))
                records, windows = int(m["records"]), int(m["windows"])

            for batch_windows in (1, 60):
                wall0, cpu0 = time.perf_counter(), time.process_time()
                it = spymaster.windows("bronze", "future_mbo", "ESH6", DT, lake=str(lake), batch_windows=batch_windows)
                rows = 0
                for window in it:
                    rows += sum(batch.num_rows for batch in window.values())
                keep(f"Python windows(), {batch_windows} window(s) a batch, as pyarrow", time.perf_counter() - wall0,
                     time.process_time() - cpu0)
                counters = it.counters()
                assert (counters["records"], counters["windows"]) == (records, windows), (counters, records, windows)
    print(f"records: {records}  windows: {windows}  rows in the batches: {rows}")
    for what, (wall, cpu) in best.items():
        print(f"{what:<55} wall {wall:6.2f} s = {records / wall / 1e6:5.2f} M records/s   "
              f"cpu {cpu:6.2f} s = {records / cpu / 1e6:5.2f} M records/s/core")
    for py, (py_wall, py_cpu) in best.items():
        if py.startswith("Python"):
            for what, (wall, cpu) in best.items():
                if not what.startswith("Python"):
                    print(f"{py} / {what}: {wall / py_wall:.1%} (wall), {cpu / py_cpu:.1%} (cpu)  (goal >= 90%)")


if __name__ == "__main__":
    main()
