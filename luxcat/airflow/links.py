"""Task buttons in the Airflow UI: "Validation report" on harvest DAG tasks, "Publish plan" on publish tasks.

Airflow 3 computes an extra link when the task finishes (in the worker) and keeps it in XCom, so the
link is built from what the task returned: the luxcat run id of the harvest task (its report lives
at a fixed URL, served by the luxcat plugin) or the plan locations of a publish task.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperatorLink


def _result(ti_key: Any, task_id: str | None = None) -> dict[str, Any]:
    try:
        value = ti_key.xcom_pull(task_ids=task_id or ti_key.task_id)
    except Exception:  # no XCom (the task failed before returning): no link
        return {}
    return dict(value) if isinstance(value, dict) else {}


class ValidationReportLink(BaseOperatorLink):
    """The run's report (or the last full report it links), for every task of a harvest DAG."""

    name = "Validation report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from luxcat.reports.links import AIRFLOW_PREFIX

        harvest = _result(ti_key, "harvest")
        if "run_id" not in harvest:
            return ""
        import os

        base = os.environ.get("LUXCAT_REPORTS_URL", AIRFLOW_PREFIX).rstrip("/")
        return f"{base}/runs/{harvest['source']}/{harvest['run_id']}/report.html"


class PublishPlanLink(BaseOperatorLink):
    """The plan the publish task wrote (the first target's), or the publish run's report."""

    name = "Publish plan"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from luxcat.reports.links import airflow_url

        result = _result(ti_key)
        plans = [t.get("plan") for t in (result.get("targets") or {}).values() if t.get("plan")]
        location = plans[0] if plans else result.get("report")
        return (airflow_url(str(location)) or "") if location else ""


def attach(dag: Any, link: BaseOperatorLink) -> None:
    """Give every task of `dag` the button (operators keep any links of their own)."""
    for task in dag.tasks:
        task.operator_extra_links = (*task.operator_extra_links, link)
