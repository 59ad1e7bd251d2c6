"""Write one catalogue version into a staging folder, rendering only the pages whose datasets changed.

Why incremental: at 100,000 datasets a from-scratch export renders 6 GB in every format on each
publish, whatever changed. Here a dataset's Hydra page is a stable function of its URI
(`partition.py`), so one changed dataset re-renders one page, plus page 1, which alone carries the
catalogue's volatile statements. Every other page's files are taken over from the last version
unrendered (a hard link on a folder, a server-side copy on S3: `storage.ExportTarget.link`).

What changes with every publish is written only where it must be (the decision, documented in the
README's catalogue section):

- page 1 and the head of each whole dump carry the catalogue's `dct:modified`, `hydra:totalItems`
  and the indicators dataset; every other page carries the catalogue's stable description and its
  Hydra view (`hydra:first`/`last`/`next`/`previous`: stable while the page count P is);
- whole dumps are `catalogue.<ext>.gz` (each format of `formats`, and the DCAT-AP 2.1.1 variant): a head
  gzip member, then each page's `parts/NNNNN.<ext>.gz` (a gzip member of that page's datasets in
  the whole dump's form), then a tail member. Concatenated gzip members are one valid gzip file
  (RFC 1952, 2.2), so a dump is assembled by copying bytes, never recompressed. Turtle chunks are
  self-contained subject blocks (no `[]` nodes, no prefix redefinitions) and JSON-LD chunks each
  start with their separator after the head's catalogue node, so every format concatenates.
  The uncompressed `catalogue.<ext>` are written only with `uncompressed_dumps: true`;
- `datasets.jsonl` gives each dataset's byte range in its page's N-Triples file (`file`, `offset`,
  `length`): OAI-PMH GetRecord and the indicators read just that range; deleted datasets stay listed
  there (OAI-PMH `status="deleted"`). `datasets.tsv` repeats the live lines' uri, hash, datestamp and
  range for the next plan (splitting 100,000 rows is ten times cheaper than parsing JSON); a reused
  page's lines in both are copied by byte range (`pages.json` records each page's spans).

Dirty pages may be rendered by forked worker processes; a page's bytes do not depend on which
process wrote it (blank node labels are per page: `partition.BLANK_STRIDE`).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from luxcat.artifacts import ArtifactStore, LocalArtifactStore, open_artifacts
from luxcat.forkpool import fork_pool
from publishers.catalogue.dcatap2 import downgrade, needs_downgrade
from publishers.catalogue.merge import Entry, MergeIndex, catalogue_triples, chunks
from publishers.catalogue.partition import (
    BLANK_STRIDE,
    MANIFEST,
    Manifest,
    PageKeys,
    PageRecord,
    layout_key,
    partition_count,
)
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

if TYPE_CHECKING:
    from publishers.catalogue.storage import ExportTarget

log = logging.getLogger(__name__)

HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
VARIANT_2 = "dcat-ap-2.1.1"
EXTENSIONS = tuple(FORMATS)
LINES_DIR = ".lines"  # rendered pages' datasets.jsonl/.tsv lines, removed once spliced
GZIP_LEVEL = 6  # parts are compressed once, when their page is rendered; dumps are never recompressed


class _CountingFile:
    """A binary file written as text, counting bytes (datasets.jsonl needs byte offsets into a page)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: IO[bytes] = path.open("wb", buffering=1 << 18)
        self.pos = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.fh.write(data)
        self.pos += len(data)
        return len(text)

    def close(self) -> None:
        self.fh.close()


def page_name(n: int, ext: str) -> str:
    """File name of page n (1-based), zero-padded so listings sort."""
    return f"pages/{n:05d}.{ext}"


def part_name(n: int, ext: str) -> str:
    """File name of page n's share of the whole dump: one gzip member."""
    return f"parts/{n:05d}.{ext}.gz"


def variant_key(variant: str, name: str) -> str:
    """A file's key in the version: the 2.1.1 variant lives in its own folder."""
    return f"{variant}/{name}" if variant else name


