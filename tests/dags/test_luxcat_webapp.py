"""The luxcat web app of the Airflow plugin: the sources overview and /runs/... (redirects for unchanged runs).

Airflow's login is exercised by the browser test (tests/ui); here its dependency stands for a
logged-in user, so the routes themselves are tested against real runs in real stores.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from fastapi.testclient import TestClient

from luxcat.pipeline import run_source
from tests.reports.test_run_report import INVENTORY, inventory_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from airflow.api_fastapi.core_api.security import get_user

    from luxcat.airflow.webapp import create_app

    sources = tmp_path / "sources"
    sources.mkdir()
    sheet = tmp_path / "inventory.csv"
    shutil.copyfile(INVENTORY, sheet)
    text = (REPO / "config" / "sources" / "demo-inventory.yaml").read_text(encoding="utf-8")
    (sources / "demo-inventory.yaml").write_text(
        text.replace("location: config/demo/inventory/mmtp-inventaire.csv", f"location: {sheet}"), encoding="utf-8"
    )
    (sources / "typo.yaml").write_text("id: typo\ntitle: T\nowner: {name: Someone}\nharvestr: {}\n")
    for name, value in {"LUXCAT_SOURCES": str(sources), "LUXCAT_HOME": str(tmp_path / "home")}.items():
        monkeypatch.setenv(name, value)
    for name in ("LUXCAT_DATABASE_URL", "LUXCAT_ARTIFACTS", "LUXCAT_REPORTS_URL", "LUXCAT_NOTIFY"):
        monkeypatch.delenv(name, raising=False)
    from luxcat.cli import _open_state

    store, artifacts = _open_state()
    cfg = inventory_config(sheet)
    run_source(cfg, store, artifacts)  # type: ignore[arg-type]
    run_source(cfg, store, artifacts)  # type: ignore[arg-type]  # nothing changed: links run 1's report
    app = create_app()
    app.dependency_overrides[get_user] = lambda: None
    return TestClient(app)


def test_sources_overview(client: Any) -> None:
    data = client.get("/sources.json").json()
    [row] = data["sources"]
    assert row["id"] == "demo-inventory" and row["kind"] == "inventory"
    assert row["last_run"]["id"] == 2 and row["last_run"]["status"] == "success"
    assert row["last_full_run"] == 1 and [t["id"] for t in row["trend"]] == [1, 2]
    assert row["report"] == "/luxcat/runs/demo-inventory/1/report.html"
    last = row["last_run"]  # 7 rows, 2 of them rejected by the harvest itself (no id, duplicate id)
    assert row["reject_share"] == pytest.approx(last["rejected"] / (last["seen"] + 2))
    report = client.get("/runs/demo-inventory/1/report.json").json()
    assert row["mqa_mean"] == report["mqa_mean"] and row["mqa_mean"] > 0
    assert any("typo.yaml: harvestr" in e for e in data["config_errors"])
    html = client.get("/").text
    assert 'class="config-error"' in html and "typo.yaml" in html and 'aria-label="trend of the last runs"' in html


def test_runs_are_served_and_unchanged_runs_redirect(client: Any) -> None:
    first = client.get("/runs/demo-inventory/1/report.html")
    assert first.status_code == 200 and "Cycle paths" in first.text
    second = client.get("/runs/demo-inventory/2/report.html", follow_redirects=False)
    assert second.status_code == 307 and second.headers["location"] == "../1/report.html"
    assert client.get("/runs/demo-inventory/2/report.html").text == first.text
    assert client.get("/runs/demo-inventory/1/report.csv").headers["content-type"].startswith("text/csv")
    assert client.get("/runs/demo-inventory/9/report.html").status_code == 404
    assert client.get("/runs/../luxcat.db").status_code == 404
