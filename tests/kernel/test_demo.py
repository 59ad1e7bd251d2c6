"""`luxcat demo`, the README's main job, end to end on a real pycsw: every enabled source, then the catalogue."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from luxcat.cli import main
from luxcat.demo_pycsw import DEMO_TITLE, OURS, probe
from luxcat.pycsw_local import LocalPycsw

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

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    printed = readme.split("The first run prints:", 1)[1].split("```", 2)[1].strip().splitlines()
    with socket.socket() as other:  # another program holds the demo port: the demo moves, and says so
        other.bind(("127.0.0.1", port))
        other.listen()
        assert main(["demo", "--port", str(port)]) == 1  # the inventory's broken rows are rejected
        out, err = capsys.readouterr()
    assert f"demo: 127.0.0.1:{port} is used by another program: the demo pycsw runs on a free port" in err
    for line in printed:  # what the README says the first run prints, line by line
        assert line in out.splitlines(), line
    # 14 demo records are not published: 13 state terms but no licence, or restrictive ones (the
    # source's CC0 default is only for records saying nothing about use), 1 lacks a description
    assert "demo-csw: licences 3 stated, 4 source-default, 13 none; 38 values dropped" in out
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
    graph = Graph().parse(data=gzip.decompress((catalogue / "current" / "catalogue.nt.gz").read_bytes()), format="nt")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 9 and len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1
    runs = sorted((tmp_path / "home" / "artifacts" / "runs").glob("*/*/harvest.json"))
    summaries = [json.loads(p.read_text())["summary"]["line"] for p in runs]
    assert sorted(summaries) == sorted(line for line in out.splitlines() if " seen, " in line)  # harvest.json too

    # the second run is incremental and changes nothing; it finds the demo pycsw already running (e.g.
    # the local Airflow's) and uses it instead of failing on the taken port
    records = sorted((REPO / "config" / "demo" / "iso19139").glob("*.xml"))
    with LocalPycsw(tmp_path / "airflow-pycsw", records, port=port, maxrecords=50, title=DEMO_TITLE) as running:
        assert probe(port) == OURS
        assert main(["demo", "--port", str(port)]) == 1
        out, err = capsys.readouterr()
        assert running.pid is not None
    assert _report_of(out, "demo-inventory") == str(report), "nothing changed: the full report of run 1 stands"
    assert f"demo: using the luxcat demo pycsw already running at http://127.0.0.1:{port}/csw" in err
    described = " ".join(readme.split("Run it again:", 1)[1].split("\n\n", 1)[0].split())
    for claim in (
        "0 seen, 0 new, 0 changed, 0 unchanged",
        "5 seen, 0 new, 0 changed, 5 unchanged",
        "0 create, 0 update, 0 delete, 14 unchanged",
    ):
        assert claim in described and claim in out, claim
    assert "incremental run, complete" in out
    assert main(["status", "demo-csw"]) == 0
    status = capsys.readouterr().out.splitlines()
    assert status[0].endswith(next(line for line in out.splitlines() if line.startswith("demo-csw: 0 seen")))