def hydra_triples(catalogue_uri: str, page_url: Any, n: int, pages: int, total: int | None) -> list[Triple]:
    """The Hydra PartialCollectionView of page n: first/last/next/previous (and the total, on page 1 only)."""
    cat, view = iri(catalogue_uri), iri(page_url(n))
    out = [
        (cat, RDF_TYPE, iri(HYDRA + "Collection")),
        (cat, iri(HYDRA + "view"), view),
        (view, RDF_TYPE, iri(HYDRA + "PartialCollectionView")),
        (view, iri(HYDRA + "first"), iri(page_url(1))),
        (view, iri(HYDRA + "last"), iri(page_url(pages))),
    ]
    if total is not None:
        out.insert(1, (cat, iri(HYDRA + "totalItems"), literal(str(total), datatype=XSD_INTEGER)))
    if n < pages:
        out.append((view, iri(HYDRA + "next"), iri(page_url(n + 1))))
    if n > 1:
        out.append((view, iri(HYDRA + "previous"), iri(page_url(n - 1))))
    return out


@dataclass(slots=True)
class ExportStats:
    """What a version holds (becomes part of the pointer) and how much of it was rendered."""

    datasets: int = 0
    services: int = 0
    triples: int = 0
    pages: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)  # datasets no syntax error may stop the export
    rendered: list[int] = field(default_factory=list)  # page numbers rendered in this version
    reused: list[int] = field(default_factory=list)  # page numbers taken over from the previous version
    layout: str = ""

    def add(self, page: PageRecord) -> None:
        self.datasets += page.datasets
        self.services += page.services
        self.triples += page.triples
        self.conflicts += page.conflicts
        self.left_out += page.left_out


@dataclass(slots=True)
class Previous:
    """The served version an export may reuse pages from: its manifest, and where to read its files.

    A reused page's datasets.jsonl and datasets.tsv lines are copied from that version's files by
    the spans its manifest records (`PageRecord.lines`, `.table`), read as one stream.
    """

    version: str
    manifest: Manifest
    target: ExportTarget | None = None


@dataclass(slots=True)
class Layout:
    """What every page needs to know about the whole version."""

    staging: Path
    meta: CatalogueMetadata
    options: CatalogueTarget
    total: int
    pages: int
    stable: list[Triple]  # the catalogue's own description, the same in every version under one config
    volatile: list[Triple]  # what changes with every publish (dct:modified): page 1 and dump heads only
    extra: list[Triple] = field(default_factory=list)  # the indicators dataset: dump heads and page 1

    def extra_for(self, variant: str) -> list[Triple]:
        """The extra triples in the variant's terms (DCAT-AP 2.1.1 downgraded), less those the head has."""
        triples = downgrade(self.extra) if variant and needs_downgrade(self.extra) else self.extra
        head = set(self.stable) | set(self.volatile)
        return [t for t in triples if t not in head]

    @property
    def variants(self) -> list[str]:
        return ["", VARIANT_2] if self.options.dcat_ap_2 else [""]

    @property
    def formats(self) -> tuple[str, ...]:
        """The serialisations this version is written in (publish.yaml `formats`; "nt" always among them)."""
        return tuple(self.options.formats)

    def page_url(self, variant: str, ext: str) -> Any:
        base = self.options.base_url + (f"{variant}/" if variant else "")
        return lambda n: base + page_name(n, ext)

    def trailer(self, variant: str, ext: str, n: int) -> list[Triple]:
        """The catalogue's triples a page ends with: stable ones everywhere, volatile ones on page 1."""
        first = n == 1
        hydra = hydra_triples(self.meta.uri, self.page_url(variant, ext), n, self.pages, self.total if first else None)
        return self.stable + hydra + (self.volatile + self.extra_for(variant) if first else [])

    def dump_head(self, variant: str, fmt: RdfFormat) -> str:
        return fmt.head() + fmt.render(by_subject(self.stable + self.volatile + self.extra_for(variant)))


@dataclass(slots=True)
class PageResult:
    """A rendered page: its manifest record (its datasets.jsonl/.tsv lines are in `lines_path`)."""

    number: int
    record: PageRecord


def lines_path(staging: Path, n: int, ext: str) -> Path:
    """A rendered page's datasets.jsonl (ext jsonl) or datasets.tsv (ext tsv) lines, until they are spliced."""
    return staging / LINES_DIR / f"{n:05d}.{ext}"


