"""Map every real file of one kind (split, then map) and account for every record: mapped or rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from luxcat import registry
from luxcat.errors import RecordError
from luxcat.records import MappedRecord, RawRecord
from mappers.base import MapContext


@dataclass
class CorpusResult:
    records_in: int = 0
    mapped: list[MappedRecord] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (file, reason, message)
    union: Graph = field(default_factory=Graph)


def map_files(
    kind: str, files: list[Path], languages: tuple[str, ...] = ("fr", "de", "en"), options: dict[str, Any] | None = None
) -> CorpusResult:
    """Split and map each file with its own base URI (ids repeat across unrelated example files)."""
    cls = registry.load(registry.MAPPERS, kind, what="mapper")
    result = CorpusResult()
    for n, path in enumerate(files):
        context = MapContext(kind, f"https://data.public.lu/luxcat/{kind}-{n}/", languages)
        mapper = cls(context, cls.Options.model_validate(options or {}))
        raw = RawRecord(kind, path.name, path.read_bytes(), "application/octet-stream", path.resolve().as_uri())
        for part in mapper.split(raw):
            result.records_in += 1
            try:
                out = list(mapper.map(part))
            except RecordError as exc:
                result.rejected.append((path.name, exc.reason, str(exc)))
                continue
            assert len(out) == 1, f"{path.name}: {part.record_id} mapped to {len(out)} records"
            result.mapped += out
            result.union += out[0].graph
    return result
