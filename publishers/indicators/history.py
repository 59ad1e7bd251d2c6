"""Every indicator computation kept in the state store: the published time series is read back from here.

Three tables of their own (created on first use, beside the store's tables): one row per
computation, one row per (date, scope, scope id, indicator) value (a second computation on the same
day replaces that day's values), and the dataset membership of the latest computation (URI and the
scopes it counted in) of the latest day and the day before, from which a computation derives new and
withdrawn datasets: always against the last earlier day, so recomputing a day gives the same figures.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)

from luxcat.store import StateStore
from publishers.indicators.compute import Value

metadata = MetaData()

runs = Table(
    "indicator_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("date", Date, nullable=False, index=True),
    Column("catalogue_version", String(64)),
    Column("summary", JSON),
)
values = Table(
    "indicator_values",
    metadata,
    Column("date", Date, primary_key=True),
    Column("scope", String(16), primary_key=True),
    Column("scope_id", String(512), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("scope_label", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("run_id", Integer, nullable=False),
)
members = Table(
    "indicator_datasets",
    metadata,
    Column("date", Date, primary_key=True),
    Column("uri", Text, primary_key=True),
    Column("scopes", Text, nullable=False),  # JSON list of [scope, scope id]
)


@dataclass(slots=True)
class Row:
    """One row of the published time series."""

    date: date
    scope: str
    scope_id: str
    scope_label: str
    indicator: str
    value: float
    unit: str


class History:
    """The indicator tables of one state store."""

    def __init__(self, store: StateStore) -> None:
        self.engine = store.engine
        metadata.create_all(self.engine)

    def previous(self, day: date) -> dict[str, str] | None:
        """uri -> scopes (JSON) of the last computation of a day before `day`; None when there is none."""
        with self.engine.connect() as conn:
            last = conn.execute(select(func.max(runs.c.date)).where(runs.c.date < day)).scalar()
            if last is None:
                return None
            query = select(members.c.uri, members.c.scopes).where(members.c.date == last)
            return {r.uri: sys.intern(r.scopes) for r in conn.execute(query)}

    def record(
        self,
        computed_at: datetime,
        day: date,
        version: str | None,
        published: list[Value],
        current: dict[str, str],
        summary: dict[str, Any],
    ) -> int:
        """Store one computation (values of `day` replaced) and the membership it saw; returns its id."""
        with self.engine.begin() as conn:
            run_id = int(
                conn.execute(
                    insert(runs).values(computed_at=computed_at, date=day, catalogue_version=version, summary=summary)
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            conn.execute(delete(values).where(values.c.date == day))
            rows = [
                {
                    "date": day,
                    "scope": v.scope,
                    "scope_id": v.scope_id,
                    "indicator": v.indicator,
                    "scope_label": v.scope_label,
                    "value": float(v.value),
                    "unit": v.unit,
                    "run_id": run_id,
                }
                for v in published
            ]
            if rows:
                conn.execute(insert(values), rows)
            earlier = conn.execute(select(func.max(runs.c.date)).where(runs.c.date < day)).scalar()
            keep = [d for d in (day, earlier) if d is not None]
            conn.execute(delete(members).where(members.c.date.not_in(keep) | (members.c.date == day)))
            items = list(current.items())
            for start in range(0, len(items), 5000):
                batch = [{"date": day, "uri": uri, "scopes": scopes} for uri, scopes in items[start : start + 5000]]
                conn.execute(insert(members), batch)
        return run_id

    def rows(self) -> list[Row]:
        """The whole time series, ordered by date, scope, scope id, indicator."""
        query = select(values).order_by(values.c.date, values.c.scope, values.c.scope_id, values.c.indicator)
        with self.engine.connect() as conn:
            return [
                Row(r.date, r.scope, r.scope_id, r.scope_label, r.indicator, r.value, r.unit)
                for r in conn.execute(query)
            ]

    def last_run(self) -> dict[str, Any] | None:
        """The latest computation's row (id, computed_at, date, catalogue_version, summary)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None
