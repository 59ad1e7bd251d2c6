"""A batched source (`batches:`) through `dag.test()`: map and validate run as mapped task instances, one per
batch, a failing batch is retried alone, and what the run stored equals a single-process run of the source."""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import load_source
from luxcat.pipeline import run_source
from luxcat.pycsw_local import LocalPycsw
from luxcat.store import StateStore
from tests.dags.airflow_env import DAGS_FOLDER, source_yaml
from tests.dags.test_dag_runs import SIGNALS, pools_for_sources, xcom_values
from tests.servers.netguard import blocked_network
from tests.servers.records import demo_records
from tests.support.runstate import RunState, assert_same_run, run_state

BATCHES = "batches: {size: 7}\n"  # the 25 demo records: 4 batches
BATCH_TASKS = ("map_batch", "validate_batch")


@pytest.fixture
def ready(airflow_db: Path, sources_dir: Path) -> Path:
    """A migrated Airflow DB and an empty sources folder (LUXCAT_HOME is its sibling `var`)."""
    return sources_dir


def batched_source(folder: Path, source_id: str, url: str) -> None:
    (folder / f"{source_id}.yaml").write_text(source_yaml(source_id, url, extra=BATCHES))


def single_process_state(folder: Path, source_id: str, home: Path) -> RunState:
    """The same source file run by `luxcat run` in one process, in its own state and artifact stores."""
    home.mkdir(parents=True, exist_ok=True)
    store, artifacts = StateStore(f"sqlite:///{home / 'luxcat.db'}"), LocalArtifactStore(home / "artifacts")
    with blocked_network():
        run_source(load_source(source_id, folder), store, artifacts, full=True)
    return run_state(store, artifacts, source_id)


def dag_state(source_id: str, home: Path) -> RunState:
    store, artifacts = StateStore(f"sqlite:///{home / 'luxcat.db'}"), LocalArtifactStore(home / "artifacts")
    return run_state(store, artifacts, source_id)


def dag_test_run(dag_id: str, change: Callable[[Any], None] | None = None) -> Any:
    """dag.test() one DAG of the folder (after `change(dag)`), with the signal handlers put back afterwards."""
    from airflow.dag_processing.dagbag import DagBag

    saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        bag = DagBag(dag_folder=str(DAGS_FOLDER))
        assert bag.import_errors == {}
        dag = bag.dags[dag_id]
        if change is not None:
            change(dag)
        with blocked_network():
            return dag.test(run_conf={"mode": "full"})
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def instances(dag_run: Any) -> dict[tuple[str, int], tuple[str, int]]:
    """(task id, map index) -> (state, try number) of every task instance of the run."""
    from airflow import settings

    session = settings.Session()
    return {
        (ti.task_id, ti.map_index): (str(ti.state), ti.try_number) for ti in dag_run.get_task_instances(session=session)
    }


def test_the_batched_dag_has_mapped_batch_tasks_between_harvest_and_record(sources_dir: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    (sources_dir / "big-src.yaml").write_text(
        source_yaml("big-src", "http://csw.example/csw", extra="batches: {size: 500, max_active: 3}\n")
    )
    (sources_dir / "small-src.yaml").write_text(source_yaml("small-src", "http://csw.example/csw"))
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    assert bag.import_errors == {}
    dag = bag.dags["harvest__big-src"]
    assert set(dag.task_ids) == {"harvest", "plan_batches", *BATCH_TASKS, "combine_map", "combine_validate", "record"}
    for task_id in BATCH_TASKS:
        task = dag.get_task(task_id)
        assert type(task).__name__ == "MappedOperator" and task.retries == 2
        assert task.max_active_tis_per_dagrun == 3
    assert dag.get_task("map_batch").downstream_task_ids == {"combine_map"}
    assert dag.get_task("validate_batch").upstream_task_ids == {"combine_map"}
    assert dag.get_task("plan_batches").upstream_task_ids == {"harvest"}
    assert dag.get_task("record").upstream_task_ids == {"combine_validate"}
    assert set(bag.dags["harvest__small-src"].task_ids) == {"harvest", "map", "validate", "record"}


def test_batches_run_as_mapped_tasks_and_the_run_equals_the_single_process_run(
    ready: Path, create_pools: Callable[[dict[str, str]], None], pycsw_server: LocalPycsw, tmp_path: Path
) -> None:
    batched_source(ready, "batch-a", pycsw_server.url)
    pools_for_sources(create_pools)

    dag_run = dag_test_run("harvest__batch-a")

    assert str(dag_run.state) == "success"
    states = instances(dag_run)
    batches = -(-len(demo_records()) // 7)
    for task_id in BATCH_TASKS:
        assert {i for t, i in states if t == task_id} == set(range(batches)), f"one {task_id} per batch"
    assert set(states.values()) == {("success", 1)}
    values = xcom_values(dag_run)
    assert values["combine_validate"]["batches"] == batches and values["record"]["status"] == "success"
    assert len(values["plan_batches"]) == batches and all(set(v) == {"source_id", "run_id", "batch"}
                                                          for v in values["plan_batches"])  # fmt: skip
    assert_same_run(
        dag_state("batch-a", ready.parent / "var"), single_process_state(ready, "batch-a", tmp_path / "one")
    )


def test_a_failing_batch_is_retried_alone_and_the_run_still_equals_the_single_process_run(
    ready: Path, create_pools: Callable[[dict[str, str]], None], pycsw_server: LocalPycsw, tmp_path: Path
) -> None:
    artifacts = ready.parent / "var" / "artifacts"
    batched_source(ready, "batch-b", pycsw_server.url)
    pools_for_sources(create_pools)
    blocked: list[Path] = []

    def fault(context: dict[str, Any]) -> None:
        """Batch 2's first attempt cannot store its result (a folder sits where the file goes), after it wrote its
        records: a partial write. Before the retry the folder is gone again."""
        ti = context["ti"]
        if ti.map_index != 1:
            return
        run_id = ti.xcom_pull(task_ids="harvest")["run_id"]
        where = artifacts / "runs" / "batch-b" / str(run_id) / "batches" / "00002" / "map.json"
        if ti.try_number == 1:
            (where / "blocker").mkdir(parents=True)
            blocked.append(where)
        else:
            (where / "blocker").rmdir()
            where.rmdir()

    def change(dag: Any) -> None:
        task = dag.get_task("map_batch")
        task.partial_kwargs["on_execute_callback"] = [fault]
        task.partial_kwargs["retry_delay"] = timedelta(0)  # dag.test() waits out a retry delay

    dag_run = dag_test_run("harvest__batch-b", change)

    assert blocked, "the fault was injected"
    assert str(dag_run.state) == "success"
    states = instances(dag_run)
    assert states[("map_batch", 1)] == ("success", 2), "batch 2 failed once and was retried"
    others = {key: value for key, value in states.items() if key != ("map_batch", 1)}
    assert set(others.values()) == {("success", 1)}, "nothing else ran twice"
    assert_same_run(
        dag_state("batch-b", ready.parent / "var"), single_process_state(ready, "batch-b", tmp_path / "one")
    )
