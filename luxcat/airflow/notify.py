"""Failure notifications for the luxcat DAGs: e-mail or a JSON webhook, chosen by LUXCAT_NOTIFY.

LUXCAT_NOTIFY is read when the DAG file is parsed (it is deployment configuration, the same on every
parse): a comma-separated list of `mailto:ops@example.lu` (Airflow's SMTP notifier, SMTP connection
`smtp_default`) and `https://hooks.example/…` (a POST of a small JSON document, e.g. to a chat hook).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)


def failure_summary(context: Any) -> dict[str, Any]:
    """What an operator needs from a failure: which DAG/task/run, the error, and where the log is."""
    ti = context.get("ti") or context.get("task_instance")
    exception = context.get("exception")
    return {
        "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": context.get("run_id") or getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "error": f"{type(exception).__name__}: {exception}" if exception else None,
        "log_url": getattr(ti, "log_url", None),
    }


class WebhookNotifier(BaseNotifier):
    """POST a JSON failure summary to a webhook URL (timeout 10 s; a failing hook only logs)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout

    def notify(self, context: Any) -> None:
        import requests

        summary = failure_summary(context)
        text = f"luxcat: {summary['dag_id']}.{summary['task_id']} failed: {summary['error']}"
        response = requests.post(self.url, json={"text": text, **summary}, timeout=self.timeout)
        response.raise_for_status()
        log.info("failure notification sent to %s (%s)", self.url, response.status_code)


def email_notifier(address: str) -> Any:
    """Airflow's SMTP notifier for one address (SMTP settings in the `smtp_default` connection)."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return SmtpNotifier(
        to=address,
        subject="luxcat: {{ ti.dag_id }}.{{ ti.task_id }} failed",
        html_content="{{ ti.dag_id }}.{{ ti.task_id }} failed in run {{ run_id }}: {{ exception }}"
        "<br>Log: {{ ti.log_url }}",
    )


def notifiers_from_env(value: str) -> list[Any]:
    """Parse LUXCAT_NOTIFY; an entry that is neither mailto: nor http(s):// is logged and ignored."""
    notifiers: list[Any] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        if entry.startswith("mailto:"):
            notifiers.append(email_notifier(entry.removeprefix("mailto:")))
        elif entry.startswith(("http://", "https://")):
            notifiers.append(WebhookNotifier(entry))
        else:
            log.error("LUXCAT_NOTIFY: ignoring %r (use mailto:address or an http(s) URL)", entry)
    return notifiers
