"""The source lock shared by one run's batch tasks: they work in parallel, every other run still refuses.

`luxcat.locks.source_lock` has one holder, so two batch tasks of the same Airflow run would refuse
each other. Here the lock row's holder is the run itself (`luxcat-run-<id>`); each batch task
working under it adds a share row (host:pid:token) and beats for both. A CLI run, another Airflow
run's task or a batch of another run meets the row and stops with "already running since ..."
exactly as before. The last share to leave deletes the lock row, in the same transaction that
removes its share, so a batch joining at that moment either joins a live lock or takes it anew.
Shares whose holder died (no beat for STALE_AFTER, or its process on this host is gone) are dropped
when a member leaves; a run lock nobody beats any more is taken over like any stale lock
(luxcat.locks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Column, DateTime, String, Table, and_, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from luxcat.locks import HEARTBEAT_EVERY, STALE_AFTER, SourceBusy, _acquire, _alive, _ensure_table, locks_table
from luxcat.records import utcnow
from luxcat.store import StateStore, _aware, metadata

log = logging.getLogger(__name__)

shares_table = Table(
    "source_lock_shares",
    metadata,
    Column("holder", String(200), primary_key=True),  # host:pid:token of one task working under the run's lock
    Column("source_id", String(64), nullable=False, index=True),
    Column("run_holder", String(200), nullable=False),  # the lock row's holder: luxcat-run-<id>
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)


def run_holder(run_id: int) -> str:
    """The lock holder name of a run shared by its tasks (no `:`: it names no host or process)."""
    return f"luxcat-run-{run_id}"


def _ensure_tables(store: StateStore) -> None:
    _ensure_table(store)
    try:
        shares_table.create(store.engine, checkfirst=True)
    except DBAPIError:  # another process created it at the same moment
        shares_table.create(store.engine, checkfirst=True)


def _join(store: StateStore, source_id: str, group: str, me: str) -> bool:
    """Add a share to the run's lock when the run holds it; False when it does not."""
    now = utcnow()
    with store.engine.begin() as conn:
        # the first statement writes the lock row: joins and leaves of one run take turns (row lock / SQLite writer)
        held = conn.execute(
            update(locks_table)
            .where(and_(locks_table.c.source_id == source_id, locks_table.c.holder == group))
            .values(heartbeat_at=now)
        ).rowcount
        if held != 1:
            return False
        conn.execute(insert(shares_table).values(holder=me, source_id=source_id, run_holder=group, heartbeat_at=now))
    return True


def _take(store: StateStore, source_id: str, group: str, me: str) -> bool:
    """Take the free lock for the run, with our share, in one transaction; False when someone holds it."""
    now = utcnow()
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(locks_table).values(source_id=source_id, holder=group, acquired_at=now, heartbeat_at=now)
            )
            conn.execute(
                insert(shares_table).values(holder=me, source_id=source_id, run_holder=group, heartbeat_at=now)
            )
    except IntegrityError:
        return False
    return True


def _enter(store: StateStore, source_id: str, group: str, me: str, stale_after: timedelta) -> None:
    """Join the run's lock, take it when free, take it over when stale; SourceBusy when another run holds it."""
    for _attempt in range(5):
        if _join(store, source_id, group, me) or _take(store, source_id, group, me):
            return
        with store.engine.connect() as conn:
            holder = conn.execute(select(locks_table.c.holder).where(locks_table.c.source_id == source_id)).scalar()
        if holder is not None and holder != group:
            _acquire(store, source_id, group, stale_after)  # SourceBusy while alive; a stale holder is taken over
    raise SourceBusy(source_id, "the source lock changed hands while this task tried to join its run; try again")


class _Beat(threading.Thread):
    """Refreshes the run's lock row and this task's share until stopped."""

    def __init__(self, store: StateStore, source_id: str, group: str, me: str, every: float) -> None:
        super().__init__(name=f"luxcat-runlock-{source_id}", daemon=True)
        self.store, self.source_id, self.group, self.me, self.every = store, source_id, group, me, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                with self.store.engine.begin() as conn:
                    now = utcnow()
                    conn.execute(
                        update(locks_table)
                        .where(and_(locks_table.c.source_id == self.source_id, locks_table.c.holder == self.group))
                        .values(heartbeat_at=now)
                    )
                    conn.execute(update(shares_table).where(shares_table.c.holder == self.me).values(heartbeat_at=now))
            except DBAPIError as exc:  # a busy database delays one beat; the next one retries
                log.warning("source=%s run lock heartbeat failed: %s", self.source_id, str(exc).splitlines()[0])


def _leave(store: StateStore, source_id: str, group: str, me: str, stale_after: timedelta) -> int:
    """Remove our share (and dead members' shares); the last one out deletes the lock row. Returns shares left."""
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            update(locks_table)
            .where(and_(locks_table.c.source_id == source_id, locks_table.c.holder == group))
            .values(heartbeat_at=now)
        )
        conn.execute(delete(shares_table).where(shares_table.c.holder == me))
        members = conn.execute(
            select(shares_table.c.holder, shares_table.c.heartbeat_at).where(shares_table.c.run_holder == group)
        ).all()
        dead = [holder for holder, beat in members if not _alive(holder, stale_after, _aware(beat))]
        if dead:  # killed without leaving: no beat for stale_after, or its process on this host is gone
            conn.execute(delete(shares_table).where(shares_table.c.holder.in_(dead)))
        left = int(
            conn.execute(
                select(func.count()).select_from(shares_table).where(shares_table.c.run_holder == group)
            ).scalar_one()
        )
        if left == 0:
            conn.execute(
                delete(locks_table).where(and_(locks_table.c.source_id == source_id, locks_table.c.holder == group))
            )
    return left


@contextmanager
def run_lock(
    store: StateStore,
    source_id: str,
    run_id: int,
    *,
    stale_after: timedelta = STALE_AFTER,
    heartbeat_every: float = HEARTBEAT_EVERY,
) -> Iterator[str]:
    """Hold the source's lock for run `run_id` together with the run's other tasks; SourceBusy for anyone else.

    The run stays open when the block ends (the record task closes it), as with one Airflow stage.
    """
    _ensure_tables(store)
    group = run_holder(run_id)
    me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _enter(store, source_id, group, me, stale_after)
    beat = _Beat(store, source_id, group, me, heartbeat_every)
    beat.start()
    try:
        yield me
    finally:
        beat.stopped.set()
        beat.join(timeout=5)
        left = _leave(store, source_id, group, me, stale_after)
        log.debug("source=%s run=%d lock share released (%d other share(s) left)", source_id, run_id, left)
