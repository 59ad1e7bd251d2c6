"""Pending withdrawals: nothing leaves a target until a person approves the exact list, by its digest.

Every path that would remove or archive datasets downstream beyond the guard (a complete harvest
that lost too many records, a source file removed or disabled, a source retired) stores a *pending
withdrawal*: the exact (record id, dataset URI) list of one source and a SHA-256 digest of it.
`approve(digest)` withdraws exactly those records in the state store (publishers then archive or
delete exactly them); a list that changed since it was shown (a record came back, a newer harvest
proposed another list, the source is registered again) is *stale* and its digest is refused.
The table lives in the state store's database, next to the records it names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, and_, insert, select, update

from luxcat.errors import ConfigError
from luxcat.records import canonical_json, utcnow
from luxcat.store import ACTIVE, StateStore, _aware, _json

PENDING, APPROVED, REJECTED, SUPERSEDED = "pending", "approved", "rejected", "superseded"
# why a list was proposed; the last three concern the whole source (it must still be frozen to approve)
GUARD, REMOVED, DISABLED, RETIRED = "guard", "file removed", "disabled", "retired"
TARGET_CAP = "target cap"  # removals one publish run would make on one target beyond its cap
SOURCE_REASONS = {REMOVED, DISABLED, RETIRED}
SHORT = 12  # digest characters shown; any unique prefix of at least 8 is accepted

metadata = MetaData()
withdrawals_table = Table(
    "withdrawals",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("reason", String(32), nullable=False),
    Column("detail", Text),
    Column("status", String(16), nullable=False),
    Column("count", Integer, nullable=False),
    Column("items", JSON, nullable=False),  # [[record_id, dataset_uri], ...] sorted
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision", Text),
)


class StaleWithdrawal(ConfigError):
    """The digest names a list that no longer matches what would be withdrawn: show it again."""


@dataclass(slots=True)
class Withdrawal:
    """One proposed list of datasets to withdraw, with its digest and decision."""

    digest: str
    source_id: str
    reason: str
    status: str
    items: list[tuple[str, str]]
    created_at: datetime
    detail: str = ""
    decided_at: datetime | None = None
    decision: str = ""
    stale: str = field(default="")  # why the list can no longer be approved ("" when it can)

    @property
    def short(self) -> str:
        return self.digest[:SHORT]

    @property
    def dataset_uris(self) -> list[str]:
        return [uri for _rid, uri in self.items]

    def line(self) -> str:
        """One line for `withdrawals list` and publish summaries."""
        state = f"{self.status}, STALE: {self.stale}" if self.stale and self.status == PENDING else self.status
        return (
            f"{self.short} {self.source_id}: {len(self.items)} dataset(s), {self.reason}, {state}, "
            f"proposed {self.created_at:%Y-%m-%d %H:%M}Z"
        )

    def render(self) -> str:
        """The full list an operator approves: every dataset URI and record id."""
        head = [
            f"withdrawal {self.digest}",
            f"source:   {self.source_id}",
            f"reason:   {self.reason}{': ' + self.detail if self.detail else ''}",
            f"status:   {self.status}{' (' + self.decision + ')' if self.decision else ''}",
            f"datasets: {len(self.items)}",
        ]
        if self.stale and self.status == PENDING:
            head.append(f"STALE:    {self.stale}; approving it is refused")
        return "\n".join([*head, *(f"  {uri}  (record {rid})" for rid, uri in self.items)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "source": self.source_id,
            "reason": self.reason,
            "status": self.status,
            "stale": self.stale,
            "datasets": self.dataset_uris,
        }


def digest_of(source_id: str, items: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of the source id and the sorted (record id, dataset URI) pairs: the list's identity."""
    pairs = sorted({(str(r), str(u)) for r, u in items})
    return hashlib.sha256(canonical_json({"source": source_id, "items": pairs})).hexdigest()


def _ensure(store: StateStore) -> None:
    metadata.create_all(store.engine)


def _row(row: Any) -> Withdrawal:
    return Withdrawal(
        digest=row["digest"],
        source_id=row["source_id"],
        reason=row["reason"],
        status=row["status"],
        items=[(r, u) for r, u in (_json(row["items"]) or [])],
        created_at=_aware(row["created_at"]),  # type: ignore[arg-type]
        detail=row["detail"] or "",
        decided_at=_aware(row["decided_at"]),
        decision=row["decision"] or "",
    )


