"""A fake Databento historical API (batch jobs) on 127.0.0.1 for the downloader's tests.

It speaks the protocol of shared/spec/dbn.md §10 as the real one does: HTTP Basic auth with the key as the
user name, form-encoded POSTs, JSON answers and errors ({"detail": ...}), job objects, list_files entries
shaped like shared/fixtures/databento-batch/*.manifest.json, Range downloads (206). Jobs are served from a
simulated raw lake (`spymaster simulate`), chosen by (dataset, schema, date).

Faults are switches on the instance, set by a test before or during a run:
  fail_next[method] = [500, 429, ...]   statuses answered (in order) before the real answer
  lifecycle                             server states a job walks through, one step per list_jobs call
  job_fate(job) -> list or None         a per-job lifecycle (e.g. ["queued", "expired"])
  truncate[filename] = n                the next n downloads stop after half of the bytes
  corrupt[filename] = n                 the next n downloads have one byte flipped
  slow_bytes_per_chunk, slow_delay      drip-feed downloads
  ignore_range                          answer a Range request with the whole file (200)
  lose_submit_answers = n               the next n submits create the job but answer 500 (answer lost)
Everything the client sent is in `requests` (method, path, params, headers) for assertions.
"""
import base64
import hashlib
import http.server
import itertools
import json
import pathlib
import threading
import time
import urllib.parse

ACCOUNT = "ACCOUNT1"


class Catalog:
    """(dataset, schema, date) -> the simulated job folder holding the data file and side files."""

    TABLES = {
        ("GLBX.MDP3", "mbo", "future"): ("future_mbo", "mbo"),
        ("GLBX.MDP3", "mbo", "option"): ("future_option_mbo", "mbo"),
        ("GLBX.MDP3", "definition", "option"): ("future_option_mbo", "definition"),
        ("GLBX.MDP3", "statistics", "option"): ("future_option_mbo", "statistics"),
        ("XNAS.ITCH", "mbo", "equity"): ("equity_mbo", "mbo"),
        ("OPRA.PILLAR", "definition", "option"): ("equity_option_mbo", "definition"),
        ("OPRA.PILLAR", "cmbp-1", "option"): ("equity_option_mbo", "cmbp-1"),
        ("OPRA.PILLAR", "statistics", "option"): ("equity_option_mbo", "statistics"),
    }

    def __init__(self, sim_lake):
        self.root = pathlib.Path(sim_lake) / "raw" / "source=databento"

    def files(self, dataset, schema, symbols, date):
        """[(filename, bytes)] for a job, or None when there is no such data (an unknown symbol)."""
        kind = "option" if any(s.endswith(".OPT") for s in symbols) else (
            "future" if any(s.endswith(".FUT") for s in symbols) else "equity")
        table = self.TABLES.get((dataset, schema, kind))
        if table is None:
            return None
        product, schema_dir = table
        if product.startswith("future"):
            root = "ES"
        else:
            root = symbols[0].split(".")[0]
        ymd = date.replace("-", "")
        base = self.root / f"product_type={product}" / f"symbol={root}" / f"table={schema_dir}"
        if not base.is_dir():
            return None
        for job_dir in sorted(base.iterdir()):
            data = [p for p in job_dir.iterdir() if ymd in p.name and ".dbn" in p.name]
            if data:
                side = [job_dir / n for n in ("condition.json", "metadata.json", "symbology.json")
                        if (job_dir / n).exists()]
                return [(p.name, p.read_bytes()) for p in side + data]
        return None


