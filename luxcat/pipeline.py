"""Plain-Python pipeline stages (harvest -> map -> validate -> record), callable from the CLI and Airflow.

Each stage reads what the previous one stored (state store + artifact store) and writes its own
summary under runs/<source>/<run id>/, so a stage can be re-run without redoing earlier ones and
only small values (ids, counts, locations) need to travel between Airflow tasks.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from harvesters.base import Harvester
from luxcat import registry
from luxcat.artifacts import ArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.environment import environment_failure
from luxcat.errors import ConfigError, RecordError
from luxcat.gctune import fewer_collections
from luxcat.limits import bounded_harvest
from luxcat.ntriples import check_size, parse_ntriples
from luxcat.records import MappedRecord, RawRecord, Rejection, ValidationIssue, content_hash, utcnow
from luxcat.store import ACTIVE, Run, RunCounts, StateStore
from luxcat.watermark import incremental_since
from mappers.base import MapContext, Mapper
from mappers.fidelity import MapFindings, collecting

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
PAGE = 1000  # listing records compared with the store in one query and written in one transaction
HANDOFF_RECORDS = 2000  # mapped graphs kept in memory for validate (beyond that it reads the stored file)
REPORT_ROWS = 1000  # records listed in full in a run's HTML report (all are in its findings/ files)
EXTENSIONS = {"application/xml": "xml", "text/turtle": "ttl", "application/json": "json", "text/csv": "csv"}


@dataclass(slots=True)
class StageOutcome:
    """What one stage did: counts by outcome and the rejections with their reasons."""

    stage: str
    ok: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def reasons(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejections))

    def log_line(self, source_id: str) -> str:
        """The scrapy-style one-liner each stage logs: `source=x stage=map ok=812 rejected=5 {...}`."""
        reasons = f" {self.reasons()}" if self.rejections else ""
        return f"source={source_id} stage={self.stage} ok={self.ok} rejected={self.rejected}{reasons}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "ok": self.ok,
            "rejected": self.rejected,
            "reasons": self.reasons(),
            "extra": self.extra,
        }


@dataclass(slots=True)
class HarvestOutcome(StageOutcome):
    """The harvest stage's outcome plus what decides withdrawal."""

    counts: RunCounts = field(default_factory=RunCounts)
    complete: bool = False
    expected: int | None = None
    errors: list[str] = field(default_factory=list)
    to_process: list[str] = field(default_factory=list)  # new or changed record ids


