"""Write one complete catalogue version into a staging folder, streaming every format at once.

Each merged chunk is rendered once per format and written both to the whole dump and to its Hydra
page, so 100,000 datasets cost one pass. The entries are cut into page-aligned parts written by
worker processes (fork) side by side; each part's share of the whole dumps is then concatenated in
order, so the result is byte-identical whatever the number of workers. `datasets.jsonl` lists every
dataset with its byte range in `catalogue.nt` (OAI-PMH GetRecord reads just that range) plus the
datasets reported as deleted.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from luxcat.artifacts import ArtifactStore, LocalArtifactStore, open_artifacts
from publishers.catalogue.dcatap2 import downgrade, needs_downgrade
from publishers.catalogue.merge import Chunk, Conflict, Entry, catalogue_triples, chunks
from publishers.serialise import (
    FORMATS,
    PREFIXES,
    DocumentWriter,
    RdfFormat,
    SerialisationError,
    Triple,
    by_subject,
    iri,
    literal,
)
from publishers.targets import CatalogueMetadata, CatalogueTarget

log = logging.getLogger(__name__)

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
    """What a version holds; becomes part of the pointer."""

    datasets: int = 0
    services: int = 0
    triples: int = 0
    pages: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)  # datasets no syntax error may stop the export
    nt_size: int = 0  # bytes of this part's share of catalogue.nt

    def add(self, other: ExportStats) -> None:
        self.datasets += other.datasets
        self.services += other.services
        self.triples += other.triples
        self.conflicts += other.conflicts
        self.left_out += other.left_out


@dataclass(slots=True)
class Layout:
    """What every part needs to know about the whole version."""

    staging: Path
    meta: CatalogueMetadata
    options: CatalogueTarget
    total: int
    pages: int
    catalogue: list[Triple]

    @property
    def variants(self) -> list[str]:
        return ["", VARIANT_2] if self.options.dcat_ap_2 else [""]

    def page_url(self, variant: str, ext: str) -> Any:
        base = self.options.base_url + (f"{variant}/" if variant else "")
        return lambda n: base + page_name(n, ext)


def _key(variant: str, name: str) -> str:
    return f"{variant}/{name}" if variant else name


class PartWriter:
    """Writes a page-aligned run of entries: its full pages, and its share of each whole dump (no head/tail)."""

    def __init__(self, layout: Layout, part: int, first_page: int) -> None:
        self.layout = layout
        self.part_dir = layout.staging / ".parts" / str(part)
        self.formats: dict[str, RdfFormat] = {ext: FORMATS[ext](PREFIXES) for ext in EXTENSIONS}
        self.whole = {
            (v, ext): _CountingFile(self.part_dir / _key(v, f"catalogue.{ext}"))
            for v in layout.variants
            for ext in EXTENSIONS
        }
        self.page_docs: dict[tuple[str, str], _Doc] = {}
        self.page = first_page - 1
        self.in_page = 0
        self.stats = ExportStats()
        self.datasets = (self.part_dir / "datasets.jsonl").open("w", encoding="utf-8")

    def _start_page(self) -> None:
        self.page += 1
        self.in_page = 0
        self.page_docs = {}
        for v in self.layout.variants:
            for ext in EXTENSIONS:
                file = _CountingFile(self.layout.staging / _key(v, page_name(self.page, ext)))
                self.page_docs[(v, ext)] = _Doc(DocumentWriter(self.formats[ext], file), file)

    def _end_page(self) -> None:
        layout = self.layout
        for (variant, ext), doc in self.page_docs.items():
            hydra = hydra_triples(layout.meta.uri, layout.page_url(variant, ext), self.page, layout.pages, layout.total)
            doc.writer.write(layout.catalogue + hydra)
            doc.close()
        self.page_docs = {}

    def write(self, chunk: Chunk, datestamp: str) -> None:
        """Render the chunk once per format and variant; append it to the dump share and the current page."""
        if not self.page_docs or self.in_page >= self.layout.options.page_size:
            if self.page_docs:
                self._end_page()
            self._start_page()
        self.in_page += 1  # counted even when left out below: pages stay where the layout put them
        triples = chunk.triples + chunk.links
        nt = self.whole[("", "nt")]
        offset = nt.pos
        try:
            renderings = self._render(triples)
        except SerialisationError as exc:
            self._leave_out(chunk, exc)
            return
        for variant, texts in renderings.items():
            for ext, text in texts.items():
                if text:  # the dump already holds the catalogue's triples: a separator always precedes
                    self.whole[(variant, ext)].write(self.formats[ext].separator + text)
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

    def _render(self, triples: list[Triple]) -> dict[str, dict[str, str]]:
        """variant -> format -> text of one chunk; all rendered before anything is written."""
        out: dict[str, dict[str, str]] = {}
        rendered: dict[str, str] = {}
        for variant in self.layout.variants:
            if variant and not needs_downgrade(triples):
                texts = rendered  # identical in 2.1.1: write the same text
            else:
                groups = by_subject(downgrade(triples) if variant else triples)
                texts = {ext: fmt.render(groups) for ext, fmt in self.formats.items()}
            rendered = rendered or texts
            out[variant] = texts
        return out

    def _leave_out(self, chunk: Chunk, exc: SerialisationError) -> None:
        """A dataset one syntax cannot express stays out of every file of this version, reported as a finding."""
        entry = chunk.entry
        finding = {
            "uri": entry.uri,
            "records": [[m.source_id, m.record_id] for m in entry.members],
            "reason": "not_serialisable",
            "message": str(exc),
        }
        log.warning("target=catalogue dataset=%s left out of this version: %s", entry.uri, exc)
        self.stats.left_out.append(finding)

    def close(self, *, empty_page: bool = False) -> ExportStats:
        """Finish the last page (or write the lone empty page of an empty catalogue)."""
        if empty_page and not self.page_docs:
            self._start_page()
        if self.page_docs:
            self._end_page()
        for file in self.whole.values():
            file.close()
        self.datasets.close()
        self.stats.nt_size = self.whole[("", "nt")].pos
        return self.stats


@dataclass(slots=True)
class _Job:
    """A part to write: which entries (by position), from which page on."""

    layout: Layout
    entries: Sequence[Entry]
    artifacts: ArtifactStore
    datestamps: dict[str, str]
    part: int
    start: int
    stop: int
    first_page: int


_JOBS: list[_Job] = []  # set before forking: workers inherit it instead of unpickling 100,000 entries


def _run_part(number: int) -> ExportStats:
    job = _JOBS[number]
    artifacts = job.artifacts
    if len(_JOBS) > 1 and not isinstance(artifacts, LocalArtifactStore):
        artifacts = open_artifacts(artifacts.location(""))  # a fresh S3 client in each worker process
    writer = PartWriter(job.layout, job.part, job.first_page)
    for chunk in chunks(job.entries[job.start : job.stop], artifacts, job.layout.meta.uri, start=job.start):
        writer.write(chunk, job.datestamps[chunk.entry.uri])
    return writer.close(empty_page=job.layout.total == 0)


def _assemble(layout: Layout, results: list[ExportStats], deleted: Iterable[dict[str, Any]]) -> None:
    """Concatenate the parts' shares into the whole dumps and datasets.jsonl (NT offsets shifted)."""
    staging = layout.staging
    base = 0
    for variant in layout.variants:
        for ext in EXTENSIONS:
            fmt = FORMATS[ext](PREFIXES)
            head = (fmt.head() + fmt.render(by_subject(layout.catalogue))).encode("utf-8")
            if (variant, ext) == ("", "nt"):
                base = len(head)
            path = staging / _key(variant, f"catalogue.{ext}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                out.write(head)
                for part in range(len(results)):
                    with (staging / ".parts" / str(part) / _key(variant, f"catalogue.{ext}")).open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                out.write(fmt.tail().encode("utf-8"))
    with (staging / "datasets.jsonl").open("w", encoding="utf-8") as out:
        for part, stats in enumerate(results):
            with (staging / ".parts" / str(part) / "datasets.jsonl").open(encoding="utf-8") as src:
                for text in src:
                    line = json.loads(text)
                    line["offset"] += base
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
            base += stats.nt_size
        for line in deleted:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    shutil.rmtree(staging / ".parts")


def write_version(
    staging: Path,
    meta: CatalogueMetadata,
    options: CatalogueTarget,
    entries: Sequence[Entry],
    artifacts: ArtifactStore,
    *,
    datestamps: dict[str, str],
    deleted: Iterable[dict[str, Any]],
    modified: Any,
    sets: dict[str, str],
) -> ExportStats:
    """Write every file of one version into `staging` (nothing is served from there)."""
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "sets.json").write_text(json.dumps(sets, indent=1, ensure_ascii=False), "utf-8")
    pages = max(1, math.ceil(len(entries) / options.page_size))
    layout = Layout(staging, meta, options, len(entries), pages, catalogue_triples(meta, modified))
    workers = max(1, min(options.workers, pages))
    bounds = [round(pages * w / workers) for w in range(workers + 1)]  # page numbers, 0-based
    jobs = [
        _Job(
            layout,
            entries,
            artifacts,
            datestamps,
            w,
            bounds[w] * options.page_size,
            min(len(entries), bounds[w + 1] * options.page_size),
            bounds[w] + 1,
        )
        for w in range(workers)
    ]
    _JOBS[:] = jobs
    try:
        if workers == 1:
            results = [_run_part(0)]
        else:
            # close + join, not the context manager's terminate(): a parent with a SIGTERM handler that
            # ignores the signal (Airflow's task runner installs one) would hang terminate() forever
            pool = multiprocessing.get_context("fork").Pool(workers)
            try:
                results = pool.map(_run_part, range(workers))
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
    finally:
        _JOBS.clear()
    _assemble(layout, results, deleted)
    stats = ExportStats(pages=pages)
    for result in results:
        stats.add(result)
    report = [c.as_dict() for c in stats.conflicts]
    (staging / "conflicts.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
    (staging / "findings.json").write_text(json.dumps(stats.left_out, indent=1, ensure_ascii=False), "utf-8")
    return stats
