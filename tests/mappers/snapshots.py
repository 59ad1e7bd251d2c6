"""Golden N-Triples snapshots of every mapped corpus record, so a refactoring can prove it changed nothing.

Regenerate (only when the mapping is meant to change, and say so in the commit):
    .venv/bin/python -m tests.mappers.snapshots
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from luxcat.errors import RecordError
from luxcat.records import RawRecord
from mappers.iso19139 import Iso19139Mapper
from tests.mappers.corpus import ISO_DIR, context, iso_files

EXPECTED = Path(__file__).resolve().parent / "expected" / "iso19139"
# The fetch time never becomes a date of the record; it is fixed anyway, so snapshots are stable.
FETCHED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def snapshot_name(file_name: str, index: int) -> str:
    """File name of the snapshot of the index-th record mapped from one corpus file."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", file_name.removesuffix(".xml")) + f"__{index}.nt"


def current_graphs() -> dict[str, Graph]:
    """Snapshot name -> graph the current code maps, for every record of the corpus."""
    mapper = Iso19139Mapper(context())
    out: dict[str, Graph] = {}
    for path in iso_files():
        name = path.relative_to(ISO_DIR).as_posix()
        raw = RawRecord("test", path.name, path.read_bytes(), "application/xml", path.name, FETCHED_AT)
        try:
            singles = list(mapper.split(raw))
        except RecordError:
            continue
        index = 0
        for single in singles:
            try:
                mapped = list(mapper.map(single))
            except RecordError:
                continue
            for record in mapped:
                index += 1
                out[snapshot_name(name, index)] = record.graph
    return out


def write_all() -> int:
    """Rewrite every snapshot from the current code; returns how many were written."""
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for old in EXPECTED.glob("*.nt"):
        old.unlink()
    graphs = current_graphs()
    for name, graph in graphs.items():
        lines = sorted(graph.serialize(format="nt").splitlines())
        (EXPECTED / name).write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    return len(graphs)


if __name__ == "__main__":
    print(f"wrote {write_all()} snapshots to {EXPECTED}")
