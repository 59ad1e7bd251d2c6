"""`dag.test()` of real DAG runs (SQLite metadata DB in a temporary AIRFLOW_HOME) against the local pycsw."""

from __future__ import annotations

import gzip
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")
from rdflib import Graph
from rdflib.namespace import DCAT

from luxcat.pycsw_local import LocalPycsw
from tests.dags.airflow_env import DAGS_FOLDER, REPO, source_yaml
from tests.servers.netguard import blocked_network

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR2, signal.SIGALRM)


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> Any:
    """Parse the DAG folder as Airflow does, then dag.test() one DAG; returns the finished DagRun.

    dag.test() runs tasks in this process and Airflow 3.3's task runner leaves its SIGTERM handler
    installed; a process forked later (e.g. a multiprocessing pool in another test) would inherit it
    and ignore Pool.terminate(), hanging the suite. So the handlers are put back afterwards.
    """
    from airflow.dag_processing.dagbag import DagBag

    saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        bag = DagBag(dag_folder=str(DAGS_FOLDER))
        assert bag.import_errors == {}
        return bag.dags[dag_id].test(run_conf=conf)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def task_states(dag_run: Any) -> dict[str, tuple[str, int]]:
    from airflow import settings

    session = settings.Session()
    return {ti.task_id: (str(ti.state), ti.try_number) for ti in dag_run.get_task_instances(session=session)}


def xcom_links(dag_run: Any, link: str) -> dict[str, Any]:
    """task id -> the extra link button `link` (its class name) the task runner stored for the task."""
    from airflow import settings
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    query = select(XComModel).where(XComModel.dag_id == dag_run.dag_id, XComModel.run_id == dag_run.run_id)
    return {x.task_id: x.value for x in settings.Session().scalars(query) if x.key == f"_link_{link}"}


def xcom_values(dag_run: Any) -> dict[str, Any]:
    from airflow import settings
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    query = select(XComModel).where(XComModel.dag_id == dag_run.dag_id, XComModel.run_id == dag_run.run_id)
    return {x.task_id: x.value for x in settings.Session().scalars(query) if x.key == "return_value"}


def asset_events(uri: str) -> list[dict[str, Any]]:
    from airflow import settings
    from airflow.models.asset import AssetEvent, AssetModel
    from sqlalchemy import select

    query = select(AssetEvent).join(AssetModel, AssetModel.id == AssetEvent.asset_id).where(AssetModel.uri == uri)
    return [dict(e.extra) for e in settings.Session().scalars(query.order_by(AssetEvent.id))]


def luxcat_runs(source_id: str, home: Path | None = None) -> list[Any]:
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    url = f"sqlite:///{home / 'var' / 'luxcat.db'}" if home else load_settings().database_url
    return StateStore(url).runs(source_id)


def write_source(folder: Path, source_id: str, url: str, extra: str = "") -> None:
    (folder / f"{source_id}.yaml").write_text(source_yaml(source_id, url, extra=extra))


@pytest.fixture
def ready(airflow_db: Path, create_pools: Callable[[dict[str, str]], None], sources_dir: Path) -> Path:
    """A migrated Airflow DB and an empty sources folder; call `pools_for_sources()` after writing sources."""
    return sources_dir


def pools_for_sources(create_pools: Callable[[dict[str, str]], None]) -> None:
    from luxcat.airflow import pools

    create_pools(pools())


@dataclass
class Harvested:
    """The state after one real harvest DAG run of the read-only pycsw, shared by the module's tests."""

    root: Path
    dag_run: Any
    values: dict[str, Any]


@pytest.fixture(scope="module")
def harvested(
    airflow_db: Path,
    create_pools: Callable[[dict[str, str]], None],
    pycsw_server: LocalPycsw,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Harvested]:
    """Run harvest__pycsw-a once (source publishing to the catalogue, export into a temp folder)."""
    root = tmp_path_factory.mktemp("harvested")
    env = pytest.MonkeyPatch()
    sources = root / "sources"
    sources.mkdir()
    publish_yaml = (REPO / "config" / "publish.yaml").read_text(encoding="utf-8")
    publish_yaml = publish_yaml.replace("export: catalogue", f"export: {root / 'catalogue'}")
    # pages of 5 datasets and 2 export processes: the export forks inside the Airflow task
    publish_yaml = publish_yaml.replace("page_size: 100", "page_size: 5")
    assert "page_size: 5" in publish_yaml and "workers: 2" in publish_yaml
    (root / "publish.yaml").write_text(publish_yaml)
    env.setenv("LUXCAT_SOURCES", str(sources))
    env.setenv("LUXCAT_HOME", str(root / "var"))
    env.setenv("LUXCAT_PUBLISH_CONFIG", str(root / "publish.yaml"))
    for name in ("LUXCAT_DATABASE_URL", "LUXCAT_ARTIFACTS", "LUXCAT_NOTIFY"):
        env.delenv(name, raising=False)
    write_source(sources, "pycsw-a", pycsw_server.url, extra="publish:\n  - target: catalogue\n")
    pools_for_sources(create_pools)
    try:
        with blocked_network():
            dag_run = run_dag("harvest__pycsw-a")
        yield Harvested(root, dag_run, xcom_values(dag_run))
    finally:
        env.undo()


