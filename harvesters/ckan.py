"""CKAN harvester: the action API's package_search, paged with rows/start and sorted by id.

Sorting by id keeps pages stable while the portal changes; incremental runs ask only for packages
whose metadata_modified is after the last successful run. A page that fails or is not a CKAN
answer ends the listing as incomplete; fewer unique packages than `count` too (nothing withdrawn).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, HttpUrl

from harvesters.base import Harvester, HarvesterOptions
from harvesters.dcat.pages import PageError, json_page
from luxcat.errors import SourceError
from luxcat.http import RetryPolicy, new_session
from luxcat.records import RawRecord, Rejection, canonical_json


class CkanOptions(HarvesterOptions):
    """Options of a CKAN source (config: harvester.options)."""

    url: HttpUrl = Field(description="site root, e.g. https://ckan.example.org (the API is under /api/3/action)")
    rows: int = Field(default=100, ge=1, le=1000)
    """packages per package_search page"""
    organization: str | None = Field(default=None, description="only this organisation's packages (name or id)")
    fq: str | None = Field(default=None, description="extra Solr filter query")
    max_pages: int = Field(default=10_000, ge=1)
    """stop after this many pages (the listing then counts as incomplete)"""
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""


def encode(package: dict[str, Any]) -> bytes:
    """Stable JSON bytes of one package (same content, same hash)."""
    return canonical_json(package)


class CkanHarvester(Harvester):
    """Yields one JSON RawRecord per CKAN package (the package_search result entry)."""

    Options = CkanOptions
    media_type = "application/json"
    options: CkanOptions

    @property
    def action(self) -> str:
        return str(self.options.url).rstrip("/") + "/api/3/action/"

    def _filter(self, since: datetime | None) -> str | None:
        parts = [self.options.fq] if self.options.fq else []
        if self.options.organization:
            parts.append(f"organization:{self.options.organization}")
        if since is not None:
            stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            parts.append(f"metadata_modified:[{stamp} TO *]")
        return " AND ".join(parts) or None

    def _page(self, session: Any, policy: RetryPolicy, start: int, fq: str | None) -> tuple[int, list[Any]]:
        params: dict[str, Any] = {"rows": self.options.rows, "start": start, "sort": "id asc"}
        if fq:
            params["fq"] = fq
        self.report.requests += 1
        data = json_page(session, policy, self.action + "package_search", params)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("success") is not True or not isinstance(result, dict):
            raise PageError(f"not a successful package_search answer: {json.dumps(data)[:200]}")
        results = result.get("results")
        if not isinstance(results, list) or not isinstance(result.get("count"), int):
            raise PageError("package_search answer without results/count")
        return result["count"], results

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        session = new_session({"Accept": "application/json"})
        policy = RetryPolicy(self.options.timeout, self.options.retries, self.options.backoff)
        fq = self._filter(since)
        seen: set[str] = set()
        start = 0
        for page in range(1, self.options.max_pages + 1):
            try:
                count, results = self._page(session, policy, start, fq)
            except PageError as exc:
                message = f"CKAN {self.action}package_search page {page} (start={start}): {exc}"
                if page == 1:
                    raise SourceError(self.source_id, message) from exc
                self.report.fail(message + "; later pages not reached")
                return
            self.report.pages = page
            self.report.expected = count
            for position, package in enumerate(results, start=start + 1):
                item = self._record(package, position)
                if isinstance(item, RawRecord) and item.record_id in seen:
                    self.report.duplicates += 1
                    continue
                seen.add(item.record_id)
                yield item
                if limit is not None and len(seen) >= limit:
                    self.report.complete = False
                    return
            start += len(results)
            self.progress(f"page {page}: {len(seen)}/{count} packages")
            if not results or start >= count:
                break
        else:
            self.report.fail(f"stopped at the page cap ({self.options.max_pages} pages)")
        if self.report.expected is not None and len(seen) != self.report.expected:
            self.report.fail(f"{len(seen)} unique packages but package_search announced {self.report.expected}")

    def _record(self, package: Any, position: int) -> RawRecord | Rejection:
        if not isinstance(package, dict) or not str(package.get("id") or "").strip():
            return Rejection(
                self.source_id, f"(package {position})", "harvest", "missing_identifier", "package without id"
            )
        package_id = str(package["id"]).strip()
        return RawRecord(
            source_id=self.source_id,
            record_id=package_id,
            payload=encode(package),
            media_type=self.media_type,
            origin_url=f"{self.action}package_show?id={package_id}",
            modified=package.get("metadata_modified"),
        )
