"""CataloguePublisher (target "catalogue"): the merged national catalogue as files, folder or S3, atomically.

`plan` merges the index and compares it with the served version's `datasets.jsonl` (hashes), so a
dry run says which datasets are new, changed, unchanged or gone, and which merges had conflicts.
`apply` writes a complete new version, installs it, then switches the pointer; older versions beyond
`keep_versions` and leftovers of crashed exports are pruned only after the switch. Pages whose
datasets did not change are taken over from the served version instead of being rendered again
(`export.py`); the new version is nonetheless complete on its own.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from luxcat.artifacts import ArtifactStore
from luxcat.records import utcnow
from luxcat.store import StateStore
from publishers.base import Plan, PlanEntry, Progress, Publisher, PublisherOptions, PublishItem
from publishers.catalogue.export import VARIANT_2, Previous, page_name, write_version
from publishers.catalogue.indexdb import IndexDB
from publishers.catalogue.indicators_entry import description_hash, indicators_triples
from publishers.catalogue.merge import Entry, MergeIndex, index, merge_triples, read_mapped
from publishers.catalogue.partition import LAYOUT_VERSION, MANIFEST, Manifest, PageKeys, partition_count
from publishers.catalogue.scan_cache import FileScanCache
from publishers.catalogue.storage import ExportTarget, FolderTarget, open_export
from publishers.serialise import parse_nt
from publishers.targets import CatalogueMetadata, CatalogueTarget, MergeOptions, OaiOptions, PublishError

STAMP = "%Y-%m-%dT%H:%M:%SZ"
log = logging.getLogger(__name__)


class CatalogueOptions(PublisherOptions):
    """The catalogue's metadata, merge rules, export location and OAI-PMH identity (from publish.yaml)."""

    catalogue: CatalogueMetadata
    """what the merged dcat:Catalog says about itself (publish.yaml: catalogue)"""
    merge: MergeOptions = MergeOptions()
    """how records of different sources become one dataset (publish.yaml: merge)"""
    export: CatalogueTarget = CatalogueTarget()
    """where and how the catalogue is exported (publish.yaml: targets.catalogue)"""
    oai: OaiOptions = OaiOptions()
    """the OAI-PMH endpoint's identity (publish.yaml: oai)"""


def load_previous(db: IndexDB, target: ExportTarget, pointer: dict[str, Any] | None) -> int:
    """The served version's dataset list as the index's `previous` table (and its deleted lines as `tomb`).

    Live datasets come from `datasets.tsv` (uri, hash, datestamp, file, offset, length: split, not
    JSON-parsed: 100,000 JSON lines cost seconds); deleted ones, and every line of a version without
    the TSV, from datasets.jsonl. Both are streamed: the lists are never held whole. Returns the
    number of datasets live in that version.
    """
    if not pointer:
        return 0
    prefix = f"versions/{pointer['version']}/"
    has_table = True
    try:
        table = _lines(target.stream(prefix + "datasets.tsv"))
        first = next(table, None)
    except KeyError:
        has_table, first = False, None

    def live_rows() -> Iterator[tuple[Any, ...]]:
        if first is None:
            return
        for row in itertools.chain([first], table):
            uri, digest, datestamp, file, offset, length = row.decode("utf-8").split("\t")
            yield uri, digest, datestamp, file, int(offset), int(length), 0, None

    columns = "uri, hash, datestamp, file, offset, length, deleted, line"
    live = db.insert("previous", columns, live_rows()) if has_table else 0

    def jsonl_rows() -> Iterator[tuple[Any, ...]]:
        for raw in _lines(target.stream(prefix + "datasets.jsonl")):
            if has_table and b'"deleted": true' not in raw:
                continue
            line = json.loads(raw)
            if line.get("deleted"):
                yield line["uri"], None, line.get("datestamp"), None, None, None, 1, raw.decode("utf-8")
            else:
                yield (line["uri"], line["hash"], line["datestamp"], line.get("file"), line.get("offset"),
                       line.get("length"), 0, raw.decode("utf-8"))  # fmt: skip

    db.insert("previous", columns, jsonl_rows())
    db.execute("INSERT OR REPLACE INTO tomb (uri, line) SELECT uri, line FROM previous WHERE deleted = 1")
    return live if has_table else int(db.scalar("SELECT count(*) FROM previous WHERE deleted = 0") or 0)


