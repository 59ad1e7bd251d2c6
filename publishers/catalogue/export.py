"""Write one complete catalogue version into a staging folder, streaming every format at once.

Each merged chunk is rendered once per format and written both to the whole dump and to its Hydra
page, so 100,000 datasets cost one pass. `datasets.jsonl` lists every dataset with its byte range in
`catalogue.nt` (OAI-PMH GetRecord reads just that range) plus the datasets reported as deleted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from publishers.catalogue.dcatap2 import downgrade, needs_downgrade
from publishers.catalogue.merge import Chunk, Conflict, catalogue_triples
from publishers.serialise import FORMATS, PREFIXES, DocumentWriter, RdfFormat, Triple, by_subject, iri, literal
from publishers.targets import CatalogueMetadata, CatalogueTarget

HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
VARIANT_2 = "dcat-ap-2.1.1"
EXTENSIONS = tuple(FORMATS)


class _CountingFile:
    """A binary file written as text, counting bytes (datasets.jsonl needs byte offsets into catalogue.nt)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: IO[bytes] = path.open("wb", buffering=1 << 20)
        self.pos = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.fh.write(data)
        self.pos += len(data)
        return len(text)

    def close(self) -> None:
        self.fh.close()


@dataclass(slots=True)
class _Doc:
    writer: DocumentWriter
    file: _CountingFile

    def close(self) -> None:
        self.writer.close()
        self.file.close()


def page_name(n: int, ext: str) -> str:
    """File name of page n (1-based), zero-padded so listings sort."""
    return f"pages/{n:05d}.{ext}"


def hydra_triples(catalogue_uri: str, page_url: Any, n: int, pages: int, total: int) -> list[Triple]:
    """The Hydra PartialCollectionView of page n: first/last/next/previous and the collection's total."""
    cat, view = iri(catalogue_uri), iri(page_url(n))
    out = [
        (cat, RDF_TYPE, iri(HYDRA + "Collection")),
        (cat, iri(HYDRA + "totalItems"), literal(str(total), datatype=XSD_INTEGER)),
        (cat, iri(HYDRA + "view"), view),
        (view, RDF_TYPE, iri(HYDRA + "PartialCollectionView")),
        (view, iri(HYDRA + "first"), iri(page_url(1))),
        (view, iri(HYDRA + "last"), iri(page_url(pages))),
    ]
    if n < pages:
        out.append((view, iri(HYDRA + "next"), iri(page_url(n + 1))))
    if n > 1:
        out.append((view, iri(HYDRA + "previous"), iri(page_url(n - 1))))
    return out


@dataclass(slots=True)
class ExportStats:
    """What a version holds; becomes the manifest and part of the pointer."""

    datasets: int = 0
    services: int = 0
    triples: int = 0
    pages: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


