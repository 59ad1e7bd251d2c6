"""`luxcat serve` serves run reports at /runs/... from the artifact store, a folder or S3 (moto)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from luxcat.artifacts import ArtifactStore, LocalArtifactStore, S3ArtifactStore
from luxcat.pipeline import run_source
from luxcat.reports.links import airflow_url, http_url
from luxcat.store import StateStore
from publishers.catalogue.storage import open_export
from publishers.serve import CatalogueServer
from publishers.targets import OaiOptions
from tests.reports.test_run_report import INVENTORY, inventory_config


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def _report_run(tmp_path: Path, artifacts: ArtifactStore) -> str:
    sheet = tmp_path / "inventory.csv"
    sheet.write_bytes(INVENTORY.read_bytes())
    run = run_source(inventory_config(sheet), StateStore(f"sqlite:///{tmp_path / 'state.db'}"), artifacts)
    return str(run.details["validate"]["extra"]["report"])


@pytest.fixture(params=["folder", "s3"])
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "folder":
        return LocalArtifactStore(tmp_path / "artifacts")
    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("monkeypatch").setenv("LUXCAT_S3_ENDPOINT", endpoint)
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="luxcat-reports")
    return S3ArtifactStore("luxcat-reports", "prod")


def test_reports_are_served_over_http(artifacts: ArtifactStore, tmp_path: Path) -> None:
    location = _report_run(tmp_path, artifacts)
    with CatalogueServer(open_export(str(tmp_path / "catalogue")), OaiOptions(), port=0) as server:
        server.artifacts = artifacts
        url = http_url(location, base=server.url)
        assert url == f"{server.url}runs/demo-inventory/1/report.html"
        status, content_type, body = _get(url)
        assert (status, content_type) == (200, "text/html; charset=utf-8")
        assert b"Cycle paths" in body and b"<svg" in body
        status, content_type, body = _get(f"{server.url}runs/demo-inventory/1/report.csv")
        assert status == 200 and content_type.startswith("text/csv") and b"missing_identifier" in body
        assert _get(f"{server.url}runs/demo-inventory/1/nothing.html")[0] == 404
        assert _get(f"{server.url}runs/../raw/demo-inventory/MMTP-001.json")[0] == 404
        assert _get(f"{server.url}raw/demo-inventory/MMTP-001.json")[0] in (404, 503)  # only runs/ is served


def test_report_urls() -> None:
    location = "s3://bucket/prefix/runs/src/7/report.html"
    assert http_url(location, base="https://reports.example.lu/luxcat") == (
        "https://reports.example.lu/luxcat/runs/src/7/report.html"
    )
    assert airflow_url("/var/luxcat/artifacts/runs/src/7/report.html") == "/luxcat/runs/src/7/report.html"
    assert http_url("/var/x/raw/src/a.json", base="http://h/") is None
