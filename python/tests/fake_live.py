"""A fake Databento Live gateway (shared/spec/dbn.md §11) on 127.0.0.1 for `spymaster live` tests.

Per connection: greeting and CRAM challenge (split across two sends), checks the reply
hex(sha256(challenge|key))-<last 5 of key>, answers success=1|session_id=N or success=0|error=...,
reads subscription lines until start_session, then streams a plain DBN stream: the metadata of `dbn`
(bytes of an uncompressed DBN file) and its records whose index timestamp (ts_recv, §3.4) is >= the
subscription's start, whatever was subscribed.

With `tables` (uncompressed DBN files of one dataset, e.g. a day's futures MBO, options MBO and options
definitions) instead, a session gets what it subscribed, as the real gateway serves several subscriptions in
one session (Databento's Live docs: "multiple subscriptions for different schemas ... rich data streams
containing mixed record types"; dbn.md §11.3): a table is sent when a subscription line names its schema, its
stype_in and one of its symbols. One table for one subscription goes out as its file (metadata included);
several go out as one stream: metadata with schema and stype_in "mixed" (0xFFFF, 0xFF) and no symbols or
mappings, then a SymbolMappingMsg per instrument of each table's mappings (what the gateway sends after a
subscription), then the tables' records merged in index-timestamp order (ties: subscription order).
Switches:
  cut_after = [n, ...]   connection i is cut after n records, in the middle of record n + 1
  cut_at = [ts, ...]     connection i is cut in the middle of its first data record with index timestamp >= ts
  stall_after = [n, ...]  connection i sends n whole records, then nothing (no heartbeat either) while
                         keeping the socket open
  replay_floor           the earliest time it can replay from; an older start is served from there
                         (metadata start = the floor), which the client must count as a gap
  gate                   None, or a threading.Event every session waits for before its first record
  start_delay            seconds the first session waits after the gate before its first record (a gateway
                         that starts sending later than another one)
  speed                  None: each session sends its records at once; a number: paced by their ts_recv,
                         `speed` times faster than they were stamped (a live-like feed), from `pace_from`
                         (ns; records before it go at once, like the book-building hours before a session)
  dataset                None, or the one dataset this gateway serves (a real gateway host serves one): a
                         session asking for another fails authentication
Sessions (subscription lines and auth replies) are kept in `sessions` for assertions.
"""
import hashlib
import socket
import struct
import threading
import time


def split_dbn(data):
    """(metadata bytes, [record bytes]) of an uncompressed DBN stream."""
    assert data[:3] == b"DBN"
    meta_len = struct.unpack_from("<I", data, 4)[0]
    meta = data[: 8 + meta_len]
    records, pos = [], 8 + meta_len
    while pos < len(data):
        n = data[pos] * 4
        records.append(data[pos: pos + n])
        pos += n
    return meta, records


# Where ts_recv sits, by rtype (DBN v2/v3 layouts, as the C++ dbn::IndexTs reads it): MBO at 40; status,
# definition, imbalance and statistics right after the header (16); the MBP/BBO/CMBP family at 32.
_TS_RECV_OFFSET = {0xA0: 40, 0x12: 16, 0x13: 16, 0x14: 16, 0x18: 16,
                   0x00: 32, 0x01: 32, 0x0A: 32, 0xB1: 32, 0xC0: 32, 0xC1: 32, 0xC2: 32, 0xC3: 32, 0xC4: 32}


def index_ts(record):
    """The record's index timestamp: ts_recv where its schema has one, else ts_event."""
    return struct.unpack_from("<Q", record, _TS_RECV_OFFSET.get(record[1], 8))[0]


class Table:
    """One DBN file the gateway can serve: its schema, stype_in, symbols and mappings from its metadata."""

    def __init__(self, data):
        import databento_dbn
        assert data[3] >= 2, "v2/v3 metadata expected"
        self.meta, self.records = split_dbn(data)
        m = databento_dbn.Metadata.decode(data)
        self.schema, self.stype_in, self.symbols = str(m.schema), str(m.stype_in), list(m.symbols)
        self.mappings = [(raw, int(i["symbol"])) for raw, intervals in m.mappings.items() for i in intervals]

    def matches(self, sub):
        return (sub.get("schema") == self.schema and sub.get("stype_in") == self.stype_in
                and bool(set(sub.get("symbols", "").split(",")) & set(self.symbols)))


def mixed_metadata(meta):
    """`meta` (a v2/v3 file's prelude + metadata) as a live session of several subscriptions has it: schema and
    stype_in mixed, no symbols, partial, not_found or mappings."""
    fixed = bytearray(meta[:112])
    struct.pack_into("<H", fixed, 24, 0xFFFF)
    fixed[50] = 0xFF
    body = bytes(fixed[8:]) + struct.pack("<IIII", 0, 0, 0, 0)
    return meta[:4] + struct.pack("<I", len(body)) + body