def line_uri(raw: bytes) -> str:
    """The `uri` of a datasets.jsonl line, read without parsing the line (it is always the first key)."""
    if raw.startswith(b'{"uri": "'):
        end = raw.find(b'"', 9)
        if end > 0 and b"\\" not in raw[9:end]:  # no escape: an IRI holds no quote or backslash
            return raw[9:end].decode("utf-8")
    return str(json.loads(raw).get("uri", ""))


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Non-empty lines of a byte stream read in chunks."""
    tail = b""
    for data in chunks:
        parts = (tail + data).split(b"\n")
        tail = parts.pop()
        yield from (p for p in parts if p)
    if tail:
        yield tail


class CataloguePublisher(Publisher):
    """Exports the merged catalogue in N-Triples, Turtle, JSON-LD, RDF/XML (`formats`), whole and Hydra-paged."""

    Options = CatalogueOptions
    name = "catalogue"

    def __init__(
        self,
        options: PublisherOptions,
        store: StateStore,
        artifacts: ArtifactStore,
        *,
        progress: Progress | None = None,
        target: ExportTarget | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(options, store, artifacts, progress=progress)
        assert isinstance(options, CatalogueOptions)
        self.opts: CatalogueOptions = options
        self.target = target or open_export(options.export.export)
        self.clock = clock

    def config_hash(self) -> str:
        """Changes when anything that shapes the files (metadata, paging, base URL, merge rules) changes."""
        text = json.dumps(self.opts.model_dump(exclude={"oai"}), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- plan ---------------------------------------------------------------------------------
    def plan(self, items: Iterable[PublishItem]) -> Plan:
        pointer = self.target.current()
        scan_cache = FileScanCache(self.artifacts)
        merged = index(items, self.artifacts, self.opts.merge, progress=self.progress, cache=scan_cache)
        live_before = load_previous(merged.db, self.target, pointer)
        now = self.clock().strftime(STAMP)
        merged.now = now
        plan = Plan(self.name)
        self._conflict_count = 0
        stats = {"records": 0, "datasets": 0, "services": 0, "merges": 0}
        modified = ""
        served = (pointer or {}).get("partitions") if (pointer or {}).get("paging") == LAYOUT_VERSION else None
        count = partition_count(merged.count, self.opts.export.page_size, served)
        pages = PageKeys(count, lambda n: page_name(n, "nt"))
        for entry in merged.entries:
            pages.add(entry)
            action = self._action(entry)
            modified = max(modified, entry.datestamp)
            stats["records"] += len(entry.members)
            stats["datasets" if entry.kind != "service" else "services"] += 1
            stats["merges"] += len(entry.members) > 1
            detail = self._conflicts(entry) if len(entry.members) > 1 else ""
            if action == "unchanged":
                plan.quiet[action] += 1
            else:
                plan.entries.append(self._plan_entry(entry, action, detail))
        if not merged.count and live_before:
            raise PublishError(
                f"nothing to publish, but the served version {pointer['version']} lists "  # type: ignore[index]
                f"{live_before} datasets; refusing to empty it "
                "(wrong LUXCAT_DATABASE_URL or LUXCAT_ARTIFACTS? delete the export to start over)"
            )
        gone = self._deleted(merged, plan, now, pointer)
        for source_id, record_id, why in merged.skipped:
            plan.entries.append(PlanEntry("", "skip", detail=why, source_id=source_id, record_id=record_id))
        changed = any(e.action != "skip" for e in plan.entries)
        extra = indicators_triples(self.target, self.opts.catalogue.uri)
        changed = changed or (pointer or {}).get("indicators") != description_hash(extra)
        plan.quiet_entries = lambda: self._unchanged_entries(merged)
        plan.data = {
            "index": merged,
            "pages": pages,
            "pointer": pointer,
            "scan_cache": scan_cache,
            "now": now,
            "modified": max(modified, now if gone else ""),  # the catalogue changed when a dataset did, or one left
            "extra": extra,
            "noop": bool(pointer) and not changed and pointer.get("config") == self.config_hash(),  # type: ignore[union-attr]
            "stats": {**stats, "conflicts": self._conflict_count},  # what luxcat.summary.PublishSummary reports
        }
        return plan

    @staticmethod
    def _action(entry: Entry) -> str:
        if entry.previous_hash and entry.previous_hash == entry.hash:
            return "unchanged"
        return "update" if entry.previous_hash else "create"

    @staticmethod
    def _plan_entry(entry: Entry, action: str, detail: str) -> PlanEntry:
        sources = entry.members[0].source_id if len(entry.members) == 1 else ",".join(entry.sources)
        return PlanEntry(entry.uri, action, detail=detail, source_id=sources)  # type: ignore[arg-type]

    def _unchanged_entries(self, merged: MergeIndex) -> Iterator[PlanEntry]:
        """The unchanged datasets' plan lines, read again from the index (only `publish --all` lists them)."""
        for entry in merged.entries:
            if self._action(entry) == "unchanged":
                detail = self._conflicts(entry, count=False) if len(entry.members) > 1 else ""
                yield self._plan_entry(entry, "unchanged", detail)

    def _conflicts(self, entry: Any, *, count: bool = True) -> str:
        graphs = [parse_nt(read_mapped(self.artifacts, m.location)) for m in entry.members]
        _, conflicts = merge_triples(entry, graphs)
        self._conflict_count += len(conflicts) if count else 0
        merged_from = f"merged from {len(entry.members)} records"
        if entry.merges:
            merged_from += " across sources on " + "; ".join(f"{rule} {value}" for rule, value in entry.merges)
        if not conflicts:
            return merged_from
        names = ", ".join(f"{c.property.rsplit('/', 1)[-1]}{'@' + c.language if c.language else ''}" for c in conflicts)
        return f"{merged_from}; conflicts ({names}) kept {conflicts[0].kept['source']}"

    def _deleted(self, merged: MergeIndex, plan: Plan, now: str, pointer: dict[str, Any] | None) -> int:
        """OAI-PMH deleted entries (the index's `tomb`): gone since the last version, kept from it, or
        withdrawn at the source. Returns how many datasets left the catalogue since the last version."""
        db = merged.db
        db.execute("DELETE FROM tomb WHERE uri IN (SELECT suri FROM member WHERE pos = 0)")  # live again
        gone = {
            uri
            for (uri,) in db.execute(
                "SELECT uri FROM previous AS p WHERE deleted = 0 AND NOT EXISTS "
                "(SELECT 1 FROM member AS m WHERE m.suri = p.uri AND m.pos = 0) ORDER BY uri"
            )
        }
        if gone:
            assert pointer is not None
            found: dict[str, dict[str, Any]] = {}
            for raw in _lines(self.target.stream(f"versions/{pointer['version']}/datasets.jsonl")):
                if line_uri(raw) in gone:
                    line = json.loads(raw)
                    found[line["uri"]] = line
            for uri in sorted(gone):
                line = found.get(uri, {})
                plan.entries.append(PlanEntry(uri, "delete", detail="no longer in the catalogue"))
                tomb = {"uri": uri, "deleted": True, "datestamp": now, "sets": line.get("sets", []),
                        "records": line.get("records", [])}  # fmt: skip
                text = json.dumps(tomb, ensure_ascii=False)
                db.execute("INSERT OR REPLACE INTO tomb (uri, line) VALUES (?, ?)", (uri, text))
        for withdrawn in merged.deleted:
            row = db.execute("SELECT line FROM tomb WHERE uri = ?", (withdrawn.uri,)).fetchone()
            line = json.loads(row[0]) if row else {
                "uri": withdrawn.uri,
                "deleted": True,
                "datestamp": withdrawn.withdrawn_at.strftime(STAMP),
                "sets": [],
                "records": [],
            }
            before = json.dumps(line, ensure_ascii=False)
            if withdrawn.source_id not in line["sets"]:
                line["sets"] = sorted([*line["sets"], withdrawn.source_id])
            if [withdrawn.source_id, withdrawn.record_id] not in line["records"]:
                line["records"] = [*line["records"], [withdrawn.source_id, withdrawn.record_id]]
            after = json.dumps(line, ensure_ascii=False)
            if row is None or after != before:
                db.execute("INSERT OR REPLACE INTO tomb (uri, line) VALUES (?, ?)", (withdrawn.uri, after))
        return len(gone)

    # -- apply --------------------------------------------------------------------------------
    def apply(self, plan: Plan) -> Plan:
        merged: MergeIndex = plan.data["index"]
        if plan.data.get("scan_cache") is not None:
            plan.data["scan_cache"].save(merged.db)
        if plan.data.get("noop"):
            self.progress("catalogue: nothing changed; the served version stays")
            return plan
        version = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        modified = plan.data.get("modified")
        staging = self._staging(version)
        try:
            stats = write_version(
                staging,
                self.opts.catalogue,
                self.opts.export,
                merged,
                self.artifacts,
                modified=datetime.strptime(modified, STAMP) if modified else None,
                sets=merged.sources,
                extra=plan.data.get("extra", []),
                previous=self._previous(plan.data["pointer"]),
                target=self.target,
                version=version,
                planned=plan.data.get("pages"),
            )
            self.progress(
                f"catalogue: version {version} written ({stats.datasets} datasets, {stats.pages} pages: "
                f"{len(stats.rendered)} rendered, {len(stats.reused)} unchanged and taken over)"
            )
            for finding in stats.left_out:
                self.progress(f"catalogue: {finding['uri']} left out of this version: {finding['message']}")
            self.target.install(staging, version)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        old = plan.data["pointer"] or {}
        history = [version, *old.get("history", [])][: self.opts.export.keep_versions]
        pointer = {
            "version": version,
            "created": self.clock().strftime(STAMP),
            "catalogue": self.opts.catalogue.uri,
            "base_url": self.opts.export.base_url,
            "datasets": stats.datasets,
            "services": stats.services,
            "triples": stats.triples,
            "pages": stats.pages,
            "partitions": stats.pages,
            "paging": LAYOUT_VERSION,
            "page_size": self.opts.export.page_size,
            "formats": (formats := list(self.opts.export.formats)),
            "dumps": [f"catalogue.{ext}.gz" for ext in formats]
            + ([f"catalogue.{ext}" for ext in formats] if self.opts.export.uncompressed_dumps else []),
            "variants": [VARIANT_2] if self.opts.export.dcat_ap_2 else [],
            "conflicts": len(stats.conflicts),
            "left_out": len(stats.left_out),
            "merges": cross_source_merges(merged),
            "config": self.config_hash(),
            "history": history,
            **({"indicators": digest} if (digest := description_hash(plan.data.get("extra", []))) else {}),
        }
        self.target.switch(pointer)
        self.target.prune(history)
        plan.data["version"] = version
        plan.data["export"] = {"rendered": stats.rendered, "reused": stats.reused, "pages": stats.pages}
        totals = " ".join(f"{k}={v}" for k, v in sorted(plan.totals().items()))
        log.info(
            "target=catalogue stage=publish version=%s datasets=%d services=%d conflicts=%d %s",
            version,
            stats.datasets,
            stats.services,
            len(stats.conflicts),
            totals,
        )
        return plan

    def _previous(self, pointer: dict[str, Any] | None) -> Previous | None:
        """The served version pages may be reused from (None before the first export or from an older layout)."""
        if not pointer or pointer.get("paging") != LAYOUT_VERSION:
            return None
        try:
            manifest = Manifest.loads(self.target.read(f"versions/{pointer['version']}/{MANIFEST}"))
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("target=catalogue version=%s no usable page manifest (%s): every page is rendered",
                        pointer["version"], exc)  # fmt: skip
            return None
        return Previous(pointer["version"], manifest, self.target)

    def _staging(self, version: str) -> Path:
        if isinstance(self.target, FolderTarget):
            return self.target.staging_dir(version)
        return Path(tempfile.mkdtemp(prefix=f"luxcat-catalogue-{version}-"))


def cross_source_merges(merged: MergeIndex) -> list[dict[str, Any]]:
    """Every dataset joined from records of different sources, with the rule that matched (for the report)."""
    return [
        {
            "dataset": e.uri,
            "sources": e.sources,
            "records": [[m.source_id, m.record_id] for m in e.members],
            "rules": [{"rule": rule, "value": value} for rule, value in e.merges],
        }
        for e in merged.read_entries("WHERE m.eid IN (SELECT eid FROM member WHERE pos > 0)", ())
        if len(e.sources) > 1
    ]
