"""Run policy: when a scheduled run must be full, and when a finished run is red although nothing raised.

Deletions are only seen by full runs, so a scheduled run is full when the last complete full run is
older than the source's `full_every` (default 7d). A run is failed, not green with a warning, when
its listing was incomplete `max_incomplete_runs` times in a row (default 2) or when more than
`max_reject_share` of the records its listing gave was rejected (default 0.2: harvest, map and
validate rejections over records seen plus records rejected while harvesting); the message names
the rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, select

from luxcat.config import SourceConfig
from luxcat.records import utcnow
from luxcat.store import Run, StateStore, _aware, runs_table

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w` as a timedelta."""
    return timedelta(**{UNITS[text[-1]]: int(text[:-1])})


def last_full_start(store: StateStore, source_id: str) -> datetime | None:
    """Start of the last complete, successful full run of the source."""
    query = (
        select(runs_table.c.started_at)
        .where(
            and_(
                runs_table.c.source_id == source_id,
                runs_table.c.mode == "full",
                runs_table.c.status == "success",
                runs_table.c.complete.is_(True),
            )
        )
        .order_by(runs_table.c.id.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        return _aware(conn.execute(query).scalar())


def full_due(store: StateStore, cfg: SourceConfig, now: datetime | None = None) -> str:
    """Why the next scheduled run must be full ("" when incremental is enough)."""
    last = last_full_start(store, cfg.id)
    if last is None:
        return "no complete full run yet"
    age = (now or utcnow()) - last
    if age >= parse_duration(cfg.full_every):
        return f"the last complete full run started {last:%Y-%m-%d %H:%M}Z, more than full_every={cfg.full_every} ago"
    return ""


def _limited(run: Run) -> bool:
    """A run with --limit is incomplete on purpose; it never counts as an incomplete listing."""
    extra = (run.details.get("harvest") or {}).get("extra") or {}
    return extra.get("limit") is not None


def incomplete_streak(store: StateStore, source_id: str, *, current_complete: bool, exclude: int) -> int:
    """Incomplete listings in a row, this run included (limited runs and runs still going are skipped)."""
    if current_complete:
        return 0
    streak = 1
    for run in store.runs(source_id, limit=50):
        if run.id == exclude or run.status == "running" or _limited(run):
            continue
        extra = (run.details.get("harvest") or {}).get("extra") or {}
        if extra.get("listing_complete", run.complete):  # a run red for its rejects had a complete listing
            break
        streak += 1
    return streak


def red_rule(
    store: StateStore,
    cfg: SourceConfig,
    run_id: int,
    *,
    complete: bool,
    limited: bool,
    processed: int,
    rejected: int,
) -> str:
    """The rule that makes this run red ("" when none fires); `processed` counts every record the listing gave."""
    if not limited:
        streak = incomplete_streak(store, cfg.id, current_complete=complete, exclude=run_id)
        if streak >= cfg.max_incomplete_runs:
            return (
                f"rule max_incomplete_runs fired: the listing was incomplete {streak} runs in a row "
                f"(max_incomplete_runs {cfg.max_incomplete_runs})"
            )
    if processed and rejected / processed > cfg.max_reject_share:
        return (
            f"rule max_reject_share fired: {rejected} of {processed} processed records rejected "
            f"({rejected / processed:.0%} > max_reject_share {cfg.max_reject_share:.0%})"
        )
    return ""
