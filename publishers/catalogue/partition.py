"""Stable pages: which Hydra page a dataset lives on, and when a page can be reused from the last version.

A dataset's page is a function of its URI alone (SHA-256 of the URI modulo the partition count P,
a power of two), so a change to one dataset touches one page whatever happens to the others;
positional pages would shift every later page when one dataset is added. P is kept in the pointer
and changes only when the catalogue outgrows it (more than `page_size` datasets per page on
average: P doubles) or shrinks below a quarter of it; then every page is written again. A page
holds about `page_size / 2` to `page_size` datasets on average, hash-spread, so some pages hold a
few more or less (Hydra does not promise a page size; no `hydra:itemsPerPage` is written).

Each page's *key* digests what its files are rendered from (its datasets' hashes and the record
stamps the catalogue records carry); the version's *layout* digests what every page shares (the
catalogue's own stable description, the base URL, the variants, the formats, P). A page whose key
and layout are unchanged is byte-identical to the last version's and is reused, not rendered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from publishers.catalogue.merge import Entry
from publishers.serialise import Triple
from publishers.targets import EXPORT_FORMATS as ALL

LAYOUT_VERSION = "hash-pages-1"  # bump when the page files' form changes: the next publish rewrites them all
MANIFEST = "pages.json"
BLANK_STRIDE = 10_000_000  # blank node labels of page n start at (n - 1) * stride: unique across the dump


def bucket(uri: str, partitions: int) -> int:
    """The 0-based page of a dataset URI among `partitions` (a power of two)."""
    digest = hashlib.sha256(uri.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & (partitions - 1)


def partition_count(total: int, page_size: int, previous: int | None = None) -> int:
    """P for `total` datasets: the previous P while it still fits, else the smallest power of two that does.

    Kept while `P * page_size / 4 <= total <= P * page_size` (the hysteresis stops a catalogue
    hovering at a boundary from being rewritten at every publish).
    """
    if previous and previous & (previous - 1) == 0:
        low = previous * page_size // 4 if previous > 1 else 0
        if low <= total <= previous * page_size:
            return previous
    count = 1
    while count * page_size < total:
        count *= 2
    return count


def entry_key(entry: Entry) -> tuple[Any, ...]:
    """What one dataset's rendering depends on: its merged graphs' hash and its records' stamps."""
    stamps = [(m.first_seen.timestamp(), m.last_changed.timestamp(), m.modified) for m in entry.members]
    return (entry.uri, entry.kind, entry.hash, stamps)


def page_key(entries: Sequence[Entry]) -> str:
    """Digest of a page's content: equal keys (under one layout) mean byte-identical page files.

    One JSON encoding of the page's keys (deterministic, unlike pickle, whose output depends on
    which equal strings are the same object); formatting 100,000 timestamps one by one was a tenth
    of a one-change publish.
    """
    data = json.dumps([entry_key(e) for e in entries]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class PageKeys:
    """Every page's key from entries met in the catalogue's order, in one pass that keeps no entry.

    A page's entries are in the catalogue's order too, so each page's JSON list is hashed as it grows
    (`[`, keys joined by `, `, `]`: the bytes `page_key` hashes). Also notes, per page, the datasets
    the served version did not have unchanged on that page: a page with any is not taken over.
    """

    def __init__(self, partitions: int, page_file: Callable[[int], str]) -> None:
        self.partitions = partitions
        self.page_file = page_file
        self.digests: dict[int, Any] = {}
        self.moved: dict[int, list[str]] = {}  # page -> URIs not unchanged on it in the served version

    def add(self, entry: Entry) -> None:
        n = bucket(entry.uri, self.partitions) + 1
        digest = self.digests.get(n)
        if digest is None:
            digest = self.digests[n] = hashlib.sha256(b"[")
        else:
            digest.update(b", ")
        digest.update(json.dumps(entry_key(entry)).encode("utf-8"))
        if entry.previous_file != self.page_file(n):
            self.moved.setdefault(n, []).append(entry.uri)

    def keys(self) -> list[str]:
        """Page 1..P's keys (an empty page's is that of an empty list)."""
        out = []
        for n in range(1, self.partitions + 1):
            digest = self.digests.get(n)
            if digest is None:
                out.append(hashlib.sha256(b"[]").hexdigest())
            else:
                done = digest.copy()
                done.update(b"]")
                out.append(done.hexdigest())
        return out


def layout_key(
    stable: Sequence[Triple], base_url: str, variants: Sequence[str], partitions: int, formats: Sequence[str]
) -> str:
    """Digest of what every page shares; a different layout means no page can be reused.

    The formats count only when they are not all four, so versions written before `formats` existed
    keep their key (and their pages are reused) while any change of formats renders every page.
    """
    shared: list[Any] = [LAYOUT_VERSION, sorted(stable), base_url, list(variants), partitions]
    text = json.dumps(shared + ([list(formats)] if tuple(formats) != ALL else []))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class PageRecord:
    """One page as the manifest keeps it: its key and what it holds (stats carried over when it is reused)."""

    key: str
    datasets: int = 0
    services: int = 0
    triples: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # [start, end) of the page's lines in datasets.jsonl
    table: list[int] = field(default_factory=list)  # [start, end) of its rows in datasets.tsv

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "datasets": self.datasets,
            "services": self.services,
            "triples": self.triples,
            "conflicts": self.conflicts,
            "left_out": self.left_out,
            "lines": self.lines,
            "table": self.table,
        }


@dataclass(slots=True)
class Manifest:
    """`pages.json` of a version: the layout, P and every page's record."""

    layout: str
    partitions: int
    pages: list[PageRecord]

    def dumps(self) -> str:
        body = {"layout_version": LAYOUT_VERSION, "layout": self.layout, "partitions": self.partitions}
        return json.dumps({**body, "pages": [p.as_dict() for p in self.pages]}, ensure_ascii=False)

    @classmethod
    def loads(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        return cls(raw["layout"], int(raw["partitions"]), [PageRecord(**p) for p in raw["pages"]])
