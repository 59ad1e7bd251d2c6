"""One run summary and one publish summary, worded the same wherever they appear.

The console (`luxcat run`, `luxcat demo`), `luxcat status`, the run's harvest.json and the Airflow
task logs all print what this module writes, so the numbers an operator reads never disagree:
harvest rejects, map rejects and invalid records are counted apart, a duplicate is counted once
(as a duplicate, not also as a reject), and publishing says how many records became how many
datasets, how many merges and merge conflicts there were, and what each target creates, updates
and deletes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from luxcat.store import Run
    from publishers.base import Plan

DUPLICATE_REASONS = frozenset({"duplicate_id", "duplicate"})


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one harvest run of one source did, every count once."""

    source_id: str
    mode: str
    seen: int
    new: int
    changed: int
    unchanged: int
    harvest_rejects: int
    map_rejects: int
    invalid: int
    duplicates: int
    withdrawn: int
    complete: bool
    status: str
    errors: str | None = None
    remapped: int = 0  # stored records mapped again because their payload or the mapping changed

    @classmethod
    def from_run(cls, run: Run) -> RunSummary:
        """Build it from a stored run: counts from the run row, rejects per stage from its details."""
        c = run.counts
        details: Mapping[str, Any] = run.details or {}
        harvest = details.get("harvest")
        if harvest is not None:
            reasons: Mapping[str, int] = harvest.get("reasons") or {}
            duplicate_rejects = sum(n for reason, n in reasons.items() if reason in DUPLICATE_REASONS)
            harvest_rejects = int(harvest.get("rejected", 0)) - duplicate_rejects
        else:  # a run that failed before its harvest ended (or an old row): only the total is known
            harvest_rejects = c.rejected
        return cls(
            source_id=run.source_id,
            mode=run.mode,
            seen=c.seen,
            new=c.new,
            changed=c.changed,
            unchanged=c.unchanged,
            harvest_rejects=max(harvest_rejects, 0),
            map_rejects=int(details.get("map", {}).get("rejected", 0)),
            invalid=int(details.get("validate", {}).get("rejected", 0)),
            duplicates=c.duplicates,
            withdrawn=c.withdrawn,
            complete=run.complete,
            status=run.status,
            errors=run.error_summary,
            remapped=int(((harvest or {}).get("extra") or {}).get("remap") or 0),
        )

    @property
    def state(self) -> str:
        if self.status == "failed":
            return "FAILED"
        if self.status == "running":
            return "RUNNING"
        return "complete" if self.complete else "INCOMPLETE"

    @property
    def rejected(self) -> int:
        """Records that will not be published from this run: harvest and map rejects, invalid records."""
        return self.harvest_rejects + self.map_rejects + self.invalid

    def line(self) -> str:
        """`src: 25 seen, 25 new, 0 changed, 0 unchanged, 0 harvest rejects, ..., full run, complete`."""
        text = (
            f"{self.source_id}: {self.seen} seen, {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged, {_plural(self.harvest_rejects, 'harvest reject')}, "
            f"{_plural(self.map_rejects, 'map reject')}, {self.invalid} invalid, "
            f"{_plural(self.duplicates, 'duplicate')}, {self.withdrawn} withdrawn, {self.mode} run, {self.state}"
        )
        if self.remapped:
            text += f" ({self.remapped} stored record(s) mapped again: payload or mapping changed)"
        if self.errors:
            text += f": {self.errors}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The same numbers as JSON (harvest.json's `summary`, the Airflow XCom)."""
        return {**asdict(self), "state": self.state, "line": self.line()}


def run_line(run: Run) -> str:
    """The one-line summary of a stored run."""
    return RunSummary.from_run(run).line()


@dataclass(frozen=True, slots=True)
class PublishSummary:
    """What one publish (or dry run) does on one target."""

    target: str
    records: int
    datasets: int
    services: int
    merges: int
    conflicts: int
    creates: int
    updates: int
    deletes: int
    unchanged: int
    skipped: int
    errors: int
    dry_run: bool = False

    @classmethod
    def from_plan(cls, plan: Plan, *, dry_run: bool = False) -> PublishSummary:
        """Counts from a plan; the catalogue target also records what the merge did (plan.data['stats'])."""
        totals = plan.totals()
        stats: Mapping[str, int] = plan.data.get("stats") or {}
        live = [e for e in plan.entries if e.action not in ("skip", "delete", "archive", "error")]
        return cls(
            target=plan.target,
            records=int(stats.get("records", len(live))),
            datasets=int(stats.get("datasets", len(live))),
            services=int(stats.get("services", 0)),
            merges=int(stats.get("merges", 0)),
            conflicts=int(stats.get("conflicts", 0)),
            creates=totals.get("create", 0) + totals.get("restore", 0),
            updates=totals.get("update", 0),
            deletes=totals.get("delete", 0) + totals.get("archive", 0),
            unchanged=totals.get("unchanged", 0),
            skipped=totals.get("skip", 0),
            errors=totals.get("error", 0),
            dry_run=dry_run,
        )

    def line(self) -> str:
        """`catalogue: 28 records -> 22 datasets, 5 services; 1 merge, 4 conflicts; 27 create, 0 update, ...`."""
        services = f", {_plural(self.services, 'service')}" if self.services else ""
        text = (
            f"{self.target}{' (dry run)' if self.dry_run else ''}: {_plural(self.records, 'record')} -> "
            f"{_plural(self.datasets, 'dataset')}{services}; {_plural(self.merges, 'merge')}, "
            f"{_plural(self.conflicts, 'conflict')}; {self.creates} create, {self.updates} update, "
            f"{self.deletes} delete, {self.unchanged} unchanged"
        )
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.errors:
            text += f", {_plural(self.errors, 'error')}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "line": self.line()}


def publish_line(plan: Plan, *, dry_run: bool = False) -> str:
    """The one-line summary of a publish plan."""
    return PublishSummary.from_plan(plan, dry_run=dry_run).line()
