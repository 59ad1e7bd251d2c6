"""Atom/RSS harvester, INSPIRE ATOM download services included.

One record per entry (RSS item). For an INSPIRE service feed, each entry's dataset feed is fetched
and kept with it, so the mapper sees the dataset's files. The payload bundles the entry, the feed's
author/rights (the publisher and licence fallbacks) and the dataset feed in one small XML document.
Atom paging (RFC 5005 rel="next") is followed with loop detection and a page cap.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin

import requests
from lxml import etree
from pydantic import Field, HttpUrl

from harvesters.atom.feed import ATOM, LUXCAT, NotAFeed, dataset_feed_url, entries, entry_id, next_page, parse
from harvesters.base import Harvester, HarvesterOptions
from harvesters.dcat.pages import PageError, get_page
from harvesters.xmlrecord import UnwritableRecord, canonical_xml
from luxcat.errors import SourceError
from luxcat.http import RetryPolicy, new_session
from luxcat.records import RawRecord, Rejection

PAYLOAD_TYPE = "application/xml"


class AtomOptions(HarvesterOptions):
    """Options of an Atom/RSS source (config: harvester.options)."""

    url: HttpUrl
    """the Atom or RSS feed (for INSPIRE: the download service's top feed)"""
    dataset_feeds: bool = Field(default=True, description="fetch INSPIRE dataset feeds linked from entries")
    max_pages: int = Field(default=1000, ge=1)
    """stop after this many feed pages (rel=next; the listing then counts as incomplete)"""
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""


def bundle(entry: etree._Element, feed: etree._Element, dataset_feed: etree._Element | None, url: str) -> bytes:
    """The record payload: <l:record feed="..."> entry, feed author/rights, dataset feed </l:record>."""
    record = etree.Element(f"{{{LUXCAT}}}record", nsmap={"l": LUXCAT}, feed=url)
    record.append(copy.deepcopy(entry))
    for tag in (f"{{{ATOM}}}author", f"{{{ATOM}}}rights", "managingEditor", "copyright"):
        for element in feed.findall(tag) if feed.tag != "rss" else feed.findall(f"channel/{tag}"):
            holder = etree.SubElement(record, f"{{{LUXCAT}}}feed-info")
            holder.append(copy.deepcopy(element))
    if dataset_feed is not None:
        record.append(copy.deepcopy(dataset_feed))
    return canonical_xml(record)


class AtomHarvester(Harvester):
    """Yields one XML RawRecord per feed entry (with its INSPIRE dataset feed when there is one)."""

    Options = AtomOptions
    media_type = PAYLOAD_TYPE
    options: AtomOptions

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        """Read every page of the feed; `since` is ignored (feeds have no server-side filter)."""
        session = new_session({"Accept": "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.5"})
        policy = RetryPolicy(self.options.timeout, self.options.retries, self.options.backoff)
        url: str | None = str(self.options.url)
        visited: list[str] = []
        seen: set[str] = set()
        while url is not None:
            if url in visited:
                self.report.fail(f"paging loop: page {len(visited) + 1} ({url}) repeats page {visited.index(url) + 1}")
                return
            if len(visited) >= self.options.max_pages:
                self.report.fail(f"stopped at the page cap ({self.options.max_pages} pages)")
                return
            visited.append(url)
            try:
                feed = self._feed(session, policy, url)
            except PageError as exc:
                message = f"feed {url} page {len(visited)}: {exc}"
                if len(visited) == 1:
                    raise SourceError(self.source_id, message) from exc
                self.report.fail(message + "; later pages not reached")
                return
            self.report.pages = len(visited)
            for item in self._records(session, policy, feed, url, seen):
                yield item
                if limit is not None and len(seen) >= limit:
                    self.report.complete = False
                    return
            following = next_page(feed)
            url = urljoin(url, following) if following else None

    def _feed(self, session: requests.Session, policy: RetryPolicy, url: str) -> etree._Element:
        self.report.requests += 1
        response = get_page(session, policy, url)
        try:
            return parse(response.content)
        except NotAFeed as exc:
            raise PageError(str(exc)) from exc

    def _records(
        self, session: requests.Session, policy: RetryPolicy, feed: etree._Element, url: str, seen: set[str]
    ) -> Iterator[RawRecord | Rejection]:
        for position, entry in enumerate(entries(feed), start=1):
            record_id = entry_id(entry)
            if record_id is None:
                yield Rejection(self.source_id, f"({url} entry {position})", "harvest", "missing_identifier",
                                "entry without atom:id, guid or link")  # fmt: skip
                continue
            if record_id in seen:
                self.report.duplicates += 1
                continue
            seen.add(record_id)
            dataset_feed = None
            link = dataset_feed_url(entry) if self.options.dataset_feeds else None
            if link:
                try:
                    dataset_feed = self._feed(session, policy, urljoin(url, link))
                except PageError as exc:
                    yield Rejection(self.source_id, record_id, "harvest", "dataset_feed_unavailable",
                                    f"INSPIRE dataset feed {link}: {exc}")  # fmt: skip
                    continue
            modified = (entry.findtext(f"{{{ATOM}}}updated") or entry.findtext("pubDate") or "").strip() or None
            try:
                payload = bundle(entry, feed, dataset_feed, url)
            except UnwritableRecord as exc:
                yield Rejection(self.source_id, record_id, "harvest", "unparsable", f"{record_id}: {exc}")
                continue
            yield RawRecord(self.source_id, record_id, payload, PAYLOAD_TYPE, url, modified=modified)
