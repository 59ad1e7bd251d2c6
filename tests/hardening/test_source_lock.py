"""F16: one run per source at a time; the second says "already running since ..." and exits 2; stale locks recover."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from luxcat.cli import main
from luxcat.store import StateStore
from tests.hardening.plugins import ListHarvester

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from luxcat.locks import source_lock
from luxcat.store import StateStore
store = StateStore(sys.argv[1])
with source_lock(store, "locked"):
    store.start_run("locked", "full")
    print("holding", flush=True)
    time.sleep(120)
"""


def add_source(workspace: Path) -> None:
    ListHarvester.LISTING["locked"] = ["a", "b", "c"]
    (workspace / "sources" / "locked.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "locked",
                "title": {"en": "lock test"},
                "owner": {"name": "test"},
                "harvester": {"kind": "tests.hardening.plugins:ListHarvester", "options": {"name": "locked"}},
                "mapper": ["dcat"],
                "max_reject_share": 1.0,  # its records are partly rejected: not what this test is about
            }
        ),
        encoding="utf-8",
    )


def test_second_run_is_refused_while_one_runs_and_a_killed_run_is_recovered(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_source(workspace)
    home = workspace / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'luxcat.db'}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        assert main(["run", "locked"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "locked: already running since" in err and "Traceback" not in err
        store = StateStore(url)
        assert [r.status for r in store.runs("locked")] == ["running"]  # the refused run opened no run row
    finally:
        holder.send_signal(signal.SIGKILL)  # kill -9: the lock row stays behind
        holder.wait()
    assert main(["run", "locked"]) == 1  # it ran (1: the test records do not validate, as the summary says)
    assert " 2 invalid, " in capsys.readouterr().out
    runs = store.runs("locked")
    assert [r.status for r in runs] == ["success", "failed"]
    assert "interrupted" in (runs[1].error_summary or "") and runs[1].ended_at is not None
    assert main(["run", "locked"]) == 0  # the lock was released at the end of the run (nothing new to reject)


def test_a_run_interrupted_by_ctrl_c_is_closed_and_unlocked(tmp_path: Path) -> None:
    from luxcat.artifacts import LocalArtifactStore
    from luxcat.config import SourceConfig
    from luxcat.pipeline import run_source

    ListHarvester.LISTING["ctrlc"] = ["a", "b"]
    ListHarvester.RAISE["ctrlc"] = KeyboardInterrupt()
    cfg = SourceConfig.model_validate(
        {
            "id": "ctrlc",
            "title": "ctrl-c",
            "owner": {"name": "test"},
            "harvester": {"kind": "tests.hardening.plugins:ListHarvester", "options": {"name": "ctrlc"}},
            "mapper": ["dcat"],
        }
    )
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "a")
    with pytest.raises(KeyboardInterrupt):
        run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    run = store.runs("ctrlc")[0]
    assert run.status == "failed" and "interrupted" in (run.error_summary or "")
    del ListHarvester.RAISE["ctrlc"]
    assert run_source(cfg, store, artifacts, full=True, stages=("harvest",)).status == "success"


def test_a_lock_of_another_host_is_respected_while_it_beats_and_taken_over_when_silent(tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import insert, update

    from luxcat.locks import SourceBusy, locks_table, source_lock
    from luxcat.records import utcnow

    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    with source_lock(store, "other"):
        pass  # creates the table
    now = utcnow()
    with store.engine.begin() as conn:
        row = {"source_id": "other", "holder": "worker-7:4242:abcd", "acquired_at": now, "heartbeat_at": now}
        conn.execute(insert(locks_table).values(**row))
    with pytest.raises(SourceBusy, match="already running since .* \\(worker-7:4242\\)"):
        with source_lock(store, "other"):
            pass
    with store.engine.begin() as conn:
        conn.execute(update(locks_table).values(heartbeat_at=now - timedelta(minutes=11)))
    with source_lock(store, "other") as holder:
        assert holder.split(":")[0] != "worker-7"


def test_an_airflow_run_between_its_tasks_blocks_a_cli_run(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Airflow holds the lock only while a task works (stage_lock); its open run row still refuses a CLI run."""
    from luxcat.airflow.tasks import stage_lock
    from luxcat.config import load_source
    from luxcat.pipeline import Pipeline
    from luxcat.store import RunCounts

    add_source(workspace)
    home = workspace / "home"
    home.mkdir()
    store = StateStore(f"sqlite:///{home / 'luxcat.db'}")
    pipeline = Pipeline(load_source("locked", workspace / "sources"), store, None)  # type: ignore[arg-type]
    with stage_lock(pipeline):  # the harvest task: lock held, run opened
        run_id = store.start_run("locked", "full")
        assert main(["run", "locked"]) == 2  # the CLI waits for nobody: it says so
        assert "already running since" in capsys.readouterr().err
    assert [r.status for r in store.runs("locked")] == ["running"]  # the task's end leaves the run open
    assert main(["run", "locked"]) == 2  # between two tasks: refused by the open run
    err = capsys.readouterr().err
    assert f"run {run_id} is open" in err and "Traceback" not in err
    store.finish_run(run_id, status="success", complete=True, counts=RunCounts())  # the record task closes it
    assert main(["run", "locked"]) == 1  # now it runs (1: the test records do not all validate)
