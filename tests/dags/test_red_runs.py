"""dag.test() runs that must end red and notify: incomplete twice in a row, every record rejected, a broken file.

The sources are harvested by `tests.udata.records.ListHarvester` (real DCAT-AP examples; dag.test runs
the tasks in this process, so the listing set here is what the harvest task sees).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from tests.dags import test_dag_runs as runs
from tests.dags.test_dag_runs import luxcat_runs, pools_for_sources, run_dag, task_states
from tests.udata.records import EXAMPLES, ListHarvester

LISTED = """\
id: {id}
title: {{en: "Test source {id}"}}
owner: {{name: luxcat tests}}
schedule: "@daily"
harvester:
  kind: tests.udata.records:ListHarvester
  options: {{name: {id}}}
mapper: [{mapper}]
languages: [en]
"""

ready = runs.ready  # fixtures shared with the other DAG runs
webhook = runs.webhook


def _source(folder: Path, source_id: str, mapper: str = "dcat", extra: str = "") -> None:
    (folder / f"{source_id}.yaml").write_text(LISTED.format(id=source_id, mapper=mapper) + extra)
    ListHarvester.LISTING[source_id] = list(EXAMPLES)
    ListHarvester.COMPLETE[source_id] = True


@pytest.fixture
def notified(
    ready: Path, webhook: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """LUXCAT_NOTIFY points at a local webhook; returns what it received."""
    url, received = webhook
    monkeypatch.setenv("LUXCAT_NOTIFY", url)
    return received


def test_incomplete_listing_twice_in_a_row_fails_and_notifies(
    ready: Path, create_pools: Callable[[dict[str, str]], None], notified: list[dict[str, Any]]
) -> None:
    _source(ready, "flaky", extra="max_reject_share: 1.0\n")
    ListHarvester.COMPLETE["flaky"] = False
    pools_for_sources(create_pools)

    once = run_dag("harvest__flaky")
    failures = [n for n in notified if n.get("event") != "first-run"]  # a new source's first run is announced
    assert str(once.state) == "success" and failures == [], "one incomplete listing is a warning"

    twice = run_dag("harvest__flaky")

    assert str(twice.state) == "failed"
    assert task_states(twice)["record"] == ("failed", 1)
    [note] = [n for n in notified if n.get("event") != "first-run"]
    assert (note["dag_id"], note["task_id"]) == ("harvest__flaky", "record")
    assert "rule max_incomplete_runs fired: the listing was incomplete 2 runs in a row" in note["error"]
    assert luxcat_runs("flaky")[0].status == "failed"


def test_every_record_rejected_fails_and_notifies(
    ready: Path, create_pools: Callable[[dict[str, str]], None], notified: list[dict[str, Any]]
) -> None:
    _source(ready, "all-rejected", mapper="iso19139")  # DCAT payloads through the ISO 19139 mapper
    pools_for_sources(create_pools)

    dag_run = run_dag("harvest__all-rejected")

    assert str(dag_run.state) == "failed"
    states = task_states(dag_run)
    assert states["map"] == ("success", 1) and states["record"] == ("failed", 1)
    [note] = notified
    assert note["task_id"] == "record"
    fired = "rule max_reject_share fired: 5 of 5 processed records rejected (100% > max_reject_share 20%)"
    assert fired in note["error"]


def test_broken_file_error_dag_runs_on_schedule_fails_and_notifies(
    ready: Path, create_pools: Callable[[dict[str, str]], None], notified: list[dict[str, Any]]
) -> None:
    _source(ready, "good", extra="max_reject_share: 1.0\n")  # some examples violate DCAT-AP 3: not the point
    (ready / "broken.yaml").write_text(LISTED.format(id="broken", mapper="dcat") + "base_uri: not a URL\n")
    pools_for_sources(create_pools)

    dag_run = run_dag("config_error__broken")

    assert str(dag_run.state) == "failed"
    [note] = notified
    assert note["dag_id"] == "config_error__broken" and "base_uri" in note["error"]
    assert str(run_dag("harvest__good").state) == "success", "the good source is not held back"
