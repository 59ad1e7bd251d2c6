"""Seed a state store with N inventory records derived from really mapped ones (bench_scale.py at 100k-2M).

A real first run through the mapper costs ~6.5 ms of CPU per row: 2 million rows would take hours
on 2 cores before the runs the benchmark is about (no-change, 1% changed, export) even start. So
for big sizes the first run is replaced by a bulk load that writes what that first run would have
stored, derived from a real run:

- each source's first 7 rows (one of each real row of the inventory) are harvested, mapped and
  validated for real, in a throwaway store: these are the templates;
- every row of the big inventory is listed by the real inventory harvester (so its payload and
  content hash are exactly what the next harvest computes); its mapped graph, validation report
  and map rejection are its template's, with the row's own id, title number, date and row number
  put in place of the template's (the only values the inventory varies between copies);
- a sample of rows is then really mapped and compared with the derived graph (rdflib isomorphism):
  the seed refuses to go on when one differs.

Rows are written in bulk: PostgreSQL through COPY, SQLite through one executemany per 20,000 rows.
The mapped graphs are written as files (the export reads them); the raw payloads and their
.meta.json are NOT written for seeded rows (the measured runs never read the payload of an
unchanged record; changed rows are harvested and written for real): that saves 4 million small files
at 2 million datasets.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from luxcat.artifacts import LocalArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.pipeline import Pipeline
from luxcat.records import content_hash, utcnow
from luxcat.store import ACTIVE, StateStore, records_table, runs_table

COLUMNS = [c.name for c in records_table.columns]
TEMPLATES = 7  # the real inventory's rows: every 7th row is a copy of the same one


@dataclass(slots=True)
class Template:
    """What a real run stored for one real row (k): the strings to replace and the values to copy."""

    k: int
    state: dict[str, Any] | None  # None: the row is a harvest reject (not stored)
    mapped: str | None  # N-Triples text


def row_values(n: int) -> tuple[str, str, str]:
    """What bench_scale.write_inventory varies in row n: id suffix, title number, date."""
    return f"-{n:07d}", f"({n})", f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"


def substitute(text: str, k: int, n: int, first: int) -> str:
    """Template row k's text with row n's id suffix, title number, date and line (files start at row `first`)."""
    for old, new in zip(row_values(k), row_values(n), strict=True):
        text = text.replace(old, new)
    line_k, line_n = k - first + 2, n - first + 2  # the header is line 1
    return text.replace(f"row {line_k}:", f"row {line_n}:").replace(f"row={line_k}", f"row={line_n}")


def templates(cfg: SourceConfig, work: Path, first: int, write_inventory: Any) -> tuple[list[Template], str]:
    """Really harvest, map and validate rows first..first+6 in a throwaway store; returns them and the fingerprint."""
    from luxcat.remap import mapping_fingerprint

    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "template.csv"
    write_inventory(csv_path, TEMPLATES, start=first)
    store = StateStore(f"sqlite:///{work / 'template.db'}")
    options = {**cfg.harvester.options, "location": str(csv_path)}
    tcfg = cfg.model_copy(update={"harvester": cfg.harvester.model_copy(update={"options": options})})
    pipeline = Pipeline(tcfg, store, LocalArtifactStore(work / "artifacts"))
    run_id = store.start_run(cfg.id, "full")
    harvest = pipeline.harvest(run_id, full=True)
    mapped = pipeline.map(run_id, harvest.to_process)
    failed = {r.record_id for r in mapped.rejections}
    pipeline.validate(run_id, [r for r in harvest.to_process if r not in failed])
    fingerprint = mapping_fingerprint(pipeline.make_mappers())
    by_n: dict[int, Template] = {k: Template(k, None, None) for k in range(first, first + TEMPLATES)}
    from sqlalchemy import select

    with store.engine.connect() as conn:
        for row in conn.execute(select(records_table)).mappings():
            n = int(row["record_id"].rsplit("-", 1)[1])
            text = Path(row["mapped_location"]).read_text("utf-8") if row["mapped_location"] else None
            by_n[n] = Template(n, dict(row), text)
    store.close()
    return [by_n[first + k] for k in range(TEMPLATES)], fingerprint


def derived_rows(
    cfg: SourceConfig, artifacts: LocalArtifactStore, temps: list[Template], fingerprint: str, now: datetime, first: int
) -> Iterator[dict[str, Any]]:
    """One store row per record the real harvester lists, its mapped graph written as its template's."""
    pipeline = Pipeline(cfg, StateStore("sqlite://"), artifacts)
    harvester = pipeline.make_harvester()
    by_k = {t.k % TEMPLATES: t for t in temps}
    made: set[str] = set()
    for item in harvester.harvest():
        if not hasattr(item, "payload"):
            continue  # a harvest reject: not stored, as in a real run
        n = int(item.record_id.rsplit("-", 1)[1])
        t = by_k[n % TEMPLATES]
        if t.state is None:
            raise RuntimeError(f"row {n}: the real run rejected its template row {t.k}, the harvester did not")
        state = t.state
        key = safe_key(item.record_id)
        row: dict[str, Any] = {
            **state,
            "source_id": cfg.id,
            "record_id": item.record_id,
            "content_hash": content_hash(item.payload),
            "first_seen": now,
            "last_seen": now,
            "last_changed": now,
            "status": ACTIVE,
            "modified": item.modified,
            "raw_location": artifacts.location(f"raw/{cfg.id}/{key}.json"),
            "publish_ids": {},
        }
        if t.mapped is not None:
            folder = artifacts.root / "mapped" / cfg.id
            if folder not in made:
                folder.mkdir(parents=True, exist_ok=True)
                made.add(folder)  # type: ignore[arg-type]
            path = folder / f"{key}.nt"
            path.write_text(substitute(t.mapped, t.k, n, first), "utf-8")
            row["mapped_location"] = path.as_posix()
            row["dataset_uri"] = substitute(state["dataset_uri"], t.k, n, first)
            row["mapped_hash"] = row["content_hash"]
            row["mapped_fingerprint"] = fingerprint
        if state.get("validation") is not None:
            validation = state["validation"]
            text = validation if isinstance(validation, str) else json.dumps(validation)
            row["validation"] = json.loads(substitute(text, t.k, n, first))
        if state.get("rejected_hash"):
            row["rejected_hash"] = row["content_hash"]
            row["rejected_fingerprint"] = fingerprint
            row["rejected_reason"] = substitute(state["rejected_reason"], t.k, n, first)
        yield row


