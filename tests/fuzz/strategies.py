"""Inputs for the fuzz suite: real files from tests/data, mutated the way broken and hostile feeds are.

Every seed is a real record or page; mutations flip and cut bytes and splice in what issue 17 found
harmful (line-separator characters, NUL, entity declarations and references, remote contexts,
unsafe links, long runs), so the examples stay close enough to real input to reach deep code.

Settings: a fixed derandomised run with a small budget in CI (`LUXCAT_FUZZ_EXAMPLES`, default 30
per parser); `LUXCAT_FUZZ_EXAMPLES=2000 LUXCAT_FUZZ_RANDOM=1` for the long run documented in
docs/fuzzing.md.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
EXAMPLES = int(os.environ.get("LUXCAT_FUZZ_EXAMPLES", "30"))
RANDOM = os.environ.get("LUXCAT_FUZZ_RANDOM", "") not in ("", "0")

settings.register_profile(
    "luxcat-fuzz",
    max_examples=EXAMPLES,
    derandomize=not RANDOM,  # CI: the same examples on every run
    deadline=timedelta(seconds=10),  # a time bound per input (the hangs of issue 17 took minutes)
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    print_blob=True,
)
FUZZ = settings.get_profile("luxcat-fuzz")

NASTY: list[bytes] = [
    b"\x00",
    "\u2028".encode(),
    "\u2029".encode(),
    "\u0085".encode(),
    b"\x0b",
    b"\x0c",
    b"\x1c\x1d\x1e",
    b"&copy;",
    b"&lol9;",
    b"<!ENTITY x 'y'>",
    b"]]>",
    b"<",
    b"&",
    b'"',
    b"'",
    b"\\",
    b"\\u0000",
    b"\\U0010FFFF",
    b"_:b0",
    b"javascript:alert(1)",
    b"http://169.254.169.254/latest/meta-data/",
    b"file:///etc/passwd",
    b'"@context": "http://other/ctx", ',
    b'{"@context": "file:///etc/hosts"}',
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xe9",
    b"a" * 5000,
    b"[" * 200,
    b"{" * 200,
    b"<a>" * 200,
    b"9" * 40,
    b"-1",
    b"2020-13-45",
]
DOCTYPES: list[bytes] = [
    b'<!DOCTYPE r [<!ENTITY copy "(c)">]>',
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">',
]


def seed(*relative: str) -> bytes:
    """A real file of tests/data (or the repository), as bytes."""
    return (REPO / Path(*relative)).read_bytes()


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], *, xml: bool = False) -> bytes:
    """One seed with 0-4 mutations (byte flip, cut, splice of a hostile string, duplication)."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "insert", "dup", "truncate"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 300))]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(NASTY) | st.binary(max_size=16))
        elif op == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 400))] * draw(st.integers(2, 20))
        elif op == "truncate":
            del data[pos:]
    if xml and draw(st.booleans()):
        text = bytes(data)
        head = re.match(rb"\s*<\?xml[^>]*\?>", text)
        cut = head.end() if head else 0
        data = bytearray(text[:cut] + draw(st.sampled_from(DOCTYPES)) + text[cut:])
        if draw(st.booleans()):
            middle = len(data) // 2 + draw(st.integers(0, max(0, len(data) // 2 - 1)))
            close = data.find(b"<", middle)
            if close > 0:
                data[close:close] = draw(st.sampled_from([b"&copy;", b"&b;", b"&x;"]))
    return bytes(data)


def xlsx_with_sheet(template: bytes, sheet: bytes) -> bytes:
    """The workbook `template` with its first sheet's XML replaced by `sheet`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def sheet_of(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")
