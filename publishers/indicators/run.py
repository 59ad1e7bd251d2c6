"""One indicators computation: read the served catalogue, compute, store the history, write the published files.

`compute_indicators()` is what `luxcat indicators --update`, the Airflow task and the tests call; it
returns a `Computation` whose `summary()` is the one line operators read and whose `event()` is
the small dict an asset event carries. Files go to `indicators/` beside the catalogue versions (the
same folder or bucket `luxcat serve` reads), replaced as a whole on each computation.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, tuple_

from luxcat.config import SourceConfig
from luxcat.errors import PipelineError
from luxcat.forkpool import fork_pool
from luxcat.records import utcnow
from luxcat.store import StateStore, records_table
from publishers.catalogue.storage import ExportTarget, FolderTarget, S3Target
from publishers.indicators import dashboard
from publishers.indicators.compute import Inventory, Value, compute
from publishers.indicators.csvw import CSV_NAME, METADATA_NAME, write_csv, write_metadata
from publishers.indicators.dataset import describe
from publishers.indicators.facts import (
    DatasetFacts,
    dataset_facts,
    is_service,
    live_lines,
    read_catalogue,
    served_by,
)
from publishers.indicators.history import History, Row
from publishers.targets import CatalogueMetadata

log = logging.getLogger(__name__)
FOLDER = "indicators"
FINDINGS_PER_DATASET = 10
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/csvm+json",
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
}


HEADLINE = (
    "datasets.total", "datasets.new", "datasets.withdrawn", "licence.open_share", "licence.cc0_share",
    "quality.dcat_ap_share", "quality.mqa_mean", "hvd.datasets", "formats.machine_readable_share",
)  # fmt: skip


class IndicatorsError(PipelineError):
    """The indicators cannot be computed (no catalogue served yet, unreadable export)."""


@dataclass(slots=True)
class Computation:
    """What one computation produced."""

    run_id: int
    day: date
    version: str
    values: list[Value]
    rows: list[Row]
    files: dict[str, bytes] = field(default_factory=dict)
    udata: dict[str, Any] | None = None  # where the CSV went on data.public.lu, when configured

    def figure(self, indicator: str, scope: str = "nation", scope_id: str = "LU") -> float | None:
        """One value of this computation."""
        return next(
            (v.value for v in self.values if (v.scope, v.scope_id, v.indicator) == (scope, scope_id, indicator)), None
        )

    def event(self) -> dict[str, Any]:
        """The national headline figures (asset event, XCom): indicator ids with "_" for "." (flat keys)."""
        figures = {k: self.figure(k) for k in HEADLINE}
        return {
            "date": self.day.isoformat(),
            "catalogue_version": self.version,
            "values": len(self.values),
            "series_rows": len(self.rows),
            **({"udata_dataset": self.udata["dataset_id"]} if self.udata else {}),
            **{k.replace(".", "_"): v for k, v in figures.items() if v is not None},
        }

    def summary(self) -> str:
        """One line, e.g. `indicators 2026-12-06 (catalogue V): 45 datasets, 2 new, ..., MQA mean 194.1; 476 values`."""
        f = self.figure
        parts = [f"{int(f('datasets.total') or 0)} datasets"]
        for key, name in (("datasets.new", "new"), ("datasets.withdrawn", "withdrawn")):
            if f(key) is not None:
                parts.append(f"{int(f(key) or 0)} {name}")
        shares = (
            ("licence.open_share", "open"),
            ("licence.cc0_share", "CC0"),
            ("quality.dcat_ap_share", "DCAT-AP"),
            ("formats.machine_readable_share", "machine-readable"),
        )
        for key, name in shares:
            if f(key) is not None:
                parts.append(f"{name} {f(key):g}%")
        if f("quality.mqa_mean") is not None:
            parts.append(f"MQA mean {f('quality.mqa_mean'):g}")
        return f"indicators {self.day} (catalogue {self.version}): " + ", ".join(parts) + f"; {len(self.values)} values"


@dataclass(slots=True)
class Outcome:
    """What the indicators keep of one record's validation: SHACL conformance, MQA score, findings count."""

    conforms: bool | None
    score: int | None
    findings: int


# a record stored as conforming has no Violation at all: only the others' results are looked at
_SHACL_VIOLATIONS = (
    "CASE WHEN conforms THEN 0 ELSE (SELECT count(*) FROM json_each(validation, '$.results') WHERE "
    "json_extract(value, '$.severity') = 'Violation' AND coalesce(json_extract(value, '$.shape'), '') "
    "NOT LIKE 'luxcat:%') END"
)
_FINDINGS = (
    "(SELECT count(*) FROM json_each(validation, '$.results') "
    "WHERE json_extract(value, '$.severity') IN ('Violation', 'Warning'))"
)


