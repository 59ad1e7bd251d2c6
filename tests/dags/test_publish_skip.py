"""publish_catalogue skips its targets when the asset events that triggered it report no change, and says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from luxcat.airflow import tasks
from luxcat.airflow.publish_skip import change_counts
from tests.safety.home import A_EXAMPLES, make_home


@dataclass
class Event:
    """An asset event as the task context gives it: the producer's `extra`."""

    extra: dict[str, Any]


@dataclass(frozen=True)
class Named:
    name: str


@dataclass
class TaskInstance:
    """What the publish tasks read from `ti`: earlier tasks' return values."""

    values: dict[str, Any] = field(default_factory=dict)

    def xcom_pull(self, task_ids: str) -> Any:
        return self.values.get(task_ids)


def _events(**counts: dict[str, int]) -> dict[Named, list[Event]]:
    return {Named(f"luxcat_source__{k}"): [Event({"status": "success", "counts": v})] for k, v in counts.items()}


UNCHANGED = {"seen": 3, "new": 0, "changed": 0, "unchanged": 3, "withdrawn": 0}


def test_change_counts_read_the_harvest_and_withdrawal_events() -> None:
    assert change_counts({}) is None, "a scheduled or manual run always publishes"
    assert change_counts(_events(a=UNCHANGED, b={**UNCHANGED, "changed": 2})) == {
        "luxcat_source__a": 0,
        "luxcat_source__b": 2,
    }
    assert change_counts({Named("luxcat_withdrawals"): [Event({"withdrawn": 4})]}) == {"luxcat_withdrawals": 4}
    assert change_counts({Named("x"): [Event({})]}) is None, "an event without counts publishes to be safe"


def test_merge_skips_every_target_only_after_a_successful_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    home = make_home(tmp_path, "http://127.0.0.1:9/api/1", monkeypatch)
    home.write_source("src-a", publish=[{"target": "catalogue"}])
    home.harvest("src-a", A_EXAMPLES)

    first = tasks.merge_task("run-1", {}, triggering_asset_events=_events(**{"src-a": UNCHANGED}))
    assert "skipped" not in first, "no earlier successful publish: it publishes"
    ti = TaskInstance({"merge": first})
    tasks.export_task("run-1", {}, ti=ti)
    ti.values["export"] = {"targets": {}}
    tasks.report_task([], "run-1", ti)

    second = tasks.merge_task("run-2", {}, triggering_asset_events=_events(**{"src-a": UNCHANGED}))

    assert second["skipped"] and "no source changed since the last successful publish" in second["reason"]
    ti = TaskInstance({"merge": second})
    with pytest.raises(AirflowSkipException, match="every target skipped"):
        tasks.export_task("run-2", {}, ti=ti)
    assert tasks.report_task([], "run-2", ti)["skipped"] == second["reason"]

    changed = tasks.merge_task("run-3", {}, triggering_asset_events=_events(**{"src-a": {**UNCHANGED, "new": 1}}))
    assert "skipped" not in changed
    # run-3 never finished (no report): the next run publishes whatever its events say
    after_failure = tasks.merge_task("run-4", {}, triggering_asset_events=_events(**{"src-a": UNCHANGED}))
    assert "skipped" not in after_failure
