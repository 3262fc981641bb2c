"""`spymaster serve` under load and faults, over loopback only (stream.md Part 1 § Backpressure, issue 13):

- 50 concurrent clients plus one that never reads, for a bounded time: every reader gets whole windows,
  the server's private memory stays within its per-client bound, and the server still serves afterwards;
- 1000 connect/drop cycles (handshake then abort, abort after one message, close handshake, TCP connect
  without a handshake): the server stays healthy and its file descriptors return to where they were;
- drop-to-latest: a paced client that stops reading gets `{"type":"dropped","windows":K}` before the next
  batch (never a partial window), and the windows received plus the ones reported dropped are all windows;
- disconnect with a reason: a client at speed=max that stops reading past the slow-client timeout (10 s) is
  sent `{"type":"error"}` naming it and closed with 1008; one that never reads again is cut off.

No assertion is about time: deadlines only bound how long a test waits for a state it asserts.
"""
import asyncio
import json
import os
import pathlib
import socket
import subprocess
import time

import pytest
import websockets

from cli import run
from serve_process import ServeProcess

DT = "2026-01-06"
WINDOWS = 180  # 09:30-09:33
SESSION = ["--session-start", "09:30", "--session-end", "09:33"]
HANDSHAKE = ("GET /v1/velocity/stream?speed=max HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


@pytest.fixture(scope="module")
def lake(spymaster_bin, tmp_path_factory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("load_lake")
    run([spymaster_bin, "simulate", "--lake", root, "--dt", DT, "--start", "09:30", "--end", "09:33",
         "--product", "future_mbo", "--threads", "1"])
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "bronze", "--symbol", "ES", "--dt", DT,
         "--lake", root])
    run([spymaster_bin, "select-contract", "--dates", DT, "--lake", root])
    run([spymaster_bin, "run", "--product-type", "future_mbo", "--layer", "all", "--symbol", "ES", "--dt", DT,
         "--lake", root, *SESSION])
    return root


class Server(ServeProcess):
    def __init__(self, spymaster_bin, lake):
        super().__init__(spymaster_bin, lake, SESSION, stderr=subprocess.DEVNULL)

    def status_kb(self, field):
        for line in pathlib.Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.proc.pid}/status")

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self):
        assert self.proc.poll() is None, "the server died"
        return super().stop()


@pytest.fixture(scope="module")
def server(spymaster_bin, lake):
    s = Server(spymaster_bin, lake)
    yield s
    assert s.stop() == 0