class KnownDatasets:
    """`uri in known`: is a dataset URI in the catalogue (any source)? One indexed query per new URI asked."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._seen: dict[str, bool] = {}

    def __contains__(self, uri: object) -> bool:
        key = str(uri)
        if key not in self._seen:
            self._seen[key] = self.store.has_dataset(key)
        return self._seen[key]


class Pipeline:
    """Runs the stages for one source against one state store and artifact store."""

    def __init__(
        self,
        cfg: SourceConfig,
        store: StateStore,
        artifacts: ArtifactStore,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.cfg = cfg
        self.store = store
        self.artifacts = artifacts
        self.progress = progress or (lambda _msg: None)
        self._handoff: dict[str, tuple[str, str, Any]] = {}  # record id -> (location, sha256, graph) map -> validate

    # -- harvest ------------------------------------------------------------------
    def make_harvester(self) -> Harvester:
        """Instantiate the configured harvester with its validated options."""
        cls = registry.load(registry.HARVESTERS, self.cfg.harvester.kind, what="harvester")
        options = cls.Options.model_validate(self.cfg.harvester.options)
        return cls(self.cfg.id, options, progress=self.progress)  # type: ignore[no-any-return]

    def harvest(
        self,
        run_id: int,
        *,
        full: bool,
        limit: int | None = None,
        remap: bool = False,
    ) -> HarvestOutcome:
        """Fetch the source, store new/changed payloads, and withdraw only after a complete full listing."""
        source_id = self.cfg.id
        since = None if full else incremental_since(self.store, source_id)
        harvester = self.make_harvester()
        active_before = self.store.count(source_id)  # the withdrawal guard's denominator
        outcome = HarvestOutcome(stage="harvest")
        counts = outcome.counts
        rejected_ids: set[str] = set()  # they exist at the source: never withdrawn for being broken
        page: list[RawRecord] = []
        seen_at = utcnow()
        for item in bounded_harvest(harvester, self.cfg.limits, since=since, limit=limit):
            if isinstance(item, Rejection):
                outcome.rejections.append(item)
                rejected_ids.add(item.record_id)
                continue
            counts.seen += 1
            page.append(item)
            if len(page) >= PAGE:
                self._store_page(page, outcome, seen_at)
                page = []
        self._store_page(page, outcome, seen_at)
        report = harvester.report
        counts.rejected = outcome.rejected
        counts.duplicates = report.duplicates
        outcome.ok = counts.seen
        outcome.complete = report.complete and limit is None
        outcome.expected = report.expected
        outcome.errors = list(report.errors)
        outcome.extra = {
            "pages": report.pages,
            "requests": report.requests,
            "since": str(since) if since else None,
            "limit": limit,
            "listing_complete": report.complete,  # the listing itself, whatever later rules decide
        }
        if full and outcome.complete:
            self._withdraw(active_before, seen_at, rejected_ids, outcome)
        elif full:
            log.warning("source=%s incomplete listing: nothing withdrawn (%s)", source_id, "; ".join(report.errors))
        self._add_stale(outcome, remap=remap)
        self._write_json(
            run_id,
            "harvest.json",
            {
                **outcome.as_dict(),
                "counts": outcome.counts.as_dict(),
                "complete": outcome.complete,
                "expected": outcome.expected,
                "errors": outcome.errors,
                "to_process": outcome.to_process,
            },
        )
        self._write_rejects(run_id, outcome.rejections)
        log.info("%s", outcome.log_line(source_id))
        return outcome

    def _store_page(self, page: list[RawRecord], outcome: HarvestOutcome, seen_at: Any) -> None:
        """Compare one listing page with the store (one query) and write it (one transaction)."""
        from luxcat.bulk import listing_hashes

        if not page:
            return
        existing = listing_hashes(self.store, self.cfg.id, [raw.record_id for raw in page])
        rows = [self._stored_row(raw, existing, outcome) for raw in page]
        self.store.upsert_seen(self.cfg.id, rows, existing, seen_at)

    def _stored_row(
        self, raw: RawRecord, existing: dict[str, tuple[str, str]], outcome: HarvestOutcome
    ) -> dict[str, Any]:
        """Classify one record as new/changed/unchanged; store its payload only when it changed."""
        digest = content_hash(raw.payload)
        previous = existing.get(raw.record_id)
        row: dict[str, Any] = {"record_id": raw.record_id, "content_hash": digest, "modified": raw.modified}
        if previous is not None and previous[0] == digest and previous[1] == ACTIVE:
            # nothing read or written but last_seen: an unmapped one is queued by _add_stale
            outcome.counts.unchanged += 1
            return row
        if previous is None:
            outcome.counts.new += 1
        else:
            outcome.counts.changed += 1
        ext = EXTENSIONS.get(raw.media_type, "bin")
        key = f"raw/{self.cfg.id}/{safe_key(raw.record_id)}.{ext}"
        row["raw_location"] = self.artifacts.put(key, raw.payload, raw.media_type)
        self.artifacts.put(
            f"raw/{self.cfg.id}/{safe_key(raw.record_id)}.meta.json",
            json.dumps(
                {
                    "origin_url": raw.origin_url,
                    "fetched_at": raw.fetched_at.isoformat(),
                    "media_type": raw.media_type,
                    "modified": raw.modified,
                }
            ).encode(),
            "application/json",
        )
        outcome.to_process.append(raw.record_id)
        return row

    def _add_stale(self, outcome: HarvestOutcome, *, remap: bool) -> None:
        """Queue for mapping every record whose graph is not from its current payload and mapping."""
        from luxcat.remap import active_records, mapping_fingerprint, stale_records

        if remap:
            stale = active_records(self.store, self.cfg.id)
        else:
            stale = stale_records(self.store, self.cfg.id, mapping_fingerprint(self.make_mappers()))
        queued = set(outcome.to_process)
        extra = [rid for rid in stale if rid not in queued]
        outcome.to_process.extend(extra)
        outcome.extra["remap"] = len(extra)
        if extra:
            log.info("source=%s %d stored record(s) queued for mapping again", self.cfg.id, len(extra))

    def _withdraw(self, active_before: int, seen_at: Any, rejected_ids: set[str], outcome: HarvestOutcome) -> None:
        """Withdraw what a complete listing no longer has within the guard; beyond it, propose the exact list."""
        from luxcat.bulk import unseen_active
        from luxcat.withdrawals import guard

        missing = sorted(rid for rid in unseen_active(self.store, self.cfg.id, seen_at) if rid not in rejected_ids)
        limits = self.cfg.withdrawal
        decision = guard(
            self.store, self.cfg.id, missing, active_before, max_share=limits.max_share, max_count=limits.max_count
        )
        if decision.pending is not None:
            outcome.errors.append(decision.message)
            outcome.extra["withdrawal_blocked"] = len(missing)
            outcome.extra["withdrawal_pending"] = decision.pending.digest
            log.warning("source=%s %s", self.cfg.id, decision.message)
        if decision.withdraw_now:
            outcome.counts.withdrawn = self.store.withdraw(self.cfg.id, decision.withdraw_now)

    # -- map ----------------------------------------------------------------------
    def make_mappers(self) -> list[Mapper]:
        """The configured mapper profiles, first one maps, the others enrich."""
        context = MapContext(
            source_id=self.cfg.id,
            base_uri=self.cfg.effective_base_uri(),
            languages=tuple(self.cfg.languages),
            licence=self.cfg.licence,
            publisher={"name": self.cfg.owner.name, **({"uri": self.cfg.owner.uri} if self.cfg.owner.uri else {})},
        )
        mappers: list[Mapper] = []
        for ref in self.cfg.mapper_refs():
            cls = registry.load(registry.MAPPERS, ref.kind, what="mapper")
            mappers.append(cls(context, cls.Options.model_validate(ref.options)))
        return mappers

    def load_raw(self, record_id: str, stored: Any = None) -> RawRecord:
        """Rebuild a RawRecord from the artifact store (so map can re-run without harvesting).

        `stored`: the record's state-store row when the caller fetched it with its page (bulk.records_by_ids).
        """
        stored = stored if stored is not None else self.store.get_record(self.cfg.id, record_id)
        if stored is None or stored.raw_location is None:
            raise KeyError(f"{self.cfg.id}: no stored payload for record {record_id}")
        raw_key = self.artifacts.key_of(stored.raw_location)
        payload = self.artifacts.get(raw_key)
        meta_key = raw_key.rsplit(".", 1)[0] + ".meta.json"  # beside the payload, whatever key scheme stored it
        meta = json.loads(self.artifacts.get(meta_key)) if self.artifacts.exists(meta_key) else {}
        return RawRecord(
            source_id=self.cfg.id,
            record_id=record_id,
            payload=payload,
            media_type=meta.get("media_type", "application/octet-stream"),
            origin_url=meta.get("origin_url", ""),
            modified=stored.modified,
        )

    def _paged_rows(self, ids: list[str], size: int = 200) -> Iterator[tuple[str, Any]]:
        """Each id with its state-store row (None if absent), fetched one query per page of ids."""
        from luxcat.bulk import records_by_ids

        for start in range(0, len(ids), size):
            page = records_by_ids(self.store, self.cfg.id, ids[start : start + size])
            for record_id in ids[start : start + size]:
                yield record_id, page.get(record_id)

    @fewer_collections()
    def map(self, run_id: int, record_ids: Iterable[str], *, write: bool = True) -> StageOutcome:
        """Map each record to a DCAT-AP graph; a record that cannot map is rejected, the rest go on.

        `write=False` (one batch of a run, luxcat.batches) leaves the run's map.json to whoever combines.
        """
        from luxcat.remap import mapping_fingerprint

        mappers = self.make_mappers()
        fingerprint = mapping_fingerprint(mappers)
        from luxcat.bulk import set_map_rejected_many, set_mapped_many

        outcome = StageOutcome(stage="map")
        findings = MapFindings()  # dropped values and licence origins (mappers.fidelity)
        ids = list(record_ids)
        done: list[dict[str, Any]] = []  # written per page of records, in one transaction
        refused: list[dict[str, Any]] = []

        def flush() -> None:
            set_mapped_many(self.store, self.cfg.id, done)
            set_map_rejected_many(self.store, self.cfg.id, refused)
            done.clear()
            refused.clear()

        for n, (record_id, stored) in enumerate(self._paged_rows(ids), start=1):
            if n % 200 == 0:
                flush()
            digest = None
            try:
                raw = self.load_raw(record_id, stored)
                digest = content_hash(raw.payload)
                check_size(record_id, raw.payload)
                with collecting() as dropped:
                    mapped = list(mappers[0].map(raw))
                    if not mapped:
                        raise RecordError("the mapper produced no dataset, series or service")
                    for enricher in mappers[1:]:
                        for record in mapped:
                            enricher.enrich(record)
                # inside: a graph that cannot be serialised is this record's error
                done.append(self._store_mapped(record_id, mapped, digest, fingerprint))
            except RecordError as exc:
                outcome.rejections.append(Rejection(self.cfg.id, record_id, "map", exc.reason, str(exc)))
                if digest is not None:  # the payload's own fault: kept, not mapped again while unchanged
                    refused.append(
                        {
                            "record_id": record_id,
                            "content_hash": digest,
                            "fingerprint": fingerprint,
                            "reason": f"{exc.reason}: {exc}",
                        }
                    )
                continue
            except Exception as exc:  # a bug or unforeseen input: isolate it, keep the traceback
                if environment_failure(exc):
                    raise  # a full disk or a locked database is the machine's failure, not this record's
                log.exception("source=%s record=%s unexpected error while mapping", self.cfg.id, record_id)
                outcome.rejections.append(Rejection(self.cfg.id, record_id, "map", "unexpected", repr(exc)))
                continue
            findings.add(record_id, mapped, dropped)
            outcome.ok += 1
            if n % 100 == 0:
                self.progress(f"{self.cfg.id}: mapped {n}/{len(ids)}")
        flush()
        outcome.extra.update(findings.as_extra())
        self.write_map_files(run_id, outcome, write=write)
        log.info("%s", outcome.log_line(self.cfg.id))
        return outcome

    def write_map_files(self, run_id: int, outcome: StageOutcome, *, write: bool = True) -> None:
        """The run's map.json and map-rejects.jsonl (luxcat.batches writes them once for all its batches)."""
        if not write:
            return
        self._write_json(run_id, "map.json", outcome.as_dict())
        self._write_rejects(run_id, outcome.rejections, name="map-rejects.jsonl")

    def _store_mapped(
        self, record_id: str, mapped: list[MappedRecord], digest: str, fingerprint: str
    ) -> dict[str, Any]:
        """Write the mapped graph; returns the state-store row the caller writes with its page."""
        from luxcat.fastgraph import FastGraph

        graph = FastGraph()
        for record in mapped:
            graph += record.graph
        data = graph.serialize(format="nt", encoding="utf-8")
        location = self.artifacts.put(f"mapped/{self.cfg.id}/{safe_key(record_id)}.nt", data, "application/n-triples")
        if len(self._handoff) < HANDOFF_RECORDS:  # validate uses it instead of parsing the file again
            self._handoff[record_id] = (location, hashlib.sha256(data).hexdigest(), graph)
        return {
            "record_id": record_id,
            "dataset_uri": str(mapped[0].subject),
            "mapped_location": location,
            "mapped_hash": digest,
            "mapped_fingerprint": fingerprint,
        }

    # -- validate -------------------------------------------------------------------
    @fewer_collections()
    def validate(self, run_id: int, record_ids: Iterable[str], *, batch: int = 500) -> StageOutcome:
        """Validate mapped records in batches; Violations block publishing unless the source relaxes it."""
        from validators.report_html import ReportSummary

        outcome = StageOutcome(stage="validate")
        collector = self.findings_collector()
        summary = ReportSummary(limit=REPORT_ROWS, findings=self.findings_prefix(run_id))  # flat in records
        ids = list(record_ids)
        # A record is validated together with the other records of its chunk (shared nodes, served-dataset
        # links), so a source validated in batches is cut at the batches' boundaries here too: the result
        # depends on the source's file, never on how many workers or processes did the work.
        size = self.cfg.batches.size if self.cfg.batches else max(len(ids), 1)
        parts = -(-size // batch)
        for index, start in enumerate(range(0, len(ids), size)):
            group = ids[start : start + size]
            self.validate_records(run_id, group, outcome, summary, collector, batch=batch, first_part=index * parts + 1)
        return self.close_validate(run_id, outcome, summary, collector)

    def findings_prefix(self, run_id: int) -> str:
        """Where the run's per-record findings files are (findings/00001.jsonl, one per chunk)."""
        return f"runs/{self.cfg.id}/{run_id}/findings/"

    def findings_collector(self) -> Any:
        """What the run report says about each validated record (luxcat.reports.FindingsCollector)."""
        from luxcat.reports import FindingsCollector, report_language

        languages = tuple(dict.fromkeys((report_language(), *self.cfg.languages)))
        return FindingsCollector(self.cfg.id, languages, self.artifacts)

    @fewer_collections()  # also when luxcat.batches calls it for one batch
    def validate_records(
        self,
        run_id: int,
        record_ids: Iterable[str],
        outcome: StageOutcome,
        summary: Any,
        collector: Any,
        *,
        batch: int = 500,
        first_part: int = 1,
    ) -> None:
        """Validate and store chunk after chunk, folding each report into `summary` and `collector`.

        A batch of a run (luxcat.batches) calls this with its own parts of the findings files.
        """
        from rdflib import Graph

        from luxcat.bulk import records_by_ids, set_validation_many
        from luxcat.fastgraph import FastGraph
        from validators import validate_graph
        from validators.safeurls import drop_unsafe_links

        profile = self.cfg.validation.profile
        ids = list(record_ids)
        findings = self.findings_prefix(run_id)
        known = KnownDatasets(self.store)  # looked up when a record serves a dataset, not loaded whole
        udata = any(p.target == "data.public.lu" for p in self.cfg.publish)  # unplaceable licence: a finding
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            union = FastGraph()  # bulk `+=` of each record's graph, dict-speed lookups (luxcat.fastgraph)
            graphs: dict[str, Graph] = {}
            unsafe: dict[str, list[ValidationIssue]] = {}
            by_dataset: dict[str, str] = {}
            stored_chunk = records_by_ids(self.store, self.cfg.id, chunk)  # one query per chunk
            for record_id in chunk:
                stored = stored_chunk.get(record_id)
                if stored is None or stored.mapped_location is None:
                    continue
                graphs[record_id] = self._mapped_graph(record_id, stored.mapped_location)
                unsafe[record_id] = drop_unsafe_links(graphs[record_id])  # issue 17, F15
                union += graphs[record_id]
                by_dataset[stored.dataset_uri or ""] = record_id
            notes = self._resolve_served_datasets(graphs, union, known, unsafe)
            reports = {r.dataset: r for r in validate_graph(union, profile=profile, udata=udata)}
            results = []
            for dataset_uri, record_id in by_dataset.items():
                report = reports.get(dataset_uri)
                if report is not None:
                    report.results.extend(notes.get(record_id, []))
                    summary.add(report)
                # described from its own graph: what other records of the chunk say about a shared node is not its
                collector.add_validated(record_id, dataset_uri, report, graphs[record_id])
                results.append(self._record_validation(record_id, dataset_uri, report, outcome))
            set_validation_many(self.store, self.cfg.id, results)  # one transaction per chunk
            self._write_findings(findings, first_part + start // batch, results)  # per-record findings, per chunk
            self.progress(f"{self.cfg.id}: validated {min(start + batch, len(ids))}/{len(ids)}")
        self._handoff.clear()

    def close_validate(self, run_id: int, outcome: StageOutcome, summary: Any, collector: Any) -> StageOutcome:
        """Write the run's validation HTML, run report, validate.json and rejects once every record is validated."""
        from luxcat.reports import write_run_report

        outcome.extra["licence_origin"] = summary.licence_origins()
        html = summary.render(f"{self.cfg.id}: validation report, run {run_id}", dropped=self._dropped(run_id))
        self.artifacts.put(f"runs/{self.cfg.id}/{run_id}/validation.html", html.encode(), "text/html")
        location = write_run_report(self.cfg, self.store, self.artifacts, run_id, collector)  # the run report
        outcome.extra["report"] = location
        self._write_json(run_id, "validate.json", outcome.as_dict())
        self._write_rejects(run_id, outcome.rejections, name="validate-rejects.jsonl")
        log.info("%s report=%s", outcome.log_line(self.cfg.id), location)
        return outcome

    def _mapped_graph(self, record_id: str, location: str) -> Any:
        """The record's mapped graph: the one map just built when the stored file is still its bytes, else parsed."""
        data = self.artifacts.get(self.artifacts.key_of(location))
        handed = self._handoff.pop(record_id, None)
        if handed is not None and handed[0] == location and handed[1] == hashlib.sha256(data).hexdigest():
            return handed[2]  # reading and hashing the file is far cheaper than parsing it
        return parse_ntriples(data)  # a FastGraph

    def _write_findings(self, prefix: str, part: int, rows: list[dict[str, Any]]) -> None:
        """One JSON line per record (id, dataset, conforms, report) for one chunk, written as it is done."""
        if rows:
            body = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
            self.artifacts.put(f"{prefix}{part:05d}.jsonl", body.encode(), "application/x-ndjson")

    def _resolve_served_datasets(
        self, graphs: dict[str, Any], union: Any, known: Any, dropped_before: dict[str, list[ValidationIssue]]
    ) -> dict[str, list[ValidationIssue]]:
        """Make `dcat:servesDataset` links checkable one record at a time.

        A service record points at datasets described by other records. When the target is a known
        dataset (any source) its type is added to the validation graph as context; when it is not in
        the catalogue at all, the dangling link is dropped from the record (and re-stored) with a
        Warning, instead of rejecting the whole service for a dataset another catalogue describes.
        """
        from rdflib import RDF
        from rdflib.namespace import DCAT

        notes: dict[str, list[ValidationIssue]] = {}
        for record_id, graph in graphs.items():
            dropped = list(dropped_before.get(record_id, []))
            for service, target in list(graph.subject_objects(DCAT.servesDataset)):
                if (target, RDF.type, None) in union:
                    continue
                if str(target) in known:
                    union.add((target, RDF.type, DCAT.Dataset))
                    continue
                graph.remove((service, DCAT.servesDataset, target))
                union.remove((service, DCAT.servesDataset, target))
                dropped.append(
                    ValidationIssue(
                        "Warning",
                        str(service),
                        str(DCAT.servesDataset),
                        str(target),
                        "the served dataset is not in the catalogue; the link was dropped",
                        "luxcat:ServedDatasetKnown",
                    )
                )
            if dropped:
                notes[record_id] = dropped
                stored = self.store.get_record(self.cfg.id, record_id)
                if stored is not None and stored.mapped_location is not None:
                    self.artifacts.put(
                        self.artifacts.key_of(stored.mapped_location),
                        graph.serialize(format="nt", encoding="utf-8"),
                        "application/n-triples",
                    )
        return notes

    def _record_validation(
        self, record_id: str, dataset_uri: str, report: Any, outcome: StageOutcome
    ) -> dict[str, Any]:
        """Decide whether one record may be published; returns its validation row for the chunk's write."""
        if report is None:
            report_dict: dict[str, Any] = {
                "dataset": dataset_uri,
                "conforms": False,
                "score": None,
                "results": [
                    {
                        "severity": "Violation",
                        "focus": dataset_uri,
                        "path": None,
                        "value": None,
                        "message": "the mapped graph holds no dataset the validator recognised",
                        "shape": None,
                    }
                ],
            }
            conforms = False
        else:
            report_dict = report.as_dict()
            conforms = bool(report.conforms)
        row = {"record_id": record_id, "dataset_uri": dataset_uri, "conforms": conforms, "validation": report_dict}
        if conforms or self.cfg.validation.on_violation == "publish-with-warning":
            outcome.ok += 1
            return row
        messages = [r["message"] for r in report_dict["results"] if r["severity"] == "Violation"][:3]
        outcome.rejections.append(
            Rejection(self.cfg.id, record_id, "validate", "shacl_violation", "; ".join(messages) or "does not conform")
        )
        return row

    def load_graph(self, record_id: str) -> Any:
        """The mapped graph of one record, from the artifact store."""

        stored = self.store.get_record(self.cfg.id, record_id)
        if stored is None or stored.mapped_location is None:
            raise KeyError(f"{self.cfg.id}: record {record_id} has not been mapped")
        return self._parse_mapped(stored.mapped_location)

    def _parse_mapped(self, location: str) -> Any:
        """Parse a stored N-Triples graph (the linear reader: a long literal costs its length, not its square)."""
        return parse_ntriples(self.artifacts.get(self.artifacts.key_of(location)))  # a FastGraph

    # -- bookkeeping ------------------------------------------------------------------
    def finish(self, run_id: int, harvest: HarvestOutcome, *later: StageOutcome, failed: str | None = None) -> Run:
        """Close the run with its counts; later stages' rejections count as rejected too."""
        counts = harvest.counts
        counts.rejected = harvest.rejected + sum(s.rejected for s in later)
        if not failed:  # red means red: an incomplete streak or too many rejects fail the run
            from luxcat.policy import red_rule

            failed = red_rule(
                self.store, self.cfg, run_id, complete=harvest.complete,
                limited=harvest.extra.get("limit") is not None,
                processed=counts.seen + harvest.rejected, rejected=counts.rejected,
            ) or None  # fmt: skip
        errors = list(harvest.errors)
        if failed:
            errors.insert(0, failed)
        details = {"harvest": harvest.as_dict(), **{s.stage: s.as_dict() for s in later}}
        run = self.store.finish_run(
            run_id,
            status="failed" if failed else "success",
            complete=harvest.complete and not failed,
            counts=counts,
            expected=harvest.expected,
            error_summary="; ".join(errors)[:2000] or None,
            details=details,
        )
        self._write_summary(run)
        return run

    def _write_summary(self, run: Run) -> None:
        """Put the run's one summary (luxcat.summary) into its harvest.json, as the console shows it."""
        from luxcat.summary import RunSummary

        key = f"runs/{self.cfg.id}/{run.id}/harvest.json"
        data = json.loads(self.artifacts.get(key)) if self.artifacts.exists(key) else {}
        data["summary"] = RunSummary.from_run(run).as_dict()
        self._write_json(run.id, "harvest.json", data)

    def _dropped(self, run_id: int) -> dict[str, list[dict[str, str]]]:
        """The dropped values the map stage of this run reported, for the validation report."""
        key = f"runs/{self.cfg.id}/{run_id}/map.json"
        if not self.artifacts.exists(key):
            return {}
        return dict(json.loads(self.artifacts.get(key)).get("extra", {}).get("dropped", {}))

    def _write_json(self, run_id: int, name: str, data: dict[str, Any]) -> str:
        return self.artifacts.put(
            f"runs/{self.cfg.id}/{run_id}/{name}", json.dumps(data, indent=2).encode(), "application/json"
        )

    def _write_rejects(self, run_id: int, rejections: list[Rejection], name: str = "rejects.jsonl") -> None:
        if rejections:
            body = "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in rejections)
            self.artifacts.put(f"runs/{self.cfg.id}/{run_id}/{name}", body.encode(), "application/x-ndjson")


def ensure_enabled(cfg: SourceConfig, *, force: bool = False) -> None:
    """Refuse a production run of a disabled source, and point to the preview that never touches production."""
    if not cfg.enabled:  # a trial never writes to production: it runs in a throwaway folder
        raise ConfigError(
            f"{cfg.id}: source is disabled (enabled: false); production runs are for enabled sources only. "
            f"Try it with `luxcat sources preview <its file> [--limit N]`"
            f"{' (--force no longer runs a disabled source)' if force else ''}"
        )


def run_source(cfg: SourceConfig, store: StateStore, artifacts: ArtifactStore, **options: Any) -> Run:
    """Run one source (see _run_source) holding its lock: a second run at the same time exits with SourceBusy."""
    from luxcat.locks import refuse_open_run, source_lock

    with source_lock(store, cfg.id):
        refuse_open_run(store, cfg.id)  # an Airflow run between two of its tasks holds no lock
        return _run_source(cfg, store, artifacts, **options)


def _run_source(
    cfg: SourceConfig,
    store: StateStore,
    artifacts: ArtifactStore,
    *,
    full: bool = False,
    limit: int | None = None,
    stages: tuple[str, ...] = ("harvest", "map", "validate"),
    progress: Progress | None = None,
    remap: bool = False,
    processes: int = 1,
) -> Run:
    """Harvest one source and run every later stage asked for; the run is recorded even when it fails.

    `processes` > 1 maps and validates in batches over that many local processes (luxcat.batches).
    """
    from luxcat.afterrun import after_run
    from luxcat.policy import full_due

    pipeline = Pipeline(cfg, store, artifacts, progress=progress)
    first = bool(full_due(store, cfg))  # never a complete full run, or the last is older than full_every
    run_id = store.start_run(cfg.id, "full" if full or first else "incremental")
    harvest = HarvestOutcome(stage="harvest")
    later: list[StageOutcome] = []
    try:
        harvest = pipeline.harvest(run_id, full=full or first, limit=limit, remap=remap)
        if "map" in stages and processes > 1:  # the batches Airflow maps over, in local processes
            from luxcat.batches import map_validate_local

            later += map_validate_local(
                pipeline, run_id, harvest.to_process, processes=processes, validate="validate" in stages
            )
        elif "map" in stages:
            mapped = pipeline.map(run_id, harvest.to_process)
            later.append(mapped)
            if "validate" in stages:
                failed_map = {r.record_id for r in mapped.rejections}
                later.append(pipeline.validate(run_id, [r for r in harvest.to_process if r not in failed_map]))
    except Exception as exc:
        failed = pipeline.finish(run_id, harvest, *later, failed=str(exc))
        after_run(cfg, store, artifacts, failed)  # operators and the owner hear about the failure
        raise
    run = pipeline.finish(run_id, harvest, *later)
    after_run(cfg, store, artifacts, run)  # recovery/first-run alert; owner digest (once a day, with findings)
    return run
