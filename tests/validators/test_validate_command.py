"""`luxcat validate` (validators.command): exit codes, JSON array shape, text and self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.validators.helpers import LU_TESTS, VALID_LU
from validators.command import main
from validators.report_html import render_html, score_chart

INVALID = LU_TESTS / "dcat-ap-lu_dummy_invalid.ttl"


def test_json_for_a_conforming_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(VALID_LU), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and [d["kind"] for d in data] == ["dataset", "catalogue"]
    entry, catalogue = data
    assert set(entry) == {"kind", "dataset", "conforms", "score", "results", "licence_origin"}
    assert catalogue["conforms"] is True and catalogue["score"] is None  # the file's catalogue is validated too
    assert entry["dataset"] == "https://data.public.lu/luxcat/test/population"
    assert entry["licence_origin"] == "stated"
    assert entry["conforms"] is True and entry["score"] == 325
    for result in entry["results"]:
        assert set(result) == {"severity", "focus", "path", "value", "message", "shape"}


def test_json_for_an_invalid_file_exits_1_and_renders_blank_nodes_as_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(INVALID), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    failing = [d for d in data if not d["conforms"]]
    assert failing
    title = [
        r for d in failing for r in d["results"]
        if r["path"] == "http://purl.org/dc/terms/title" and r["severity"] == "Violation"
    ]  # fmt: skip
    assert title and title[0]["focus"] == "https://metadata.demo.lnds.tech/api/v1/datasets/1"
    values = [r["value"] for d in data for r in d["results"] if r["value"]]
    assert any(v.startswith("_:") for v in values)
    assert all(isinstance(d["score"], int) for d in data if d["kind"] != "catalogue")


def test_profile_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(INVALID), "--profile", "dcat-ap-lu", "--format", "json"]) == 1
    shapes = {r["shape"] for d in json.loads(capsys.readouterr().out) for r in d["results"]}
    assert not any("semiceu.github.io/DCAT-AP/releases/3.0.0" in (s or "") for s in shapes)
    with pytest.raises(SystemExit):
        main([str(VALID_LU), "--profile", "no-such-profile"])


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(INVALID)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^FAIL https://metadata\.demo\.lnds\.tech/api/v1/datasets/1 score=\d+/405", out, re.M)
    assert "Violation: https://metadata.demo.lnds.tech/api/v1/datasets/1 http://purl.org/dc/terms/title" in out
    assert out.rstrip().splitlines()[-1].endswith("do not")


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main([str(INVALID), str(VALID_LU), "--format", "html", "-o", str(out)]) == 1
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=", html)  # no external assets
    assert "Results by shape and message" in html
    assert "https://metadata.demo.lnds.tech/api/v1/datasets/1" in html
    assert "at least 1 value(s) required, found 0" in html


def test_score_chart_counts_records_per_band() -> None:
    svg = score_chart([0, 10, 325, 405, 404])
    assert "<title>0-45: 2</title>" in svg
    assert "<title>322-367: 1</title>" in svg  # 46-point bands
    assert "<title>368-405: 2</title>" in svg


def test_render_html_escapes_text() -> None:
    from luxcat.records import ValidationIssue, ValidationReport

    report = ValidationReport(
        "https://x.lu/<d>", False, 12, [ValidationIssue("Violation", "_:b0", None, None, "<b>bad</b>", "s")]
    )
    html = render_html([report], title="t & t")
    assert "<b>bad</b>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html and "t &amp; t" in html


def test_unparsable_file_is_bad_data_and_a_missing_one_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("this is not turtle <<<")
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: cannot parse {bad} as RDF: ")
    assert main([str(tmp_path / "absent.ttl")]) == 2
    hint = "name existing RDF files (Turtle, RDF/XML, JSON-LD, N-Triples)"
    assert capsys.readouterr().err == f"error: {tmp_path / 'absent.ttl'}: no such file (hint: {hint})\n"


CATALOGUE_WITHOUT_TITLE_OR_PUBLISHER = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.lu/catalogue> a dcat:Catalog ;
    dct:description "Un catalogue sans titre ni éditeur"@fr ;
    dcat:dataset <https://example.lu/dataset/1> ;
    dcat:service <https://example.lu/service/1> .
"""


def test_catalogue_nodes_are_validated_as_pyshacl_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A catalogue without dct:title or dct:publisher fails, with the Violations pySHACL reports on it."""
    from rdflib import Graph

    from tests.support.shacl import violations

    service = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
        '<https://example.lu/service/1> a dcat:DataService ; dct:title "Service"@fr ;\n'
        "    dcat:endpointURL <https://example.lu/api> .\n"
    )
    path = tmp_path / "catalogue.ttl"
    path.write_text(CATALOGUE_WITHOUT_TITLE_OR_PUBLISHER + service, encoding="utf-8")
    assert main([str(path), "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    kinds = {row["kind"]: row for row in rows}
    assert set(kinds) == {"service", "catalogue"}
    assert kinds["service"]["dataset"] == "https://example.lu/service/1"
    catalogue = kinds["catalogue"]
    assert catalogue["dataset"] == "https://example.lu/catalogue" and catalogue["conforms"] is False
    ours = {(r["focus"], r["path"]) for r in catalogue["results"] if r["severity"] == "Violation"}
    assert ("https://example.lu/catalogue", "http://purl.org/dc/terms/title") in ours
    assert ("https://example.lu/catalogue", "http://purl.org/dc/terms/publisher") in ours
    reference = {
        (focus, path)
        for focus, path, _value, _message in violations(Graph().parse(path, format="turtle"))
        if focus == "https://example.lu/catalogue"
    }
    assert ours == reference  # the same Violations on the catalogue node as pySHACL
    assert main([str(path)]) == 1
    text = capsys.readouterr().out
    assert "# data service(s)" in text and "# catalogue(s)" in text
    assert text.strip().splitlines()[-1] == (
        "0 dataset(s): 0 conform, 0 do not; 1 data service(s): 1 conform, 0 do not; 1 catalogue(s): 0 conform, 1 do not"
    )


def test_no_dcat_resources_is_bad_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An ISO 19139 record parses as RDF/XML into nothing DCAT: exit 1 with one line, not '0 conform'."""
    iso = Path(__file__).resolve().parents[2] / "config" / "demo" / "iso19139" / "semic__network-service.xml"
    assert main([str(iso)]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: no DCAT resources found in {iso}")
    empty = tmp_path / "empty.ttl"
    empty.write_text('<https://example.lu/x> <http://purl.org/dc/terms/title> "x" .\n', encoding="utf-8")
    assert main([str(VALID_LU), str(empty)]) == 1  # the valid file still validates; the empty one is named
    assert f"no DCAT resources found in {empty}" in capsys.readouterr().err
