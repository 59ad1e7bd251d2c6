"""The absolute cap per target per run: a publish run never removes more than N datasets unapproved.

Withdrawals within each source's guard proceed without approval, but many sources each within
their guard, or a catalogue that suddenly lacks many datasets, add up. When a target's plan removes
(deletes or archives) more datasets than `max_removals_per_run` (publish.yaml, default 50) that no
approved withdrawal names, the exact list becomes a pending withdrawal for that target and nothing
is removed: udata skips those entries (the rest of its plan goes on); the catalogue refuses the run,
so its served version stays whole. Approving the digest lets the next run remove them.

Datasets whose source is frozen with no stored configuration (a source removed before luxcat kept
configurations) cannot be published again, but leaving them out of a plan is no person's decision:
their removals are held the same way whatever their number.
"""

from __future__ import annotations

from collections.abc import Collection

from luxcat.store import StateStore
from luxcat.withdrawals import TARGET_CAP, approved_uris, propose
from publishers.base import Plan, PlanEntry
from publishers.targets import PublishError

REMOVALS = ("delete", "archive")
CAP_KEY = "@publish"  # the "source" of held lists: one list serves every target removing the same datasets


def unapproved_removals(store: StateStore, plan: Plan) -> list[PlanEntry]:
    """Entries that remove a dataset from the target without a digest approving it."""
    approved = approved_uris(store)
    return [e for e in plan.entries if e.action in REMOVALS and e.dataset_uri not in approved]


def hold_removals(
    store: StateStore, target: str, plan: Plan, cap: int, *, dry_run: bool, keep: Collection[str] = ()
) -> str:
    """Hold the plan's unapproved removals when they exceed `cap`, or those of `keep` (dataset URIs never removed
    unapproved) whatever their number; returns the warning ("" when nothing is held)."""
    held = unapproved_removals(store, plan)
    kept = [e for e in held if e.dataset_uri in keep]
    if len(held) <= cap and not kept:
        return ""
    what = f"{len(held)} removals on {target} exceed max_removals_per_run {cap}"
    if len(held) <= cap:
        held = kept
        what = f"{len(kept)} removal(s) on {target} are datasets of a frozen source with no stored configuration"
    if dry_run:
        digest = "(a pending withdrawal is stored by the real run)"
    else:
        items = [(f"{e.source_id}:{e.record_id}" if e.record_id else e.dataset_uri, e.dataset_uri) for e in held]
        digest = propose(store, CAP_KEY, TARGET_CAP, items, detail=what).short
    message = f"warning: {what}: nothing removed; pending withdrawal {digest}: `luxcat withdrawals show {digest}`"
    if target == "catalogue" and not dry_run:
        raise PublishError(message.removeprefix("warning: "))
    for entry in held:
        entry.action, entry.detail = "skip", f"held: {what}; pending withdrawal {digest}"
    return message