def _outcome(validation: dict[str, Any]) -> Outcome:
    """SHACL conformance (policy rules, shapes `luxcat:...`, excluded), score and findings of one validation."""
    results = validation.get("results")
    score = validation.get("score")
    score = int(score) if isinstance(score, int | float) else None
    if results is None:
        conforms = validation.get("conforms")
        return Outcome(None if conforms is None else bool(conforms), score, 0)
    shacl = any(
        r.get("severity") == "Violation" and not str(r.get("shape") or "").startswith("luxcat:") for r in results
    )
    return Outcome(not shacl, score, sum(r.get("severity") in ("Violation", "Warning") for r in results))


def _validations(store: StateStore) -> dict[tuple[str, str], Outcome]:
    """(source, record) -> validation outcome, in one query; on SQLite the JSON is read by SQL itself."""
    c = records_table.c
    out: dict[tuple[str, str], Outcome] = {}
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            query = text(
                "SELECT source_id, record_id, json_extract(validation, '$.score'), "
                f"json_type(validation, '$.results'), json_extract(validation, '$.conforms'), {_SHACL_VIOLATIONS}, "
                f"{_FINDINGS} FROM records WHERE validation IS NOT NULL"
            )
            for sid, rid, score, has_results, conforms, violations, findings in conn.execute(query):
                ok = (violations == 0) if has_results else (None if conforms is None else bool(conforms))
                out[(sid, rid)] = Outcome(ok, int(score) if score is not None else None, int(findings or 0))
            return out
        query = select(c.source_id, c.record_id, c.validation).where(c.validation.is_not(None))
        for row in conn.execute(query):
            value = json.loads(row.validation) if isinstance(row.validation, str) else row.validation
            out[(row.source_id, row.record_id)] = _outcome(value or {})
    return out


