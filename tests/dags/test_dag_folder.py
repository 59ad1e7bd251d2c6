"""The DAG folder as Airflow parses it: one DAG per enabled source, broken files isolated, nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from tests.dags.airflow_env import AIRFLOW_ENV, DAGS_FOLDER, REPO, source_yaml

HEAVY = ("rdflib", "pyshacl", "owslib", "sdmx", "lxml", "pandas", "boto3", "requests", "harvesters", "mappers")


def dagbag(known_pools: set[str] | None = None):  # -> DagBag (imported lazily, after AIRFLOW_HOME is set)
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER), known_pools=known_pools)


def test_shipped_sources_one_dag_per_enabled_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from luxcat.config import check_file

    monkeypatch.setenv("LUXCAT_SOURCES", str(REPO / "config" / "sources"))
    checked = [check_file(p, deep=False) for p in sorted((REPO / "config" / "sources").glob("*.yaml"))]
    assert [str(problem) for _cfg, problems in checked for problem in problems] == []
    enabled = {cfg.dag_id for cfg, _problems in checked if cfg is not None and cfg.enabled}
    bag = dagbag()
    assert bag.import_errors == {}
    assert enabled, "the repository ships at least one enabled source"
    assert {d for d in bag.dag_ids if d.startswith(("harvest__", "config_error__"))} == enabled
    assert "publish_catalogue" in bag.dag_ids and "luxcat_withdrawals" in bag.dag_ids


def test_broken_files_are_isolated_and_name_the_field(sources_dir: Path) -> None:
    (sources_dir / "alpha.yaml").write_text(source_yaml("alpha", "http://csw.alpha.example/csw"))
    (sources_dir / "beta.yaml").write_text(source_yaml("beta", "http://csw.beta.example:8080/csw"))
    (sources_dir / "gamma.yaml").write_text(source_yaml("gamma", "http://csw.alpha.example/other", enabled=False))
    (sources_dir / "no-owner.yaml").write_text(source_yaml("no-owner", "http://x.example/").replace("name: ", "nom: "))
    (sources_dir / "not-yaml.yaml").write_text("id: not-yaml\ntitle: [unclosed\n")
    (sources_dir / "bad-cron.yaml").write_text(source_yaml("bad-cron", "http://x.example/", schedule="61 * * * *"))

    bag = dagbag()

    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == [
        "config_error__bad-cron",
        "config_error__no-owner",
        "config_error__not-yaml",
        "harvest__alpha",
        "harvest__beta",
        "luxcat_deadlines",
        "luxcat_withdrawals",
        "publish_catalogue",
    ]
    no_owner = bag.dags["config_error__no-owner"]
    assert "owner.name: Field required" in no_owner.description
    assert "owner.nom: Extra inputs are not permitted" in no_owner.doc_md
    assert "invalid YAML: line 3" in bag.dags["config_error__not-yaml"].description
    assert "cannot build its DAG: [61 * * * *] is not acceptable" in bag.dags["config_error__bad-cron"].description
    # a broken file's stand-in runs on the source's schedule (daily when that is what is broken) and fails
    # visibly: notifiers are its default on_failure_callback
    assert bag.dags["config_error__no-owner"].timetable.expression == "0 0 * * *"
    assert bag.dags["config_error__bad-cron"].timetable.expression == "0 0 * * *"
    assert bag.dags["config_error__no-owner"].default_args["retries"] == 0


def test_harvest_dag_shape(sources_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXCAT_POOLS_FILE", str(tmp_path / "luxcat-pools.json"))
    (sources_dir / "alpha.yaml").write_text(
        source_yaml("alpha", "http://CSW.alpha.example/csw", schedule="15 3 * * 1")
        + "publish:\n  - target: catalogue\n  - target: data.europa.eu\n"
    )
    (sources_dir / "beta.yaml").write_text(source_yaml("beta", "http://csw.beta.example:8080/csw"))
    from luxcat.airflow import pools

    wanted = pools()
    assert wanted == {
        "luxcat_csw.alpha.example": "luxcat harvests of csw.alpha.example",
        "luxcat_csw.beta.example": "luxcat harvests of csw.beta.example",
    }
    from luxcat.airflow.pool_registry import record_pools

    record_pools({"luxcat_shared", "luxcat_csw.alpha.example"})  # what the set-up step created so far
    bag = dagbag(known_pools={"default_pool", "luxcat_shared", "luxcat_csw.alpha.example"})  # else import error
    assert bag.import_errors == {}
    assert bag.dags["harvest__beta"].get_task("harvest").pool == "luxcat_shared", "a new host: the shared pool"
    dag = bag.dags["harvest__alpha"]
    assert [t.task_id for t in dag.topological_sort()] == ["harvest", "map", "validate", "record"]
    assert dag.catchup is False and dag.max_active_runs == 1
    assert dag.timetable.expression == "15 3 * * 1"
    assert dict(dag.params) == {"mode": "incremental", "limit": None, "remap": False}
    assert dag.params.get_param("mode").schema["enum"] == ["incremental", "full"]
    harvest = dag.get_task("harvest")
    assert harvest.pool == "luxcat_csw.alpha.example"
    assert (harvest.retries, harvest.retry_exponential_backoff) == (3, 2.0)
    assert harvest.max_retry_delay == timedelta(hours=1)
    assert [o.uri for o in dag.get_task("record").outlets] == ["luxcat://sources/alpha"]
    assert dag.get_task("record").retries == 0

    publish = bag.dags["publish_catalogue"]
    assert [t.task_id for t in publish.topological_sort()] == [
        "merge", "export", "indicators", "push__data_europa_eu", "report",
    ]  # fmt: skip
    assert publish.get_task("indicators").upstream_task_ids == {"export"}
    assert [o.uri for o in publish.get_task("indicators").outlets] == ["luxcat://catalogue/indicators"]
    assets = {a.uri for a in publish.timetable.asset_condition.objects}
    assert assets == {"luxcat://sources/alpha", "luxcat://sources/beta", "luxcat://withdrawals/"}
    assert publish.timetable.timetable.expression == "0 5 * * *"


def test_parsing_imports_nothing_heavy(sources_dir: Path) -> None:
    """A fresh interpreter parses the folder; none of the heavy libraries may be imported."""
    (sources_dir / "alpha.yaml").write_text(source_yaml("alpha", "http://csw.alpha.example/csw"))
    code = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAGS_FOLDER)!r})\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(json.dumps({'dags': sorted(bag.dag_ids), 'errors': bag.import_errors, 'heavy': heavy}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **AIRFLOW_ENV}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["dags"] == ["harvest__alpha", "luxcat_deadlines", "luxcat_withdrawals", "publish_catalogue"]
    assert out["errors"] == {}
    assert out["heavy"] == []


def test_publish_dag_verifies_data_public_lu_after_its_push(sources_dir: Path) -> None:
    (sources_dir / "alpha.yaml").write_text(
        source_yaml("alpha", "http://csw.alpha.example/csw")
        + "publish:\n  - target: data.public.lu\n    options: {organization: 56f3c3390d6ceb1b0b4030e8}\n"
    )
    bag = dagbag(known_pools={"default_pool", "luxcat_csw.alpha.example"})
    assert bag.import_errors == {}
    publish = bag.dags["publish_catalogue"]
    assert [t.task_id for t in publish.topological_sort()] == [
        "merge", "export", "indicators", "push__data_public_lu", "verify__data_public_lu", "report",
    ]  # fmt: skip
    assert publish.get_task("verify__data_public_lu").upstream_task_ids == {"push__data_public_lu"}