def test_harvest_dag_runs_against_pycsw_and_updates_the_asset(harvested: Harvested) -> None:
    dag_run, values = harvested.dag_run, harvested.values
    assert str(dag_run.state) == "success"
    assert task_states(dag_run) == {t: ("success", 1) for t in ("harvest", "map", "validate", "record")}
    [run] = luxcat_runs("pycsw-a", harvested.root)
    assert (run.status, run.complete, run.mode) == ("success", True, "full")
    assert (run.counts.seen, run.counts.new) == (25, 25)

    assert all(len(json.dumps(v)) < 2000 for v in values.values()), "XCom carries locations and counts only"
    assert values["harvest"]["run_id"] == run.id and values["harvest"]["to_process"] == 25
    assert values["map"]["ok"] + values["map"]["rejected"] == 25
    report = Path(values["validate"]["report"])
    assert report.is_file() and "<html" in report.read_text(encoding="utf-8").lower()
    assert values["validate"]["report_url"] == f"/luxcat/runs/pycsw-a/{run.id}/report.html"  # the plugin serves it

    # one summary: the task log's line (carried in XCom), `luxcat status` and harvest.json agree
    harvest_json = harvested.root / "var" / "artifacts" / "runs" / "pycsw-a" / str(run.id) / "harvest.json"
    assert values["record"]["summary"] == run.summary() == json.loads(harvest_json.read_text())["summary"]["line"]
    assert run.summary().startswith("pycsw-a: 25 seen, 25 new, 0 changed, 0 unchanged, 0 harvest rejects")

    [event] = asset_events("luxcat://sources/pycsw-a")
    assert event == values["record"]
    assert event["counts"] == run.counts.as_dict()
    assert event["valid"] == values["validate"]["ok"] and event["report"] == str(report)
    url = f"/luxcat/runs/pycsw-a/{run.id}/report.html"
    assert event["report_url"] == url, "the asset event carries the report's URL"
    links = xcom_links(dag_run, "ValidationReportLink")
    assert links == dict.fromkeys(("harvest", "map", "validate", "record"), url), "a button on every task"


