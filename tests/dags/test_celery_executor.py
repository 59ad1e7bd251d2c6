"""One source DAG run end to end on the scale-out set-up: CeleryExecutor, PostgreSQL, Redis, separate components.

Real servers started by the test session (PostgreSQL from `postgres_url`, Redis from `redis_url`, the
read-only pycsw) and real Airflow processes (api-server, scheduler, dag-processor, celery worker) with
the settings docs/airflow.md lists for this set-up; the run is triggered from the CLI like an operator.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from luxcat.pycsw_local import LocalPycsw
from tests.dags.airflow_env import DAGS_FOLDER, source_yaml
from tests.servers.postgres import free_port

pytestmark = pytest.mark.slow

SOURCE_ID = "celery-src"
DAG_ID = f"harvest__{SOURCE_ID}"
BATCHED_ID = "celery-batch"  # the same records with `batches:` on: its map and validate are mapped tasks
BATCH_SIZE = 7
COMPONENTS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "worker": ["celery", "worker", "--concurrency", "2", "--without-gossip", "--without-mingle"],
}


def new_database(server_url: str, name: str) -> str:
    """Create a fresh database on the session's PostgreSQL server; returns its SQLAlchemy URL."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


class Cluster:
    """The Airflow components as separate processes sharing one environment; logs kept for failures."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def airflow(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, (
            f"airflow {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}"
        )
        return result.stdout

    def start(self) -> None:
        for name, args in COMPONENTS.items():
            log = (self.root / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited ({process.returncode}):\n{self.log_tail(name)}"

    def log_tail(self, name: str, size: int = 3000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.log_tail(name)}" for name in COMPONENTS)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in self.processes.values():
            try:
                process.wait(8)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(5)


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, redis_url: str, pycsw_server: LocalPycsw
) -> Iterator[tuple[Cluster, str, str]]:
    """A CeleryExecutor Airflow on PostgreSQL + Redis with one source pointing at the local pycsw."""
    suffix = secrets.token_hex(4)  # one pair of databases per test: an earlier test's connections may linger
    airflow_db = new_database(postgres_url, f"airflow_celery_{suffix}")
    luxcat_db = new_database(postgres_url, f"luxcat_celery_{suffix}")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / f"{SOURCE_ID}.yaml").write_text(source_yaml(SOURCE_ID, pycsw_server.url).replace('"@daily"', "null"))
    batched = source_yaml(BATCHED_ID, pycsw_server.url, extra=f"batches: {{size: {BATCH_SIZE}}}\n")
    (sources / f"{BATCHED_ID}.yaml").write_text(batched.replace('"@daily"', "null"))
    api_port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "socket.gethostname",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_db,
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + airflow_db,  # keep +psycopg2: SQLAlchemy 2.1 defaults to psycopg 3
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "LUXCAT_SOURCES": str(sources),
        "LUXCAT_HOME": str(tmp_path / "var"),
        "LUXCAT_DATABASE_URL": luxcat_db,
    }
    env.pop("LUXCAT_ARTIFACTS", None)
    env.pop("LUXCAT_NOTIFY", None)
    cluster = Cluster(tmp_path, env)
    cluster.airflow("db", "migrate")
    subprocess.run([sys.executable, "-m", "luxcat.airflow.setup", "pools"], env=env, check=True, timeout=120)
    cluster.start()
    try:
        yield cluster, airflow_db, luxcat_db
    finally:
        cluster.stop()


WORKLOAD = re.compile(r"^(\S+) .*\[([0-9a-f-]{36})\] Executing workload in Celery: .*task_id=(\w+)/map_index=(\d+)/")
CELERY_EVENT = re.compile(r"^(\S+) .*Task execute_workload\[([0-9a-f-]{36})\] (received|succeeded)")


def workload_spans(log: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(task id, map index) -> (received, succeeded) times of its Celery task, from the worker's log."""
    which: dict[str, tuple[str, int]] = {}
    events: dict[str, dict[str, str]] = {}
    for line in log.splitlines():
        if match := WORKLOAD.match(line):
            which[match.group(2)] = (match.group(3), int(match.group(4)))
        elif match := CELERY_EVENT.match(line):
            events.setdefault(match.group(2), {})[match.group(3)] = match.group(1)
    return {key: (events[uid]["received"], events[uid]["succeeded"]) for uid, key in which.items() if uid in events}


