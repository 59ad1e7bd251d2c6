"""Operator alerts outside Airflow's failure callbacks: overdue sources, recoveries, first runs.

The same LUXCAT_NOTIFY list the DAGs use for failures (comma-separated `mailto:ops@example.lu` and
`https://hooks.example/...`) receives these events: a webhook gets a JSON POST `{"event", "source",
"text", ...}`, an address gets a short e-mail over the SMTP settings of the owner digests. A failing
notifier is logged, never raised: an alert must not turn a good run into a failed one.
"""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage
from typing import Any

from luxcat.store import Run, StateStore

log = logging.getLogger(__name__)

EVENTS = ("failure", "recovery", "first-run", "overdue")


def targets(value: str | None = None) -> list[str]:
    """LUXCAT_NOTIFY entries (mailto: or http(s)://); anything else is logged and ignored."""
    out = []
    for entry in (e.strip() for e in (value if value is not None else os.environ.get("LUXCAT_NOTIFY", "")).split(",")):
        if entry.startswith(("mailto:", "http://", "https://")):
            out.append(entry)
        elif entry:
            log.error("LUXCAT_NOTIFY: ignoring %r (use mailto:address or an http(s) URL)", entry)
    return out


def _mail(address: str, subject: str, text: str) -> None:
    from luxcat.reports.digest import send, smtp_settings

    settings = smtp_settings()
    if settings is None:
        log.warning("alert to %s not sent: no SMTP configured (LUXCAT_SMTP_HOST or smtp_default)", address)
        return
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.sender, address
    message.set_content(text)
    send(message, settings)


def send_event(event: str, source_id: str, text: str, **details: Any) -> int:
    """Tell every LUXCAT_NOTIFY target; returns how many were told."""
    import requests

    told = 0
    for target in targets():
        try:
            if target.startswith("mailto:"):
                _mail(target.removeprefix("mailto:"), f"luxcat: {event}: {source_id}", text)
            else:
                payload = {"event": event, "source": source_id, "text": text, **details}
                requests.post(target, json=payload, timeout=10).raise_for_status()
            told += 1
        except (OSError, smtplib.SMTPException, requests.RequestException) as exc:
            log.warning("source=%s %s alert to %s failed: %s", source_id, event, target.split("?")[0], exc)
    log.info("source=%s alert %s sent to %d target(s): %s", source_id, event, told, text)
    return told


def run_event(store: StateStore, run: Run) -> str | None:
    """Which event a finished run is: failure, recovery (success after a failure), first-run, or None."""
    earlier = [r for r in store.runs(run.source_id, limit=50) if r.id < run.id and r.status != "running"]
    if run.status == "failed":
        return "failure"
    if not any(r.status == "success" for r in earlier):
        return "first-run"
    if earlier and earlier[0].status == "failed":
        return "recovery"
    return None


def events_after_run(
    store: StateStore, run: Run, *, report_url: str | None = None, failures: bool = True
) -> str | None:
    """Send the run's event, if it is one; `failures=False` where Airflow's failure callbacks already tell."""
    event = run_event(store, run)
    if event is None or (event == "failure" and not failures):
        return event
    text = run.summary() + (f"\nReport: {report_url}" if report_url else "")
    try:
        send_event(event, run.source_id, text, run_id=run.id, report=report_url)
    except Exception:  # a bug in alerting must not fail the run
        log.exception("source=%s run=%d: alert %s failed", run.source_id, run.id, event)
    return event
