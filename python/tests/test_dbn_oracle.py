"""`spymaster dbn to-json` against Databento's official decoders.

Oracles, both from Databento's Rust `dbn` crate 0.72:
* the official `dbn` CLI (crate dbn-cli), when scripts/setup could build it (it needs Rust >= 1.88);
* the `databento-dbn` Python package (pinned in python/requirements.txt), always: its Transcoder writes
  the record JSON with the same encoder the CLI uses, and its decoder gives the metadata and record bytes.

`official_json` answers "what does `dbn FILE --json FLAGS` print" from the CLI when it is there and from
the Transcoder otherwise; when both are there it asserts that they agree, byte for byte, so the Transcoder
path is checked wherever the CLI exists. Two things the Transcoder lacks are rebuilt here (docs/dbn.md):
the CLI's --pretty also indents (4 spaces, the crate's PrettyJsonWriter) where the Transcoder's pretty_px
and pretty_ts change only values, so its lines are re-indented with json.dumps(indent=4); and --metadata
JSON is built from the official decoder's Metadata in the crate's field order and formats
(dbn/src/encode/json/serialize.rs). DBN_CLI=path picks the CLI, DBN_CLI= hides it.
"""
import datetime
import io
import itertools
import json
import os
import pathlib
import random
import shutil
import struct
import subprocess
import time

import databento_dbn as dd
import pytest

DBN_CLI_VERSION = "dbn 0.72.0"