def symbol_mapping(instrument_id, stype_in_symbol, raw_symbol, ts):
    """A v2/v3 SymbolMappingMsg (176 bytes, rtype 0x16): instrument_id → raw_symbol."""
    rec = bytearray(176)
    struct.pack_into("<BBHIQ", rec, 0, 176 // 4, 0x16, 0, instrument_id, ts)
    rec[16] = 255
    rec[17:17 + len(stype_in_symbol)] = stype_in_symbol.encode()
    rec[88] = 255
    rec[89:89 + len(raw_symbol)] = raw_symbol.encode()
    struct.pack_into("<QQ", rec, 160, ts, 2**64 - 1)
    return bytes(rec)


class FakeLiveGateway:
    def __init__(self, dbn_bytes, api_key, dataset=None, tables=None):
        self.tables = [Table(t) for t in tables] if tables else None
        self.meta, self.records = split_dbn(dbn_bytes) if dbn_bytes is not None else (None, None)
        self.api_key = api_key
        self.dataset = dataset
        self.cut_after = []
        self.cut_at = []
        self.replay_floor = None
        self.stall_after = []
        self.speed = None
        self.pace_from = 0
        self.gate = None
        self.start_delay = 0
        self.sessions = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.sock.close()

    def _serve(self):
        n = 0
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn, n), daemon=True).start()
            n += 1

    def _session(self, conn, index):
        session = {"index": index, "lines": []}
        self.sessions.append(session)
        try:
            with conn:
                f = conn.makefile("rb")
                challenge = f"challenge-{index}"
                conn.sendall(b"lsg_version=0.0.test\n")
                conn.sendall(f"cram={challenge}\n".encode())
                auth = f.readline().decode().strip()
                session["auth"] = auth
                fields = dict(kv.split("=", 1) for kv in auth.split("|"))
                key = self.api_key
                want = hashlib.sha256(f"{challenge}|{key}".encode()).hexdigest() + "-" + key[-5:]
                if fields.get("auth") != want:
                    conn.sendall(b"success=0|error=Authentication failed.\n")
                    return
                if self.dataset is not None and fields.get("dataset") != self.dataset:
                    conn.sendall(f"success=0|error=This gateway serves {self.dataset} only.\n".encode())
                    return
                conn.sendall(f"success=1|session_id={1000 + index}\n".encode())
                start = None
                subs = []
                while True:
                    line = f.readline().decode().strip()
                    if not line or line == "start_session":
                        break
                    session["lines"].append(line)
                    sub = dict(kv.split("=", 1) for kv in line.split("|"))
                    subs.append(sub)
                    if "start" in sub:
                        start = int(sub["start"])
                meta, all_records = self._subscribed(session, subs, start)
                meta = bytearray(meta)
                begin = start if start is not None else 0
                if self.replay_floor is not None and start is not None and start < self.replay_floor:
                    begin = self.replay_floor
                    struct.pack_into("<Q", meta, 26, begin)
                conn.sendall(bytes(meta))
                if self.gate is not None:
                    self.gate.wait()
                if index == 0 and self.start_delay:
                    time.sleep(self.start_delay)
                records = [r for r in all_records if r[1] == 0x16 or index_ts(r) >= begin]
                cut = self.cut_after[index] if index < len(self.cut_after) else None
                if index < len(self.cut_at):
                    cut = next(i for i, r in enumerate(records) if r[1] != 0x16 and index_ts(r) >= self.cut_at[index])
                if cut is not None:
                    self._send(conn, records[:cut])
                    conn.sendall(records[cut][: len(records[cut]) // 2])
                    return
                stall = self.stall_after[index] if index < len(self.stall_after) else None
                if stall is not None:
                    self._send(conn, records[:stall])
                    f.read()  # silent until the client gives up on us and closes
                    return
                self._send(conn, records)
                # then the gateway stays silent: the client stops at --max-records
                f.read()
        except (ConnectionError, OSError):
            pass

    def _subscribed(self, session, subs, start):
        """(metadata, records) a session with these subscription lines gets."""
        if self.tables is None:
            return self.meta, self.records
        matched = [t for sub in subs for t in self.tables if t.matches(sub)]
        matched = [t for i, t in enumerate(matched) if t not in matched[:i]]
        session["tables"] = [(t.schema, t.symbols) for t in matched]
        if len(matched) == 1 and len(subs) == 1:
            return matched[0].meta, matched[0].records
        ts = start or 0
        mappings = [symbol_mapping(iid, t.symbols[0], raw, ts) for t in matched for raw, iid in t.mappings]
        merged = sorted(((index_ts(r), k, n, r) for k, t in enumerate(matched) for n, r in enumerate(t.records)),
                        key=lambda x: x[:3])
        return mixed_metadata(matched[0].meta), mappings + [x[3] for x in merged]

    def _send(self, conn, records):
        if not self.speed or not records:
            conn.sendall(b"".join(records))
            return
        t0, ts0, batch = None, None, []
        for r in records:
            if index_ts(r) < self.pace_from:
                batch.append(r)
                continue
            if t0 is None:
                t0, ts0 = time.monotonic(), index_ts(r)
            delay = t0 + (index_ts(r) - ts0) / 1e9 / self.speed - time.monotonic()
            if delay > 0.001:
                conn.sendall(b"".join(batch))
                batch = []
                time.sleep(delay)
            batch.append(r)
        conn.sendall(b"".join(batch))