def findings_of(store: StateStore, records: list[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The Violations and Warnings of these records (at most FINDINGS_PER_DATASET each), read for the pages."""
    c = records_table.c
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(records), 500):
            chunk = records[start : start + 500]
            query = select(c.source_id, c.record_id, c.validation).where(tuple_(c.source_id, c.record_id).in_(chunk))
            for row in conn.execute(query):
                value = json.loads(row.validation) if isinstance(row.validation, str) else row.validation
                results = (value or {}).get("results") or []
                kept = [r for r in results if r.get("severity") in ("Violation", "Warning")]
                out[(row.source_id, row.record_id)] = kept[:FINDINGS_PER_DATASET]
    return out


def inventories(store: StateStore, sources: Iterable[SourceConfig]) -> list[Inventory]:
    """Inventory sources with their rows at the last successful harvest (seen + rows rejected while harvesting)."""
    out = []
    for cfg in sources:
        if cfg.harvester.kind != "inventory":
            continue
        run = next((r for r in store.runs(cfg.id, limit=20) if r.status == "success"), None)
        if run is None:
            continue
        rejected = int((run.details.get("harvest") or {}).get("rejected") or 0)
        out.append(Inventory(cfg.id, run.counts.seen + rejected, cfg.owner.name))
    return out


_JOB: dict[str, Any] = {}  # set before forking: workers inherit the target and the slices


def _facts_of(lines: list[dict[str, Any]]) -> tuple[list[DatasetFacts], set[str]]:
    """Facts of the datasets among `lines` and the dataset URIs the services among them serve."""
    facts: list[DatasetFacts] = []
    served: set[str] = set()
    for line, triples in read_catalogue(_JOB["target"], _JOB["pointer"], lines):
        if is_service(line, triples):
            served.update(served_by(line, triples))
        else:
            facts.append(dataset_facts(line, triples))
    return facts, served


def _slice(number: int) -> tuple[list[DatasetFacts], set[str]]:
    return _facts_of(_JOB["slices"][number])


def _outcomes(_: int) -> dict[tuple[str, str], Outcome]:
    return _validations(_JOB["store"])


def collect(
    target: ExportTarget, pointer: dict[str, Any], store: StateStore, *, workers: int = 1
) -> list[DatasetFacts]:
    """Facts of every dataset of the served version, with validation outcomes and API links resolved.

    With workers > 1 the dump is read in that many slices by forked processes while another reads the
    validation outcomes (close + join, never terminate(): see the catalogue export).
    """
    lines = live_lines(target, pointer)
    _JOB.update(target=target, pointer=pointer, store=store)
    try:
        if workers <= 1 or len(lines) < 2000:
            validations = _validations(store)
            parts = [_facts_of(lines)]
        else:
            bounds = [round(len(lines) * w / workers) for w in range(workers + 1)]
            _JOB["slices"] = [lines[bounds[w] : bounds[w + 1]] for w in range(workers)]
            store.engine.dispose()  # no pooled connection crosses the fork
            with fork_pool(workers + 1) as pool:
                pending = pool.map_async(_outcomes, [0])
                parts = pool.map(_slice, range(workers))
                validations = pending.get()[0]
    finally:
        _JOB.clear()
    facts = [f for part, _ in parts for f in part]
    served = set().union(*(s for _, s in parts))
    for f in facts:
        outcome = validations.get(f.records[0]) if f.records else None  # type: ignore[call-overload]
        if outcome is not None:
            f.conforms, f.score, f.finding_count = outcome.conforms, outcome.score, outcome.findings
        f.api = f.api or f.uri in served
    return facts


def compute_indicators(
    store: StateStore,
    target: ExportTarget,
    meta: CatalogueMetadata,
    base_url: str,
    *,
    sources: Iterable[SourceConfig] = (),
    clock: Callable[[], datetime] = utcnow,
    write: bool = True,
    frequency: str | None = None,
    workers: int = 1,
) -> Computation:
    """Compute over the served catalogue, store the history and (unless `write` is False) publish the files."""
    pointer = target.current()
    if pointer is None:
        raise IndicatorsError("no catalogue published yet: run `luxcat publish --target catalogue` first")
    now = clock()
    day = now.date()
    facts = collect(target, pointer, store, workers=workers)
    history = History(store)
    values, current = compute(facts, day, previous=history.previous(day), inventories=inventories(store, sources))
    run_id = history.record(now, day, pointer["version"], values, current, {"datasets": len(facts)})
    rows = history.rows()
    comp = Computation(run_id, day, pointer["version"], values, rows)
    comp.files = build_files(rows, facts, meta, base_url, modified=now, frequency=frequency, store=store)
    if write:
        publish_files(target, comp.files)
    log.info("stage=indicators %s", comp.summary())
    return comp


def build_files(
    rows: list[Row],
    facts: list[DatasetFacts],
    meta: CatalogueMetadata,
    base_url: str,
    *,
    modified: datetime,
    frequency: str | None = None,
    store: StateStore | None = None,
) -> dict[str, bytes]:
    """Every published file: the CSV, its CSVW metadata, the dataset description, the dashboard pages."""
    publisher = {"@id": meta.publisher.uri}
    files = {CSV_NAME: write_csv(rows), METADATA_NAME: write_metadata(base_url, publisher)}
    days = sorted({r.date for r in rows})
    extra = {"frequency": frequency} if frequency else {}
    graph = describe(meta, base_url, first=days[0], last=days[-1], modified=modified, **extra)
    files["dataset.ttl"] = graph.serialize(format="turtle", encoding="utf-8")
    files["dataset.jsonld"] = graph.serialize(format="json-ld", encoding="utf-8")
    files.update(dashboard.pages(rows, publisher_findings(facts, store)))
    return files


def publisher_findings(facts: list[DatasetFacts], store: StateStore | None) -> dict[str, dashboard.Findings]:
    """Per publisher, the datasets with findings its page lists (the first ones by URI), findings read for those."""
    pages: dict[str, dashboard.Findings] = {}
    listed: dict[str, list[DatasetFacts]] = {}
    for f in facts:
        pages.setdefault(f.publisher_id, dashboard.Findings(f.publisher_name or f.publisher_id))
        if f.finding_count and f.records:
            listed.setdefault(f.publisher_id, []).append(f)
    wanted = {pid: sorted(fs, key=lambda f: f.uri)[: dashboard.FINDINGS_PAGE_DATASETS] for pid, fs in listed.items()}
    found = findings_of(store, [f.records[0] for fs in wanted.values() for f in fs]) if store is not None else {}
    for pid, fs in wanted.items():
        for f in fs:
            pages[pid].datasets[f.uri] = found.get(f.records[0], [])
        pages[pid].more = len(listed[pid]) - len(fs)
    return pages


def publish_files(target: ExportTarget, files: dict[str, bytes]) -> None:
    """Replace `indicators/` beside the catalogue versions with `files` (folder: swapped by rename)."""
    if isinstance(target, FolderTarget):
        target.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".indicators-", dir=target.root))
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        final = target.root / FOLDER
        old = target.root / f".indicators-old-{os.getpid()}"
        if final.exists():
            os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    elif isinstance(target, S3Target):  # each object replaced in turn (no untested stale-object cleanup)
        for name, data in files.items():
            target.client.put_object(
                Bucket=target.bucket,
                Key=f"{target.prefix}{FOLDER}/{name}",
                Body=data,
                ContentType=CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream"),
            )
    else:  # pragma: no cover - every ExportTarget is one of the two
        raise IndicatorsError(f"cannot write indicators to {type(target).__name__}")