class PageWriter:
    """Renders whole pages: every format and variant of the page file, and its gzip'd share of each dump."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.formats: dict[str, RdfFormat] = {ext: FORMATS[ext](PREFIXES) for ext in layout.formats}

    def write(self, n: int, entries: Sequence[Entry], artifacts: ArtifactStore) -> PageResult:
        """Render page n from its entries (merged again from the artifacts)."""
        layout = self.layout
        if len(entries) >= BLANK_STRIDE:
            raise ValueError(f"page {n} holds {len(entries)} datasets; blank node labels would collide")
        files = {
            (v, ext): _CountingFile(layout.staging / variant_key(v, page_name(n, ext)))
            for v in layout.variants
            for ext in layout.formats
        }
        writers = {key: DocumentWriter(self.formats[key[1]], file) for key, file in files.items()}
        bodies: dict[tuple[str, str], list[str]] = {key: [] for key in files}
        record, lines = PageRecord(""), []
        nt = files[("", "nt")]
        for chunk in chunks(entries, artifacts, layout.meta.uri, start=(n - 1) * BLANK_STRIDE):
            triples = chunk.triples + chunk.links
            try:
                renderings = self._render(triples)
            except SerialisationError as exc:
                record.left_out.append(_left_out(chunk.entry, exc))
                continue
            offset = nt.pos
            for variant, texts in renderings.items():
                for ext, text in texts.items():
                    if text:  # the dump's head holds the catalogue's triples: a separator always precedes
                        bodies[(variant, ext)].append(self.formats[ext].separator + text)
                    writers[(variant, ext)].write_rendered(text)
            entry = chunk.entry
            lines.append(dataset_line(entry, entry.datestamp, n, page_name(n, "nt"), offset, nt.pos - offset))
            record.datasets += entry.kind != "service"
            record.services += entry.kind == "service"
            record.triples += len(triples)
            record.conflicts += [c.as_dict() for c in chunk.conflicts]
        for (variant, ext), writer in writers.items():
            writer.write(layout.trailer(variant, ext, n))
            writer.close()
            files[(variant, ext)].close()
            path = layout.staging / variant_key(variant, part_name(n, ext))
            path.parent.mkdir(parents=True, exist_ok=True)
            data = "".join(bodies[(variant, ext)]).encode("utf-8")
            path.write_bytes(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
        write_lines(layout.staging, n, lines)
        return PageResult(n, record)

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


def dataset_line(entry: Entry, datestamp: str, n: int, file: str, offset: int, length: int) -> dict[str, Any]:
    """The datasets.jsonl line of a live dataset (OAI-PMH's item; its bytes are `file[offset:offset+length]`)."""
    return {
        "uri": entry.uri,
        "identifier": entry.identifier,
        "kind": entry.kind,
        "hash": entry.hash,
        "datestamp": datestamp,
        "sets": entry.sources,
        "records": [[m.source_id, m.record_id] for m in entry.members],
        "page": n,
        "file": file,
        "offset": offset,
        "length": length,
    }


def _left_out(entry: Entry, exc: SerialisationError) -> dict[str, Any]:
    """A dataset one syntax cannot express stays out of every file of this version, reported as a finding."""
    log.warning("target=catalogue dataset=%s left out of this version: %s", entry.uri, exc)
    return {
        "uri": entry.uri,
        "records": [[m.source_id, m.record_id] for m in entry.members],
        "reason": "not_serialisable",
        "message": str(exc),
    }


def write_lines(staging: Path, n: int, lines: list[dict[str, Any]]) -> None:
    """A rendered page's datasets.jsonl and datasets.tsv lines, as files spliced by `dumps.write_datasets`."""
    path = lines_path(staging, n, "jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8"))
    fields = ("uri", "hash", "datestamp", "file", "offset", "length")
    rows = "".join("\t".join(str(x[f]) for f in fields) + "\n" for x in lines)
    lines_path(staging, n, "tsv").write_bytes(rows.encode("utf-8"))


@dataclass(slots=True)
class _Job:
    """Pages to render in one process (their entries are read from the index file)."""

    layout: Layout
    index: MergeIndex
    numbers: list[int]
    artifacts: ArtifactStore


_JOBS: list[_Job] = []  # set before forking: workers inherit it


def runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive page numbers as (first, last) runs: each is one range read of the index."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _run_job(number: int) -> list[PageResult]:
    job = _JOBS[number]
    job.index.db.reopen()  # a forked worker reads the index through a connection of its own
    artifacts = job.artifacts
    if len(_JOBS) > 1 and not isinstance(artifacts, LocalArtifactStore):
        artifacts = open_artifacts(artifacts.location(""))  # a fresh S3 client in each worker process
    writer = PageWriter(job.layout)
    partitions = job.layout.pages
    return [
        writer.write(n, entries, artifacts)
        for first, last in runs(job.numbers)
        for n, entries in job.index.pages(partitions, first, last)
    ]


def _render_pages(jobs: list[_Job]) -> list[PageResult]:
    """Run the jobs in-process (one) or in forked workers."""
    _JOBS[:] = jobs
    try:
        if len(jobs) == 1:
            return _run_job(0)
        with fork_pool(len(jobs)) as pool:
            results = pool.map(_run_job, range(len(jobs)))
        return [page for result in results for page in result]
    finally:
        _JOBS.clear()


