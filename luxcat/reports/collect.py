"""What the report says about each record, gathered while the record's graph is still in memory.

Blank-node ids change every time a graph is parsed, so a stored validation result cannot be
described later: the validate stage hands each report and its graph to a `FindingsCollector`, which
keeps titles, publishers, links and blank-node descriptions as plain text. Rejected records are
read back from the run's rejects files; their title comes from the raw payload when it has one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef

from luxcat.artifacts import ArtifactStore, safe_key
from luxcat.records import ValidationReport
from luxcat.reports.describe import describe_text, publisher_from_payload, publisher_of, title_from_payload, title_of

SHAPE_PREFIXES = {
    "http://data.europa.eu/r5r#": "dcat-ap:",
    "http://data.europa.eu/r5r/shacl_shapes#": "dcat-ap:",
    "http://data.europa.eu/930/": "geodcat-ap:",
    "http://purl.org/dc/terms/": "dct:",
    "http://www.w3.org/ns/dcat#": "dcat:",
}
TITLE = (URIRef("http://purl.org/dc/terms/title"),)
REJECT_KINDS = {"harvest": "harvest-reject", "map": "map-reject", "validate": "validate-reject"}


def report_language() -> str:
    """The operators' language for titles (LUXCAT_REPORT_LANGUAGE, default en); records fall back through theirs."""
    return os.environ.get("LUXCAT_REPORT_LANGUAGE", "en")


def compact(iri: str | None) -> str:
    """A shape or property IRI with a familiar prefix (`dcat-ap:Dataset_Shape/dct:title`)."""
    if not iri:
        return ""
    for base, prefix in SHAPE_PREFIXES.items():
        if iri.startswith(base):
            return prefix + iri[len(base) :]
    return iri


def entry_key(entry: dict[str, Any]) -> str:
    """What makes a finding the same finding in the next run (blank-node ids excluded: they change)."""
    parts = (entry["kind"], entry["record_id"], entry["rule"], entry["message"], entry.get("path") or "")
    return "|".join((*parts, entry.get("value") or ""))


@dataclass(slots=True)
class FindingsCollector:
    """Per-record facts and findings of one run, as plain JSON-ready dicts."""

    source_id: str
    languages: Sequence[str]
    artifacts: ArtifactStore
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def _order(self, language: str) -> tuple[str, ...]:
        """`language` first, then the others: a record's title in one language, falling back."""
        return (language, *(lang for lang in self.languages if lang != language))

    def link(self, record_id: str) -> tuple[str | None, str | None]:
        """(origin as stored, http(s) link to it) for a record whose payload was stored."""
        key = f"raw/{self.source_id}/{safe_key(record_id)}.meta.json"
        if not self.artifacts.exists(key):
            return None, None
        origin = json.loads(self.artifacts.get(key)).get("origin_url") or None
        return origin, origin if origin and origin.startswith(("http://", "https://")) else None

    def add_validated(self, record_id: str, dataset: str, report: ValidationReport | None, graph: Graph) -> None:
        """One validated record: its title, publisher, score and each result with blank nodes in words."""
        subject = URIRef(dataset)
        origin, link = self.link(record_id)
        self.records[record_id] = {
            "record_id": record_id,
            "dataset": dataset,
            "title": title_of(graph, subject, self.languages, TITLE),  # a record's title is its dct:title only
            "titles": {lang: title_of(graph, subject, self._order(lang), TITLE) for lang in self.languages},
            "publisher": publisher_of(graph, subject, self.languages),
            "origin": origin,
            "link": link,
            "score": report.score if report else None,
            "conforms": bool(report.conforms) if report else False,
        }
        if report is None:
            self._entry("finding", record_id, "Violation", "luxcat:dataset-recognised",
                        "the mapped graph holds no dataset the validator recognised")  # fmt: skip
            return
        for result in report.results:
            focus = describe_text(graph, result.focus, self.languages)
            self._entry(
                "finding",
                record_id,
                result.severity,
                compact(result.shape) or compact(result.path),
                result.message,
                path=compact(result.path),
                value=describe_text(graph, result.value, self.languages),
                focus="dataset" if result.focus == dataset else focus,
            )

    def add_rejection(self, row: dict[str, str], payload: tuple[bytes, str] | None) -> None:
        """A record a stage rejected; `payload` (bytes, media type) when its raw record was stored."""
        record_id = row["record_id"]
        kind = REJECT_KINDS.get(row["stage"], f"{row['stage']}-reject")
        if record_id not in self.records:
            origin, link = self.link(record_id)
            title = publisher = None
            titles: dict[str, str | None] = {}
            if payload is not None:
                title = title_from_payload(payload[0], payload[1], self.languages)
                titles = {
                    lang: title_from_payload(payload[0], payload[1], self._order(lang)) for lang in self.languages
                }
                publisher = publisher_from_payload(payload[0], payload[1], self.languages)
            self.records[record_id] = {
                "record_id": record_id,
                "dataset": None,
                "title": title,
                "titles": titles,
                "publisher": publisher,
                "origin": origin,
                "link": link,
                "score": None,
                "conforms": False,
            }
        self._entry(kind, record_id, "Rejected", f"{row['stage']}: {row['reason']}", row["detail"])

    def add_dropped(self, row: dict[str, Any]) -> None:
        """A value a mapper dropped (with its reason) although the record itself mapped."""
        self._entry(
            "dropped",
            str(row.get("record_id", "")),
            "Dropped",
            f"dropped: {row.get('reason', 'unspecified')}",
            str(row.get("detail") or row.get("message") or row.get("reason", "")),
            path=compact(row.get("path") or row.get("property")),
            value=None if row.get("value") is None else str(row.get("value")),
        )

    def _entry(
        self,
        kind: str,
        record_id: str,
        severity: str,
        rule: str,
        message: str,
        *,
        path: str | None = None,
        value: str | None = None,
        focus: str | None = None,
    ) -> None:
        entry = {
            "kind": kind,
            "record_id": record_id,
            "severity": severity,
            "rule": rule,
            "message": message,
            "path": path,
            "value": value,
            "focus": focus,
        }
        entry["key"] = entry_key(entry)
        self.entries.append(entry)
