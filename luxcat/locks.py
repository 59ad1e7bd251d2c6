"""One run per source at a time: a lock row in the state store, so it holds across processes and hosts.

Two runs of one source at once would race on the same records (the second died with an
IntegrityError traceback). The lock is a row in `source_locks` keyed by source id: inserting it
is atomic on SQLite and PostgreSQL, so exactly one run gets it; the other stops with "already
running since ..." (a SourceError: exit 2). The holder refreshes a heartbeat while it runs. A lock
whose holder is gone (no heartbeat for STALE_AFTER, or on the same host its process no
longer exists) is taken over, and the run it left `running` is closed as failed, so a kill -9
never blocks a source or leaves a run row running for ever.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, and_, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from luxcat.errors import SourceError
from luxcat.records import utcnow
from luxcat.store import StateStore, _aware, metadata, runs_table

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 30.0  # seconds
STALE_AFTER = timedelta(minutes=10)  # no heartbeat for this long: the holder is gone

locks_table = Table(
    "source_locks",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),  # host:pid:token
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)


class SourceBusy(SourceError):
    """Another run of this source holds the lock."""


def _ensure_table(store: StateStore) -> None:
    try:
        locks_table.create(store.engine, checkfirst=True)
    except DBAPIError:  # another process created it at the same moment
        locks_table.create(store.engine, checkfirst=True)


def _alive(holder: str, stale_after: timedelta, heartbeat: datetime | None) -> bool:
    """Whether a lock holder may still be running."""
    if heartbeat is None or utcnow() - heartbeat >= stale_after:
        return False  # a live holder beats every HEARTBEAT_EVERY seconds (also covers a reused pid)
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


class _Heartbeat(threading.Thread):
    """Refreshes the lock's heartbeat until stopped."""

    def __init__(self, store: StateStore, source_id: str, holder: str, every: float) -> None:
        super().__init__(name=f"luxcat-lock-{source_id}", daemon=True)
        self.store, self.source_id, self.holder, self.every = store, source_id, holder, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                with self.store.engine.begin() as conn:
                    conn.execute(
                        update(locks_table)
                        .where(and_(locks_table.c.source_id == self.source_id, locks_table.c.holder == self.holder))
                        .values(heartbeat_at=utcnow())
                    )
            except DBAPIError as exc:  # a busy database delays one beat; the next one retries
                log.warning("source=%s lock heartbeat failed: %s", self.source_id, str(exc).splitlines()[0])


@contextmanager
def source_lock(
    store: StateStore,
    source_id: str,
    *,
    stale_after: timedelta = STALE_AFTER,
    heartbeat_every: float = HEARTBEAT_EVERY,
    close_open_runs: bool = True,
) -> Iterator[str]:
    """Hold the source's lock for the duration of the block; raise SourceBusy when another run holds it.

    `close_open_runs=False` is for one Airflow stage of a run that goes on in the next task: the run it
    opened stays `running` when the block ends (a CLI run still sees it, see `open_run`).
    """
    _ensure_table(store)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    acquired = _acquire(store, source_id, holder, stale_after)
    beat = _Heartbeat(store, source_id, holder, heartbeat_every)
    beat.start()
    try:
        yield holder
    finally:
        beat.stopped.set()
        beat.join(timeout=5)
        with store.engine.begin() as conn:
            # a run this holder opened and never closed (Ctrl-C, SystemExit) must not stay `running`
            if close_open_runs:
                _close_runs(conn, source_id, acquired, "interrupted before the run could close itself")
            conn.execute(
                delete(locks_table).where(and_(locks_table.c.source_id == source_id, locks_table.c.holder == holder))
            )


def _close_runs(conn: Any, source_id: str, since: datetime, why: str) -> int:
    """Close as failed the runs of a source still `running` that started at or after `since`."""
    return int(
        conn.execute(
            update(runs_table)
            .where(
                and_(
                    runs_table.c.source_id == source_id,
                    runs_table.c.status == "running",
                    runs_table.c.started_at >= since,
                )
            )
            .values(status="failed", ended_at=utcnow(), error_summary=why)
        ).rowcount
    )


def _acquire(store: StateStore, source_id: str, holder: str, stale_after: timedelta) -> datetime:
    """Take the lock (or raise SourceBusy); returns when it was taken."""
    now = utcnow()
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(locks_table).values(source_id=source_id, holder=holder, acquired_at=now, heartbeat_at=now)
            )
        return now
    except IntegrityError:
        pass
    with store.engine.connect() as conn:
        row = conn.execute(select(locks_table).where(locks_table.c.source_id == source_id)).mappings().first()
    if row is None:  # released between our insert and our read: try once more
        return _acquire(store, source_id, holder, stale_after)
    since = _aware(row["acquired_at"])
    if _alive(row["holder"], stale_after, _aware(row["heartbeat_at"])):
        raise SourceBusy(
            source_id,
            f"already running since {since:%Y-%m-%d %H:%M:%S} UTC ({row['holder'].rsplit(':', 1)[0]}); "
            "one run per source at a time, try again when it ends",
        )
    with store.engine.begin() as conn:  # take over only the lock we judged stale (compare and swap)
        taken = conn.execute(
            update(locks_table)
            .where(and_(locks_table.c.source_id == source_id, locks_table.c.holder == row["holder"]))
            .values(holder=holder, acquired_at=now, heartbeat_at=now)
        ).rowcount
        if taken != 1:
            raise SourceBusy(source_id, "another run took the lock at the same moment; try again")
        gone = row["holder"].rsplit(":", 1)[0]
        why = f"interrupted: the process running it ({gone}) ended without closing the run"
        interrupted = _close_runs(conn, source_id, row["acquired_at"], why)
    log.warning(
        "source=%s took over a stale lock of %s (since %s); %d interrupted run(s) closed as failed",
        source_id,
        row["holder"],
        since,
        interrupted,
    )
    return now


OPEN_RUN_WINDOW = timedelta(hours=6)  # the default run deadline (luxcat.limits): an older open run is dead


def refuse_open_run(store: StateStore, source_id: str, *, within: timedelta = OPEN_RUN_WINDOW) -> None:
    """Raise SourceBusy when a run of the source is open: an Airflow DAG run between two of its tasks.

    Airflow holds the lock only while one of its tasks works; between tasks its luxcat run row is still
    `running`. A CLI run started then would race the next task on the same records. A run opened more
    than `within` ago is past any run deadline and no longer blocks.
    """
    now = utcnow()
    with store.engine.connect() as conn:
        row = (
            conn.execute(
                select(runs_table.c.id, runs_table.c.started_at)
                .where(and_(runs_table.c.source_id == source_id, runs_table.c.status == "running"))
                .order_by(runs_table.c.started_at.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    if row is None:
        return
    since = _aware(row["started_at"])
    if now - since < within:
        raise SourceBusy(
            source_id,
            f"already running since {since:%Y-%m-%d %H:%M:%S} UTC (run {row['id']} is open, e.g. an Airflow DAG "
            "run between its tasks); one run per source at a time, try again when it ends",
        )
