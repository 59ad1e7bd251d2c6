"""The `luxcat_deadlines` DAG: hourly, fail with the reasons when a source is past its `alert_after`.

The failure goes through the same notifiers as every luxcat DAG (LUXCAT_NOTIFY: e-mail, webhook),
with the overdue sources as the error. A source alerts once per UTC day (a marker in the artifact
store), so an outage of several days does not page every hour; the task succeeds when nothing new
is overdue.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger(__name__)

DAG_ID = "luxcat_deadlines"
START = datetime(2024, 1, 1, tzinfo=UTC)


def new_overdue(now: datetime | None = None) -> list[str]:
    """Reasons of the enabled sources past their deadline that were not yet alerted today."""
    from luxcat.artifacts import open_artifacts
    from luxcat.config import check_paths, sources_dir
    from luxcat.deadline import overdue_sources
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    now = now or datetime.now(UTC)
    settings = load_settings()
    configs, _problems = check_paths([sources_dir()], deep=False)  # broken files have their own DAGs
    store = StateStore(settings.database_url)
    artifacts = open_artifacts(settings.artifacts_url)
    reasons = []
    try:
        for overdue in overdue_sources(configs, store, now):
            marker = f"alerts/overdue/{overdue.source_id}/{now.date().isoformat()}.json"
            if artifacts.exists(marker):
                log.warning("%s (already alerted today)", overdue.reason)
                continue
            artifacts.put(marker, json.dumps({"reason": overdue.reason}).encode(), "application/json")
            reasons.append(overdue.reason)
    finally:
        store.close()
    return reasons


def deadline_task(**_context: Any) -> dict[str, Any]:
    """Fail (and so notify) with every newly overdue source."""
    reasons = new_overdue()
    for reason in reasons:
        log.error("%s", reason)
    if reasons:
        raise AirflowFailException("luxcat sources past their deadline:\n" + "\n".join(reasons))
    return {"overdue": 0}


def deadlines_dag() -> DAG:
    """One task, hourly."""
    from luxcat.airflow.dags import _failure_callbacks

    with DAG(
        dag_id=DAG_ID,
        description="Alert when a source has not succeeded within its alert_after (default: 3 schedule intervals)",
        schedule="@hourly",
        start_date=START,
        catchup=False,
        auto_register=False,
        max_active_runs=1,
        default_args={"owner": "luxcat", "retries": 0, "on_failure_callback": _failure_callbacks() or None},
        tags=["luxcat", "alerts"],
        dagrun_timeout=timedelta(minutes=30),
    ) as dag:
        PythonOperator(task_id="check_deadlines", python_callable=deadline_task)
    return dag
