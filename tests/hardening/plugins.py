"""A harvester plugin for the hardening tests: serves a listing the test sets, of real DCAT-AP payloads.

Payloads are the real examples of tests/data/dcat (see tests/udata/records.py), one per record id in
turn, so every record maps with the real `dcat` mapper. The test decides the record ids, the source's
own modification stamps, and whether the listing was complete; `SINCE` records what each harvest
was asked for (the incremental watermark).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import ClassVar

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from harvesters.base import Harvester, HarvesterOptions
from luxcat.records import RawRecord, Rejection
from tests.udata.records import DATA, EXAMPLES, dataset_graph


@cache  # blank node labels differ between serialisations: the same record must give the same bytes
def payload(n: int, record_id: str) -> bytes:
    """The n-th real example dataset (cycling through five) as N-Triples, its dct:identifier the record id."""
    example = EXAMPLES[n % len(EXAMPLES)]
    graph = dataset_graph(example)
    subject = URIRef(example.dataset)
    graph.remove((subject, DCTERMS.identifier, None))
    graph.add((subject, DCTERMS.identifier, Literal(record_id)))
    return graph.serialize(format="nt", encoding="utf-8")


class ListHarvester(Harvester):
    """Yields LISTING[name]: record ids (or (id, modified, payload index) tuples), filtered by `since`."""

    class Options(HarvesterOptions):
        name: str

    LISTING: ClassVar[dict[str, list[str | tuple[str, str | None, int]]]] = {}
    COMPLETE: ClassVar[dict[str, bool]] = {}
    SINCE: ClassVar[dict[str, list[datetime | None]]] = {}
    DELAY: ClassVar[dict[str, float]] = {}  # seconds before each record (a slow source)
    RAISE: ClassVar[dict[str, BaseException]] = {}  # raised after the first record (a crash, Ctrl-C)
    media_type = "text/turtle"

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        name = self.options.name  # type: ignore[attr-defined]
        self.SINCE.setdefault(name, []).append(since)
        for n, item in enumerate(self.LISTING[name]):
            record_id, modified, index = (item, None, n) if isinstance(item, str) else item
            time.sleep(self.DELAY.get(name, 0.0))
            if since is not None and modified is not None and datetime.fromisoformat(modified) < since:
                continue
            yield RawRecord(
                self.source_id, record_id, payload(index, record_id), self.media_type, str(DATA), modified=modified
            )
            if name in self.RAISE:
                raise self.RAISE[name]
        if not self.COMPLETE.get(name, True):
            self.report.fail("page 2 failed (test)")


class ListHarvesterFive(ListHarvester):
    """Five records (ids r0..r4), whatever LISTING says: for tests that run luxcat in a child process."""

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        self.LISTING.setdefault(self.options.name, [f"r{n}" for n in range(5)])  # type: ignore[attr-defined]
        yield from super().harvest(since=since, limit=limit)
