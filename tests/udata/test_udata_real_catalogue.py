"""A German-portal-style DCAT catalogue, end to end into the real udata: harvest, map, validate, publish, verify.

tests/data/udata/dcat-ap-de-style/catalog.rdf is built from real records (build.py and SOURCES.md say
exactly what was changed): e-mails written as relative IRIs (the Bremen style that made udata refuse
every contact point), licences as `dcat-ap.de/def/licenses/*` URIs. The catalogue is served over HTTP on
127.0.0.1, so the relative e-mails resolve against its URL as they do in production.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from luxcat.config import check_paths
from luxcat.pipeline import run_source
from luxcat.store import StateStore
from publishers import command
from publishers.udata.mapping import EXTRA_LICENCE, EXTRA_URI
from tests.feeds.server import Answer, FeedServer
from tests.udata.real_udata import RealUdata

CATALOG = Path(__file__).resolve().parents[1] / "data" / "udata" / "dcat-ap-de-style" / "catalog.rdf"
ROSTOCK = "https://www.opendata-hro.de/dataset/c1be4007-d811-48fb-8818-2cb358b06a63"
JRC_FINANCE = "http://data.europa.eu/89h/201bbb6b-dd80-4645-8b81-4b84ba86fcd7"
JRC_RAIN = "http://data.europa.eu/89h/175b91cb-ca33-45df-aafb-c283a1e33627"
DK_ADDRESSES = "https://geo.data.gov.dk/dataset/50b921ea-935e-d605-2287-4ee364046795"
TARGET = "data.public.lu"


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, udata: RealUdata, feed: FeedServer) -> Path:
    """A luxcat home: one DCAT source (the catalogue, served on 127.0.0.1) publishing to the real udata."""
    url = feed.add("/opendata/catalog.rdf", Answer(CATALOG.read_bytes(), "application/rdf+xml"))
    sources = tmp_path / "sources"
    sources.mkdir()
    source = {
        "id": "de-city",
        "title": {"de": "Offene Daten einer Stadt", "en": "A city's open data"},
        "owner": {"name": "STATEC"},
        "harvester": {"kind": "dcat", "options": {"url": url, "retries": 0}},
        "mapper": ["dcat"],
        "languages": ["de", "en"],
        "publish": [{"target": TARGET, "options": {"organization": udata.organizations["statec"]}}],
    }
    (sources / "de-city.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    publish = yaml.safe_load((Path(__file__).resolve().parents[2] / "config" / "publish.yaml").read_text())
    publish["targets"][TARGET] = {"base_url": udata.api, "api_key": "${UDATA_API_KEY}", "throttle": 0}
    (tmp_path / "publish.yaml").write_text(yaml.safe_dump(publish, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("LUXCAT_DATABASE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("LUXCAT_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(tmp_path / "publish.yaml"))
    (tmp_path / "var").mkdir()
    return tmp_path


def harvest(home: Path) -> dict[str, Any]:
    """The real pipeline (harvest, map, validate); returns conforming dataset URIs and all records."""
    from luxcat.artifacts import LocalArtifactStore

    (cfg,), problems = check_paths([home / "sources"])
    assert not problems
    store = StateStore(f"sqlite:///{home / 'state.db'}")
    try:
        run = run_source(cfg, store, LocalArtifactStore(home / "artifacts"), full=True)
        records = list(store.records(cfg.id))
    finally:
        store.close()
    return {"run": run, "records": records, "conforming": {r.dataset_uri for r in records if r.conforms}}


def verify_exit(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    command.add_publish_arguments(parser)
    return command.run_publish(parser.parse_args(["--target", TARGET, *argv]))


def test_catalogue_lands_whole_then_resync_changes_nothing_and_verify_is_exact(
    home: Path, udata: RealUdata, capsys: pytest.CaptureFixture[str]
) -> None:
    harvested = harvest(home)
    records, conforming = harvested["records"], harvested["conforming"]
    assert len(records) == 6
    # two records fail validation (no licence; an INSPIRE record's DCAT-AP range violations): not published
    assert conforming == {r.dataset_uri for r in records} - {"http://data.test.org/datasets/2", DK_ADDRESSES}

    plan = command.publish([TARGET], dry_run=False)[TARGET]
    assert plan.totals() == {"create": len(conforming)}, plan.render()
    assert not [e for e in plan.entries if e.action == "error"]
    assert not [w for e in plan.entries for w in e.warnings if "contact" in w or "keyword" in w], plan.render()
    datasets = {uri: found[0] for uri, found in udata.by_uri().items()}
    assert set(datasets) == conforming  # every dataset that passed validation landed, once

    # relative-IRI e-mails (resolved against the catalogue's URL by the parser) arrive as addresses
    contacts = {c["email"] for d in datasets.values() for c in d["contact_points"]}
    assert {"geodienste@rostock.de", "d'artis.kancs@ec.europa.eu", "ericha@crahi.upc.edu"} <= contacts
    assert "finance@molevalley.gov.uk" in contacts
    # national licence URIs: CC0 and CC BY exactly, Datenlizenz Deutschland as attribution, URI kept
    assert datasets[ROSTOCK]["license"] == "cc-zero"
    assert datasets[JRC_FINANCE]["license"] == "cc-by"
    assert datasets[JRC_RAIN]["license"] == "other-at"
    assert datasets[JRC_RAIN]["extras"][EXTRA_LICENCE] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert datasets["http://example.eu/set/data/test-dataset"]["license"] == "other-at"  # UK OGL
    assert all(d["license"] != "notspecified" for d in datasets.values())

    # a second publish changes nothing: no write, no dataset's last_modified moves
    modified = {uri: d["last_modified"] for uri, d in datasets.items()}
    writes = len(udata.writes())
    again = command.publish([TARGET], dry_run=False)[TARGET]
    assert again.totals() == {"unchanged": len(conforming)}, again.render()
    assert len(udata.writes()) == writes
    assert {uri: d[0]["last_modified"] for uri, d in udata.by_uri().items()} == modified

    # read-back proof: 100% fidelity, exit 0
    capsys.readouterr()
    assert verify_exit("--verify") == 0
    out = capsys.readouterr().out
    assert "fidelity 100.00%" in out and f"over {len(conforming)} datasets; 0 difference(s)" in out

    # the Airflow task that ends every sync stores the same result with the publish run
    from luxcat.airflow.tasks import verify_task

    stored = verify_task(TARGET, "manual__2026-12-06", {})["targets"][TARGET]
    assert stored["fidelity"] == 1.0 and stored["differences"] == 0
    assert json.loads(Path(stored["report"]).read_text())["ok"] is True
    assert "runs/_publish/manual__2026-12-06/verify/data.public.lu.json" in stored["report"]

    # a field changed behind luxcat's back is reported, exit 1
    capsys.readouterr()
    udata.change(datasets[ROSTOCK]["id"], title="Lieferdienste (von Hand geändert)")
    assert verify_exit("--verify") == 1
    out = capsys.readouterr().out
    assert (
        f"{ROSTOCK} [{datasets[ROSTOCK]['id']}] title: sent 'Liefer- und Abholservices (Gastronomie)', "
        "udata has 'Lieferdienste (von Hand geändert)'"
    ) in out
    assert "over 4 datasets; 1 difference(s)" in out and "fidelity 100.00%" not in out
    assert datasets[ROSTOCK]["extras"][EXTRA_URI] == ROSTOCK
    from airflow.sdk.exceptions import AirflowException

    with pytest.raises(AirflowException, match="1 field\\(s\\) differ on the portal"):
        verify_task(TARGET, "manual__2026-12-07", {})
    failed = json.loads(
        (home / "artifacts" / "runs" / "_publish" / "manual__2026-12-07" / "verify" / f"{TARGET}.json").read_text()
    )
    assert failed["ok"] is False and failed["differences"][0]["field"] == "title"
