"""Reading what `spymaster simulate` writes and describes without our code: the zstd DBN files through
Databento's official decoder, and the timeline `simulate --describe` prints."""
import collections
import re

import databento_dbn as dbn


def decode(path):
    """(metadata, records) of a zstd DBN file through the official decoder."""
    dec = dbn.DBNDecoder(compression=dbn.Compression.ZSTD)
    out = []
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            dec.write(chunk)
            out.extend(dec.decode())
    out.extend(dec.decode())
    assert isinstance(out[0], dbn.Metadata), path
    return out[0], out[1:]


def parse_timeline(text):
    """kind -> list of (begin_ns, end_ns) from the output of `simulate --describe`."""
    out = collections.defaultdict(list)
    for line in text.splitlines():
        m = re.search(r"ET\s+(\w+)\s.*utc_ns=(\d+)\.\.(\d+)$", line)
        if m:
            out[m.group(1)].append((int(m.group(2)), int(m.group(3))))
    return out