class FakeDatabento:
    def __init__(self, catalog, api_key):
        self.catalog = catalog
        self.api_key = api_key
        self.lock = threading.Lock()
        self.jobs = {}  # id -> job object (dict) plus private fields
        self.requests = []
        self.fail_next = {}
        self.lifecycle = ["queued", "processing", "done"]
        self.job_fate = lambda job: None
        self.truncate = {}
        self.corrupt = {}
        self.slow_bytes_per_chunk = 0
        self.slow_delay = 0.0
        self.ignore_range = False
        self.lose_submit_answers = 0
        self.cost_per_job = 1.25
        self._ids = itertools.count(1)
        handler = self._make_handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -- protocol ---------------------------------------------------------------------------------
    def submitted(self):
        return [r for r in self.requests if r["path"] == "/v0/batch.submit_job"]

    def _new_job(self, params):
        dataset, schema = params.get("dataset", ""), params.get("schema", "")
        symbols = [s for s in params.get("symbols", "").split(",") if s]
        start = params.get("start", "")
        files = self.catalog.files(dataset, schema, symbols, start[:10])
        if not dataset or not schema or not symbols or not start:
            return 400, {"detail": "missing parameter: dataset, symbols, schema and start are required"}
        if files is None:
            return 422, {"detail": f"symbols {symbols} did not resolve for {dataset} {schema} on {start}"}
        day = start[:10].replace("-", "")
        job_id = f"{dataset.split('.')[0]}-{day}-{next(self._ids):010d}"
        job = {
            "id": job_id, "user_id": ACCOUNT, "cost_usd": self.cost_per_job, "dataset": dataset,
            "symbols": ",".join(symbols), "stype_in": params.get("stype_in"), "stype_out": params.get("stype_out"),
            "schema": schema, "start": f"{start[:10]}T00:00:00.000000000Z",
            "end": f"{params.get('end', '')[:10]}T00:00:00.000000000Z", "limit": None,
            "encoding": params.get("encoding"), "compression": params.get("compression"), "pretty_px": False,
            "pretty_ts": False, "map_symbols": False, "split_duration": params.get("split_duration"),
            "split_size": None, "split_symbols": False, "delivery": params.get("delivery"),
            "record_count": None, "billed_size": None, "actual_size": None, "package_size": None,
            "state": "received", "ts_received": "2026-01-21T00:00:00Z", "ts_queued": None,
            "ts_process_start": None, "ts_process_done": None, "ts_expiration": None, "progress": None,
            "an_unknown_future_key": {"tolerate": True},
        }
        fate = self.job_fate(job) or self.lifecycle
        self.jobs[job_id] = {"object": job, "files": dict(files), "fate": list(fate), "step": -1}
        return 200, job

    def _list_jobs(self):
        out = []
        for entry in self.jobs.values():
            entry["step"] = min(entry["step"] + 1, len(entry["fate"]) - 1)
            state = entry["fate"][entry["step"]]
            entry["object"]["state"] = state
            if state != "vanished":
                out.append(dict(entry["object"]))
        return 200, out

    def _list_files(self, params, host):
        entry = self.jobs.get(params.get("job_id", ""))
        if entry is None:
            return 404, {"detail": f"job {params.get('job_id')} not found"}
        job_id = entry["object"]["id"]
        out = []
        for name, data in entry["files"].items():
            url = f"http://{host}/v0/batch/download/{ACCOUNT}/{job_id}/{name}"
            out.append({"filename": name, "size": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                        "urls": {"https": url, "ftp": f"ftp://ftp.example.invalid/{ACCOUNT}/{job_id}/{name}"}})
        return 200, out

    def _make_handler(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send_json(self, status, obj, extra=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _authorized(self):
                want = "Basic " + base64.b64encode(f"{fake.api_key}:".encode()).decode()
                return self.headers.get("Authorization") == want

            def _handle(self, method):
                parsed = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(parsed.query))
                if method == "POST":
                    n = int(self.headers.get("Content-Length", "0"))
                    params.update(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
                with fake.lock:
                    fake.requests.append({"method": method, "path": parsed.path, "params": params,
                                          "headers": dict(self.headers)})
                    if not self._authorized():
                        return self._send_json(401, {"detail": "Authentication failed."})
                    name = parsed.path.rsplit("/", 1)[-1] if parsed.path.startswith("/v0/batch/download/") \
                        else parsed.path[len("/v0/"):]
                    queue = fake.fail_next.get(name)
                    if queue:
                        status = queue.pop(0)
                        extra = {"Retry-After": "0"} if status == 429 else None
                        return self._send_json(status, {"detail": f"injected {status}"}, extra)
                    if parsed.path == "/v0/batch.submit_job" and method == "POST":
                        status, body = fake._new_job(params)
                        if status == 200 and fake.lose_submit_answers > 0:
                            fake.lose_submit_answers -= 1
                            return self._send_json(500, {"detail": "internal error after the job was created"})
                        return self._send_json(status, body)
                    if parsed.path == "/v0/batch.list_jobs":
                        status, body = fake._list_jobs()
                        return self._send_json(status, body, {"X-Warning": json.dumps(["fake server warning"])})
                    if parsed.path == "/v0/batch.list_files":
                        return self._send_json(*fake._list_files(params, self.headers.get("Host")))
                    if parsed.path == "/v0/metadata.get_cost" and method == "POST":
                        files = fake.catalog.files(params.get("dataset"), params.get("schema"),
                                                   params.get("symbols", "").split(","), params.get("start", "")[:10])
                        if files is None:
                            return self._send_json(422, {"detail": "symbols did not resolve"})
                        return self._send_json(200, fake.cost_per_job)
                    if parsed.path.startswith("/v0/batch/download/"):
                        parts = parsed.path.split("/")
                        entry = fake.jobs.get(parts[-2])
                        if entry is None or parts[-1] not in entry["files"]:
                            return self._send_json(404, {"detail": "no such file"})
                        data = entry["files"][parts[-1]]
                        fname = parts[-1]
                        truncate = fake.truncate.get(fname, 0) > 0
                        if truncate:
                            fake.truncate[fname] -= 1
                        if not truncate and fake.corrupt.get(fname, 0) > 0:
                            fake.corrupt[fname] -= 1
                            data = bytearray(data)
                            data[len(data) // 2] ^= 0xFF
                            data = bytes(data)
                    else:
                        return self._send_json(404, {"detail": f"unknown endpoint {parsed.path}"})
                self._send_file(data, truncate)

            def _send_file(self, data, truncate):
                start = 0
                rng = self.headers.get("Range")
                if rng and not fake.ignore_range:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(data):
                        return self._send_json(416, {"detail": "range not satisfiable"})
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                if truncate:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if fake.slow_bytes_per_chunk:
                    for i in range(0, len(body), fake.slow_bytes_per_chunk):
                        self.wfile.write(body[i:i + fake.slow_bytes_per_chunk])
                        self.wfile.flush()
                        time.sleep(fake.slow_delay)
                else:
                    self.wfile.write(body)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        return Handler
