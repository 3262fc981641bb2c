"""Close-to-socket latency of the stream server's engine-driven windows, over loopback.

The server measures each window from the moment its engine closed it (the record, or the live timer, that
closed it) to the moment the window's last message was written to the client's socket, and reports
percentiles on GET /v1/stats (close_to_socket_latency_ns). This tool drives it two ways:

  compute  one client, source=compute at each of --compute-speeds (max: as fast as the client reads; a number:
           paced, each window closed by the engine when it is due), over a simulated lake built here (bronze)
  live     `serve --live-feed ESH6` fed by the fake Live gateway (python/tests/fake_live.py) replaying the simulated
           raw file paced by its ts_recv at --speed times real time, one client reading source=live

Usage: python/tools/stream_latency.py [--minutes 10] [--speed 10] [--compute-speeds max,10] [--bin build/spymaster]
                                     [--mode compute|live|both]
Prints one line per run: windows, p50, p99, max (µs), windows over 1 ms, and the load average while it ran.
"""
import argparse
import asyncio
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import urllib.request

import websockets

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python" / "tests"))
from fake_live import FakeLiveGateway  # noqa: E402

DT = "2026-01-06"
KEY = "db-LATENCYBENCHabcdefghijk12345"


def run(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed:\n{proc.stderr}")


def start_server(args, extra, env=None):
    proc = subprocess.Popen([str(args.bin), "serve", *extra, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    if not line.startswith("serving http://"):
        sys.exit(f"serve did not start: {line}")
    return proc, int(line.split()[1].rsplit(":", 1)[1])


async def read_stream(url):
    n = 0
    async with websockets.connect(url, max_size=None) as ws:
        try:
            async for m in ws:
                n += isinstance(m, str) and '"batch_start"' in m
        except websockets.ConnectionClosed:
            pass
    return n


def report(mode, port, windows):
    stats = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/stats"))
    lat = stats["close_to_socket_latency_ns"]
    normals = stats["forecast_normals_ahead"]
    print(f"{mode}: {windows} windows, {lat['count']} samples; close-to-socket p50 {lat['p50'] / 1e3:.0f} us, "
          f"p99 {lat['p99'] / 1e3:.0f} us, max {lat['max'] / 1e3:.0f} us, {lat['over_1ms']} over 1 ms; normals ahead {normals['hits']}, "
          f"at the close {normals['misses']}; load average {os.getloadavg()[0]:.1f}", flush=True)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO / "build" / "spymaster"))
    ap.add_argument("--minutes", type=int, default=10)
    ap.add_argument("--speed", type=float, default=10.0, help="live: gateway pace, times real time")
    ap.add_argument("--compute-speeds", default="max,10", help="compute: comma-separated stream speeds")
    ap.add_argument("--mode", choices=["compute", "live", "both"], default="both")
    args = ap.parse_args()
    end = f"09:{30 + args.minutes:02d}"
    session = ["--session-start", "09:30", "--session-end", end]
    with tempfile.TemporaryDirectory() as tmp:
        lake = pathlib.Path(tmp)
        run([args.bin, "simulate", "--lake", lake, "--dt", DT, "--start", "09:30", "--end", end,
             "--product", "future_mbo"])
        run([args.bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt", DT,
             "--lake", lake])
        for speed in args.compute_speeds.split(",") if args.mode in ("compute", "both") else []:
            proc, port = start_server(args, ["--lake", lake, *session])
            try:
                n = asyncio.run(read_stream(f"ws://127.0.0.1:{port}/v1/velocity/stream?symbol=ESH6&dt={DT}"
                                            f"&source=compute&speed={speed}"))
                report(f"compute (speed={speed}, 1 client)", port, n)
            finally:
                stop(proc)
        if args.mode in ("live", "both"):
            raw = next(lake.rglob("*.mbo.dbn.zst"))
            dbn = subprocess.run(["zstd", "-dc", raw], capture_output=True, check=True).stdout
            with FakeLiveGateway(dbn, KEY) as gw:
                gw.speed = args.speed
                gw.pace_from = 1767709800 * 1_000_000_000  # the session's start: the hours before go at once
                env = dict(os.environ, DATABENTO_API_KEY=KEY)
                proc, port = start_server(args, ["--lake", lake, *session, "--live-feed", "ESH6",
                                                 "--live-dt", DT, "--gateway", f"127.0.0.1:{gw.port}"], env)
                try:
                    n = asyncio.run(read_stream(f"ws://127.0.0.1:{port}/v1/velocity/stream?symbol=ESH6&dt={DT}"
                                                "&source=live"))
                    report(f"live (gateway at {args.speed:g}x, 1 client)", port, n)
                finally:
                    stop(proc)


if __name__ == "__main__":
    main()
