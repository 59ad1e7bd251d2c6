"""Pipeline stages on real harvested records: map re-runs from stored payloads, bad records are isolated."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import Pipeline, run_source
from luxcat.store import StateStore
from tests.servers.records import demo_records


def config(url: str, **extra: Any) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "id": "pipe-csw",
            "title": "pipeline test",
            "owner": {"name": "Administration du cadastre et de la topographie"},
            "harvester": {"kind": "csw", "options": {"url": url, "page_size": 10, "retries": 0}},
            "mapper": ["iso19139"],
            "languages": ["en", "fr"],
            **extra,
        }
    )


@pytest.fixture
def harvested(pycsw_server: Any, tmp_path: Path) -> tuple[Pipeline, int, list[str]]:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    pipeline = Pipeline(config(pycsw_server.url), store, artifacts)
    run_id = store.start_run("pipe-csw", "full")
    outcome = pipeline.harvest(run_id, full=True)
    return pipeline, run_id, outcome.to_process


def test_map_stage_maps_every_stored_record_and_remembers_the_dataset_uri(harvested: Any) -> None:
    pipeline, run_id, ids = harvested
    assert sorted(ids) == sorted(demo_records())
    outcome = pipeline.map(run_id, ids)
    assert (outcome.ok, outcome.rejected) == (len(ids), 0)
    for record_id in ids:
        stored = pipeline.store.get_record("pipe-csw", record_id)
        graph = pipeline.load_graph(record_id)
        subject = URIRef(stored.dataset_uri)
        types = set(graph.objects(subject, RDF.type))
        assert types & {DCAT.Dataset, URIRef(DCAT + "DatasetSeries"), DCAT.DataService}, record_id
        assert graph.value(subject, DCTERMS.title) is not None
    summary = json.loads(pipeline.artifacts.get(f"runs/pipe-csw/{run_id}/map.json"))
    assert summary["ok"] == len(ids)


def test_mapping_is_stable_across_runs(harvested: Any) -> None:
    pipeline, run_id, ids = harvested
    pipeline.map(run_id, ids[:3])
    first = {rid: pipeline.load_graph(rid) for rid in ids[:3]}
    pipeline.map(run_id, ids[:3])
    from rdflib.compare import isomorphic

    for rid, graph in first.items():
        assert isomorphic(graph, pipeline.load_graph(rid)), rid


def test_one_bad_record_is_rejected_with_reason_and_the_others_map(harvested: Any) -> None:
    pipeline, run_id, ids = harvested
    victim, broken = ids[0], ids[1]
    # strip every title from one stored payload, and truncate another: both must be rejected, alone
    stored = pipeline.store.get_record("pipe-csw", victim)
    key = pipeline.artifacts.key_of(stored.raw_location)
    payload = pipeline.artifacts.get(key)
    without_title = re.sub(rb"<gmd:title>.*?</gmd:title>", b"", payload, flags=re.S)
    assert without_title != payload
    pipeline.artifacts.put(key, without_title)
    key2 = pipeline.artifacts.key_of(pipeline.store.get_record("pipe-csw", broken).raw_location)
    pipeline.artifacts.put(key2, pipeline.artifacts.get(key2)[:500])

    outcome = pipeline.map(run_id, ids)
    reasons = {r.record_id: r.reason for r in outcome.rejections}
    assert reasons == {victim: "missing_field", broken: "unparsable"}
    assert "title" in next(r.detail for r in outcome.rejections if r.record_id == victim)
    assert outcome.ok == len(ids) - 2
    rejects = pipeline.artifacts.get(f"runs/pipe-csw/{run_id}/map-rejects.jsonl").decode().splitlines()
    assert {json.loads(line)["record_id"] for line in rejects} == {victim, broken}


def test_unexpected_mapper_bug_is_isolated(pycsw_server: Any, tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    cfg = config(pycsw_server.url, mapper=["tests.kernel.exploding_mapper:ExplodingMapper"])
    run = run_source(cfg, store, artifacts, full=True, stages=("harvest", "map"))
    details = run.details["map"]
    assert details["reasons"] == {"unexpected": 1}
    assert details["ok"] == len(demo_records()) - 1
    assert run.counts.rejected == 1 and run.status == "success"


def test_unchanged_records_are_not_remapped(pycsw_server: Any, tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    cfg = config(pycsw_server.url)
    first = run_source(cfg, store, artifacts, full=True, stages=("harvest", "map"))
    assert first.details["map"]["ok"] == len(demo_records())
    second = run_source(cfg, store, artifacts, full=True, stages=("harvest", "map"))
    assert second.counts.unchanged == len(demo_records()) and second.details["map"]["ok"] == 0


def test_graph_of_record_has_catalog_record(harvested: Any) -> None:
    pipeline, run_id, ids = harvested
    pipeline.map(run_id, ids[:1])
    graph: Graph = pipeline.load_graph(ids[0])
    assert list(graph.subjects(RDF.type, DCAT.CatalogRecord))
