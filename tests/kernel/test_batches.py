"""Batches (issue 19): `luxcat run --processes N` equals the single-process run; a batch re-runs idempotently;
the run's batch tasks share the source lock while every other run is refused."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from luxcat.artifacts import LocalArtifactStore
from luxcat.batches import (
    VALIDATE_BATCHES,
    batch_keys,
    combine_map,
    combine_validate,
    map_batch,
    sibling,
    validate_batch,
)
from luxcat.cli import main
from luxcat.config import load_source
from luxcat.locks import SourceBusy, source_lock
from luxcat.pipeline import Pipeline
from luxcat.runlock import run_lock
from luxcat.store import StateStore
from tests.servers.records import demo_records
from tests.support.runstate import assert_same_run, run_state

SOURCE = """\
id: batch-csw
title: {{en: batched CSW source}}
owner: {{name: Administration du cadastre et de la topographie}}
harvester:
  kind: csw
  options: {{url: "{url}", page_size: 10, retries: 0, timeout: 10}}
mapper: [iso19139]
languages: [en, fr]
licence: http://publications.europa.eu/resource/authority/licence/CC0
max_reject_share: 0.8
batches: {{size: 7}}
"""


def run_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, name: str, *args: str) -> tuple[int, Path]:
    """`luxcat run batch-csw ARGS` in its own LUXCAT_HOME; returns the exit code and that home."""
    sources = tmp_path / "sources"
    sources.mkdir(exist_ok=True)
    (sources / "batch-csw.yaml").write_text(SOURCE.format(url=url), encoding="utf-8")
    home = tmp_path / name
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_HOME", str(home))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)
    return main(["run", "batch-csw", "--full", *args]), home


def stores(home: Path) -> tuple[StateStore, LocalArtifactStore]:
    return StateStore(f"sqlite:///{home / 'luxcat.db'}"), LocalArtifactStore(home / "artifacts")


@pytest.fixture
def two_runs(pycsw_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The same source run once in one process and once with --processes 2 (batches of 7: 4 batches)."""
    single_code, single = run_cli(tmp_path, monkeypatch, pycsw_server.url, "single")
    batched_code, batched = run_cli(tmp_path, monkeypatch, pycsw_server.url, "batched", "--processes", "2")
    return {"codes": (single_code, batched_code), "single": single, "batched": batched}


def test_cli_processes_maps_and_validates_in_batches_and_equals_the_single_process_run(
    two_runs: dict[str, Any],
) -> None:
    single_code, batched_code = two_runs["codes"]
    assert single_code == batched_code == 1  # the demo records hold invalid ones: exit 1 both ways
    store, artifacts = stores(two_runs["batched"])
    [run] = store.runs("batch-csw")
    keys = batch_keys(artifacts, "batch-csw", run.id)
    n = len(demo_records())
    assert len(keys) == -(-n // 7) == 4
    workers = {json.loads(artifacts.get(sibling(k, "map.json")))["worker"] for k in keys}
    assert len(workers) == 2, "the batches were shared by the two processes"
    batched = run_state(store, artifacts, "batch-csw")
    single = run_state(*stores(two_runs["single"]), "batch-csw")
    assert batched.run["counts"]["seen"] == n and batched.run["details"]["map"]["ok"] > 0
    assert batched.run["details"]["validate"]["rejected"] > 0, "the comparison covers invalid records too"
    assert_same_run(batched, single)


def test_a_second_run_with_nothing_to_map_goes_through_one_empty_batch_and_equals_the_single_process_run(
    two_runs: dict[str, Any], pycsw_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    single_code, _ = run_cli(tmp_path, monkeypatch, pycsw_server.url, "single")
    batched_code, _ = run_cli(tmp_path, monkeypatch, pycsw_server.url, "batched", "--processes", "2")
    assert single_code == batched_code
    store, artifacts = stores(two_runs["batched"])
    second = store.runs("batch-csw", limit=1)[0]
    assert second.counts.unchanged == len(demo_records()) and second.details["map"]["ok"] == 0
    assert len(batch_keys(artifacts, "batch-csw", second.id)) == 1
    assert_same_run(run_state(store, artifacts, "batch-csw"), run_state(*stores(two_runs["single"]), "batch-csw"))


def test_a_batch_run_again_after_a_partial_write_gives_the_same_state(two_runs: dict[str, Any], tmp_path: Path) -> None:
    store, artifacts = stores(two_runs["batched"])
    before = run_state(store, artifacts, "batch-csw")
    [run] = store.runs("batch-csw")
    keys = batch_keys(artifacts, "batch-csw", run.id)
    pipeline = Pipeline(load_source("batch-csw", tmp_path / "sources"), store, artifacts)
    # batch 2 died half-way through its map: three of its records were written, its result was not
    ids = json.loads(artifacts.get(keys[1]))["ids"]
    pipeline.map(run.id, ids[:3], write=False)
    artifacts.delete(sibling(keys[1], "map.json"))
    map_batch(pipeline, run.id, keys[1])
    _mapped, validation = combine_map(pipeline, run.id, keys)
    assert validation == batch_keys(artifacts, "batch-csw", run.id, VALIDATE_BATCHES)
    # two validation batches run again (an earlier attempt started: their records are mapped again first)
    validate_batch(pipeline, run.id, validation[1])
    validate_batch(pipeline, run.id, validation[2])
    combine_validate(pipeline, run.id, validation)
    assert_same_run(run_state(store, artifacts, "batch-csw"), before)


def test_the_runs_batches_share_the_lock_and_every_other_run_is_refused(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    inside = threading.Event()
    leave = threading.Event()
    errors: list[Exception] = []

    def sibling_batch() -> None:
        try:
            with run_lock(store, "src", 7):
                inside.set()
                leave.wait(10)
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
            inside.set()

    with run_lock(store, "src", 7):
        thread = threading.Thread(target=sibling_batch)
        thread.start()
        assert inside.wait(10) and not errors, "a batch of the same run joins the lock"
        with pytest.raises(SourceBusy, match="already running since"):
            with source_lock(store, "src"):  # a CLI run or a non-batched task
                pass
        with pytest.raises(SourceBusy, match="already running since"):
            with run_lock(store, "src", 8):  # a batch of another run
                pass
    # the first holder left; the sibling still works under the run's lock
    with pytest.raises(SourceBusy):
        with source_lock(store, "src"):
            pass
    leave.set()
    thread.join(10)
    assert not errors
    with source_lock(store, "src"):  # the last one out released it
        pass
    with run_lock(store, "src", 8):  # and the next run takes it
        pass


def test_a_batch_killed_without_leaving_does_not_keep_the_lock_once_its_siblings_are_done(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from sqlalchemy import insert, select

    from luxcat.locks import locks_table
    from luxcat.records import utcnow
    from luxcat.runlock import run_holder, shares_table

    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer runs: the kill -9'd batch
    with run_lock(store, "src", 7):
        with store.engine.begin() as conn:
            conn.execute(
                insert(shares_table).values(
                    holder=f"{socket.gethostname()}:{gone.pid}:dead0000",
                    source_id="src",
                    run_holder=run_holder(7),
                    heartbeat_at=utcnow(),
                )  # fmt: skip
            )
    with store.engine.connect() as conn:
        assert conn.execute(select(locks_table)).all() == []
        assert conn.execute(select(shares_table)).all() == []
    with source_lock(store, "src"):  # the next run is not refused
        pass
