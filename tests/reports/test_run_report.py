"""The per-run report on the demo inventory (config/demo/inventory, rows 4-7 broken on purpose).

Real pipeline runs against a copy of the spreadsheet: the first report holds every rejected row with
its reason, titles, groups, charts and blank nodes in words; a re-run with nothing changed links the
first report; fixing a row in the spreadsheet shows up as fixed findings in the next report.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import run_source
from luxcat.store import StateStore

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "config" / "demo" / "inventory" / "mmtp-inventaire.csv"
ENCODING = "cp1252"  # the demo file is an Excel "CSV (point-virgule)" export


def inventory_config(location: Path) -> SourceConfig:
    """demo-inventory.yaml with the spreadsheet at `location`."""
    import yaml

    data = yaml.safe_load((REPO / "config" / "sources" / "demo-inventory.yaml").read_text(encoding="utf-8"))
    data["harvester"]["options"]["location"] = str(location)
    return SourceConfig.model_validate(data)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LUXCAT_REPORT_LANGUAGE", "en")
    sheet = tmp_path / "inventory.csv"
    sheet.write_bytes(INVENTORY.read_bytes())
    return {
        "sheet": sheet,
        "cfg": inventory_config(sheet),
        "store": StateStore(f"sqlite:///{tmp_path / 'state.db'}"),
        "artifacts": LocalArtifactStore(tmp_path / "artifacts"),
    }


def run(env: dict[str, Any]) -> Any:
    return run_source(env["cfg"], env["store"], env["artifacts"])


def report_json(env: dict[str, Any], run_id: int) -> dict[str, Any]:
    return json.loads(env["artifacts"].get(f"runs/demo-inventory/{run_id}/report.json"))


def test_first_report_lists_rejected_rows_by_title_with_reasons_groups_and_charts(env: dict[str, Any]) -> None:
    first = run(env)
    location = first.details["validate"]["extra"]["report"]
    assert location.endswith(f"runs/demo-inventory/{first.id}/report.html")
    doc = report_json(env, first.id)
    rules = {(g["severity"], g["rule"]): g for g in doc["groups"]["by_rule"]}
    # every broken row of the spreadsheet, with its stage and reason
    assert rules[("Rejected", "harvest: missing_identifier")]["records"] == 1
    assert rules[("Rejected", "harvest: duplicate_id")]["records"] == 1
    assert rules[("Rejected", "map: invalid_value")]["records"] == 1
    # the row without a title maps (nothing invented) and fails validation on its missing dct:title
    title_rules = {rule for (severity, rule), g in rules.items() if severity == "Violation" and "dct:title" in rule}
    assert title_rules, sorted(rules)
    # the same publisher problem on every valid row is one group with a count, not three lines
    publisher_rule = [g for g in doc["groups"]["by_rule"] if g["message"] == "dct:publisher: value must be an IRI"]
    assert [(g["count"], g["records"]) for g in publisher_rule] == [(4, 4)]
    by_publisher = {g["publisher"]: g for g in doc["groups"]["by_publisher"]}
    assert by_publisher["Ministère de la Mobilité et des Travaux publics"]["records"] >= 4
    assert by_publisher["(publisher not stated)"]["records"] >= 2  # rows 6 (no id), 7 (duplicate)
    # titles in the operator's language (en), falling back to the record's own (fr)
    assert doc["records"]["MMTP-003"]["title"] == "Cycle paths"  # a rejected row: title from its raw payload
    assert doc["records"]["MMTP-002"]["title"] == "Chantiers routiers en cours"  # no English title
    assert doc["records"]["MMTP-004"]["title"] is None  # the row without title: nothing invented
    assert doc["records"]["MMTP-003"]["origin"].endswith("inventory.csv#row=4")
    # blank nodes described by what they are
    values = {e["value"] for e in doc["entries"]} | {e["focus"] for e in doc["entries"]}
    assert "agent 'Ministère de la Mobilité et des Travaux publics'" in values
    assert "distribution 'https://download.data.public.lu/mmtp/bornes.csv'" in values
    assert not any(v and v.startswith("_:") for v in values)
    assert doc["bands"] == {"excellent": 0, "good": 3, "sufficient": 1, "bad": 0}  # row 5 scores low
    assert doc["delta"] == {"previous_run": None, "new": 0, "fixed": []}

    html = Path(location).read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and 'aria-label="findings per rule"' in html
    assert "Cycle paths" in html and "missing_identifier" in html and "distribution &#x27;" in html
    rows = list(csv.DictReader(io.StringIO(env["artifacts"].get(f"runs/demo-inventory/{first.id}/report.csv")
                                           .decode())))  # fmt: skip
    assert len(rows) == len(doc["entries"]) and {"Cycle paths", ""} <= {r["title"] for r in rows}
    mode = stat.S_IMODE(os.stat(location).st_mode)
    assert mode & stat.S_IRGRP, f"report not group-readable: {oct(mode)}"


def test_rerun_without_change_links_the_previous_full_report(env: dict[str, Any]) -> None:
    first = run(env)
    second = run(env)
    assert second.counts.unchanged == 5
    artifacts = env["artifacts"]
    assert not artifacts.exists(f"runs/demo-inventory/{second.id}/report.html")
    link = json.loads(artifacts.get(f"runs/demo-inventory/{second.id}/report-link.json"))
    assert link["run_id"] == first.id
    assert second.details["validate"]["extra"]["report"] == first.details["validate"]["extra"]["report"]


def test_fixed_rows_show_up_as_fixed_and_new_findings_as_new(env: dict[str, Any]) -> None:
    first = run(env)
    text = env["sheet"].read_bytes().decode(ENCODING)
    # the owner fixes row 5's missing title; its distribution CSV now maps, with its own findings
    env["sheet"].write_bytes(text.replace("MMTP-004;;;;", "MMTP-004;Arrêts de bus;;;").encode(ENCODING))
    third = run(env)
    doc = report_json(env, third.id)
    assert doc["delta"]["previous_run"] == first.id
    fixed = {(e["record_id"], e["rule"]) for e in doc["delta"]["fixed"]}
    assert {rid for rid, _rule in fixed} == {"MMTP-004"} and any("dct:title" in rule for _rid, rule in fixed)
    new = {(e["record_id"], e["message"]) for e in doc["entries"] if e["new"]}
    assert {rid for rid, _m in new} <= {"MMTP-004"} and doc["delta"]["new"] == len(new)
    # findings of rows this incremental run did not touch are carried over, not lost
    assert ("MMTP-003", "map: invalid_value") in {(e["record_id"], e["rule"]) for e in doc["entries"]}
    assert doc["records"]["MMTP-004"]["title"] == "Arrêts de bus"


def test_dropped_values_are_reported_with_their_reason(env: dict[str, Any]) -> None:
    from luxcat.pipeline import Pipeline

    store, artifacts = env["store"], env["artifacts"]
    pipeline = Pipeline(env["cfg"], store, artifacts)
    run_id = store.start_run("demo-inventory", "full")
    ids = pipeline.harvest(run_id, full=True).to_process
    mapped = pipeline.map(run_id, ids)
    # what a mapper reports when it leaves a value out of a record that otherwise maps
    dropped = {"record_id": "MMTP-005", "path": "http://purl.org/dc/terms/format", "value": "PDF/A-3",
               "reason": "unknown_format", "detail": "column 'Format 3': no EU file type for 'PDF/A-3'"}  # fmt: skip
    artifacts.put(f"runs/demo-inventory/{run_id}/dropped.jsonl", (json.dumps(dropped) + "\n").encode())
    pipeline.validate(run_id, [i for i in ids if i not in {r.record_id for r in mapped.rejections}])
    doc = report_json(env, run_id)
    [entry] = [e for e in doc["entries"] if e["kind"] == "dropped"]
    assert (entry["record_id"], entry["rule"], entry["path"], entry["value"]) == (
        "MMTP-005", "dropped: unknown_format", "dct:format", "PDF/A-3"
    )  # fmt: skip
    assert doc["records"]["MMTP-005"]["title"] == "Charging stations"
    assert any(g["severity"] == "Dropped" for g in doc["groups"]["by_rule"])


def test_dropped_values_of_the_map_summary_are_reported(env: dict[str, Any]) -> None:
    """The mappers' own report of dropped values (map.json extra.dropped, per record) reaches the report."""
    from luxcat.pipeline import Pipeline

    store, artifacts = env["store"], env["artifacts"]
    pipeline = Pipeline(env["cfg"], store, artifacts)
    run_id = store.start_run("demo-inventory", "full")
    ids = pipeline.harvest(run_id, full=True).to_process
    mapped = pipeline.map(run_id, ids)
    key = f"runs/demo-inventory/{run_id}/map.json"
    summary = json.loads(artifacts.get(key))
    summary["extra"]["dropped"] = {"MMTP-001": [{"property": "Format 2", "value": "XLSX?", "reason": "unknown code"}]}
    artifacts.put(key, json.dumps(summary).encode())
    pipeline.validate(run_id, [i for i in ids if i not in {r.record_id for r in mapped.rejections}])
    [entry] = [e for e in report_json(env, run_id)["entries"] if e["kind"] == "dropped"]
    assert (entry["record_id"], entry["rule"], entry["path"], entry["value"]) == (
        "MMTP-001", "dropped: unknown code", "Format 2", "XLSX?"
    )  # fmt: skip
