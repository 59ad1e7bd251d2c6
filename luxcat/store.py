"""State store: what each source's records looked like at the last run, and what each run did.

SQLAlchemy Core on SQLite by default; any PostgreSQL URL works. The store is the memory that makes
harvests incremental and publishing idempotent: content hashes say what changed, statuses say what
was withdrawn, publish ids say where a dataset lives on each target.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from luxcat.migrations import migrate
from luxcat.records import utcnow

ACTIVE = "active"
WITHDRAWN = "withdrawn"

metadata = MetaData()

records_table = Table(
    "records",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("record_id", String(512), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("last_changed", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, default=ACTIVE),
    Column("modified", String(64)),  # the source's own modification stamp
    Column("dataset_uri", Text),
    Column("raw_location", Text),
    Column("mapped_location", Text),
    Column("conforms", Boolean),
    Column("validation", JSON),
    Column("publish_ids", JSON),
    Column("mapped_hash", String(64)),  # content_hash the mapped graph was produced from
    Column("mapped_fingerprint", String(64)),  # luxcat.remap.mapping_fingerprint of that map
    Column("rejected_hash", String(64)),  # content_hash whose map was rejected (unchanged: not re-mapped)
    Column("rejected_fingerprint", String(64)),  # the mapping fingerprint of that rejection
    Column("rejected_reason", Text),  # why that map was rejected
)

runs_table = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # running | success | failed
    Column("complete", Boolean, nullable=False, default=False),
    Column("seen", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("withdrawn", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("expected", Integer),
    Column("error_summary", Text),
    Column("details", JSON),
)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite drops tzinfo; every time luxcat stores is UTC, so put it back."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(slots=True)
class RunCounts:
    """The numbers a run reports in its summary line."""

    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    withdrawn: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


@dataclass(slots=True)
class Run:
    """One harvest run of one source as stored."""

    id: int
    source_id: str
    started_at: datetime
    ended_at: datetime | None
    mode: str
    status: str
    complete: bool
    counts: RunCounts
    expected: int | None = None
    error_summary: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """The one-line summary operators read everywhere (luxcat.summary words it)."""
        from luxcat.summary import run_line

        return run_line(self)


@dataclass(slots=True)
class StoredRecord:
    """One record's state as the store knows it."""

    source_id: str
    record_id: str
    content_hash: str
    first_seen: datetime
    last_seen: datetime
    last_changed: datetime
    status: str
    modified: str | None = None
    dataset_uri: str | None = None
    raw_location: str | None = None
    mapped_location: str | None = None
    conforms: bool | None = None
    validation: dict[str, Any] | None = None
    publish_ids: dict[str, Any] = field(default_factory=dict)
    mapped_hash: str | None = None
    mapped_fingerprint: str | None = None
    rejected_reason: str | None = None  # why the last map of this record was rejected (None: it was not)


