"""F13/F14: artifact keys are injective and length-safe, so no record id kills a run or hides another record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from luxcat.artifacts import LocalArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.pipeline import run_source
from luxcat.store import StateStore
from tests.hardening.plugins import ListHarvester


def test_en_dash_and_its_old_escape_get_different_keys() -> None:
    assert safe_key("Budget 2020–2025") != safe_key("Budget 2020 132025")
    assert safe_key("a%20b") != safe_key("a b")
    assert safe_key("simple-id_1.2@x") == "simple-id_1.2@x"  # plain ids keep the keys they always had


def test_long_ids_get_short_distinct_keys() -> None:
    long_a, long_b = "x" * 320 + "a", "x" * 320 + "b"
    keys = {safe_key(long_a), safe_key(long_b), safe_key("é" * 400), safe_key("/" * 300)}
    assert len(keys) == 4 and all(len(k.encode()) <= 180 for k in keys)


def test_a_run_stores_and_maps_both_colliding_ids_and_a_320_character_id(tmp_path: Path) -> None:
    ids = ["Budget 2020–2025", "Budget 2020 132025", "urn:x-" + "segment/" * 40]
    assert len(ids[2]) > 320
    ListHarvester.LISTING["keys"] = ids
    cfg = SourceConfig.model_validate(
        {
            "id": "keys",
            "title": "keys",
            "owner": {"name": "test"},
            "harvester": {"kind": "tests.hardening.plugins:ListHarvester", "options": {"name": "keys"}},
            "mapper": ["dcat"],
        }
    )
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    run = run_source(cfg, store, artifacts, full=True, stages=("harvest", "map"))
    assert run.status == "success", run.error_summary
    assert run.counts.new == 3 and run.details["map"]["ok"] == 3, run.details
    locations = {r.mapped_location for r in store.records("keys")}
    raws = {r.raw_location for r in store.records("keys")}
    assert len(locations) == 3 and len(raws) == 3
    payloads: set[Any] = {artifacts.get(artifacts.key_of(r.raw_location)) for r in store.records("keys")}
    assert len(payloads) == 3  # three different records, none overwrote another
    again = run_source(cfg, store, artifacts, full=True, stages=("harvest", "map"))
    assert again.counts.unchanged == 3 and again.details["map"]["ok"] == 0
