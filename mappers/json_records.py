"""JSON payloads shared by the CKAN and udata mappers: parse with a clear error, split a list answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from luxcat.errors import UnparsableRecord
from luxcat.records import RawRecord, canonical_json


def load_json(raw: RawRecord) -> Any:
    """The decoded payload, or UnparsableRecord naming the record."""
    try:
        return json.loads(raw.payload)
    except ValueError as exc:
        raise UnparsableRecord(f"{raw.record_id}: not JSON: {exc}") from exc


def split_json(
    raw: RawRecord,
    items: Callable[[Any], Iterable[Any]],
    identify: Callable[[Any], str | None],
) -> Iterator[RawRecord]:
    """One record per item of a file or API answer, encoded exactly as the harvester does (same hash)."""
    for position, item in enumerate(items(load_json(raw)), start=1):
        found = identify(item) if isinstance(item, dict) else None
        yield RawRecord(
            source_id=raw.source_id,
            record_id=found or f"{raw.record_id}#{position}",
            payload=canonical_json(item),
            media_type="application/json",
            origin_url=raw.origin_url,
            fetched_at=raw.fetched_at,
        )