def small_buffer_socket(port):
    """A connected loopback socket whose receive buffer is small, so a client that stops reading pushes back
    on the server after a few windows instead of after megabytes of kernel buffer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


def check_whole_windows(messages):
    """Windows received (each batch_start followed by its complete surface group) and the windows reported
    dropped; asserts a `dropped` notice only ever comes right before a batch_start or the end."""
    windows, dropped, i = 0, 0, 0
    while i < len(messages):
        head = json.loads(messages[i])
        if head["type"] == "dropped":
            assert head["windows"] > 0
            assert json.loads(messages[i + 1])["type"] in ("batch_start", "end")
            dropped += head["windows"]
            i += 1
        elif head["type"] == "batch_start":
            for name in head["surfaces"]:
                assert json.loads(messages[i + 1]) == {"type": "surface_header", "surface": name}
                assert isinstance(messages[i + 2], bytes)
                i += 2
            windows += 1
            i += 1
        else:
            break
    return windows, dropped, messages[i:]


async def health(server):
    """One short stream end to end: the server still serves."""
    async with websockets.connect(server.url("speed=max&end=09:30:05"), max_size=None) as ws:
        messages = [m async for m in ws]
    windows, dropped, tail = check_whole_windows(messages)
    assert (windows, dropped) == (5, 0) and json.loads(tail[0]) == {"type": "end", "windows": 5}


def test_fifty_clients_and_one_that_never_reads(server):
    hold_s = 8.0
    before = server.status_kb("RssAnon")
    peak = [before]

    async def reader(k):
        # Alternate speeds: the paced ones keep time (and may drop), the max ones wait for the reader.
        speed = "max" if k % 2 else "60"
        windows = 0
        async with websockets.connect(server.url(f"speed={speed}"), max_size=None, close_timeout=2) as ws:
            deadline = time.monotonic() + hold_s
            while time.monotonic() < deadline:
                try:
                    m = await asyncio.wait_for(ws.recv(), timeout=max(0.01, deadline - time.monotonic()))
                except (asyncio.TimeoutError, websockets.ConnectionClosed):
                    break
                if isinstance(m, str) and '"batch_start"' in m:
                    windows += 1
        return windows

    async def sampler():
        while True:
            peak.append(server.status_kb("RssAnon"))
            await asyncio.sleep(0.25)

    async def go():
        never = small_buffer_socket(server.port)
        never.send(HANDSHAKE.encode())
        sampling = asyncio.create_task(sampler())
        counts = await asyncio.gather(*[reader(k) for k in range(50)])
        sampling.cancel()
        await health(server)
        never.close()
        return counts

    counts = asyncio.run(go())
    print(f"50 clients for {hold_s} s: windows per client min {min(counts)} max {max(counts)}; server RssAnon "
          f"{before} kB before, peak {max(peak)} kB")
    assert all(c > 0 for c in counts)
    # Each replay client holds the Parquet reader's current pages (about 11 MB for the 11 streamed columns) and
    # at most 4 queued windows (well under 1 MB each); the shared frame cache holds at most 64 MB.
    assert max(peak) - before < 51 * 16_000 + 65_536


def test_thousand_connect_drop_cycles(server):
    async def cycle(k):
        kind = k % 4
        if kind == 3:  # TCP only: connect and drop before any handshake
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.transport.abort()
            return
        ws = await websockets.connect(server.url("speed=max" if k % 2 else "speed=1"), max_size=None)
        if kind == 0:
            await ws.recv()
        if kind == 2:
            await ws.close()
        else:
            ws.transport.abort()  # drop without a close handshake

    async def go(cycles):
        for start in range(0, cycles, 20):
            await asyncio.gather(*[cycle(k) for k in range(start, start + 20)])

    asyncio.run(go(100))  # warm up: the thread pool, the frame cache and the lake mappings exist from here
    baseline = server.fds()
    asyncio.run(go(1000))
    # Sessions end asynchronously after a drop: wait (bounded) for the count to settle back.
    deadline = time.monotonic() + 30
    while server.fds() > baseline and time.monotonic() < deadline:
        time.sleep(0.2)
    after = server.fds()
    print(f"server fds: {baseline} after 100 warm-up cycles, {after} after 1000 more")
    assert after <= baseline
    asyncio.run(health(server))


def test_paced_client_that_falls_behind_gets_dropped_notices(server):
    async def go():
        sock = small_buffer_socket(server.port)
        async with websockets.connect(server.url("speed=10000"), sock=sock, max_size=None,
                                      max_queue=1) as ws:
            # Stop reading: 180 windows at speed=10000 are due within 18 ms, far faster than the socket drains.
            await asyncio.sleep(2.0)
            return [m async for m in ws], ws.close_code

    messages, code = asyncio.run(go())
    windows, dropped, tail = check_whole_windows(messages)
    print(f"paced client: {windows} windows received, {dropped} reported dropped")
    assert dropped > 0
    assert windows + dropped == WINDOWS
    assert json.loads(tail[0]) == {"type": "end", "windows": windows} and code == 1000


def test_client_full_past_the_timeout_is_closed_with_a_reason(server):
    async def go():
        sock = small_buffer_socket(server.port)
        ws = await websockets.connect(server.url("speed=max"), sock=sock, max_size=None, max_queue=1)
        await asyncio.sleep(11.0)  # past the 10 s slow-client timeout, before the forced close 5 s later
        messages = []
        try:
            async for m in ws:
                messages.append(m)
        except websockets.ConnectionClosed:
            pass
        return messages, ws.close_code

    async def never_reads_again():
        sock = small_buffer_socket(server.port)
        sock.setblocking(True)
        sock.sendall(HANDSHAKE.encode())
        sock.settimeout(0.5)
        try:  # take the handshake response and a little data, then stop reading for good
            sock.recv(4096)
        except socket.timeout:
            pass
        return sock

    async def both():
        silent = await never_reads_again()
        fds_with_silent = server.fds()
        result = await go()
        # The silent client was closed with 1008 at 10 s and cut off 5 s later: its server socket goes.
        deadline = time.monotonic() + 20
        while server.fds() >= fds_with_silent and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        gone = server.fds() < fds_with_silent
        silent.close()
        return result, gone

    (messages, code), silent_cut = asyncio.run(both())
    windows, dropped, tail = check_whole_windows(messages)
    assert windows < WINDOWS and dropped == 0  # speed=max waits for the client rather than dropping
    error = json.loads(tail[0])
    assert error["type"] == "error" and "client too slow" in error["message"]
    assert code == 1008
    assert silent_cut
    asyncio.run(health(server))
