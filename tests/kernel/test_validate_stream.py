"""Validate streams (issue 19): graphs handed over from map, findings written per chunk, HTML from aggregates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import luxcat.pipeline
from luxcat.artifacts import LocalArtifactStore
from luxcat.pipeline import Pipeline
from luxcat.store import StateStore
from tests.kernel.test_pipeline import config


def _outcomes(store: StateStore, ids: list[str]) -> dict[str, tuple[bool, frozenset[tuple[Any, ...]]]]:
    """Per record: conforms, and its results without blank-node labels (those differ between parses)."""
    out = {}
    for rid in ids:
        record = store.get_record("pipe-csw", rid)
        results = frozenset(
            (r["severity"], r["path"], r["message"], r["shape"] if not str(r["shape"]).startswith("_:") else None)
            for r in record.validation["results"]
        )
        out[rid] = (record.conforms, results)
    return out


def test_handed_over_graphs_validate_like_reparsed_ones_and_findings_are_written_per_chunk(
    pycsw_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(luxcat.pipeline, "REPORT_ROWS", 3)

    def setup(name: str) -> tuple[Pipeline, int, list[str]]:
        (tmp_path / name).mkdir()
        store = StateStore(f"sqlite:///{tmp_path / name / 'state.db'}")
        pipeline = Pipeline(config(pycsw_server.url), store, LocalArtifactStore(tmp_path / name / "artifacts"))
        run_id = store.start_run("pipe-csw", "full")
        ids = pipeline.harvest(run_id, full=True).to_process
        pipeline.map(run_id, ids)
        return pipeline, run_id, ids

    pipeline, run_id, ids = setup("handoff")
    assert set(pipeline._handoff) == set(ids)  # the mapped graphs wait for validate in memory
    handed = pipeline.validate(run_id, ids, batch=4)
    assert pipeline._handoff == {}

    parsed, parsed_run, parsed_ids = setup("parsed")
    parsed._handoff.clear()  # as in another process (an Airflow task): validate parses the stored files
    again = parsed.validate(parsed_run, parsed_ids, batch=4)
    store, artifacts = pipeline.store, pipeline.artifacts
    assert _outcomes(store, ids) == _outcomes(parsed.store, ids)
    assert (handed.ok, handed.rejected) == (again.ok, again.rejected)

    # one findings file per chunk of 4, one line per record, as the store holds it
    parts = sorted(artifacts.keys(f"runs/pipe-csw/{run_id}/findings/"))
    assert len(parts) == -(-len(ids) // 4)
    lines = [json.loads(line) for key in parts for line in artifacts.get(key).decode().splitlines()]
    assert sorted(line["record_id"] for line in lines) == sorted(ids)
    for line in lines:
        assert line["validation"]["conforms"] == store.get_record("pipe-csw", line["record_id"]).conforms

    # the HTML report holds the aggregates of every record but lists only the worst REPORT_ROWS
    html = artifacts.get(f"runs/pipe-csw/{run_id}/validation.html").decode()
    assert f"<p>{len(ids)} record(s)," in html
    assert f"{len(ids) - 3} more record(s) not listed here" in html
    assert f"runs/pipe-csw/{run_id}/findings/" in html
