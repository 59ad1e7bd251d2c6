"""Nothing silently lost: the one way every mapper reports a source value it could not keep.

A mapper that leaves out a value (a theme URI no vocabulary knows, a date it cannot read, a
distribution with an empty URL, a code outside its code list) calls `drop()` with the property,
the value and the reason. The pipeline collects the drops of each record (`collecting()`) and
writes them to map.json, the run summary and the validation report, so an operator sees what the
catalogue does not say and why. A context variable carries the collector, so helpers deep in a
mapper (vocabulary lookups, format guessing) report without every signature growing a parameter;
outside a collector (a plain `luxcat map`), drops are only logged at DEBUG.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from rdflib import RDF, URIRef

from mappers.licensing import licence_origin

log = logging.getLogger(__name__)
_TYPE, _DATASET = RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")

# Reasons, shared so that summaries count like with like.
UNKNOWN_THEME = "unknown theme URI"
UNPARSEABLE_DATE = "unparseable date"
EMPTY_URL = "empty URL"
UNKNOWN_CODE = "unknown code"
INVALID_URL = "not an http(s) URL"
INCOMPLETE_NODE = "incomplete (a mandatory property is missing)"


@dataclass(frozen=True, slots=True)
class Dropped:
    """One source value a mapper did not carry into the graph, and why."""

    property: str  # where it was in the source (an ISO path, a DCAT property, a column)
    value: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"property": self.property, "value": self.value, "reason": self.reason}


_COLLECTOR: ContextVar[list[Dropped] | None] = ContextVar("luxcat_dropped", default=None)


def drop(prop: str, value: object, reason: str) -> None:
    """Report a value left out of the mapped graph (the record being mapped is the one collected)."""
    found = _COLLECTOR.get()
    item = Dropped(prop, "" if value is None else str(value)[:300], reason)
    if found is None:
        log.debug("dropped %s %r: %s", prop, item.value, reason)
        return
    if item not in found:
        found.append(item)


@contextmanager
def collecting() -> Iterator[list[Dropped]]:
    """Collect every drop() made while mapping one record."""
    found: list[Dropped] = []
    token = _COLLECTOR.set(found)
    try:
        yield found
    finally:
        _COLLECTOR.reset(token)


def count_reasons(drops: Iterable[Dropped]) -> dict[str, int]:
    """Dropped values per reason, for the one-line summaries."""
    return dict(Counter(d.reason for d in drops))


class MapFindings:
    """What one map stage lost (per record) and where its licences came from, for map.json and summaries."""

    def __init__(self) -> None:
        self.dropped: dict[str, list[dict[str, str]]] = {}
        self.licence_origin: Counter[str] = Counter()

    def add(self, record_id: str, mapped: Iterable[object], dropped: list[Dropped]) -> None:
        """Record one mapped record's drops and its datasets' licence origins."""
        if dropped:
            self.dropped[record_id] = [d.as_dict() for d in dropped]
        for record in mapped:
            graph, subject = record.graph, record.subject  # type: ignore[attr-defined]
            if (subject, _TYPE, _DATASET) in graph:
                self.licence_origin[licence_origin(graph, subject)] += 1

    def as_extra(self) -> dict[str, object]:
        """The map stage's `extra`: licence origins, dropped values per record and per reason."""
        reasons = Counter(d["reason"] for items in self.dropped.values() for d in items)
        return {
            "licence_origin": {o: self.licence_origin.get(o, 0) for o in ("stated", "source-default", "none")},
            "dropped_values": sum(reasons.values()),
            "dropped_reasons": dict(reasons),
            "dropped": self.dropped,
        }


def summary_line(source_id: str, details: dict[str, dict[str, object]]) -> str | None:
    """`src: licences 20 stated, 3 source-default, 2 none; 14 values dropped (unknown code: 9, ...)`."""
    extra = details.get("map", {}).get("extra") if isinstance(details.get("map"), dict) else None
    if not isinstance(extra, dict) or "licence_origin" not in extra:
        return None
    origins = extra["licence_origin"]
    assert isinstance(origins, dict)
    text = f"{source_id}: licences " + ", ".join(f"{n} {o}" for o, n in origins.items())
    reasons = extra.get("dropped_reasons") or {}
    assert isinstance(reasons, dict)
    text += f"; {extra.get('dropped_values', 0)} values dropped"
    if reasons:
        text += " (" + ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1])) + ")"
    return text
