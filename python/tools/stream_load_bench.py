"""Many stream clients against one `spymaster serve` process, the server's own CPU and memory read from /proc
(the clients run in a separate process: `spymaster bench serve --port`). Loopback only.

Usage: .venv/bin/python python/tools/stream_load_bench.py --lake LAKE [--clients 200] [--speed 60]
           [--threads 2] [--client-threads 1] [--bin build/spymaster] [--server-bin OTHER]
The stream lasts as long as the lake's session at the given speed (a 20-minute session at speed=60: 20 s).
"""
import argparse
import os
import pathlib
import signal
import subprocess
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def proc_kb(pid, field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lake", required=True)
    ap.add_argument("--bin", default=str(REPO / "build" / "spymaster"))
    ap.add_argument("--server-bin", help="the server's binary when another one's (default --bin)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--speed", default="60")
    ap.add_argument("--symbol", default="ESH6")
    ap.add_argument("--dt", default="2026-01-06")
    ap.add_argument("--threads", type=int, default=2, help="server I/O threads")
    ap.add_argument("--client-threads", type=int, default=1, help="threads of the client process (one io_context)")
    a = ap.parse_args()

    server = subprocess.Popen([a.server_bin or a.bin, "serve", "--lake", a.lake, "--port", "0", "--threads", str(a.threads)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if not line.startswith("serving http://127.0.0.1:"):
        raise SystemExit(f"server did not start: {line!r}")
    port = line.split()[1].rsplit(":", 1)[1]
    rss_before = proc_kb(server.pid, "VmRSS")
    anon_before = proc_kb(server.pid, "RssAnon")
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            samples.append((proc_kb(server.pid, "VmRSS"), proc_kb(server.pid, "RssAnon")))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample)
    cpu0, wall0 = proc_cpu_s(server.pid), time.monotonic()
    sampler.start()
    clients = subprocess.run([a.bin, "bench", "serve", "--port", port, "--clients", str(a.clients), "--speed", a.speed,
                              "--symbol", a.symbol, "--dt", a.dt,
                              "--client-threads", str(a.client_threads)], capture_output=True, text=True)
    done.set()
    sampler.join()
    cpu, wall = proc_cpu_s(server.pid) - cpu0, time.monotonic() - wall0
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=60)
    if clients.returncode != 0:
        raise SystemExit(f"clients failed ({clients.returncode}): {clients.stderr}")
    print(clients.stdout.strip())
    print(f"server process: cpu {cpu:.2f} s over {wall:.2f} s wall = {cpu / wall:.2f} cores; "
          f"VmRSS {rss_before // 1024} MB before, peak {max(s[0] for s in samples) // 1024} MB; "
          f"RssAnon {anon_before // 1024} MB before, peak {max(s[1] for s in samples) // 1024} MB; exit {code}")


if __name__ == "__main__":
    main()
