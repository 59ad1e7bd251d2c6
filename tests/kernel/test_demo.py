"""`luxcat demo`, the README's main job, end to end on a real pycsw: every enabled source, then the catalogue."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from luxcat.cli import main

REPO = Path(__file__).resolve().parents[2]


def _report_of(out: str, source_id: str) -> str:
    """The report location `luxcat demo` printed for a source."""
    prefix = f"{source_id}: validation report "
    return next(line.removeprefix(prefix) for line in out.splitlines() if line.startswith(prefix))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_runs_every_stage_and_exports_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], pycsw_python: Path
) -> None:
    port = free_port()
    sources = tmp_path / "sources"
    sources.mkdir()
    for path in (REPO / "config" / "sources").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("127.0.0.1:8765", f"127.0.0.1:{port}")
        text = text.replace("location: config/demo/", f"location: {REPO / 'config' / 'demo'}/")
        (sources / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(REPO / "config" / "publish.yaml"))
    monkeypatch.setenv("LUXCAT_PYCSW_VENV", str(pycsw_python.parents[1]))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)

    assert main(["demo", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    # 14 demo records are not published: 13 state terms but no licence, or restrictive ones (the
    # source's CC0 default is only for records saying nothing about use), 1 lacks a description
    assert "demo-csw: 25 seen, 25 new, 0 changed, 0 unchanged, 14 rejected, 0 withdrawn, complete" in out
    assert "demo-csw: validate: 11 ok, 14 rejected" in out
    assert "demo-csw: licences 3 stated, 4 source-default, 13 none; 38 values dropped" in out
    assert "demo-inventory: map: 4 ok, 1 rejected" in out  # the spreadsheet's broken rows, with reasons
    assert "demo-inventory: validate: 3 ok, 1 rejected" in out  # the row without title
    report = Path(_report_of(out, "demo-inventory"))
    assert report.name == "report.html" and report.is_file()
    document = json.loads((report.parent / "report.json").read_text(encoding="utf-8"))
    rules = {g["rule"]: g for g in document["groups"]["by_rule"]}
    assert {"harvest: missing_identifier", "harvest: duplicate_id"} <= set(rules)
    assert document["records"]["MMTP-003"]["title"] == "Cycle paths"  # the broken row by its title
    html = report.read_text(encoding="utf-8")
    assert 'aria-label="findings per rule"' in html and "By publisher" in html
    catalogue = tmp_path / "home" / "catalogue"
    assert f"catalogue:   {catalogue}" in out
    graph = Graph().parse(catalogue / "current" / "catalogue.nt", format="nt")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert "catalogue: 14 create" in out  # 11 demo-csw records (datasets and services) + 3 spreadsheet rows
    assert len(datasets) == 9 and len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1

    # the second run is incremental and changes nothing
    assert main(["demo", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert "demo-csw: 0 seen, 0 new, 0 changed, 0 unchanged, 0 rejected, 0 withdrawn, complete" in out
    assert _report_of(out, "demo-inventory") == str(report), "nothing changed: the full report of run 1 stands"
