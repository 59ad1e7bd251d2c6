"""What a luxcat run left behind, in a form two runs can be compared by (batched against single-process).

Records' stored state (hashes, status, dataset URI, validation outcome), mapped graphs (compared as
graphs: rdflib isomorphism), the run's summary and counts, and its run-level files (map.json,
validate.json, rejects, findings, the run report, the validation HTML). What legitimately differs
between two runs is normalised away: the artifact folder's path, blank-node ids (new at every parse)
and the report's generation time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from rdflib import Graph
from rdflib.compare import isomorphic
from sqlalchemy import select

from luxcat.artifacts import LocalArtifactStore
from luxcat.ntriples import parse_ntriples
from luxcat.store import StateStore, records_table

BNODE = re.compile(r"_:[A-Za-z0-9]+")
RECORD_COLUMNS = ("content_hash", "status", "dataset_uri", "conforms", "mapped_hash", "mapped_fingerprint",
                  "rejected_hash", "rejected_fingerprint", "rejected_reason")  # fmt: skip
RUN_FILES = ("harvest.json", "map.json", "map-rejects.jsonl", "validate.json", "validate-rejects.jsonl",
             "rejects.jsonl", "validation.html", "report.csv")  # fmt: skip


def _sorted_lists(value: Any) -> Any:
    """Lists of objects in a canonical order: results are sorted by focus, i.e. by blank-node id, in both runs."""
    if isinstance(value, dict):
        return {k: _sorted_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_lists(v) for v in value]
        if all(isinstance(v, dict) for v in items):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return value


def _normal(value: Any, root: str) -> Any:
    """JSON-able value with the artifact root and blank-node ids replaced, lists of objects in canonical order."""
    text = BNODE.sub("_:b", json.dumps(value, sort_keys=True, ensure_ascii=False).replace(root, "<root>"))
    return _sorted_lists(json.loads(text))


@dataclass
class RunState:
    """One run's stored outcome, normalised."""

    records: dict[str, dict[str, Any]]
    graphs: dict[str, Graph]
    run: dict[str, Any]
    files: dict[str, Any]
    findings: list[dict[str, Any]]
    report: dict[str, Any]


def _file(artifacts: LocalArtifactStore, key: str, root: str) -> Any:
    if not artifacts.exists(key):
        return None
    text = artifacts.get(key).decode()
    if key.endswith(".json"):
        return _normal(json.loads(text), root)
    if key.endswith(".jsonl"):
        return [_normal(json.loads(line), root) for line in text.splitlines() if line.strip()]
    text = BNODE.sub("_:b", text.replace(root, "<root>"))
    # rows (CSV) and elements (HTML) in a canonical order: results about blank nodes come in blank-node order
    return sorted(text.replace("<", "\n<").splitlines())


def run_state(store: StateStore, artifacts: LocalArtifactStore, source_id: str) -> RunState:
    """The last run of `source_id` as stored (state store + artifact store)."""
    root = str(artifacts.root)
    run = store.runs(source_id, limit=1)[0]
    records: dict[str, dict[str, Any]] = {}
    graphs: dict[str, Graph] = {}
    query = select(records_table).where(records_table.c.source_id == source_id)
    with store.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    for row in rows:
        state = {c: row[c] for c in RECORD_COLUMNS}
        state["validation"] = _normal(row["validation"], root) if row["validation"] else None
        records[row["record_id"]] = state
        if row["mapped_location"]:
            graphs[row["record_id"]] = parse_ntriples(artifacts.get(artifacts.key_of(row["mapped_location"])), Graph())
    prefix = f"runs/{source_id}/{run.id}/"
    files = {name: _file(artifacts, prefix + name, root) for name in RUN_FILES}
    findings = [row for key in sorted(artifacts.keys(prefix + "findings/")) for row in _file(artifacts, key, root)]
    findings.sort(key=lambda row: row["record_id"])
    report = _file(artifacts, prefix + "report.json", root) or {}
    report.pop("generated_at", None)
    summary = {"status": run.status, "complete": run.complete, "mode": run.mode, "counts": run.counts.as_dict(),
               "summary": run.summary(), "details": _normal(run.details, root)}  # fmt: skip
    return RunState(records, graphs, summary, files, findings, report)


def assert_same_run(batched: RunState, single: RunState) -> None:
    """The batched run stored exactly what the single-process run stored (graphs as isomorphic graphs)."""
    assert batched.records.keys() == single.records.keys()
    for record_id, state in single.records.items():
        assert batched.records[record_id] == state, record_id
    assert batched.graphs.keys() == single.graphs.keys()
    for record_id, graph in single.graphs.items():
        assert isomorphic(batched.graphs[record_id], graph), f"mapped graph of {record_id} differs"
    assert batched.run == single.run
    for name, content in single.files.items():
        assert batched.files[name] == content, name
    assert batched.findings == single.findings
    assert batched.report == single.report
