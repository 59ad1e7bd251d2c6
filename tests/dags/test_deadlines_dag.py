"""dag.test() of `luxcat_deadlines`: a source past its alert_after fails the check and reaches the notifier."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from luxcat.records import utcnow
from tests.dags.airflow_env import source_yaml
from tests.dags.test_dag_runs import run_dag, task_states
from tests.dags.test_dag_runs import webhook as _webhook
from tests.kernel.test_deadline_alerts import add_run

notified = _webhook  # the webhook fixture of the DAG run tests, under a local name


def test_overdue_source_triggers_the_failure_notifier_once_a_day(
    airflow_db: Path, sources_dir: Path, notified: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    url, received = notified
    monkeypatch.setenv("LUXCAT_NOTIFY", url)
    (sources_dir / "deadline-src.yaml").write_text(
        source_yaml("deadline-src", "http://127.0.0.1:9/csw", schedule="0 2 * * *", extra="alert_after: 2d\n")
    )
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    store = StateStore(settings.database_url)
    add_run(store, "success", utcnow() - timedelta(days=3))
    add_run(store, "failed", utcnow() - timedelta(hours=20))

    first = run_dag("luxcat_deadlines")

    assert str(first.state) == "failed"
    assert task_states(first)["check_deadlines"] == ("failed", 1)
    [note] = received
    assert note["dag_id"] == "luxcat_deadlines" and note["task_id"] == "check_deadlines"
    assert "deadline-src: overdue: last successful run #1" in note["error"]
    assert "(alert_after 2.0 days)" in note["error"] and "latest run #2 failed: endpoint down" in note["error"]

    second = run_dag("luxcat_deadlines")  # the same day: already alerted, the check passes quietly
    assert str(second.state) == "success" and len(received) == 1