def _reusable(n: int, key: str, moved: Sequence[str], previous: Previous | None, layout: str) -> bool:
    """Page n may be taken over: same layout, same key, and every dataset was on that page, unchanged
    (`moved` lists those that were not; a dataset the served version left out may be among them)."""
    if n == 1 or previous is None or previous.manifest.layout != layout or n > len(previous.manifest.pages):
        return False
    record = previous.manifest.pages[n - 1]
    if record.key != key:
        return False
    if len(record.lines) != 2 or len(record.table) != 2:
        return False
    left = {x["uri"] for x in record.left_out}
    return all(uri in left for uri in moved)


def page_keys(merged: MergeIndex, partitions: int) -> PageKeys:
    """Page keys in one streamed pass of the index (the plan makes them as it goes; this is for when it could not)."""
    keys = PageKeys(partitions, lambda n: page_name(n, "nt"))
    for entry in merged.entries:
        keys.add(entry)
    return keys


def write_version(
    staging: Path,
    meta: CatalogueMetadata,
    options: CatalogueTarget,
    merged: MergeIndex,
    artifacts: ArtifactStore,
    *,
    modified: Any,
    sets: dict[str, str],
    extra: Sequence[Triple] = (),
    previous: Previous | None = None,
    target: ExportTarget | None = None,
    version: str = "",
    planned: PageKeys | None = None,
) -> ExportStats:
    """Write every file of one version into `staging` (nothing is served from there).

    The entries come from the merge index on disk, page by page. `extra`: triples every whole dump
    and the first page carry besides the catalogue's own (the indicators dataset). `previous` (with
    `target` and the new `version`'s name): the served version whose unchanged pages are linked into
    this one instead of being rendered. `planned`: the page keys the plan made (used when its page
    count is this version's).
    """
    from publishers.catalogue.dumps import assemble, write_datasets

    staging.mkdir(parents=True, exist_ok=True)
    (staging / "sets.json").write_text(json.dumps(sets, indent=1, ensure_ascii=False), "utf-8")
    count = partition_count(merged.count, options.page_size, previous.manifest.partitions if previous else None)
    stable = catalogue_triples(meta, None)
    volatile = [t for t in catalogue_triples(meta, modified) if t not in set(stable)]
    layout = Layout(staging, meta, options, merged.count, count, stable, volatile, list(extra))
    key = layout_key(stable, options.base_url, layout.variants, count, layout.formats)
    if planned is None or planned.partitions != count:
        planned = page_keys(merged, count)
    keys = planned.keys()
    reused = [n for n in range(1, count + 1) if _reusable(n, keys[n - 1], planned.moved.get(n, ()), previous, key)]
    dirty = sorted(set(range(1, count + 1)) - set(reused))
    workers = max(1, min(options.workers, len(dirty)))
    bounds = [round(len(dirty) * w / workers) for w in range(workers + 1)]
    merged.prepare_pages(count)  # here, not in the workers: they share the index file read-only
    jobs = [_Job(layout, merged, dirty[bounds[w] : bounds[w + 1]], artifacts) for w in range(workers)]
    results = {r.number: r for r in _render_pages(jobs)}
    if reused:
        assert previous is not None and target is not None
        names = [variant_key(v, f(n, ext)) for n in reused for v in layout.variants for ext in layout.formats
                 for f in (page_name, part_name)]  # fmt: skip
        target.link(previous.version, names, staging, version)
    stats = ExportStats(pages=count, rendered=dirty, reused=reused, layout=key)
    records = []
    for n in range(1, count + 1):
        if n in results:
            record = results[n].record
            record.key = keys[n - 1]
        else:
            record = previous.manifest.pages[n - 1]  # type: ignore[union-attr]
        records.append(record)
        stats.add(record)
    assemble(layout, target, previous.version if previous else "")
    tombs = (line for (line,) in merged.db.rows("SELECT line FROM tomb ORDER BY uri"))
    write_datasets(staging, set(results), previous, records, tombs)
    (staging / MANIFEST).write_text(Manifest(key, count, records).dumps(), "utf-8")
    (staging / "conflicts.json").write_text(json.dumps(stats.conflicts, indent=1, ensure_ascii=False), "utf-8")
    (staging / "findings.json").write_text(json.dumps(stats.left_out, indent=1, ensure_ascii=False), "utf-8")
    return stats