@pytest.mark.timeout(240, method="thread")  # a hang in the forked export must end the run, not stall CI
def test_publish_dag_dry_run_then_export(
    harvested: Harvested,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LUXCAT_SOURCES", str(harvested.root / "sources"))
    monkeypatch.setenv("LUXCAT_HOME", str(harvested.root / "var"))
    valid = harvested.values["validate"]["ok"]
    export_dir = harvested.root / "catalogue"

    dry = run_dag("publish_catalogue", {"dry_run": True})

    assert str(dry.state) == "success"
    assert task_states(dry) == {t: ("success", 1) for t in ("merge", "export", "indicators", "report")}
    dry_values = xcom_values(dry)
    creates = dry_values["merge"]["targets"]["catalogue"]["totals"]["create"]
    assert 0 < creates <= valid  # records of one dataset merge into one entry
    assert dry_values["export"]["targets"]["catalogue"]["totals"] == {"create": creates}
    assert not export_dir.exists() or not any(export_dir.iterdir()), "a dry run writes no catalogue"

    caplog.set_level(logging.INFO)
    capfd.readouterr()
    real = run_dag("publish_catalogue")
    captured = capfd.readouterr()
    run_log = caplog.text + captured.out + captured.err

    assert str(real.state) == "success"
    values = xcom_values(real)
    assert values["merge"]["targets"]["catalogue"]["totals"] == {"create": creates}
    assert values["export"]["targets"]["catalogue"]["totals"] == {"create": creates}
    plan = Path(values["export"]["targets"]["catalogue"]["plan"])
    assert plan.read_text(encoding="utf-8").count("create ") == creates
    report = json.loads(Path(values["report"]["report"]).read_text(encoding="utf-8"))
    plans = xcom_links(real, "PublishPlanLink")
    assert plans["merge"].startswith("/luxcat/runs/_publish/") and plans["merge"].endswith("/merge/catalogue.txt")
    assert plans["report"].endswith("/report.json")
    assert set(report["tasks"]) == {"merge", "export"}
    [turtle] = export_dir.glob("versions/*/catalogue.ttl.gz")  # the one version this run exported
    graph = Graph().parse(data=gzip.decompress(turtle.read_bytes()), format="turtle")
    listed = set(graph.objects(None, DCAT.dataset)) | set(graph.objects(None, DCAT.service))
    assert len(listed) == creates
    # the indicators task: computed over the export, summary in its log, figures on its asset event
    indicators = values["indicators"]
    assert indicators["datasets_total"] == len(set(graph.objects(None, DCAT.dataset)))
    assert (export_dir / "indicators" / "indicators.csv").is_file()
    assert f"indicators {indicators['date']} (catalogue {indicators['catalogue_version']})" in run_log
    assert asset_events("luxcat://catalogue/indicators")[-1] == indicators


def test_withdrawal_guard_stops_the_run_until_its_digest_is_approved(
    ready: Path,
    create_pools: Callable[[dict[str, str]], None],
    mutable_pycsw: LocalPycsw,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from luxcat import withdrawals
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    write_source(ready, "pycsw-w", mutable_pycsw.url)
    pools_for_sources(create_pools)
    assert str(run_dag("harvest__pycsw-w").state) == "success"
    dropped = sorted(mutable_pycsw.identifiers())[:5]  # 5 of 25 = 20% > the default max_share of 10%
    for identifier in dropped:
        mutable_pycsw.delete(identifier)
    capfd.readouterr()

    blocked = run_dag("harvest__pycsw-w", {"mode": "full"})

    assert str(blocked.state) == "failed"
    states = task_states(blocked)
    assert states["record"] == ("failed", 1) and states["validate"] == ("success", 1)
    store = StateStore(load_settings().database_url)
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert sorted(rid for rid, _uri in pending.items) == dropped, "exactly the records the source dropped"
    out = capfd.readouterr().out
    assert f"trigger luxcat_withdrawals with digest={pending.short}" in out
    assert luxcat_runs("pycsw-w")[0].counts.withdrawn == 0
    assert len(asset_events("luxcat://sources/pycsw-w")) == 1, "a blocked run emits no asset event"

    form = DagBag(dag_folder=str(DAGS_FOLDER)).dags["luxcat_withdrawals"]  # the form shows the pending list
    assert form.params["digest"] == pending.short
    assert all(uri in form.doc_md for uri in pending.dataset_uris)

    approved = run_dag("luxcat_withdrawals", {"digest": pending.short, "decision": "approve"})

    assert str(approved.state) == "success"
    assert {r.record_id for r in store.records("pycsw-w", status="withdrawn")} == set(dropped)
    assert asset_events("luxcat://withdrawals/")[-1] == {"withdrawal": pending.digest, "withdrawn": 5}
    again = run_dag("luxcat_withdrawals", {"digest": pending.short, "decision": "approve"})
    assert str(again.state) == "failed", "an approval applies once, to that list only"
    assert str(run_dag("harvest__pycsw-w", {"mode": "full"}).state) == "success"
    store.close()


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP endpoint recording the JSON bodies POSTed to it."""
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    finally:
        server.shutdown()


def test_config_error_fails_without_retry_and_notifies_the_webhook(
    ready: Path,
    create_pools: Callable[[dict[str, str]], None],
    webhook: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, received = webhook
    monkeypatch.setenv("LUXCAT_NOTIFY", url)
    # a valid source file (an invalid one is a config_error__ DAG, see test_dag_folder), but a worker
    # configured wrongly: only the task sees it, and retrying cannot help
    (ready / "bad-options.yaml").write_text(source_yaml("bad-options", "http://127.0.0.1:9/csw"))
    pools_for_sources(create_pools)
    monkeypatch.setenv("LUXCAT_ARTIFACTS", "s3://")

    dag_run = run_dag("harvest__bad-options")

    assert str(dag_run.state) == "failed"
    states = task_states(dag_run)
    assert states["harvest"] == ("failed", 1), "a ConfigError is not retried although harvest has retries=3"
    assert states["map"][0] == "upstream_failed"
    [note] = received
    assert (note["dag_id"], note["task_id"]) == ("harvest__bad-options", "harvest")
    assert "configuration error" in note["error"] and "an s3:// URL needs a bucket name" in note["error"]
