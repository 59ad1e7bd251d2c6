"""Whole-catalogue dumps and datasets.jsonl, assembled from the pages' parts without rendering anything.

A dump `catalogue.<ext>.gz` is a head gzip member (the format's head and the catalogue's own
triples), each page's `parts/NNNNN.<ext>.gz` in page order, and a tail member: concatenated gzip
members form one valid gzip stream (RFC 1952, 2.2; gzip, zlib, Java's GZIPInputStream and Python's
gzip read it whole), so the cost of a dump is copying its compressed bytes. A part not in the
staging folder (reused on S3, where it was copied server-side) is read from the previous version,
several at once (S3 cannot concatenate objects under 5 MB server-side: UploadPartCopy's minimum).
"""

from __future__ import annotations

import gzip
import os
import shutil
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publishers.catalogue.export import (
    GZIP_LEVEL,
    LINES_DIR,
    Layout,
    Previous,
    lines_path,
    part_name,
    variant_key,
)
from publishers.catalogue.partition import PageRecord
from publishers.serialise import FORMATS, PREFIXES

if TYPE_CHECKING:
    from publishers.catalogue.storage import ExportTarget


FETCH_THREADS = 16  # parts read at once from S3 (each a small GET)


def dump_name(ext: str, *, compressed: bool = True) -> str:
    """File name of the whole dump in one format."""
    return f"catalogue.{ext}.gz" if compressed else f"catalogue.{ext}"


def _member(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)


def _remote_parts(
    layout: Layout, target: ExportTarget | None, previous: str, keys: list[str]
) -> Iterator[bytes | None]:
    """Per key: None when staged (copied from disk), else its bytes read from the previous version (S3).

    Reads run FETCH_THREADS at a time, in order; a missing part is an error, never a silent gap.
    """
    remote = [key for key in keys if not (layout.staging / key).exists()]
    if remote and (target is None or not previous):
        raise FileNotFoundError(f"part {remote[0]} is neither staged nor in a previous version")
    fetched: Iterator[bytes] = iter(())
    pool = None
    if remote:
        pool = ThreadPoolExecutor(FETCH_THREADS)
        fetched = pool.map(lambda key: target.read(f"versions/{previous}/{key}"), remote)  # type: ignore[union-attr]
    try:
        wanted = set(remote)
        for key in keys:
            yield next(fetched) if key in wanted else None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _copy_part(out: Any, path: Path, data: bytes | None) -> None:
    """Append one part: bytes already read, or a staged file copied in the kernel (sendfile)."""
    if data is not None:
        out.write(data)
        return
    with path.open("rb") as src:
        size, offset = os.fstat(src.fileno()).st_size, 0
        while offset < size:
            sent = os.sendfile(out.fileno(), src.fileno(), offset, size - offset)
            if sent == 0:
                raise OSError(f"part {path} ended early")
            offset += sent


def assemble(layout: Layout, target: ExportTarget | None, previous: str) -> None:
    """Write every dump (each format and variant) by concatenating gzip members; optionally uncompressed too."""
    for variant in layout.variants:
        for ext in layout.formats:
            fmt = FORMATS[ext](PREFIXES)
            path = layout.staging / variant_key(variant, dump_name(ext))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb", buffering=0) as out:  # unbuffered: sendfile writes at the file's offset
                out.write(_member(layout.dump_head(variant, fmt)))
                keys = [variant_key(variant, part_name(n, ext)) for n in range(1, layout.pages + 1)]
                for key, data in zip(keys, _remote_parts(layout, target, previous, keys), strict=True):
                    _copy_part(out, layout.staging / key, data)
                if fmt.tail():
                    out.write(_member(fmt.tail()))
            if layout.options.uncompressed_dumps:
                with path.open("rb") as src, (path.parent / dump_name(ext, compressed=False)).open("wb") as plain:
                    for data in gunzip_stream(_chunks(src)):
                        plain.write(data)


def _chunks(fh: Any, size: int = 1 << 20) -> Iterator[bytes]:
    while data := fh.read(size):
        yield data


def gunzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress a (multi-member) gzip stream chunk by chunk (serving `catalogue.nt` from `catalogue.nt.gz`)."""
    inflater = zlib.decompressobj(wbits=31)
    for data in chunks:
        while data:
            out = inflater.decompress(data)
            if out:
                yield out
            if inflater.eof:  # the next member starts in what is left
                data = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
            else:
                data = b""
    rest = inflater.flush()
    if rest:
        yield rest


class SpanReader:
    """Byte spans of one file read as a stream, in ascending order (a reused page's lines in the previous
    version's datasets.jsonl or .tsv): the file is read once, start to end, and never held whole."""

    def __init__(self, chunks: Iterator[bytes], name: str) -> None:
        self.chunks = chunks
        self.name = name
        self.buf = b""
        self.pos = 0  # offset in the file of buf[0]

    def take(self, start: int, end: int) -> bytes:
        if start < self.pos:
            raise ValueError(f"{self.name}: span {start}-{end} read out of order")
        while self.pos + len(self.buf) < end:
            data = next(self.chunks, None)
            if data is None:
                raise ValueError(f"{self.name} ends before byte {end}: the previous version is damaged")
            if start >= self.pos + len(self.buf):  # nothing buffered is wanted any more
                self.pos, self.buf = self.pos + len(self.buf), data
            else:
                self.buf += data
        out = self.buf[start - self.pos : end - self.pos]
        self.buf, self.pos = self.buf[end - self.pos :], end
        return out


def write_datasets(
    staging: Path,
    rendered: set[int],
    previous: Previous | None,
    records: Sequence[PageRecord],
    tombs: Iterable[str],
) -> None:
    """datasets.jsonl (and datasets.tsv, what the next plan reads) in page order, then the deleted datasets.

    A rendered page's lines are the files its writer left in `LINES_DIR`; a reused page's lines are
    byte-identical to the previous version's (same datasets, same hashes, so same datestamps and byte
    ranges) and copied from it by span. Each page's spans in both files are recorded in its manifest
    record (`lines`, `table`). Nothing is held whole: memory does not grow with the catalogue.
    """
    readers: tuple[SpanReader, SpanReader] | None = None
    if previous is not None and previous.target is not None and len(rendered) < len(records):
        prefix = f"versions/{previous.version}/"
        readers = (
            SpanReader(previous.target.stream(prefix + "datasets.jsonl"), prefix + "datasets.jsonl"),
            SpanReader(previous.target.stream(prefix + "datasets.tsv"), prefix + "datasets.tsv"),
        )
    pos = row_pos = 0
    with (staging / "datasets.jsonl").open("wb") as out, (staging / "datasets.tsv").open("wb") as tsv:
        for n, record in enumerate(records, 1):
            if n in rendered:
                data = lines_path(staging, n, "jsonl").read_bytes()
                rows = lines_path(staging, n, "tsv").read_bytes()
            else:
                assert readers is not None, f"page {n} is neither rendered nor in a previous version"
                data = readers[0].take(*record.lines)
                rows = readers[1].take(*record.table)
            out.write(data)
            tsv.write(rows)
            record.lines, record.table = [pos, pos + len(data)], [row_pos, row_pos + len(rows)]
            pos, row_pos = pos + len(data), row_pos + len(rows)
        for line in tombs:
            out.write((line + "\n").encode("utf-8"))
    shutil.rmtree(staging / LINES_DIR, ignore_errors=True)