class StateStore:
    """Records and runs in a SQL database (SQLite file by default, PostgreSQL in production)."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            lock_wait = float(os.environ.get("LUXCAT_SQLITE_LOCK_TIMEOUT", "30"))
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": lock_wait}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
        elif url.startswith(("postgresql://", "postgresql+psycopg2://", "postgres://")):
            kwargs["executemany_mode"] = "values_plus_batch"  # page writes batched, not a round trip per row
        self.engine: Engine = create_engine(url, **kwargs)
        from luxcat.bulk import tune_sqlite

        tune_sqlite(self.engine, url)
        metadata.create_all(self.engine)
        migrate(self.engine)

    # -- runs ---------------------------------------------------------------
    def start_run(self, source_id: str, mode: str) -> int:
        """Open a run row; it stays `running` until finish_run, so a crash is visible."""
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(runs_table).values(
                    source_id=source_id, started_at=utcnow(), mode=mode, status="running", complete=False
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        complete: bool,
        counts: RunCounts,
        expected: int | None = None,
        error_summary: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Run:
        with self.engine.begin() as conn:
            conn.execute(
                update(runs_table)
                .where(runs_table.c.id == run_id)
                .values(
                    ended_at=utcnow(),
                    status=status,
                    complete=complete,
                    expected=expected,
                    error_summary=error_summary,
                    details=details or {},
                    **counts.as_dict(),
                )
            )
        run = self.get_run(run_id)
        assert run is not None
        return run

    def get_run(self, run_id: int) -> Run | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs_table).where(runs_table.c.id == run_id)).mappings().first()
        return _run(row) if row else None

    def runs(self, source_id: str | None = None, limit: int = 20) -> list[Run]:
        """Most recent runs first."""
        query = select(runs_table).order_by(runs_table.c.id.desc()).limit(limit)
        if source_id:
            query = query.where(runs_table.c.source_id == source_id)
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query).mappings()]

    def last_runs(self) -> list[Run]:
        """The latest run of every source."""
        latest = select(func.max(runs_table.c.id)).group_by(runs_table.c.source_id)
        query = select(runs_table).where(runs_table.c.id.in_(latest)).order_by(runs_table.c.source_id)
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query).mappings()]

    def last_successful_start(self, source_id: str) -> datetime | None:
        """Start of the last complete, successful run: the lower bound of the next incremental harvest."""
        query = (
            select(runs_table.c.started_at)
            .where(
                and_(
                    runs_table.c.source_id == source_id,
                    runs_table.c.status == "success",
                    runs_table.c.complete.is_(True),
                )
            )
            .order_by(runs_table.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return _aware(conn.execute(query).scalar())

    # -- records ------------------------------------------------------------
    def record_hashes(self, source_id: str) -> dict[str, tuple[str, str]]:
        """record_id -> (content_hash, status) for one source, in one query."""
        query = select(records_table.c.record_id, records_table.c.content_hash, records_table.c.status).where(
            records_table.c.source_id == source_id
        )
        with self.engine.connect() as conn:
            return {r.record_id: (r.content_hash, r.status) for r in conn.execute(query)}

    def upsert_seen(
        self,
        source_id: str,
        rows: Iterable[dict[str, Any]],
        existing: dict[str, tuple[str, str]],
        seen_at: datetime,
    ) -> None:
        """Insert new records and update seen/changed ones in one transaction (luxcat.bulk)."""
        from luxcat.bulk import upsert_seen

        upsert_seen(self, source_id, rows, existing, seen_at)

    def withdraw(self, source_id: str, record_ids: Iterable[str]) -> int:
        """Mark records withdrawn (never deleted: publishers decide what that means on each target)."""
        ids = list(record_ids)
        now = utcnow()
        with self.engine.begin() as conn:
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                conn.execute(
                    update(records_table)
                    .where(and_(records_table.c.source_id == source_id, records_table.c.record_id.in_(chunk)))
                    .values(status=WITHDRAWN, last_changed=now)
                )
        return len(ids)

    def set_mapped(
        self,
        source_id: str,
        record_id: str,
        *,
        dataset_uri: str | None,
        mapped_location: str | None,
        conforms: bool | None = None,
        validation: dict[str, Any] | None = None,
        mapped_hash: str | None = None,
        mapped_fingerprint: str | None = None,
    ) -> None:
        """Remember the minted dataset URI, the mapped graph's location and the validation outcome."""
        values: dict[str, Any] = {"dataset_uri": dataset_uri, "mapped_location": mapped_location}
        if mapped_hash is not None:  # only a successful map says what the graph was produced from
            values.update(mapped_hash=mapped_hash, mapped_fingerprint=mapped_fingerprint)
        if validation is not None:
            values.update(conforms=conforms, validation=validation)
        with self.engine.begin() as conn:
            conn.execute(
                update(records_table)
                .where(and_(records_table.c.source_id == source_id, records_table.c.record_id == record_id))
                .values(**values)
            )

    def set_publish_id(self, source_id: str, record_id: str, target: str, value: Any) -> None:
        """Store where a record lives on a publish target (udata id, hub id, ...)."""
        with self.engine.begin() as conn:
            current = conn.execute(
                select(records_table.c.publish_ids).where(
                    and_(records_table.c.source_id == source_id, records_table.c.record_id == record_id)
                )
            ).scalar()
            ids = dict(_json(current) or {})
            if value is None:
                ids.pop(target, None)
            else:
                ids[target] = value
            conn.execute(
                update(records_table)
                .where(and_(records_table.c.source_id == source_id, records_table.c.record_id == record_id))
                .values(publish_ids=ids)
            )

    def records(self, source_id: str | None = None, status: str | None = None) -> Iterator[StoredRecord]:
        """Stored records, ordered by source and id (stable for exports)."""
        query = select(records_table).order_by(records_table.c.source_id, records_table.c.record_id)
        if source_id:
            query = query.where(records_table.c.source_id == source_id)
        if status:
            query = query.where(records_table.c.status == status)
        with self.engine.connect() as conn:  # streamed in key order (server-side cursor): memory flat in records
            for row in conn.execution_options(yield_per=1000).execute(query).mappings():
                yield _record(row)

    def get_record(self, source_id: str, record_id: str) -> StoredRecord | None:
        query = select(records_table).where(
            and_(records_table.c.source_id == source_id, records_table.c.record_id == record_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _record(row) if row else None

    def dataset_uris(self, status: str = ACTIVE) -> set[str]:
        """Every known dataset URI (all sources): lets one record's links to another be checked."""
        query = select(records_table.c.dataset_uri).where(
            and_(records_table.c.status == status, records_table.c.dataset_uri.is_not(None))
        )
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    def has_dataset(self, uri: str, status: str = ACTIVE) -> bool:
        """Is this dataset URI known (any source)? One indexed query (ix_records_dataset_uri)."""
        query = select(records_table.c.record_id).where(
            and_(records_table.c.dataset_uri == uri, records_table.c.status == status)
        )
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def count(self, source_id: str, status: str = ACTIVE) -> int:
        query = select(func.count()).where(
            and_(records_table.c.source_id == source_id, records_table.c.status == status)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _run(row: Any) -> Run:
    counts = RunCounts(**{k: row[k] or 0 for k in RunCounts.__slots__})  # type: ignore[attr-defined]
    return Run(
        id=row["id"],
        source_id=row["source_id"],
        started_at=_aware(row["started_at"]),  # type: ignore[arg-type]
        ended_at=_aware(row["ended_at"]),
        mode=row["mode"],
        status=row["status"],
        complete=bool(row["complete"]),
        counts=counts,
        expected=row["expected"],
        error_summary=row["error_summary"],
        details=_json(row["details"]) or {},
    )


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        source_id=row["source_id"],
        record_id=row["record_id"],
        content_hash=row["content_hash"],
        first_seen=_aware(row["first_seen"]),  # type: ignore[arg-type]
        last_seen=_aware(row["last_seen"]),  # type: ignore[arg-type]
        last_changed=_aware(row["last_changed"]),  # type: ignore[arg-type]
        status=row["status"],
        modified=row["modified"],
        dataset_uri=row["dataset_uri"],
        raw_location=row["raw_location"],
        mapped_location=row["mapped_location"],
        conforms=row["conforms"],
        validation=_json(row["validation"]),
        publish_ids=_json(row["publish_ids"]) or {},
        mapped_hash=row.get("mapped_hash"),
        mapped_fingerprint=row.get("mapped_fingerprint"),
        rejected_reason=row.get("rejected_reason"),
    )
