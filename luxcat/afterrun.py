"""What follows a finished run, wherever it ran (CLI, demo, Airflow): alerts and the owner digest.

One call after `finish`, so the command line and the DAGs behave alike: operators hear about a
failure, a recovery and a new source's first run (LUXCAT_NOTIFY), the source's owner gets the digest
of its records' findings (at most once a day). Neither ever raises.
"""

from __future__ import annotations

from typing import Any

from luxcat.alerts import events_after_run
from luxcat.artifacts import ArtifactStore
from luxcat.config import SourceConfig
from luxcat.reports.build import report_location
from luxcat.reports.digest import digest_after_run, report_url
from luxcat.store import Run, StateStore


def after_run(
    cfg: SourceConfig, store: StateStore, artifacts: ArtifactStore, run: Run, *, failures: bool = True
) -> dict[str, Any]:
    """Send the run's alert (if it is a failure, recovery or first run) and the owner digest (if due)."""
    try:
        url = report_url(report_location(store, artifacts, cfg.id, run.id))
    except Exception:  # a missing or unreadable report must not stop the alerts
        url = None
    event = events_after_run(store, run, report_url=url, failures=failures)
    digest = digest_after_run(cfg, store, artifacts, run)
    return {"event": event, "digest": digest, "report_url": url}
