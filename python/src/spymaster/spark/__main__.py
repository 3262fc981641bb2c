"""python -m spymaster.spark --lake URI --product-types ... --symbols ... --start-date A --end-date B
[--layers all] [--overwrite] [--master local[N]]: the lake's (product, symbol, day) partitions on Spark.

Exit 0 when every task ended ok or skipped, 1 when one failed (or was blocked by one that did, or the
raw lake has no day to run), 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import urllib.parse

from spymaster.spark import summary
from spymaster.spark.job import JobOptions, run_job
from spymaster.spark.plan import LAYERS
from spymaster.spark.raw_listing import PRODUCT_TYPES


def _list(values: list[str]) -> list[str]:
    """Space- or comma-separated values, in the order given, without repeats."""
    out: list[str] = []
    for v in values:
        out.extend(x for x in v.split(",") if x and x not in out)
    return out


def _date(flag: str):
    def parse(value: str) -> str:
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag}: '{value}' is not a date YYYY-MM-DD") from None
    return parse


def _lake_path(parser: argparse.ArgumentParser, uri: str) -> str:
    """A plain path or a file:// URI; the engine writes through the file system (POSIX renames make
    its commits atomic), so an object store is reached through a mount, not by its URI."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme in ("", "file"):
        path = urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else uri
        return os.path.abspath(path)
    parser.error(f"--lake: '{uri}': the scheme {parsed.scheme}:// is not supported; the engine needs a file "
                 "system path that every executor sees (a shared file system, or the bucket mounted "
                 "there; docs/scale.md)")
    raise AssertionError("unreachable")


def parse_args(argv: list[str]) -> tuple[JobOptions, str]:
    parser = argparse.ArgumentParser(prog="python -m spymaster.spark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lake", required=True, help="lake root: a path or file:// URI every executor sees")
    parser.add_argument("--product-types", nargs="+", default=list(PRODUCT_TYPES),
                        help=f"product types (space or comma separated; default all: {','.join(PRODUCT_TYPES)})")
    parser.add_argument("--symbols", nargs="+", help="raw root symbols (ES, SPY, QQQ); default every one found")
    parser.add_argument("--start-date", required=True, type=_date("--start-date"), help="first date, inclusive")
    parser.add_argument("--end-date", required=True, type=_date("--end-date"), help="last date, inclusive")
    parser.add_argument("--layers", nargs="+", default=["all"], help="all, or some of bronze,silver,gold")
    parser.add_argument("--overwrite", action="store_true", help="recompute complete silver/gold partitions")
    parser.add_argument("--session-start", default="09:30", help="session start, America/New_York HH:MM")
    parser.add_argument("--session-end", default="10:30", help="session end, America/New_York HH:MM")
    parser.add_argument("--source", choices=("bronze", "raw"), default="bronze",
                        help="where silver reads its records (as `spymaster run --source`)")
    parser.add_argument("--master", default="local[*]",
                        help="Spark master URL (default local[*]: this machine's cores)")
    args = parser.parse_args(argv)
    product_types = _list(args.product_types)
    for pt in product_types:
        if pt not in PRODUCT_TYPES:
            parser.error(f"--product-types: unknown product type '{pt}' (one of {', '.join(PRODUCT_TYPES)})")
    layers = _list(args.layers)
    if layers == ["all"]:
        layers = list(LAYERS)
    for layer in layers:
        if layer not in LAYERS:
            parser.error(f"--layers: unknown layer '{layer}' (all, or some of {', '.join(LAYERS)})")
    if args.overwrite and layers == ["bronze"]:
        parser.error("--overwrite recomputes silver and gold; bronze and raw are never deleted")
    if args.start_date > args.end_date:
        parser.error(f"--start-date {args.start_date} is after --end-date {args.end_date}")
    for flag, value in (("--session-start", args.session_start), ("--session-end", args.session_end)):
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            parser.error(f"{flag}: '{value}' is not a time HH:MM")
    if args.session_start >= args.session_end:
        parser.error(f"--session-start {args.session_start} is not before --session-end {args.session_end}")
    symbols = _list(args.symbols) if args.symbols else None
    for s in symbols or []:
        if "/" in s or s.startswith("."):
            parser.error(f"--symbols: invalid symbol '{s}'")
    options = JobOptions(lake=_lake_path(parser, args.lake), product_types=product_types, symbols=symbols,
                         start_date=args.start_date, end_date=args.end_date, layers=set(layers),
                         overwrite=args.overwrite, session_start=args.session_start, session_end=args.session_end,
                         source=args.source)
    return options, args.master


def spark_context(master: str):
    """The job needs only RDDs, so a SparkContext (no SQL session). Executors run the tasks in Python
    workers; their cores are the cluster's (spark.executor.cores) or local[N]'s N."""
    from pyspark import SparkConf, SparkContext

    conf = SparkConf().setMaster(master).setAppName("spymaster").set("spark.ui.showConsoleProgress", "false")
    if master.startswith("local"):
        # Executors are this interpreter's children: the same Python, with the same spymaster package;
        # no UI port, and loopback only.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        conf = (conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"))
    sc = SparkContext.getOrCreate(conf)
    sc.setLogLevel("ERROR")
    return sc


def main(argv: list[str] | None = None) -> int:
    options, master = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isdir(os.path.join(options.lake, "raw")):
        print(f"error: --lake: no raw lake at {os.path.join(options.lake, 'raw')}", file=sys.stderr)
        return 1
    sc = spark_context(master)
    try:
        result = run_job(sc, options)
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        sc.stop()
    sys.stdout.write(summary.format_table(result.outcomes, result.wall_seconds, result.warm_up_seconds))
    print(f"summary: {result.summary_path}")
    if result.failed:
        print(f"error: {result.failed} task(s) failed or blocked", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
