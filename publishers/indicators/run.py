"""One indicators computation: read the served catalogue, compute, store the history, write the published files.

`compute_indicators()` is what `luxcat indicators --update`, the Airflow task and the tests call; it
returns a `Computation` whose `summary()` is the one line operators read and whose `event()` is
the small dict an asset event carries. Files go to `indicators/` beside the catalogue versions (the
same folder or bucket `luxcat serve` reads), replaced as a whole on each computation.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from luxcat.config import SourceConfig
from luxcat.errors import PipelineError
from luxcat.records import utcnow
from luxcat.store import StateStore, records_table
from publishers.catalogue.storage import ExportTarget, FolderTarget, S3Target
from publishers.indicators import dashboard
from publishers.indicators.compute import Inventory, Value, compute
from publishers.indicators.csvw import CSV_NAME, METADATA_NAME, write_csv, write_metadata
from publishers.indicators.dataset import describe
from publishers.indicators.facts import DatasetFacts, dataset_facts, is_service, read_catalogue, served_by
from publishers.indicators.history import History, Row
from publishers.targets import CatalogueMetadata

log = logging.getLogger(__name__)
FOLDER = "indicators"
FINDINGS_PER_DATASET = 50
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/csvm+json",
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
}


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
        """The national headline figures (for the asset event and the task log)."""
        keys = ("datasets.total", "datasets.new", "datasets.withdrawn", "licence.open_share", "licence.cc0_share",
                "quality.dcat_ap_share", "quality.mqa_mean", "hvd.datasets", "formats.machine_readable_share")  # fmt: skip
        figures = {k: self.figure(k) for k in keys}
        return {
            "date": self.day.isoformat(),
            "catalogue_version": self.version,
            "values": len(self.values),
            "series_rows": len(self.rows),
            **({"udata_dataset": self.udata["dataset_id"]} if self.udata else {}),
            **{k: v for k, v in figures.items() if v is not None},
        }

    def summary(self) -> str:
        """One line, e.g. `indicators 2026-12-06: 45 datasets, open 80%, ...`."""
        e = self.event()
        parts = [f"{int(e.get('datasets.total', 0))} datasets"]
        for key, name in (("datasets.new", "new"), ("datasets.withdrawn", "withdrawn")):
            if key in e:
                parts.append(f"{int(e[key])} {name}")
        for key, name in (("licence.open_share", "open"), ("licence.cc0_share", "CC0"),
                          ("quality.dcat_ap_share", "DCAT-AP"), ("formats.machine_readable_share", "machine-readable")):  # fmt: skip
            if key in e:
                parts.append(f"{name} {e[key]:g}%")
        if "quality.mqa_mean" in e:
            parts.append(f"MQA mean {e['quality.mqa_mean']:g}")
        return (
            f"indicators {e['date']} (catalogue {self.version}): " + ", ".join(parts) + f"; {len(self.values)} values"
        )


def _validations(store: StateStore) -> dict[tuple[str, str], dict[str, Any]]:
    """(source, record) -> stored validation outcome, in one query."""
    c = records_table.c
    query = select(c.source_id, c.record_id, c.conforms, c.validation).where(c.validation.is_not(None))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            value = row.validation
            if isinstance(value, str):
                import json

                value = json.loads(value)
            out[(row.source_id, row.record_id)] = value or {}
    return out


def _apply_validation(f: DatasetFacts, validation: dict[str, Any] | None) -> None:
    """SHACL conformance (policy rules excluded), MQA score and findings of the record that won the merge."""
    if not validation:
        return
    results = validation.get("results")
    if results is None:
        f.conforms = validation.get("conforms")
    else:
        f.conforms = not any(
            r.get("severity") == "Violation" and not str(r.get("shape") or "").startswith("luxcat:") for r in results
        )
        f.findings = [r for r in results if r.get("severity") in ("Violation", "Warning")][:FINDINGS_PER_DATASET]
    score = validation.get("score")
    f.score = int(score) if isinstance(score, int | float) else None


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


def collect(target: ExportTarget, pointer: dict[str, Any], store: StateStore) -> list[DatasetFacts]:
    """Facts of every dataset of the served version, with validation outcomes and API links resolved."""
    validations = _validations(store)
    facts: list[DatasetFacts] = []
    served: set[str] = set()
    for line, triples in read_catalogue(target, pointer):
        if is_service(line, triples):
            served.update(served_by(line, triples))
            continue
        f = dataset_facts(line, triples)
        if f.records:
            _apply_validation(f, validations.get(tuple(f.records[0])))  # type: ignore[arg-type]
        facts.append(f)
    for f in facts:
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
) -> Computation:
    """Compute over the served catalogue, store the history and (unless `write` is False) publish the files."""
    pointer = target.current()
    if pointer is None:
        raise IndicatorsError("no catalogue published yet: run `luxcat publish --target catalogue` first")
    now = clock()
    day = now.date()
    facts = collect(target, pointer, store)
    history = History(store)
    values, current = compute(facts, day, previous=history.previous(day), inventories=inventories(store, sources))
    run_id = history.record(now, day, pointer["version"], values, current, {"datasets": len(facts)})
    rows = history.rows()
    comp = Computation(run_id, day, pointer["version"], values, rows)
    comp.files = build_files(rows, facts, meta, base_url, modified=now, frequency=frequency)
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
) -> dict[str, bytes]:
    """Every published file: the CSV, its CSVW metadata, the dataset description, the dashboard pages."""
    publisher = {"@id": meta.publisher.uri}
    files = {CSV_NAME: write_csv(rows), METADATA_NAME: write_metadata(base_url, publisher)}
    days = sorted({r.date for r in rows})
    extra = {"frequency": frequency} if frequency else {}
    graph = describe(meta, base_url, first=days[0], last=days[-1], modified=modified, **extra)
    files["dataset.ttl"] = graph.serialize(format="turtle", encoding="utf-8")
    files["dataset.jsonld"] = graph.serialize(format="json-ld", encoding="utf-8")
    findings: dict[str, dashboard.Findings] = {}
    for f in facts:
        found = findings.setdefault(f.publisher_id, dashboard.Findings(f.publisher_name or f.publisher_id))
        if f.findings:
            found.datasets[f.uri] = f.findings
    files.update(dashboard.pages(rows, findings))
    return files


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
