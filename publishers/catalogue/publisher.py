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
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from luxcat.artifacts import ArtifactStore
from luxcat.records import utcnow
from luxcat.store import StateStore
from publishers.base import Plan, PlanEntry, Progress, Publisher, PublisherOptions, PublishItem
from publishers.catalogue.export import VARIANT_2, Previous, write_version
from publishers.catalogue.indicators_entry import description_hash, indicators_triples
from publishers.catalogue.merge import MergeIndex, index, merge_triples, read_mapped
from publishers.catalogue.partition import LAYOUT_VERSION, MANIFEST, Manifest
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


def read_datasets(
    target: ExportTarget, pointer: dict[str, Any] | None
) -> tuple[dict[str, dict[str, Any]], bytes, bytes]:
    """uri -> datasets.jsonl line of the served version (empty before the first export), and the bytes of
    its datasets.jsonl and datasets.tsv (a reused page's lines are copied from them).

    Live datasets come from `datasets.tsv` (uri, hash, datestamp, file, offset, length: split, not
    JSON-parsed: 100,000 JSON lines cost seconds); deleted ones, and every line of a version without
    the TSV, from datasets.jsonl. A live line lacks `sets` and `records`: `full_lines` reads them.
    """
    if not pointer:
        return {}, b"", b""
    prefix = f"versions/{pointer['version']}/"
    data = target.read(prefix + "datasets.jsonl")
    try:
        raw_table = target.read(prefix + "datasets.tsv")
    except KeyError:
        lines = (json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip())
        return {line["uri"]: line for line in lines}, data, b""
    out: dict[str, dict[str, Any]] = {}
    for row in raw_table.decode("utf-8").split("\n"):
        if row:
            uri, digest, datestamp, file, offset, length = row.split("\t")
            out[uri] = {"uri": uri, "hash": digest, "datestamp": datestamp, "file": file,
                        "offset": int(offset), "length": int(length)}  # fmt: skip
    for raw in data.split(b"\n"):
        if b'"deleted": true' in raw:
            line = json.loads(raw)
            out[line["uri"]] = line
    return out, data, raw_table


