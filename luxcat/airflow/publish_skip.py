"""Whether `publish_catalogue` has anything to do: change counts from asset events, and the last run's outcome.

Each successful harvest's asset event carries its counts (new, changed, withdrawn); an approved
withdrawal's event carries `withdrawn`. When every event that triggered a publish run says nothing
changed and the previous publish run ended successfully, the targets are skipped and the run says so.
A run not triggered by assets (the daily schedule, a manual run) always publishes, and so does the
run after a failed one (the events it consumed may have carried changes). The two markers live in the
artifact store under runs/_publish/.
"""

from __future__ import annotations

import json
from typing import Any

from luxcat.artifacts import ArtifactStore

STATE_KEY = "runs/_publish/state.json"
CHANGE_KEYS = ("new", "changed", "withdrawn")


def change_counts(events: Any) -> dict[str, int] | None:
    """asset name -> changes its events report; None when there are no events or one carries no counts."""
    if not events:
        return None
    totals: dict[str, int] = {}
    for asset, asset_events in events.items():
        name = str(getattr(asset, "name", asset))
        for event in asset_events:
            extra = dict(getattr(event, "extra", None) or {})
            counts = extra.get("counts") if "counts" in extra else extra
            if not isinstance(counts, dict) or not any(k in counts for k in CHANGE_KEYS):
                return None  # an event that does not say what changed: publish to be safe
            totals[name] = totals.get(name, 0) + sum(int(counts.get(k) or 0) for k in CHANGE_KEYS)
    return totals


def _state(artifacts: ArtifactStore) -> dict[str, Any]:
    return json.loads(artifacts.get(STATE_KEY)) if artifacts.exists(STATE_KEY) else {}


def _write(artifacts: ArtifactStore, state: dict[str, Any]) -> None:
    artifacts.put(STATE_KEY, json.dumps(state).encode(), "application/json")


def previous_publish_succeeded(artifacts: ArtifactStore) -> bool:
    """True when the last publish run that started also ended successfully."""
    state = _state(artifacts)
    return bool(state.get("last_success")) and state.get("last_attempt") == state.get("last_success")


def mark_attempt(artifacts: ArtifactStore, run_id: str) -> None:
    _write(artifacts, {**_state(artifacts), "last_attempt": run_id})


def mark_success(artifacts: ArtifactStore, run_id: str) -> None:
    _write(artifacts, {**_state(artifacts), "last_success": run_id})