class VersionWriter:
    """Streams chunks into every file of one version (whole dumps and pages, optionally the 2.1.1 variant)."""

    def __init__(
        self, staging: Path, meta: CatalogueMetadata, options: CatalogueTarget, total: int, modified: Any
    ) -> None:
        self.staging = staging
        self.meta = meta
        self.options = options
        self.total = total
        self.pages = max(1, math.ceil(total / options.page_size))
        self.variants = ["", VARIANT_2] if options.dcat_ap_2 else [""]
        self.formats: dict[str, RdfFormat] = {ext: FORMATS[ext](PREFIXES) for ext in EXTENSIONS}
        self.catalogue = catalogue_triples(meta, modified)
        self.whole = {
            (v, ext): self._open(self._key(v, f"catalogue.{ext}"), ext) for v in self.variants for ext in EXTENSIONS
        }
        for doc in self.whole.values():
            doc.writer.write(self.catalogue)
        self.page_docs: dict[tuple[str, str], _Doc] = {}
        self.page = 0
        self.in_page = 0
        self.stats = ExportStats(pages=self.pages)
        self.datasets = (staging / "datasets.jsonl").open("w", encoding="utf-8")

    @staticmethod
    def _key(variant: str, name: str) -> str:
        return f"{variant}/{name}" if variant else name

    def _open(self, key: str, ext: str) -> _Doc:
        file = _CountingFile(self.staging / key)
        return _Doc(DocumentWriter(self.formats[ext], file), file)

    def page_url(self, variant: str, ext: str) -> Any:
        base = self.options.base_url + (f"{variant}/" if variant else "")
        return lambda n: base + page_name(n, ext)

    def _start_page(self) -> None:
        self.page += 1
        self.in_page = 0
        self.page_docs = {
            (v, ext): self._open(self._key(v, page_name(self.page, ext)), ext)
            for v in self.variants
            for ext in EXTENSIONS
        }

    def _end_page(self) -> None:
        for (variant, ext), doc in self.page_docs.items():
            hydra = hydra_triples(self.meta.uri, self.page_url(variant, ext), self.page, self.pages, self.total)
            doc.writer.write(self.catalogue + hydra)
            doc.close()
        self.page_docs = {}

    def write(self, chunk: Chunk, datestamp: str) -> None:
        """Render the chunk once per format and variant; append it to the dump and the current page."""
        if not self.page_docs or self.in_page >= self.options.page_size:
            if self.page_docs:
                self._end_page()
            self._start_page()
        self.in_page += 1
        triples = chunk.triples + chunk.links
        nt = self.whole[("", "nt")].file
        offset = nt.pos
        rendered: dict[str, str] = {}
        for variant in self.variants:
            if variant and not needs_downgrade(triples):
                texts = rendered  # identical in 2.1.1: write the same text
            else:
                groups = by_subject(downgrade(triples) if variant else triples)
                texts = {ext: fmt.render(groups) for ext, fmt in self.formats.items()}
            rendered = rendered or texts
            for ext, text in texts.items():
                self.whole[(variant, ext)].writer.write_rendered(text)
                self.page_docs[(variant, ext)].writer.write_rendered(text)
        entry = chunk.entry
        line = {
            "uri": entry.uri,
            "identifier": entry.identifier,
            "kind": entry.kind,
            "hash": entry.hash,
            "datestamp": datestamp,
            "sets": entry.sources,
            "records": [[m.source_id, m.record_id] for m in entry.members],
            "page": self.page,
            "offset": offset,
            "length": nt.pos - offset,
        }
        self.datasets.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.stats.datasets += entry.kind != "service"
        self.stats.services += entry.kind == "service"
        self.stats.triples += len(triples)
        self.stats.conflicts += chunk.conflicts

    def write_deleted(self, lines: Iterable[dict[str, Any]]) -> None:
        """Datasets no longer in the catalogue (withdrawn, or gone since the last version)."""
        for line in lines:
            self.datasets.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> ExportStats:
        """Finish every document (an empty catalogue still gets one page) and the conflict report."""
        if not self.page_docs:
            self._start_page()
        self._end_page()
        for doc in self.whole.values():
            doc.close()
        self.datasets.close()
        report = [c.as_dict() for c in self.stats.conflicts]
        (self.staging / "conflicts.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
        return self.stats


def write_version(
    staging: Path,
    meta: CatalogueMetadata,
    options: CatalogueTarget,
    chunks: Iterator[Chunk],
    *,
    total: int,
    datestamps: dict[str, str],
    deleted: Iterable[dict[str, Any]],
    modified: Any,
    sets: dict[str, str],
) -> ExportStats:
    """Write every file of one version into `staging` (nothing is served from there)."""
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "sets.json").write_text(json.dumps(sets, indent=1, ensure_ascii=False), "utf-8")
    writer = VersionWriter(staging, meta, options, total, modified)
    try:
        for chunk in chunks:
            writer.write(chunk, datestamps[chunk.entry.uri])
        writer.write_deleted(deleted)
    finally:
        stats = writer.close()
    return stats