def full_lines(data: bytes, uris: set[str]) -> dict[str, dict[str, Any]]:
    """The complete datasets.jsonl lines of `uris` (one pass over the file's bytes)."""
    heads = {b'{"uri": ' + json.dumps(uri, ensure_ascii=False).encode("utf-8") + b",": uri for uri in uris}
    out: dict[str, dict[str, Any]] = {}
    for raw in data.split(b"\n"):
        head = raw[: raw.find(b",") + 1] if raw.startswith(b'{"uri": ') else b""
        if head in heads:
            out[heads[head]] = json.loads(raw)
    return out


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
        previous, previous_bytes, previous_table = read_datasets(self.target, pointer)
        scan_cache = FileScanCache(self.artifacts)
        merged = index(items, self.artifacts, self.opts.merge, progress=self.progress, cache=scan_cache)
        now = self.clock().strftime(STAMP)
        plan = Plan(self.name)
        datestamps: dict[str, str] = {}
        self._conflict_count = 0
        for entry in merged.entries:
            prev = previous.get(entry.uri)
            live_before = prev is not None and not prev.get("deleted")
            if live_before and prev is not None and prev["hash"] == entry.hash:
                action, datestamps[entry.uri] = "unchanged", prev["datestamp"]
            else:
                action, datestamps[entry.uri] = ("update" if live_before else "create"), now
            detail = self._conflicts(entry) if len(entry.members) > 1 else ""
            sources = entry.members[0].source_id if len(entry.members) == 1 else ",".join(entry.sources)
            plan.entries.append(PlanEntry(entry.uri, action, detail=detail, source_id=sources))
        live = {e.uri for e in merged.entries}
        gone = {u for u, x in previous.items() if u not in live and not x.get("deleted") and "sets" not in x}
        previous.update(full_lines(previous_bytes, gone))
        deleted = self._deleted(merged, previous, plan, now)
        for source_id, record_id, why in merged.skipped:
            plan.entries.append(PlanEntry("", "skip", detail=why, source_id=source_id, record_id=record_id))
        if not merged.entries and any(not line.get("deleted") for line in previous.values()):
            raise PublishError(
                f"nothing to publish, but the served version {pointer['version']} lists "  # type: ignore[index]
                f"{sum(not x.get('deleted') for x in previous.values())} datasets; refusing to empty it "
                "(wrong LUXCAT_DATABASE_URL or LUXCAT_ARTIFACTS? delete the export to start over)"
            )
        changed = any(e.action != "unchanged" for e in plan.entries if e.action != "skip")
        extra = indicators_triples(self.target, self.opts.catalogue.uri)
        changed = changed or (pointer or {}).get("indicators") != description_hash(extra)
        plan.data = {
            "index": merged,
            "datestamps": datestamps,
            "deleted": deleted,
            "pointer": pointer,
            "scan_cache": scan_cache,
            "ranges": {u: (x["file"], x["offset"], x["length"]) for u, x in previous.items() if "file" in x},
            "previous_lines": (previous_bytes, previous_table),
            "now": now,
            "extra": extra,
            "noop": bool(pointer) and not changed and pointer.get("config") == self.config_hash(),  # type: ignore[union-attr]
            "stats": {  # what luxcat.summary.PublishSummary reports
                "records": sum(len(e.members) for e in merged.entries),
                "datasets": sum(e.kind != "service" for e in merged.entries),
                "services": sum(e.kind == "service" for e in merged.entries),
                "merges": sum(len(e.members) > 1 for e in merged.entries),
                "conflicts": self._conflict_count,
            },
        }
        return plan

    def _conflicts(self, entry: Any) -> str:
        graphs = [parse_nt(read_mapped(self.artifacts, m.location)) for m in entry.members]
        _, conflicts = merge_triples(entry, graphs)
        self._conflict_count += len(conflicts)
        merged_from = f"merged from {len(entry.members)} records"
        if entry.merges:
            merged_from += " across sources on " + "; ".join(f"{rule} {value}" for rule, value in entry.merges)
        if not conflicts:
            return merged_from
        names = ", ".join(f"{c.property.rsplit('/', 1)[-1]}{'@' + c.language if c.language else ''}" for c in conflicts)
        return f"{merged_from}; conflicts ({names}) kept {conflicts[0].kept['source']}"

    @staticmethod
    def _deleted(merged: MergeIndex, previous: dict[str, dict[str, Any]], plan: Plan, now: str) -> list[dict[str, Any]]:
        """OAI-PMH deleted entries: gone since the last version, kept from it, or withdrawn at the source."""
        live = {e.uri for e in merged.entries}
        out: dict[str, dict[str, Any]] = {}
        for uri, line in previous.items():
            if uri in live:
                continue
            if line.get("deleted"):
                out[uri] = line
                continue
            plan.entries.append(PlanEntry(uri, "delete", detail="no longer in the catalogue"))
            out[uri] = {"uri": uri, "deleted": True, "datestamp": now, "sets": line["sets"], "records": line["records"]}
        for gone in merged.deleted:
            line = out.setdefault(
                gone.uri,
                {
                    "uri": gone.uri,
                    "deleted": True,
                    "datestamp": gone.withdrawn_at.strftime(STAMP),
                    "sets": [],
                    "records": [],
                },
            )
            if gone.source_id not in line["sets"]:
                line["sets"] = sorted([*line["sets"], gone.source_id])
            if [gone.source_id, gone.record_id] not in line["records"]:
                line["records"] = [*line["records"], [gone.source_id, gone.record_id]]
        return sorted(out.values(), key=lambda line: line["uri"])

    # -- apply --------------------------------------------------------------------------------
    def apply(self, plan: Plan) -> Plan:
        if plan.data.get("scan_cache") is not None:
            plan.data["scan_cache"].save()
        if plan.data.get("noop"):
            self.progress("catalogue: nothing changed; the served version stays")
            return plan
        merged: MergeIndex = plan.data["index"]
        version = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        datestamps: dict[str, str] = plan.data["datestamps"]
        stamps = list(datestamps.values()) + [plan.data["now"]] * any(e.action == "delete" for e in plan.entries)
        modified = max(stamps, default=None)  # the catalogue changed when a dataset did, or one left
        staging = self._staging(version)
        try:
            stats = write_version(
                staging,
                self.opts.catalogue,
                self.opts.export,
                merged.entries,
                self.artifacts,
                datestamps=datestamps,
                deleted=plan.data["deleted"],
                modified=datetime.strptime(modified, STAMP) if modified else None,
                sets=merged.sources,
                extra=plan.data.get("extra", []),
                previous=self._previous(
                    plan.data["pointer"], plan.data.get("ranges", {}), plan.data.get("previous_lines")
                ),
                target=self.target,
                version=version,
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

    def _previous(
        self, pointer: dict[str, Any] | None, ranges: dict[str, tuple[str, int, int]], lines: tuple[bytes, bytes] | None
    ) -> Previous | None:
        """The served version pages may be reused from (None before the first export or from an older layout)."""
        if not pointer or pointer.get("paging") != LAYOUT_VERSION:
            return None
        try:
            manifest = Manifest.loads(self.target.read(f"versions/{pointer['version']}/{MANIFEST}"))
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("target=catalogue version=%s no usable page manifest (%s): every page is rendered",
                        pointer["version"], exc)  # fmt: skip
            return None
        return Previous(pointer["version"], manifest, ranges, *(lines or (b"", b"")))

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
        for e in merged.entries
        if len(e.members) > 1 and len(e.sources) > 1
    ]