def active_items(store: StateStore, source_id: str, record_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(record id, dataset URI) of the source's active records (all, or those named)."""
    wanted = None if record_ids is None else set(record_ids)
    return [
        (r.record_id, r.dataset_uri or "")
        for r in store.records(source_id, status=ACTIVE)
        if wanted is None or r.record_id in wanted
    ]


def propose(
    store: StateStore, source_id: str, reason: str, items: Iterable[tuple[str, str]], detail: str = ""
) -> Withdrawal:
    """Store a pending withdrawal (idempotent: the same list keeps its digest); older pending lists of
    the source are superseded, so only the newest can be approved."""
    _ensure(store)
    pairs = sorted({(str(r), str(u)) for r, u in items})
    digest = digest_of(source_id, pairs)
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            update(withdrawals_table)
            .where(
                and_(
                    withdrawals_table.c.source_id == source_id,
                    withdrawals_table.c.status == PENDING,
                    withdrawals_table.c.digest != digest,
                )
            )
            .values(status=SUPERSEDED, decided_at=now, decision=f"superseded by {digest[:SHORT]}")
        )
        existing = (
            conn.execute(select(withdrawals_table).where(withdrawals_table.c.digest == digest)).mappings().first()
        )
        if existing is None:
            conn.execute(
                insert(withdrawals_table).values(
                    digest=digest, source_id=source_id, reason=reason, detail=detail, status=PENDING,
                    count=len(pairs), items=[list(p) for p in pairs], created_at=now,
                )
            )  # fmt: skip
        elif existing["status"] in (APPROVED, SUPERSEDED):  # the same list again (records came back, then left)
            conn.execute(
                update(withdrawals_table)
                .where(withdrawals_table.c.digest == digest)
                .values(status=PENDING, reason=reason, detail=detail, created_at=now, decided_at=None, decision=None)
            )
    found = get(store, digest)
    assert found is not None
    return found


def supersede(store: StateStore, source_id: str, reason: str, why: str) -> None:
    """Close the source's pending lists of one kind that a newer observation made obsolete."""
    _ensure(store)
    with store.engine.begin() as conn:
        conn.execute(
            update(withdrawals_table)
            .where(
                and_(
                    withdrawals_table.c.source_id == source_id,
                    withdrawals_table.c.status == PENDING,
                    withdrawals_table.c.reason == reason,
                )
            )
            .values(status=SUPERSEDED, decided_at=utcnow(), decision=why)
        )


def all_withdrawals(store: StateStore, status: str | None = None, source_id: str | None = None) -> list[Withdrawal]:
    """Stored withdrawals, newest first."""
    _ensure(store)
    query = select(withdrawals_table).order_by(withdrawals_table.c.created_at.desc())
    if status:
        query = query.where(withdrawals_table.c.status == status)
    if source_id:
        query = query.where(withdrawals_table.c.source_id == source_id)
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def get(store: StateStore, digest: str) -> Withdrawal | None:
    """The withdrawal with this digest or unique digest prefix (at least 8 characters)."""
    _ensure(store)
    digest = digest.strip().lower()
    if len(digest) < 8:
        raise ConfigError(f"digest {digest!r} is too short: give at least 8 characters")
    query = select(withdrawals_table).where(withdrawals_table.c.digest.like(f"{digest}%"))
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    if len(rows) > 1:
        raise ConfigError(f"digest prefix {digest!r} is ambiguous: {', '.join(r['digest'][:SHORT] for r in rows)}")
    return _row(rows[0]) if rows else None


SourceCheck = Callable[[str], str]  # source id -> why its source-level withdrawal is stale ("" when not)


def staleness(store: StateStore, withdrawal: Withdrawal, source_check: SourceCheck | None = None) -> str:
    """Why this list can no longer be approved as shown ("" when it still can)."""
    if withdrawal.status != PENDING:
        return f"it is {withdrawal.status}"
    if withdrawal.reason == TARGET_CAP:  # records already withdrawn: the approval lets the target remove them
        return ""
    active = dict(active_items(store, withdrawal.source_id))
    changed = [rid for rid, uri in withdrawal.items if active.get(rid) != uri]
    if changed:
        return f"{len(changed)} of its records are no longer active with the same dataset URI (e.g. {changed[0]})"
    if withdrawal.reason in SOURCE_REASONS and source_check is not None:
        return source_check(withdrawal.source_id)
    return ""


def with_staleness(
    store: StateStore, items: list[Withdrawal], source_check: SourceCheck | None = None
) -> list[Withdrawal]:
    """Fill each pending withdrawal's `stale` reason."""
    for item in items:
        if item.status == PENDING:
            item.stale = staleness(store, item, source_check)
    return items