def check_sample(cfg: SourceConfig, artifacts: LocalArtifactStore, work: Path, start: int, write_inventory: Any) -> int:
    """Really map 7 consecutive rows (one per real row) and compare with the derived graphs (rdflib isomorphism)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    temps, _fp = templates(cfg, work, start, write_inventory)
    checked = 0
    for t in temps:
        if t.mapped is None or t.state is None:
            continue
        path = artifacts.root / "mapped" / cfg.id / f"{safe_key(t.state['record_id'])}.nt"
        real = Graph().parse(data=t.mapped, format="nt")
        derived = Graph().parse(data=path.read_text("utf-8"), format="nt")
        if not isomorphic(real, derived):
            raise RuntimeError(f"seed: row {t.k} of {cfg.id}: the derived graph differs from the real map")
        checked += 1
    return checked


def _copy_text(rows: list[dict[str, Any]]) -> str:
    """The rows as COPY ... CSV text (JSON columns as JSON, NULL as unquoted empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        values = []
        for name in COLUMNS:
            value = row.get(name)
            if value is None:
                values.append(None)
            elif name in ("validation", "publish_ids"):
                values.append(json.dumps(value, ensure_ascii=False))
            elif isinstance(value, datetime):
                values.append(value.isoformat())
            elif isinstance(value, bool):
                values.append("t" if value else "f")
            else:
                values.append(value)
        writer.writerow(["" if v is None else v for v in values])
    return out.getvalue()


def load(store: StateStore, rows: Iterator[dict[str, Any]], batch: int = 20_000) -> int:
    """Bulk-load rows: COPY on PostgreSQL, one executemany per batch on SQLite; returns the count."""
    count = 0
    postgres = store.engine.dialect.name == "postgresql"
    buffer: list[dict[str, Any]] = []

    def flush() -> None:
        if not buffer:
            return
        if postgres:
            raw = store.engine.raw_connection()
            try:
                cursor = raw.cursor()
                columns = ", ".join(COLUMNS)
                cursor.copy_expert(  # type: ignore[attr-defined]
                    f"COPY records ({columns}) FROM STDIN WITH (FORMAT csv, NULL '')", io.StringIO(_copy_text(buffer))
                )
                raw.commit()
            finally:
                raw.close()
        else:
            with store.engine.begin() as conn:
                conn.execute(insert(records_table), [{c: r.get(c) for c in COLUMNS} for r in buffer])
        buffer.clear()

    for row in rows:
        buffer.append(row)
        count += 1
        if len(buffer) >= batch:
            flush()
    flush()
    return count


def finished_run(store: StateStore, source_id: str, seen: int, at: datetime) -> None:
    """The complete, successful full run the seed stands for (so the next run is incremental)."""
    with store.engine.begin() as conn:
        conn.execute(
            insert(runs_table).values(
                source_id=source_id, started_at=at, ended_at=at, mode="full", status="success",
                complete=True, seen=seen, new=seen, details={"seeded": True},
            )
        )  # fmt: skip


def seed_source(
    cfg: SourceConfig, store: StateStore, artifacts: LocalArtifactStore, work: Path, first: int, write_inventory: Any
) -> int:
    """Seed one source's rows (its CSV already written, rows numbered from `first`); returns records stored."""
    temps, fingerprint = templates(cfg, work / "templates", first, write_inventory)
    now = utcnow()
    count = load(store, derived_rows(cfg, artifacts, temps, fingerprint, now, first))
    finished_run(store, cfg.id, count, now)
    start = first + random.Random(first).randrange(TEMPLATES, max(TEMPLATES + 1, count - TEMPLATES))
    check_sample(cfg, artifacts, work / "check", start, write_inventory)
    os.sync()
    return count
