"""The `luxcat_withdrawals` DAG: approve or reject a pending withdrawal from a form that shows its list.

The form is built when the DAG file is parsed: its `digest` field offers the pending digests, and
the DAG's documentation lists every dataset URI of each, so the person who approves sees exactly
what leaves. Reading the pending lists is one small read-only query on the luxcat state store (a
parse-time read on purpose: Airflow forms are static); if the store cannot be read the form says so
and still accepts a digest. The task re-checks the digest at run time: an approval applies to that
list only, and a stale digest fails the run. An approval updates the asset `luxcat://withdrawals/`,
which triggers `publish_catalogue`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset, Param

log = logging.getLogger(__name__)

WITHDRAWALS_DAG_ID = "luxcat_withdrawals"
WITHDRAWALS_ASSET = Asset(name="luxcat_withdrawals", uri="luxcat://withdrawals/", group="luxcat")
SHOWN_PER_LIST = 200  # dataset URIs listed per withdrawal in the DAG's documentation


def _pending() -> tuple[list[Any], str]:
    """Pending withdrawals from the state store, and an error text when it could not be read."""
    from luxcat.settings import load_settings
    from luxcat.withdrawals import read_pending

    try:
        return read_pending(load_settings().database_url), ""
    except Exception as exc:  # the form must exist even when the store is unreachable
        log.error("luxcat: cannot read pending withdrawals: %s", exc)
        return [], f"could not read the pending withdrawals ({type(exc).__name__}); enter the digest by hand"


def _doc(pending: list[Any], error: str) -> str:
    parts = [
        "### Pending withdrawals\n",
        "Nothing is removed from any target until a digest is approved here (or with "
        "`luxcat withdrawals approve DIGEST`). An approval withdraws exactly the listed datasets; the next "
        "`publish_catalogue` run removes them from the catalogue and archives them on data.public.lu.\n",
    ]
    if error:
        parts.append(f"**{error}**\n")
    if not pending:
        parts.append("No withdrawal is pending.\n")
    for item in pending:
        parts.append(f"#### `{item.short}` {item.source_id}: {len(item.items)} dataset(s), {item.reason}\n")
        if item.detail:
            parts.append(f"{item.detail}\n")
        parts += [f"- {uri}" for uri in item.dataset_uris[:SHOWN_PER_LIST]]
        if len(item.items) > SHOWN_PER_LIST:
            parts.append(f"- … and {len(item.items) - SHOWN_PER_LIST} more: `luxcat withdrawals show {item.short}`")
        parts.append("")
    return "\n".join(parts)


def _params(pending: list[Any]) -> dict[str, Param]:
    digests = [item.short for item in pending]
    labels = {
        item.short: f"{item.short} {item.source_id}: {len(item.items)} dataset(s) ({item.reason})" for item in pending
    }
    lists = "; ".join(
        f"{item.short}: {', '.join(item.dataset_uris[:5])}{' …' if len(item.items) > 5 else ''}" for item in pending
    )
    digest = Param(
        digests[0] if len(digests) == 1 else "",
        type="string",
        description="the digest of the list to decide on (the DAG's documentation shows every URI); "
        + (lists or "no withdrawal is pending"),
        **({"examples": digests, "values_display": labels} if digests else {}),
    )
    return {
        "digest": digest,
        "decision": Param("approve", type="string", enum=["approve", "reject"], description="approve or reject"),
    }


def withdrawals_dag() -> DAG:
    """One manual-only DAG: decide on a pending withdrawal by its digest."""
    from luxcat.airflow.dags import START, _failure_callbacks
    from luxcat.airflow.tasks import decide_withdrawal_task

    pending, error = _pending()
    with DAG(
        dag_id=WITHDRAWALS_DAG_ID,
        description=f"Approve or reject a pending withdrawal ({len(pending)} pending)",
        schedule=None,
        start_date=START,
        catchup=False,
        auto_register=False,
        max_active_runs=1,
        params=_params(pending),
        default_args={
            "owner": "luxcat",
            "retries": 0,
            "retry_delay": timedelta(minutes=1),
            "on_failure_callback": _failure_callbacks() or None,
        },
        tags=["luxcat", "withdrawals"],
        doc_md=_doc(pending, error),
    ) as dag:
        PythonOperator(task_id="decide", python_callable=decide_withdrawal_task, outlets=[WITHDRAWALS_ASSET])
    return dag