def wait_for(what: str, probe: Any, cluster: Cluster, timeout: float) -> Any:
    """Poll `probe()` until it returns something truthy; fail with the components' logs on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        cluster.check_alive()
        time.sleep(2)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{cluster.logs()}")


def scalar_of(database_url: str) -> Any:
    """`scalar(sql, **params)`: the first column of the first row of a query on that database."""
    engine = create_engine(database_url)

    def scalar(sql: str, **params: Any) -> Any:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    return scalar


def trigger_and_wait(airflow: Cluster, scalar: Any, dag_id: str, what: str, timeout: float) -> None:
    """Wait for the dag-processor to store the DAG, trigger a full run, and assert that it succeeds."""
    wait_for("the dag-processor to store the DAG", lambda: scalar("select 1 from dag where dag_id=:d", d=dag_id),
             airflow, 180)  # fmt: skip
    airflow.airflow("dags", "trigger", dag_id, "--conf", '{"mode": "full"}')
    state = wait_for(
        what,
        lambda: scalar("select state from dag_run where dag_id=:d and state in ('success','failed')", d=dag_id),
        airflow,
        timeout,
    )
    assert state == "success", airflow.logs()


def test_source_dag_runs_on_celery_with_postgres_and_redis(cluster: tuple[Cluster, str, str]) -> None:
    airflow, airflow_db, luxcat_db = cluster
    engine = create_engine(airflow_db)
    scalar = scalar_of(airflow_db)
    trigger_and_wait(airflow, scalar, DAG_ID, "the DAG run to finish", 360)

    with engine.connect() as conn:
        tis = dict(conn.execute(text("select task_id, state from task_instance where dag_id=:d"), {"d": DAG_ID}).all())
        celery_done = conn.execute(text("select count(*) from celery_taskmeta where status='SUCCESS'")).scalar()
        extra = conn.execute(
            text("select e.extra from asset_event e join asset a on a.id=e.asset_id where a.uri=:u"),
            {"u": f"luxcat://sources/{SOURCE_ID}"},
        ).scalar()
    assert tis == {"harvest": "success", "map": "success", "validate": "success", "record": "success"}
    if celery_done < 4:  # a worker stores its result after the task reported its state: give it a moment
        celery_done = wait_for(
            "the Celery result backend to hold the 4 task results",
            lambda: (n := scalar("select count(*) from celery_taskmeta where status='SUCCESS'")) >= 4 and n,
            airflow,
            60,
        )
    assert celery_done >= 4, "the tasks went through the Celery broker and result backend"
    with create_engine(luxcat_db).connect() as conn:
        status, seen, new = conn.execute(
            text("select status, seen, new from runs where source_id=:s"), {"s": SOURCE_ID}
        ).one()
    assert (status, seen, new) == ("success", 25, 25)
    assert extra["counts"]["seen"] == 25 and extra["source"] == SOURCE_ID
    queued_or_run = (
        "select (select count(*) from asset_dag_run_queue where target_dag_id='publish_catalogue')"
        " + (select count(*) from dag_run where dag_id='publish_catalogue' and run_type='asset_triggered')"
    )
    # the scheduler queues publish_catalogue for the asset event (it may wait behind its daily run)
    wait_for("publish_catalogue to be scheduled by the asset event", lambda: scalar(queued_or_run), airflow, 60)


def test_one_sources_batches_run_as_mapped_tasks_across_the_celery_worker_and_equal_the_single_process_run(
    cluster: tuple[Cluster, str, str], tmp_path: Path
) -> None:
    from luxcat.artifacts import LocalArtifactStore
    from luxcat.config import load_source
    from luxcat.pipeline import run_source
    from luxcat.store import StateStore
    from tests.servers.records import demo_records
    from tests.support.runstate import assert_same_run, run_state

    airflow, airflow_db, luxcat_db = cluster
    dag_id = f"harvest__{BATCHED_ID}"
    engine = create_engine(airflow_db)
    scalar = scalar_of(airflow_db)
    trigger_and_wait(airflow, scalar, dag_id, "the batched DAG run to finish", 420)

    batches = -(-len(demo_records()) // BATCH_SIZE)
    with engine.connect() as conn:
        rows = conn.execute(
            text("select task_id, map_index, state, try_number, start_date, end_date from task_instance"
                 " where dag_id=:d"), {"d": dag_id},
        ).all()  # fmt: skip
    assert {(r.task_id, r.state) for r in rows} == {
        (t, "success")
        for t in ("harvest", "plan_batches", "map_batch", "combine_map", "validate_batch", "combine_validate", "record")
    }
    spans = workload_spans(airflow.log_tail("worker", size=10**7))
    for task_id in ("map_batch", "validate_batch"):
        assert sorted(r.map_index for r in rows if r.task_id == task_id) == list(range(batches))
        held = sorted(span for (task, _index), span in spans.items() if task == task_id)
        assert len(held) == batches, f"every {task_id} instance went through the Celery worker"
        # whether two instances overlap in time depends on when the scheduler hands them over (seen both
        # ways on a loaded machine): that they are separate instances the worker took is what is asserted
    done = scalar("select count(*) from celery_taskmeta where status='SUCCESS'")
    assert done >= 5 + 2 * batches, "harvest, plan, the batches, combines and record all went through Celery"
    sources = Path(airflow.env["LUXCAT_SOURCES"])
    batched = run_state(StateStore(luxcat_db), LocalArtifactStore(Path(airflow.env["LUXCAT_HOME"]) / "artifacts"),
                        BATCHED_ID)  # fmt: skip
    home = tmp_path / "single"
    home.mkdir()
    store, artifacts = StateStore(f"sqlite:///{home / 'luxcat.db'}"), LocalArtifactStore(home / "artifacts")
    run_source(load_source(BATCHED_ID, sources), store, artifacts, full=True)
    single = run_state(store, artifacts, BATCHED_ID)
    assert batched.run["counts"]["seen"] == len(demo_records()) and batched.run["status"] == "success"
    assert_same_run(batched, single)
