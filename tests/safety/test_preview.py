"""`luxcat sources preview` of a disabled CSW source: production stays byte-identical, the preview holds it all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from luxcat.cli import main
from publishers import command
from publishers.udata.mapping import EXTRA_RECORD, EXTRA_URI
from tests.safety.home import A_EXAMPLES, Home, make_home
from tests.udata.records import STATEC


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A production home with one published source (state store, artifacts, catalogue export)."""
    home = make_home(tmp_path / "prod", "http://127.0.0.1:9/api/1", monkeypatch)
    home.write_source("src-a")
    home.harvest("src-a", A_EXAMPLES)
    command.publish(["catalogue"], dry_run=False)
    return home


def test_preview_of_a_disabled_csw_source_never_touches_production(
    production: Home, pycsw_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trial = {
        "id": "trial-csw",
        "title": {"en": "Trial geocatalogue"},
        "owner": {"name": "Administration du cadastre et de la topographie", "udata_organization": STATEC},
        "enabled": False,
        "harvester": {"kind": "csw", "options": {"url": pycsw_server.url, "page_size": 10, "retries": 0}},
        "mapper": ["iso19139"],
        "languages": ["en", "fr"],
        "publish": [{"target": "catalogue"}, {"target": "data.public.lu"}],
    }
    file = production.sources / "trial-csw.yaml"
    file.write_text(yaml.safe_dump(trial), encoding="utf-8")
    # the live id map: production already knows one of these records on udata (a changed source)
    store = production.store()
    known = sorted(pycsw_server.identifiers())[0]
    from luxcat.records import utcnow

    store.upsert_seen("trial-csw", [{"record_id": known, "content_hash": "0" * 64}], {}, utcnow())
    store.set_publish_id("trial-csw", known, "data.public.lu", {"dataset": "5f0000000000000000000001"})
    store.close()
    root = production.root
    before = {name: _tree(root / name) for name in ("var", "export")}
    out = tmp_path / "preview"

    assert main(["sources", "preview", str(file), "--limit", "5", "--out", str(out)]) == 0

    assert {name: _tree(root / name) for name in ("var", "export")} == before, "production byte-identical"
    printed = capsys.readouterr().out
    assert "trial-csw: 5 seen, 5 new" in printed and f"preview folder {out}" in printed
    capabilities = (out / "csw-capabilities.txt").read_text()
    assert "OWSLib 0.3" in capabilities  # luxcat's venv (pycsw's own venv pins OWSLib<0.29)
    for line in (
        "yes  GetRecords:",
        "yes  outputSchema gmd:",
        "yes  queryable apiso:Modified (incremental runs)",
        "yes  sorted GetRecords by apiso:Identifier: answered: 2 of 25 records",
        "ready for luxcat",
    ):
        assert line in capabilities
    graph = Graph().parse(out / "catalogue.ttl")
    datasets = set(graph.subjects(None, DCAT.Dataset)) | set(graph.subjects(None, DCAT.DataService))
    bodies = {p.stem: json.loads(p.read_text()) for p in (out / "udata").glob("*.json")}
    assert 0 < len(bodies) <= 5
    assert all(b["dataset"]["organization"] == STATEC and b["dataset"]["title"] for b in bodies.values())
    assert {URIRef(b["dataset"]["extras"][EXTRA_URI]) for b in bodies.values()} <= datasets
    plan = (out / "udata-plan.txt").read_text().splitlines()
    assert plan[-1] == f"data.public.lu: {len(plan) - 1} dataset(s)"
    creates = [line for line in plan if line.startswith("create")]
    updates = [line for line in plan if line.startswith("update")]
    assert known in {b["dataset"]["extras"][EXTRA_RECORD] for b in bodies.values()}  # first by sorted paging
    assert len(updates) == 1 and "(udata dataset 5f0000000000000000000001)" in updates[0]
    assert len(creates) + len(updates) == len(bodies)
    assert "<html" in (out / "validation.html").read_text().lower()
    assert json.loads((out / "validation.json").read_text())
