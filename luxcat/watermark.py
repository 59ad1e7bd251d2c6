"""The incremental watermark: from when the next incremental harvest asks a source for changes.

The start of the last complete run is not enough: a source that once answers an incremental query
with 0 matches (an index being rebuilt, a filter bug) makes that run "complete", and moving the
watermark to its start skips, for ever, the update the source failed to report. So a run moves
the watermark only when it is evidence the source answered fully:
- a complete, successful full run that saw at least as many records as the full run before it;
- a complete, successful incremental run that saw at least one record.
Quiet periods therefore keep the window open from the last such run (a larger query, unchanged
records cost a hash comparison, nothing is re-mapped). The source's own time may also move it:
the newest modification stamp the source reported on a record we hold, never beyond the start of
the last complete run (a record stamped in the future must not stop incremental harvesting).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, select

from luxcat.store import StateStore, _aware, records_table, runs_table


def _stamp(value: str | None) -> datetime | None:
    """A source's modification stamp as an aware datetime (naive stamps are UTC), None if unparsable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def incremental_since(store: StateStore, source_id: str) -> datetime | None:
    """Lower bound of the next incremental harvest of a source (None: ask for everything)."""
    query = (
        select(runs_table.c.started_at, runs_table.c.mode, runs_table.c.seen, runs_table.c.rejected)
        .where(
            and_(
                runs_table.c.source_id == source_id,
                runs_table.c.status == "success",
                runs_table.c.complete.is_(True),
            )
        )
        .order_by(runs_table.c.id)
    )
    with store.engine.connect() as conn:
        runs = conn.execute(query).all()
        stamps = conn.execute(
            select(records_table.c.modified).where(
                and_(records_table.c.source_id == source_id, records_table.c.modified.is_not(None))
            )
        ).all()
    if not runs:
        return None
    watermark: datetime | None = None
    last_full_seen: int | None = None
    for started, mode, seen, rejected in runs:
        total = (seen or 0) + (rejected or 0)
        if mode == "full":
            if last_full_seen is None or total >= last_full_seen:
                watermark = _aware(started)
            last_full_seen = total
        elif total > 0:
            watermark = _aware(started)
    newest = max((s for s in (_stamp(row[0]) for row in stamps) if s is not None), default=None)
    if newest is not None:
        bound = min(newest, _aware(runs[-1][0]))  # type: ignore[type-var]
        if watermark is None or bound > watermark:
            watermark = bound
    return watermark