def approve(store: StateStore, digest: str, *, by: str = "", source_check: SourceCheck | None = None) -> Withdrawal:
    """Withdraw exactly the listed records; refuses an unknown, decided or stale digest."""
    withdrawal = _pending(store, digest)
    why = staleness(store, withdrawal, source_check)
    if why:
        raise StaleWithdrawal(
            f"withdrawal {withdrawal.short} is stale ({why}); nothing withdrawn. "
            "`luxcat withdrawals list` shows the current list and its digest"
        )
    if withdrawal.reason != TARGET_CAP:
        store.withdraw(withdrawal.source_id, [rid for rid, _uri in withdrawal.items])
    return _decide(store, withdrawal, APPROVED, f"approved{' by ' + by if by else ''}")


def reject(store: StateStore, digest: str, *, by: str = "") -> Withdrawal:
    """Keep every listed dataset published; the list is closed (a new, different list needs a new decision)."""
    return _decide(store, _pending(store, digest), REJECTED, f"rejected{' by ' + by if by else ''}")


def _pending(store: StateStore, digest: str) -> Withdrawal:
    withdrawal = get(store, digest)
    if withdrawal is None:
        raise StaleWithdrawal(f"no withdrawal with digest {digest!r}; `luxcat withdrawals list` shows the pending ones")
    if withdrawal.status != PENDING:
        raise StaleWithdrawal(
            f"withdrawal {withdrawal.short} is {withdrawal.status}"
            f"{' (' + withdrawal.decision + ')' if withdrawal.decision else ''}; nothing done"
        )
    return withdrawal


def _decide(store: StateStore, withdrawal: Withdrawal, status: str, decision: str) -> Withdrawal:
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            update(withdrawals_table)
            .where(and_(withdrawals_table.c.digest == withdrawal.digest, withdrawals_table.c.status == PENDING))
            .values(status=status, decided_at=now, decision=decision)
        )
    withdrawal.status, withdrawal.decided_at, withdrawal.decision = status, now, decision
    return withdrawal


@dataclass(slots=True)
class GuardDecision:
    """What a complete full harvest may withdraw on its own, and what waits for a person."""

    withdraw_now: list[str]
    pending: Withdrawal | None = None
    message: str = ""


def guard(
    store: StateStore,
    source_id: str,
    missing: list[str],
    active: int,
    *,
    max_share: float,
    max_count: int,
) -> GuardDecision:
    """Within the guard (share of the source and absolute count) withdraw at once; beyond it, propose.

    The proposal holds exactly the missing records with their dataset URIs; nothing is withdrawn
    until that digest is approved.
    """
    share = len(missing) / max(active, 1)
    if not missing or (share <= max_share and len(missing) <= max_count):
        supersede(store, source_id, GUARD, "a later complete full harvest no longer asks for it")
        return GuardDecision(list(missing))
    rule = (
        f"{share:.0%} > withdrawal.max_share {max_share:.0%}"
        if share > max_share
        else f"{len(missing)} > withdrawal.max_count {max_count}"
    )
    pending = propose(
        store,
        source_id,
        GUARD,
        active_items(store, source_id, missing),
        detail=f"a complete full harvest no longer lists {len(missing)} of {active} records ({rule})",
    )
    message = (
        f"withdrawal guard: the run would withdraw {len(missing)} of {active} records ({rule}); nothing withdrawn. "
        f"Pending withdrawal {pending.short}: check the list with `luxcat withdrawals show {pending.short}`, then "
        f"`luxcat withdrawals approve {pending.short}` (or the luxcat_withdrawals DAG) if the source really "
        "dropped them."
    )
    return GuardDecision([], pending, message)


def read_pending(database_url: str, *, timeout: int = 5) -> list[Withdrawal]:
    """Pending withdrawals read without creating or changing anything (for a form built at DAG parse)."""
    from pathlib import Path

    from sqlalchemy import create_engine

    kwargs: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.is_file():
            return []
        database_url = f"sqlite:///file:{path}?mode=ro&uri=true"
        kwargs["connect_args"] = {"timeout": timeout}
    elif database_url.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": timeout}
    engine = create_engine(database_url, **kwargs)
    try:
        query = (
            select(withdrawals_table)
            .where(withdrawals_table.c.status == PENDING)
            .order_by(withdrawals_table.c.created_at.desc())
        )
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "withdrawals"):
                return []
            return [_row(r) for r in conn.execute(query).mappings()]
    finally:
        engine.dispose()


def approved_uris(store: StateStore) -> set[str]:
    """Every dataset URI a person approved the removal of (any approved list)."""
    return {uri for w in all_withdrawals(store, APPROVED) for _rid, uri in w.items}
