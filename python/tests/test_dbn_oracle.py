"""`spymaster dbn to-json` against Databento's official decoders.

Oracles: the official `dbn` CLI (crate dbn-cli, installed by scripts/setup; raw text must be identical)
and the `databento-dbn` Python package (its Transcoder's JSON, compared as parsed objects, and its
decoder's record bytes, compared with what our decoder hands out via `spymaster dbn recode`).
"""
import io
import itertools
import json
import os
import pathlib
import random
import struct
import subprocess
import time

import databento_dbn as dd
import pytest

DBN_CLI = os.environ.get("DBN_CLI") or str(pathlib.Path.home() / ".cargo" / "bin" / "dbn")

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


def have_dbn_cli() -> bool:
    return pathlib.Path(DBN_CLI).exists()


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


def test_every_fixture_matches_official_cli_text(spymaster_bin, dbn_fixtures):
    if not have_dbn_cli():
        pytest.fail(f"official dbn CLI not found at {DBN_CLI}; run scripts/setup")
    compared = 0
    for path in fixture_files(dbn_fixtures):
        for flags in flag_sets_for(path):
            ours = run([spymaster_bin, "dbn", "to-json", path, *flags]).stdout
            theirs = run([DBN_CLI, path, "--json", *flags]).stdout
            assert ours == theirs, f"{path.name} {flags}"
            assert ours.strip(), f"{path.name} {flags}: empty output"
            compared += 1
    assert compared >= 31 * 4


def decompressed(path: pathlib.Path) -> bytes:
    data = path.read_bytes()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return run(["zstd", "-dc", path]).stdout
    return data


def transcoder_json(path: pathlib.Path, upgrade: bool, pretty: bool) -> list:
    out = io.BytesIO()
    kwargs = {}
    if is_fragment(path):
        kwargs = {"has_metadata": False, "input_version": fragment_version(path)}
    transcoder = dd.Transcoder(
        out, dd.Encoding.JSON, dd.Compression.NONE, pretty_px=pretty, pretty_ts=pretty, map_symbols=False,
        upgrade_policy=dd.VersionUpgradePolicy.UPGRADE_TO_V3 if upgrade else dd.VersionUpgradePolicy.AS_IS,
        **kwargs)
    transcoder.write(decompressed(path))
    transcoder.flush()
    return [json.loads(line) for line in out.getvalue().decode().splitlines()]


def test_every_fixture_matches_python_transcoder_objects(spymaster_bin, dbn_fixtures):
    for path in fixture_files(dbn_fixtures):
        for upgrade, pretty in itertools.product([False, True], [False, True]):
            flags = ["--upgrade"] if upgrade else []
            if pretty:
                flags.append("--pretty")
            if is_fragment(path):
                flags += [fragment_flag(path), "--input-dbn-version", str(fragment_version(path))]
            lines = run([spymaster_bin, "dbn", "to-json", path, *flags]).stdout.decode()
            if pretty:
                decoder = json.JSONDecoder()
                ours, pos = [], 0
                while pos < len(lines.strip()):
                    obj, pos = decoder.raw_decode(lines, pos)
                    ours.append(obj)
                    while pos < len(lines) and lines[pos].isspace():
                        pos += 1
            else:
                ours = [json.loads(line) for line in lines.splitlines()]
            theirs = transcoder_json(path, upgrade, pretty)
            assert len(ours) == len(theirs) > 0, path.name
            assert ours == theirs, f"{path.name} upgrade={upgrade} pretty={pretty}"


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
        # And the official CLI prints it exactly as it prints the original, upgraded.
        assert run([DBN_CLI, out, "--json"]).stdout == run([DBN_CLI, path, "--json", "--upgrade"]).stdout


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
def test_random_records_of_every_rtype_match_official_cli(spymaster_bin, tmp_path, seed):
    """Synthetic records of every rtype and version layout, random bytes included, print identically."""
    if not have_dbn_cli():
        pytest.fail(f"official dbn CLI not found at {DBN_CLI}; run scripts/setup")
    rng = random.Random(seed)
    for rtype, sizes in RTYPE_SIZES.items():
        for size in sizes:
            frag = tmp_path / f"r{rtype:02x}-{size}.frag"
            frag.write_bytes(b"".join(random_record(rng, rtype, size) for _ in range(20)))
            version = ["--input-dbn-version", str(layout_version(rtype, size))]
            for flags in ([], ["--pretty"], version, [*version, "--upgrade"], [*version, "--upgrade", "--pretty"]):
                cmd = ["dbn", "to-json", frag, "--input-fragment", *flags]
                theirs = run([DBN_CLI, frag, "--json", "--input-fragment", *flags], check=False)
                if theirs.returncode != 0:
                    continue  # the reference rejects or panics on this input; ours must not crash either
                ours = run([spymaster_bin, *cmd]).stdout
                assert ours == theirs.stdout, f"rtype 0x{rtype:02x} size {size} {flags}"


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


def test_info_counts_records_per_rtype(spymaster_bin, dbn_fixtures):
    out = run([spymaster_bin, "dbn", "info", dbn_fixtures / "test_data.status.v3.dbn.zst"]).stdout.decode()
    assert "dataset: GLBX.MDP3" in out
    assert "schema: status" in out
    assert "records: 4 (160 bytes)" in out
    assert "rtype 0x12 status: 4" in out


def test_ts_out_streams_match_official_cli(spymaster_bin, tmp_path):
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
        theirs = run([DBN_CLI, path, "--json", *flags]).stdout
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
def test_stdin_matches_file_input_and_official_cli(spymaster_bin, dbn_fixtures, tmp_path, name):
    """`to-json -` reads a pipe or a redirected file; zstd is detected by its magic, as for files."""
    if not have_dbn_cli():
        pytest.fail(f"official dbn CLI not found at {DBN_CLI}; run scripts/setup")
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
        theirs = run_stdin([DBN_CLI, "-", "--json", *flags], data)
        assert theirs.returncode == 0, theirs.stderr.decode()
        assert piped.stdout == theirs.stdout, f"{name} {flags}: official CLI on stdin"


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
