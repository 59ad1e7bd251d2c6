"""Deadlines (alert_after, default three schedule intervals) and run events (failure, recovery, first run)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from luxcat.alerts import events_after_run, run_event
from luxcat.config import SourceConfig
from luxcat.deadline import alert_after, check_source, overdue_sources, parse_duration, schedule_interval
from luxcat.store import RunCounts, StateStore, runs_table

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def source(**extra: Any) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "id": "deadline-src",
            "title": "deadline test",
            "owner": {"name": "Administration du cadastre et de la topographie"},
            "harvester": {"kind": "csw", "options": {"url": "http://127.0.0.1:9/csw"}},
            "mapper": ["iso19139"],
            **extra,
        }
    )


def add_run(store: StateStore, status: str, started: datetime, *, mode: str = "full", complete: bool = True) -> int:
    """A finished run with its times set to `started` (+5 minutes), as the stores keep them."""
    run_id = store.start_run("deadline-src", mode)
    store.finish_run(run_id, status=status, complete=complete, counts=RunCounts(seen=3),
                     error_summary="endpoint down" if status == "failed" else None)  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(
            update(runs_table)
            .where(runs_table.c.id == run_id)
            .values(started_at=started, ended_at=started + timedelta(minutes=5))
        )
    return run_id


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    return StateStore(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.parametrize(
    ("schedule", "interval"),
    [
        ("@daily", timedelta(days=1)),
        ("0 2 * * *", timedelta(days=1)),
        ("*/15 * * * *", timedelta(minutes=15)),
        ("0 6 * * 1-5", timedelta(days=3)),  # weekdays: Friday to Monday is the longest gap
        ("30 4 1 * *", timedelta(days=31)),
        ("0 2 * * sun", timedelta(days=7)),
        (None, None),
    ],
)
def test_schedule_interval_is_the_largest_gap(schedule: str | None, interval: timedelta | None) -> None:
    assert schedule_interval(schedule) == interval


def test_alert_after_defaults_to_three_intervals_and_can_be_set() -> None:
    assert alert_after(source(schedule="0 2 * * *")) == timedelta(days=3)
    assert alert_after(source(schedule="0 2 * * *", alert_after="36h")) == timedelta(hours=36)
    assert alert_after(source(schedule=None)) is None
    assert parse_duration("2w") == timedelta(weeks=2)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("3 days")
    with pytest.raises(ValueError):
        source(alert_after="3 days")


def test_source_past_its_deadline_is_overdue_with_the_reason(store: StateStore) -> None:
    cfg = source(schedule="0 2 * * *")  # daily: alert after 3 days
    add_run(store, "success", NOW - timedelta(days=4))
    add_run(store, "failed", NOW - timedelta(days=1))
    overdue = check_source(cfg, store, NOW)
    assert overdue is not None and overdue.limit == timedelta(days=3)
    assert "deadline-src: overdue: last successful run #1" in overdue.reason
    assert "4.0 days ago (alert_after 3.0 days)" in overdue.reason
    assert "latest run #2 failed: endpoint down" in overdue.reason
    assert [o.source_id for o in overdue_sources([cfg], store, NOW)] == ["deadline-src"]
    assert overdue_sources([source(schedule="0 2 * * *", enabled=False)], store, NOW) == []
    assert check_source(source(schedule="0 2 * * *", alert_after="5d"), store, NOW) is None


def test_recent_success_never_run_and_never_succeeded(store: StateStore) -> None:
    cfg = source(schedule="@hourly")  # alert after 3 hours
    assert check_source(cfg, store, NOW) is None  # never ran: not judged
    add_run(store, "failed", NOW - timedelta(hours=5))
    never = check_source(cfg, store, NOW)
    assert never is not None and "no successful run since the first attempt #1" in never.reason
    add_run(store, "success", NOW - timedelta(hours=2))
    assert check_source(cfg, store, NOW) is None


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("LUXCAT_NOTIFY", f"http://127.0.0.1:{server.server_port}/hook")
    try:
        yield _Hook.received
    finally:
        server.shutdown()


def test_first_run_failure_and_recovery_reach_the_notifiers(store: StateStore, webhook: list[dict[str, Any]]) -> None:
    first = store.get_run(add_run(store, "success", NOW - timedelta(days=3)))
    assert events_after_run(store, first, report_url="http://r/1") == "first-run"
    failed = store.get_run(add_run(store, "failed", NOW - timedelta(days=2)))
    assert events_after_run(store, failed, failures=False) == "failure"  # Airflow's callbacks tell: not sent twice
    assert events_after_run(store, failed) == "failure"
    back = store.get_run(add_run(store, "success", NOW - timedelta(days=1)))
    assert events_after_run(store, back) == "recovery"
    again = store.get_run(add_run(store, "success", NOW))
    assert run_event(store, again) is None and events_after_run(store, again) is None
    assert [(n["event"], n["run_id"]) for n in webhook] == [("first-run", 1), ("failure", 2), ("recovery", 3)]
    assert webhook[0]["report"] == "http://r/1" and "deadline-src: 3 seen" in webhook[0]["text"]
    assert "FAILED: endpoint down" in webhook[1]["text"]
