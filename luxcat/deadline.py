"""Deadlines: notice a source that has not succeeded for too long, before its users do.

A source is overdue when its last successful run ended more than `alert_after` ago (default: three
schedule intervals, the largest gap between two firings of its schedule, so a weekdays-only
schedule is not flagged every Monday). A source that never succeeded counts from its first
attempt; one that never ran is not judged (nothing says when it was registered). No network, no
Airflow: the watch DAG and `luxcat status` both call `overdue_sources`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from luxcat.config import SourceConfig
from luxcat.store import StateStore

DEFAULT_INTERVALS = 3
PRESETS = {
    "@hourly": timedelta(hours=1),
    "@daily": timedelta(days=1),
    "@weekly": timedelta(days=7),
    "@monthly": timedelta(days=31),
    "@yearly": timedelta(days=366),
}
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^(\d+)([mhdw])$")
NAMES = {
    **{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    **{d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
}
RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
WINDOW_DAYS = 400  # long enough to see monthly and most yearly gaps


def parse_duration(text: str) -> timedelta:
    """`90m`, `36h`, `3d`, `2w` as a timedelta (ValueError otherwise)."""
    match = DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90m, 36h, 3d or 2w")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def _num(text: str) -> int:
    return NAMES[text] if text in NAMES else int(text)


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step = part.partition("/")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            start, end = _num(a), _num(b)
        else:
            start = end = _num(body)
            if step:
                end = high
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def _firings(expression: str) -> list[datetime]:
    minute, hour, dom, month, dow = expression.split()
    minutes, hours = _field(minute, *RANGES[0]), _field(hour, *RANGES[1])
    days, months = _field(dom, *RANGES[2]), _field(month, *RANGES[3])
    weekdays = {d % 7 for d in _field(dow, *RANGES[4])}
    times = sorted((h, m) for h in hours for m in minutes)
    start = date(2024, 1, 1)
    out = []
    for offset in range(WINDOW_DAYS):
        day = start + timedelta(days=offset)
        if day.month not in months:
            continue
        by_dom, by_dow = day.day in days, (day.isoweekday() % 7) in weekdays
        restricted_dom, restricted_dow = dom != "*", dow != "*"
        if restricted_dom and restricted_dow:
            ok = by_dom or by_dow  # cron: either field matches when both are restricted
        else:
            ok = by_dom and by_dow
        if ok:
            out += [datetime(day.year, day.month, day.day, h, m, tzinfo=UTC) for h, m in times]
    return out


def schedule_interval(schedule: str | None) -> timedelta | None:
    """The largest gap between two firings of a cron schedule or preset; None for manual or @once."""
    if schedule is None or schedule == "@once":
        return None
    if schedule in PRESETS:
        return PRESETS[schedule]
    firings = _firings(schedule)
    if len(firings) < 2:
        return PRESETS["@yearly"]
    return max(b - a for a, b in zip(firings, firings[1:], strict=False))


def alert_after(cfg: SourceConfig) -> timedelta | None:
    """The source's deadline: its `alert_after`, else three schedule intervals (None: never overdue)."""
    explicit = getattr(cfg, "alert_after", None)
    if explicit:
        return parse_duration(explicit)
    interval = schedule_interval(cfg.schedule)
    return interval * DEFAULT_INTERVALS if interval else None


@dataclass(frozen=True, slots=True)
class Overdue:
    """A source past its deadline, and why in one line."""

    source_id: str
    since: datetime
    limit: timedelta
    reason: str


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


def check_source(cfg: SourceConfig, store: StateStore, now: datetime) -> Overdue | None:
    """The source's Overdue, or None when it succeeded recently enough (or has no deadline)."""
    limit = alert_after(cfg)
    if limit is None:
        return None
    runs = store.runs(cfg.id, limit=1000)
    if not runs:
        return None
    success = next((r for r in runs if r.status == "success"), None)
    if success is not None:
        since = success.ended_at or success.started_at
        what = f"last successful run #{success.id} ended {since:%Y-%m-%d %H:%M} UTC"
    else:
        since = runs[-1].started_at
        what = f"no successful run since the first attempt #{runs[-1].id} at {since:%Y-%m-%d %H:%M} UTC"
    if now - since <= limit:
        return None
    last = runs[0]
    latest = f"; latest run #{last.id} {last.status}" + (f": {last.error_summary}" if last.error_summary else "")
    reason = f"{cfg.id}: overdue: {what}, {_age(now - since)} ago (alert_after {_age(limit)}){latest}"
    return Overdue(cfg.id, since, limit, reason[:1000])


def overdue_sources(configs: list[SourceConfig], store: StateStore, now: datetime | None = None) -> list[Overdue]:
    """Every enabled source past its deadline."""
    now = now or datetime.now(UTC)
    found = (check_source(cfg, store, now) for cfg in configs if cfg.enabled)
    return [o for o in found if o is not None]
