"""udata harvester: another udata portal's API v1 dataset list, followed through `next_page`.

`GET {site}/api/1/datasets/?page_size=N[&organization=ID]` answers {data, page, page_size, total,
next_page}; the harvester follows next_page exactly as given (it carries the filters), refuses a
next_page seen before (a paging loop), and compares the unique count with `total`. udata's list has
no modified-since filter, so `since` is ignored and unchanged records are recognised by hash.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import Field, HttpUrl

from harvesters.base import Harvester, HarvesterOptions
from harvesters.dcat.pages import PageError, json_page
from luxcat.errors import SourceError
from luxcat.http import RetryPolicy, new_session
from luxcat.records import RawRecord, Rejection, canonical_json


class UdataOptions(HarvesterOptions):
    """Options of a udata source (config: harvester.options)."""

    url: HttpUrl = Field(description="site root, e.g. https://data.public.lu (the API is under /api/1)")
    organization: str | None = Field(default=None, description="only this organisation's datasets (udata id)")
    page_size: int = Field(default=100, ge=1, le=1000)
    """datasets per API page"""
    max_pages: int = Field(default=10_000, ge=1)
    """stop after this many pages (the listing then counts as incomplete)"""
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""


class UdataHarvester(Harvester):
    """Yields one JSON RawRecord per udata dataset (the API v1 dataset object)."""

    Options = UdataOptions
    media_type = "application/json"
    options: UdataOptions

    @property
    def api(self) -> str:
        return str(self.options.url).rstrip("/") + "/api/1/"

    def first_page(self) -> str:
        params: dict[str, Any] = {"page": 1, "page_size": self.options.page_size}
        if self.options.organization:
            params["organization"] = self.options.organization
        return f"{self.api}datasets/?{urlencode(params)}"

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        session = new_session({"Accept": "application/json"})
        policy = RetryPolicy(self.options.timeout, self.options.retries, self.options.backoff)
        url: str = self.first_page()
        visited: set[str] = set()
        seen: set[str] = set()
        page = 0
        while True:
            page += 1
            if page > self.options.max_pages:
                self.report.fail(f"stopped at the page cap ({self.options.max_pages} pages); next page was {url}")
                return
            try:
                data = self._page(session, policy, url)
            except PageError as exc:
                message = f"udata {url} page {page}: {exc}"
                if page == 1:
                    raise SourceError(self.source_id, message) from exc
                self.report.fail(message + "; later pages not reached")
                return
            self.report.pages = page
            self.report.expected = data.get("total") if isinstance(data.get("total"), int) else None
            new = 0
            for position, dataset in enumerate(data["data"], start=1):
                item = self._record(dataset, page, position)
                if isinstance(item, RawRecord) and item.record_id in seen:
                    self.report.duplicates += 1
                    continue
                seen.add(item.record_id)
                new += 1
                yield item
                if limit is not None and len(seen) >= limit:
                    self.report.complete = False
                    return
            self.progress(f"page {page}: {len(seen)}/{self.report.expected} datasets")
            visited.add(url)
            following = data.get("next_page")
            if not following:
                break
            if following in visited or (data["data"] and not new):
                self.report.fail(f"paging loop: page {page + 1} ({following}) repeats a page already read")
                return
            url = str(following)
        if self.report.expected is not None and len(seen) != self.report.expected:
            self.report.fail(f"{len(seen)} unique datasets but the API announced total {self.report.expected}")

    def _page(self, session: Any, policy: RetryPolicy, url: str) -> dict[str, Any]:
        self.report.requests += 1
        data = json_page(session, policy, url)
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise PageError(f"not a udata list answer (no 'data' list): {json.dumps(data)[:200]}")
        return data

    def _record(self, dataset: Any, page: int, position: int) -> RawRecord | Rejection:
        if not isinstance(dataset, dict) or not str(dataset.get("id") or "").strip():
            return Rejection(
                self.source_id, f"(page {page}, dataset {position})", "harvest", "missing_identifier", "no id"
            )
        dataset_id = str(dataset["id"]).strip()
        return RawRecord(
            source_id=self.source_id,
            record_id=dataset_id,
            payload=canonical_json(dataset),
            media_type=self.media_type,
            origin_url=f"{self.api}datasets/{dataset_id}/",
            modified=dataset.get("last_modified") or dataset.get("last_update"),
        )
