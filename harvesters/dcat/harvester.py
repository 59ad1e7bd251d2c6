"""DCAT harvester: an RDF file or endpoint, in any RDF syntax, followed through its Hydra pages.

Each page is parsed on its own and cut into records (split.py); a record seen on an earlier page is
a duplicate and skipped. The run is incomplete (nothing withdrawn) when a page fails, repeats an
earlier page (a paging loop), the page cap stops it, or fewer datasets arrive than hydra:totalItems
announced. A failure on the first page raises SourceError: nothing was harvested at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import requests
from pydantic import Field, HttpUrl
from rdflib import Graph

from harvesters.base import Harvester, HarvesterOptions
from harvesters.dcat.formats import MEDIA_TYPES, NotRdf, detect
from harvesters.dcat.hydra import next_page, total_items
from harvesters.dcat.pages import PageError, get_page
from harvesters.dcat.split import Piece, UnwritablePiece, canonical_ntriples, split_graph
from luxcat.errors import SourceError
from luxcat.http import RetryPolicy, new_session
from luxcat.rdfparse import parse_rdf
from luxcat.records import RawRecord, Rejection

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, */*;q=0.1"
PAYLOAD_TYPE = "application/n-triples"


class DcatOptions(HarvesterOptions):
    """Options of a DCAT source (config: harvester.options)."""

    url: HttpUrl
    """the DCAT file or first Hydra page (RDF/XML, Turtle, JSON-LD or N-Triples)"""
    format: str | None = Field(default=None, description="force an RDF syntax (rdflib name) instead of detecting it")
    max_pages: int = Field(default=1000, ge=1)
    """stop after this many Hydra pages (the listing then counts as incomplete)"""
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""


class DcatHarvester(Harvester):
    """Yields one N-Triples RawRecord per dataset, series or data service of the catalogue."""

    Options = DcatOptions
    media_type = PAYLOAD_TYPE
    options: DcatOptions

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        """Page through the catalogue; `since` is ignored (DCAT dumps have no server-side filter)."""
        session = new_session({"Accept": ACCEPT})
        policy = RetryPolicy(self.options.timeout, self.options.retries, self.options.backoff)
        url: str | None = str(self.options.url)
        visited: list[str] = []
        seen: set[str] = set()
        datasets = 0
        unidentified = 0
        while url is not None:
            if url in visited:
                self.report.fail(f"paging loop: page {len(visited) + 1} ({url}) repeats page {visited.index(url) + 1}")
                return
            if len(visited) >= self.options.max_pages:
                self.report.fail(f"stopped at the page cap ({self.options.max_pages} pages); next page was {url}")
                return
            visited.append(url)
            page = len(visited)
            try:
                graph = self._fetch(session, policy, url)
            except PageError as exc:
                message = f"DCAT {url} page {page}: {exc}"
                if page == 1:
                    raise SourceError(self.source_id, message) from exc
                self.report.fail(message + "; later pages not reached")
                return
            self.report.pages = page
            if self.report.expected is None:
                self.report.expected = total_items(graph)
            for item in self._records(graph, url, page, seen):
                unidentified += isinstance(item, Rejection)
                yield item
                datasets += 1
                if limit is not None and datasets >= limit:
                    self.report.complete = False
                    return
            self.progress(f"page {page}: {len(seen)} records")
            url = next_page(graph, url)
        self._check_total(graph_total=self.report.expected, seen=len(seen) + unidentified)

    def _check_total(self, graph_total: int | None, seen: int) -> None:
        if graph_total is not None and seen < graph_total:
            self.report.fail(f"{seen} records but the catalogue announced hydra:totalItems {graph_total}")

    def _fetch(self, session: requests.Session, policy: RetryPolicy, url: str) -> Graph:
        """GET and parse one page, whatever its RDF syntax."""
        self.report.requests += 1
        response = get_page(session, policy, url)
        body = response.content
        try:
            syntax = self.options.format or detect(response.headers.get("Content-Type"), response.url or url, body)
        except NotRdf as exc:
            raise PageError(f"not RDF: {exc}") from exc
        try:
            graph = parse_rdf(body, syntax, url)
        except Exception as exc:  # rdflib raises many types for bad input (SAX, JSON, BadSyntax...)
            raise PageError(
                f"unparsable {MEDIA_TYPES.get(syntax, syntax)} ({len(body)} bytes): {str(exc)[:300]}"
            ) from exc
        return graph

    def _records(self, graph: Graph, url: str, page: int, seen: set[str]) -> Iterator[RawRecord | Rejection]:
        for piece in split_graph(graph):
            if not isinstance(piece, Piece):
                yield Rejection(
                    self.source_id,
                    f"(page {page}, {piece.label})",
                    "harvest",
                    "missing_identifier",
                    f"{piece.kind} is a blank node without dct:identifier: it cannot be tracked across runs",
                )
                continue
            if piece.record_id in seen:
                self.report.duplicates += 1
                continue
            seen.add(piece.record_id)
            try:
                payload = canonical_ntriples(piece.graph)
            except UnwritablePiece as exc:
                yield Rejection(self.source_id, piece.record_id, "harvest", "unparsable", str(exc))
                continue
            yield RawRecord(
                source_id=self.source_id,
                record_id=piece.record_id,
                payload=payload,
                media_type=PAYLOAD_TYPE,
                origin_url=url,
                modified=piece.modified,
            )
