"""The values that flow between stages: raw payloads, rejections, mapped graphs, validation reports."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph, URIRef


def utcnow() -> datetime:
    """Timezone-aware now, so stored times compare correctly across SQLite and PostgreSQL."""
    return datetime.now(UTC)


def canonical_json(document: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, compact): the same content always hashes the same."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(payload: bytes) -> str:
    """Stable fingerprint of a payload: unchanged records are recognised by it."""
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record exactly as the source sent it (harvester -> mapper)."""

    source_id: str
    record_id: str
    payload: bytes
    media_type: str
    origin_url: str
    fetched_at: datetime = field(default_factory=utcnow)
    modified: str | None = None  # the source's own modification stamp, when it gives one

    @property
    def hash(self) -> str:
        return content_hash(self.payload)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that a stage could not process, with the reason it was skipped."""

    source_id: str
    record_id: str
    stage: str
    reason: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {
            "source_id": self.source_id,
            "record_id": self.record_id,
            "stage": self.stage,
            "reason": self.reason,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        return f"{self.source_id}: record {self.record_id}: {self.reason}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One SHACL or policy result, in the shape of `luxcat validate --format json`."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
        }


@dataclass(slots=True)
class ValidationReport:
    """Outcome of validating one dataset (with its distributions and the nodes only it reaches)."""

    dataset: str
    conforms: bool
    score: int | None = None
    results: list[ValidationIssue] = field(default_factory=list)
    licence_origin: str | None = None  # stated | source-default | none (datasets only; mappers.licensing)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "conforms": self.conforms,
            "score": self.score,
            "results": [r.as_dict() for r in self.results],
        }
        if self.licence_origin is not None:
            out["licence_origin"] = self.licence_origin
        return out


@dataclass(slots=True)
class MappedRecord:
    """One record as a DCAT-AP graph (mapper -> validator -> publisher); one graph per record."""

    source_id: str
    record_id: str
    graph: Graph
    subject: URIRef
    validation: ValidationReport | None = None