def find_dbn_cli():
    """The official CLI of the pinned version, or None."""
    if "DBN_CLI" in os.environ:
        candidates = [os.environ["DBN_CLI"]]
    else:
        cargo_home = pathlib.Path(os.environ.get("CARGO_HOME", pathlib.Path.home() / ".cargo"))
        candidates = [str(cargo_home / "bin" / "dbn"), shutil.which("dbn")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout.strip()
            if version == DBN_CLI_VERSION:
                return candidate
    return None


DBN_CLI = find_dbn_cli()

RECORD_FLAG_SETS = [
    [],
    ["--pretty"],
    ["--upgrade"],
    ["--map-symbols"],
    ["--limit", "1"],
    ["--upgrade", "--pretty", "--map-symbols"],
    ["--pretty", "--limit", "1"],
]
METADATA_FLAG_SETS = [["--metadata"], ["--metadata", "--pretty"], ["--metadata", "--upgrade"], ["--metadata", "--limit", "1"]]


def fixture_files(dbn_fixtures):
    return sorted(p for p in dbn_fixtures.iterdir() if p.name.startswith("test_data."))


def is_fragment(path: pathlib.Path) -> bool:
    return ".frag" in path.name


def fragment_flag(path: pathlib.Path) -> str:
    return "--input-zstd-fragment" if path.name.endswith(".zst") else "--input-fragment"


def fragment_version(path: pathlib.Path) -> int:
    for v in (1, 2, 3):
        if f".v{v}." in path.name:
            return v
    return 2  # files without a .vN. infix are version 2 (SOURCE.md)


def run(cmd, check=True):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc


def flag_sets_for(path: pathlib.Path):
    if not is_fragment(path):
        return RECORD_FLAG_SETS + METADATA_FLAG_SETS
    frag = [fragment_flag(path)]
    versions = [[]] + [["--input-dbn-version", str(fragment_version(path))]]
    extra = [[], ["--upgrade"], ["--pretty"], ["--limit", "1"]]
    return [frag + v + e for v, e in itertools.product(versions, extra)]


def parse_flags(flags):
    """The `dbn --json` flags the tests use, as a dict."""
    opts = {"pretty": False, "upgrade": False, "map_symbols": False, "metadata": False, "limit": None,
            "fragment": False, "input_version": None}
    names = {"-p": "pretty", "--pretty": "pretty", "-u": "upgrade", "--upgrade": "upgrade", "-s": "map_symbols",
             "--map-symbols": "map_symbols", "-m": "metadata", "--metadata": "metadata",
             "--input-fragment": "fragment", "--input-zstd-fragment": "fragment"}
    it = iter(flags)
    for flag in it:
        if flag in names:
            opts[names[flag]] = True
        elif flag in ("-l", "--limit"):
            opts["limit"] = int(next(it))
        elif flag == "--input-dbn-version":
            opts["input_version"] = int(next(it))
        else:
            raise ValueError(f"no oracle for flag {flag}")
    return opts


def reindent(compact: bytes) -> bytes:
    """The CLI's --pretty layout of compact JSON lines: 4-space indentation, "key": value, empty [] and {}.

    Works on the bytes (strings are copied as they are): the crate writes c_char fields holding arbitrary
    bytes as strings that are neither always UTF-8 nor always valid JSON escapes, so no JSON parser may
    touch them."""
    out = bytearray()
    depth = 0
    i, n = 0, len(compact)
    while i < n:
        c = compact[i:i + 1]
        if c == b'"':  # a string, up to the unescaped closing quote
            j = i + 1
            while compact[j:j + 1] != b'"':
                j += 2 if compact[j:j + 1] == b"\\" else 1
            out += compact[i:j + 1]
            i = j + 1
            continue
        if c in (b"{", b"["):
            closer = b"}" if c == b"{" else b"]"
            if compact[i + 1:i + 2] == closer:
                out += c + closer
                i += 2
                continue
            depth += 1
            out += c + b"\n" + b"    " * depth
        elif c in (b"}", b"]"):
            depth -= 1
            out += b"\n" + b"    " * depth + c
        elif c == b",":
            out += b",\n" + b"    " * depth
        elif c == b":":
            out += b": "
        else:
            out += c
        i += 1
    return bytes(out)


def iso_ts(ns: int) -> str:
    seconds, nanos = divmod(ns, 10**9)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def metadata_json(metadata, opts) -> bytes:
    """`dbn --json --metadata` from the official decoder's Metadata, fields and formats as the crate writes them."""
    pretty = opts["pretty"]
    ts = (lambda v: iso_ts(v)) if pretty else (lambda v: str(v))
    date = (lambda d: d.isoformat()) if pretty else (lambda d: int(d.strftime("%Y%m%d")))
    limit = metadata.limit or None
    if opts["limit"] is not None:  # dbn-cli's LimitFilter: the smaller of the file's limit and --limit
        limit = min(limit, opts["limit"]) if limit else opts["limit"]
    obj = {
        "version": metadata.version,
        "dataset": metadata.dataset,
        "schema": None if metadata.schema is None else str(metadata.schema),
        "start": ts(metadata.start),
        "end": None if metadata.end is None else ts(metadata.end),
        "limit": None if limit is None else str(limit),
        "stype_in": None if metadata.stype_in is None else str(metadata.stype_in),
        "stype_out": str(metadata.stype_out),
        "ts_out": metadata.ts_out,
        "symbol_cstr_len": metadata.symbol_cstr_len,
        "symbols": list(metadata.symbols),
        "partial": list(metadata.partial),
        "not_found": list(metadata.not_found),
        "mappings": [{"raw_symbol": raw, "intervals": [
            {"start_date": date(i["start_date"]), "end_date": date(i["end_date"]), "symbol": i["symbol"]}
            for i in intervals]} for raw, intervals in metadata.mappings.items()],
    }
    if pretty:
        return json.dumps(obj, indent=4, ensure_ascii=False).encode() + b"\n"
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def plain_bytes(data: bytes) -> bytes:
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    return data


def upgrade_policy(opts):
    return dd.VersionUpgradePolicy.UPGRADE_TO_V3 if opts["upgrade"] else dd.VersionUpgradePolicy.AS_IS


def transcoder_json(data: bytes, flags):
    """What databento-dbn prints for `dbn --json FLAGS` on `data` (a file's bytes), or None if it rejects it."""
    opts = parse_flags(flags)
    data = plain_bytes(data)
    try:
        if opts["metadata"]:
            decoder = dd.DBNDecoder(upgrade_policy=upgrade_policy(opts))
            decoder.write(data[:8 + struct.unpack("<I", data[4:8])[0]])
            return metadata_json(decoder.decode()[0], opts)
        kwargs = {}
        if opts["fragment"]:  # the CLI's default for a fragment is the current version
            kwargs = {"has_metadata": False, "input_version": opts["input_version"] or 3}
        out = io.BytesIO()
        transcoder = dd.Transcoder(out, dd.Encoding.JSON, dd.Compression.NONE, pretty_px=opts["pretty"],
                                   pretty_ts=opts["pretty"], map_symbols=opts["map_symbols"],
                                   upgrade_policy=upgrade_policy(opts), **kwargs)
        transcoder.write(data)
        transcoder.flush()
    except (dd.DBNError, ValueError):
        return None
    text = out.getvalue()
    if opts["limit"] is not None:
        text = b"".join(text.splitlines(keepends=True)[:opts["limit"]])
    return reindent(text) if opts["pretty"] else text


def official_json_or_none(path: pathlib.Path, flags, stdin: bytes = None):
    """`dbn PATH --json FLAGS` (PATH "-" reads `stdin`) from the official decoders, or None if they reject
    the input. With both oracles present they must agree."""
    data = stdin if stdin is not None else path.read_bytes()
    theirs = transcoder_json(data, flags)
    if DBN_CLI is None:
        return theirs
    proc = subprocess.run([DBN_CLI, str(path), "--json", *flags], input=stdin, capture_output=True)
    cli = proc.stdout if proc.returncode == 0 else None
    assert cli == theirs, f"official CLI and databento-dbn Transcoder disagree on {path.name} {flags}"
    return cli


def official_json(path: pathlib.Path, flags, stdin: bytes = None) -> bytes:
    theirs = official_json_or_none(path, flags, stdin)
    assert theirs is not None, f"the official decoder rejects {path} {flags}"
    return theirs


def test_every_fixture_matches_official_json_text(spymaster_bin, dbn_fixtures):
    compared = 0
    for path in fixture_files(dbn_fixtures):
        for flags in flag_sets_for(path):
            ours = run([spymaster_bin, "dbn", "to-json", path, *flags]).stdout
            assert ours == official_json(path, flags), f"{path.name} {flags}"
            assert ours.strip(), f"{path.name} {flags}: empty output"
            compared += 1
    assert compared >= 31 * 4


def decompressed(path: pathlib.Path) -> bytes:
    return plain_bytes(path.read_bytes())


def python_records(data: bytes, upgrade: bool, fragment_version_=None):
    policy = dd.VersionUpgradePolicy.UPGRADE_TO_V3 if upgrade else dd.VersionUpgradePolicy.AS_IS
    if fragment_version_ is None:
        decoder = dd.DBNDecoder(upgrade_policy=policy)
    else:
        decoder = dd.DBNDecoder(has_metadata=False, input_version=fragment_version_, upgrade_policy=policy)
    decoder.write(data)
    items = decoder.decode()
    metadata = items[0] if fragment_version_ is None else None
    records = items[1:] if fragment_version_ is None else items
    return metadata, records


@pytest.mark.parametrize("upgrade", [False, True])
def test_records_equal_official_python_decoder_bytes(spymaster_bin, dbn_fixtures, tmp_path, upgrade):
    """Record for record, our decoder's bytes (as re-encoded by `dbn recode --fragment`) equal the official's."""
    for path in fixture_files(dbn_fixtures):
        flags = ["--upgrade"] if upgrade else []
        version = None
        if is_fragment(path):
            version = fragment_version(path)
            flags += [fragment_flag(path), "--input-dbn-version", str(version)]
        out = tmp_path / (path.name + ".records")
        run([spymaster_bin, "dbn", "recode", path, out, "--fragment", *flags])
        _, records = python_records(decompressed(path), upgrade, version)
        assert len(records) > 0
        assert out.read_bytes() == b"".join(bytes(r) for r in records), f"{path.name} upgrade={upgrade}"


@pytest.mark.parametrize("zstd", [False, True])
def test_encoder_output_decodes_in_official_decoder(spymaster_bin, dbn_fixtures, tmp_path, zstd):
    """Our encoder (upgrading every file to v3) produces files the official decoder reads back identically."""
    for path in fixture_files(dbn_fixtures):
        if is_fragment(path):
            continue
        out = tmp_path / (path.name + (".v3.dbn.zst" if zstd else ".v3.dbn"))
        run([spymaster_bin, "dbn", "recode", path, out, "--upgrade", *(["--zstd"] if zstd else [])])
        assert (out.read_bytes()[:4] == b"\x28\xb5\x2f\xfd") == zstd
        their_meta, their_records = python_records(decompressed(path), upgrade=True)
        our_meta, our_records = python_records(decompressed(out), upgrade=False)
        assert our_meta.version == 3
        for field in ("dataset", "schema", "start", "end", "limit", "stype_in", "stype_out", "ts_out",
                      "symbols", "partial", "not_found", "mappings"):
            assert getattr(our_meta, field) == getattr(their_meta, field), f"{path.name}: metadata.{field}"
        assert [bytes(r) for r in our_records] == [bytes(r) for r in their_records], path.name
        # And the official decoders print it exactly as they print the original, upgraded.
        assert official_json(out, []) == official_json(path, ["--upgrade"])


# Sizes (v3 and, where the layout changed, the oldest version) of every rtype the JSON form knows.
RTYPE_SIZES = {
    0x00: [48], 0x01: [80], 0x0A: [368], 0x11: [56], 0x12: [40], 0x13: [520, 400, 360], 0x14: [112],
    0x15: [320, 80], 0x16: [176, 80], 0x17: [320, 80], 0x18: [80, 64], 0x20: [56], 0x21: [56], 0x22: [56],
    0x23: [56], 0x24: [56], 0xA0: [56], 0xB1: [80], 0xC0: [80], 0xC1: [80], 0xC2: [80], 0xC3: [80], 0xC4: [80],
}


def layout_version(rtype: int, size: int) -> int:
    """The DBN version whose layout of `rtype` is `size` bytes."""
    if rtype == 0x13:
        return {360: 1, 400: 2}.get(size, 3)
    return 1 if size < RTYPE_SIZES[rtype][0] else 3


def random_record(rng: random.Random, rtype: int, size: int) -> bytes:
    body = bytearray(rng.getrandbits(8) for _ in range(size))
    body[0] = size // 4
    body[1] = rtype
    # Mix in the sentinels and ASCII that the JSON form treats specially.
    for offset in range(16, size - 7, 8):
        choice = rng.random()
        if choice < 0.15:
            body[offset:offset + 8] = struct.pack("<q", 2**63 - 1)
        elif choice < 0.25:
            body[offset:offset + 8] = struct.pack("<Q", 2**64 - 1)
        elif choice < 0.35:
            body[offset:offset + 8] = struct.pack("<Q", rng.randrange(0, 4 * 10**18))
        elif choice < 0.6:
            body[offset:offset + 8] = bytes(rng.choice(b"AB CD\"'\\/\x00\t\nxyz~") for _ in range(8))
    return bytes(body)


@pytest.mark.parametrize("seed", range(4))
def test_random_records_of_every_rtype_match_official_json(spymaster_bin, tmp_path, seed):
    """Synthetic records of every rtype and version layout, random bytes included, print identically."""
    rng = random.Random(seed)
    compared = 0
    for rtype, sizes in RTYPE_SIZES.items():
        for size in sizes:
            frag = tmp_path / f"r{rtype:02x}-{size}.frag"
            frag.write_bytes(b"".join(random_record(rng, rtype, size) for _ in range(20)))
            version = ["--input-dbn-version", str(layout_version(rtype, size))]
            for flags in ([], ["--pretty"], version, [*version, "--upgrade"], [*version, "--upgrade", "--pretty"]):
                cmd = ["dbn", "to-json", frag, "--input-fragment", *flags]
                theirs = official_json_or_none(frag, ["--input-fragment", *flags])
                if theirs is None:
                    continue  # the reference rejects or panics on this input; ours must not crash either
                ours = run([spymaster_bin, *cmd]).stdout
                assert ours == theirs, f"rtype 0x{rtype:02x} size {size} {flags}"
                compared += 1
    assert compared >= 100


BAD_INPUTS = {
    "wrong_magic.dbn": b"XYZ\x03" + b"\x00" * 200,
    "bad_version.dbn": b"DBN\x09" + struct.pack("<I", 120) + b"\x00" * 120,
    "truncated_header.dbn": b"DBN\x03",
    "empty.dbn": b"",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_a_clear_error(spymaster_bin, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    proc = run([spymaster_bin, "dbn", "to-json", path], check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert str(path) in err and "byte offset" in err, err


def test_corrupt_and_truncated_records_name_file_and_offset(spymaster_bin, dbn_fixtures, tmp_path):
    data = (dbn_fixtures / "test_data.mbo.v3.dbn").read_bytes()
    truncated = tmp_path / "truncated.dbn"
    truncated.write_bytes(data[:-10])
    proc = run([spymaster_bin, "dbn", "to-json", truncated], check=False)
    assert proc.returncode == 1
    assert f"{truncated}: byte offset 416: truncated record" in proc.stderr.decode()
    assert proc.stdout.count(b"\n") == 1  # the complete first record is still printed

    corrupt_zstd = tmp_path / "corrupt.dbn.zst"
    z = bytearray((dbn_fixtures / "test_data.mbo.v3.dbn.zst").read_bytes())
    z[20:60] = b"\xff" * 40
    corrupt_zstd.write_bytes(bytes(z))
    proc = run([spymaster_bin, "dbn", "to-json", corrupt_zstd], check=False)
    assert proc.returncode == 1
    assert str(corrupt_zstd) in proc.stderr.decode() and "zstd" in proc.stderr.decode()


def test_usage_errors_exit_2(spymaster_bin, dbn_fixtures):
    frag = dbn_fixtures / "test_data.definition.v3.dbn.frag"
    for args in (["--input-fragment", "--metadata"], ["--input-fragment", "--map-symbols"],
                 ["--input-fragment", "--input-dbn-version", "4"], ["--limit", "0"], ["--input-dbn-version", "1"]):
        proc = run([spymaster_bin, "dbn", "to-json", frag, *args], check=False)
        assert proc.returncode == 2, args


@pytest.mark.parametrize("limit", ["-1", "0", "abc", "1.5", " 1", "", "18446744073709551616"])
def test_bad_limit_is_a_usage_error_as_in_the_official_cli(spymaster_bin, dbn_fixtures, limit):
    """dbn-cli parses --limit as a NonZeroU64 (clap exits 2); CLI11 alone would wrap -1 round to 2^64 - 1."""
    path = dbn_fixtures / "test_data.mbo.v3.dbn"
    proc = run([spymaster_bin, "dbn", "to-json", path, "--limit", limit], check=False)
    assert proc.returncode == 2, proc.stderr
    assert b"--limit" in proc.stderr and proc.stdout == b""
    if DBN_CLI is not None:
        assert run([DBN_CLI, path, "--json", "--limit", limit], check=False).returncode == 2


def test_limit_takes_the_largest_u64_and_a_plus_sign(spymaster_bin, dbn_fixtures):
    path = dbn_fixtures / "test_data.mbo.v3.dbn"
    every = run([spymaster_bin, "dbn", "to-json", path]).stdout
    assert run([spymaster_bin, "dbn", "to-json", path, "--limit", "18446744073709551615"]).stdout == every
    assert run([spymaster_bin, "dbn", "to-json", path, "--limit", "+1"]).stdout == official_json(path, ["--limit", "1"])


def test_info_counts_records_per_rtype(spymaster_bin, dbn_fixtures):
    out = run([spymaster_bin, "dbn", "info", dbn_fixtures / "test_data.status.v3.dbn.zst"]).stdout.decode()
    assert "dataset: GLBX.MDP3" in out
    assert "schema: status" in out
    assert "records: 4 (160 bytes)" in out
    assert "rtype 0x12 status: 4" in out


def test_ts_out_streams_match_official_json(spymaster_bin, tmp_path):
    """Metadata with ts_out: every record carries an 8-byte suffix printed as a trailing "ts_out"."""
    rng = random.Random(7)
    metadata = dd.Metadata(
        dataset="GLBX.MDP3", schema=None, start=1767709800000000000, stype_in=dd.SType.RAW_SYMBOL,
        stype_out=dd.SType.INSTRUMENT_ID, end=None, symbols=["ESH6"], partial=[], not_found=[], mappings=[],
        ts_out=True, version=3).encode()
    records = []
    for rtype, sizes in RTYPE_SIZES.items():
        record = bytearray(random_record(rng, rtype, sizes[0]) + struct.pack("<Q", rng.randrange(2**62)))
        record[0] = len(record) // 4
        records.append(bytes(record))
    path = tmp_path / "ts_out.dbn"
    path.write_bytes(metadata + b"".join(records))
    for flags in ([], ["--pretty"], ["--metadata"]):
        theirs = official_json(path, flags)
        assert theirs.count(b'"ts_out"') >= (1 if flags == ["--metadata"] else len(records))
        assert run([spymaster_bin, "dbn", "to-json", path, *flags]).stdout == theirs, flags


STDIN_CASES = {
    "test_data.mbo.v3.dbn": [[], ["-m"], ["-p"], ["-s"], ["-p", "-s"], ["-l", "1"]],
    "test_data.mbo.v3.dbn.zst": [[], ["-m"], ["-p"], ["-s"], ["-p", "-s"], ["-l", "1"]],
    "test_data.definition.v2.dbn.zst": [[], ["-m", "-u"], ["-p", "-s", "-u"]],
    "test_data.statistics.dbn": [[], ["-p", "-s"]],
    "test_data.definition.v3.dbn.frag": [["--input-fragment"], ["--input-fragment", "-p"]],
    "test_data.definition.v3.dbn.frag.zst": [["--input-zstd-fragment"], ["--input-zstd-fragment", "-p"]],
    "test_data.definition.v1.dbn.frag": [["--input-fragment", "--input-dbn-version", "1", "-u"]],
}


def run_stdin(cmd, stdin):
    """Runs `cmd` with `stdin` (bytes through a pipe, or an open file) on standard input."""
    kwargs = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    return subprocess.run([str(c) for c in cmd], capture_output=True, **kwargs)


@pytest.mark.parametrize("name", sorted(STDIN_CASES))
def test_stdin_matches_file_input_and_official_json(spymaster_bin, dbn_fixtures, tmp_path, name):
    """`to-json -` reads a pipe or a redirected file; zstd is detected by its magic, as for files."""
    path = dbn_fixtures / name
    data = path.read_bytes()
    # A redirected file whose read position is past some junk: decoding starts where stdin stands.
    shifted = tmp_path / "shifted"
    shifted.write_bytes(b"junk" + data)
    for flags in STDIN_CASES[name]:
        from_file = run([spymaster_bin, "dbn", "to-json", path, *flags]).stdout
        assert from_file.strip(), f"{name} {flags}: empty output"
        piped = run_stdin([spymaster_bin, "dbn", "to-json", "-", *flags], data)
        assert piped.returncode == 0, piped.stderr.decode()
        assert piped.stdout == from_file, f"{name} {flags}: pipe"
        with path.open("rb") as f:
            assert run_stdin([spymaster_bin, "dbn", "to-json", "-", *flags], f).stdout == from_file, f"{name} {flags}"
        with shifted.open("rb") as f:
            f.seek(4)
            assert run_stdin([spymaster_bin, "dbn", "to-json", "-", *flags], f).stdout == from_file, f"{name} {flags}"
        assert piped.stdout == official_json(pathlib.Path("-"), flags, stdin=data), f"{name} {flags}: official, stdin"


def test_stdin_in_small_pieces_is_read_whole(spymaster_bin, dbn_fixtures):
    """A pipe may deliver the first bytes (less than the zstd magic) on their own."""
    path = dbn_fixtures / "test_data.mbo.v3.dbn.zst"
    data = path.read_bytes()
    proc = subprocess.Popen([str(spymaster_bin), "dbn", "to-json", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for piece in (data[:1], data[1:3], data[3:50], data[50:]):
        proc.stdin.write(piece)
        proc.stdin.flush()
        time.sleep(0.02)  # lets the reader see each piece as a separate read; the result must not depend on it
    out, err = proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out == run([spymaster_bin, "dbn", "to-json", path]).stdout


def test_stdin_info_and_recode(spymaster_bin, dbn_fixtures, tmp_path):
    data = (dbn_fixtures / "test_data.status.v3.dbn.zst").read_bytes()
    out = run_stdin([spymaster_bin, "dbn", "info", "-"], data).stdout.decode()
    assert "file: <stdin>\ncompression: zstd\n" in out
    assert "records: 4 (160 bytes)" in out
    recoded = tmp_path / "status.dbn"
    proc = run_stdin([spymaster_bin, "dbn", "recode", "-", recoded], data)
    assert proc.returncode == 0, proc.stderr.decode()
    assert recoded.read_bytes() == decompressed(dbn_fixtures / "test_data.status.v3.dbn.zst")


def test_bad_stdin_names_stdin_and_offset(spymaster_bin, dbn_fixtures):
    garbage = bytes(random.Random(3).randrange(256) for _ in range(300))
    proc = run_stdin([spymaster_bin, "dbn", "to-json", "-"], garbage)
    assert proc.returncode == 1
    assert "<stdin>: byte offset 0: " in proc.stderr.decode(), proc.stderr.decode()

    truncated = (dbn_fixtures / "test_data.mbo.v3.dbn").read_bytes()[:-10]
    proc = run_stdin([spymaster_bin, "dbn", "to-json", "-"], truncated)
    assert proc.returncode == 1
    assert "<stdin>: byte offset 416: truncated record" in proc.stderr.decode(), proc.stderr.decode()
    assert proc.stdout.count(b"\n") == 1

    z = bytearray((dbn_fixtures / "test_data.mbo.v3.dbn.zst").read_bytes())
    z[20:60] = b"\xff" * 40
    proc = run_stdin([spymaster_bin, "dbn", "to-json", "-"], bytes(z))
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("error: <stdin>: byte offset ") and "zstd" in err, err

    proc = run_stdin([spymaster_bin, "dbn", "to-json", "-"], b"")
    assert proc.returncode == 1
    assert "<stdin>: byte offset 0" in proc.stderr.decode()
