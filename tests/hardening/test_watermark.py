"""F10: a source that answers an incremental query with 0 matches once must not make luxcat skip an update.

The watermark moves only after a complete run that is evidence of a full answer (a full run seeing at
least what the last full run saw, or an incremental run seeing something), or by the source's own
modification stamps, never beyond the last complete run.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import run_source
from luxcat.records import utcnow
from luxcat.store import StateStore
from luxcat.watermark import incremental_since
from tests.hardening.plugins import ListHarvester

OLD = "2020-01-01T00:00:00+00:00"


def cfg() -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "id": "wm",
            "title": "watermark",
            "owner": {"name": "test"},
            "harvester": {"kind": "tests.hardening.plugins:ListHarvester", "options": {"name": "wm"}},
            "mapper": ["dcat"],
        }
    )


def test_a_zero_match_answer_does_not_move_the_watermark_past_an_update(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    ListHarvester.LISTING["wm"] = [("a", OLD, 0), ("b", OLD, 1)]
    ListHarvester.SINCE["wm"] = []
    first = run_source(cfg(), store, artifacts, stages=("harvest", "map"))
    assert first.mode == "full" and first.counts.new == 2
    # the source updates b (its stamp: now), but its next incremental answer is empty (a glitch)
    updated = utcnow().isoformat()  # updated after the first run, before the glitching one
    listing = [("a", OLD, 0), ("b", updated, 2)]
    ListHarvester.LISTING["wm"] = []
    glitch = run_source(cfg(), store, artifacts, stages=("harvest", "map"))
    assert glitch.mode == "incremental" and glitch.complete and glitch.counts.seen == 0
    assert incremental_since(store, "wm") == first.started_at  # the empty answer did not move it
    ListHarvester.LISTING["wm"] = listing
    recovered = run_source(cfg(), store, artifacts, stages=("harvest", "map"))
    assert ListHarvester.SINCE["wm"][-1] == first.started_at
    assert recovered.counts.changed == 1 and recovered.details["map"]["ok"] == 1  # the update arrived
    assert incremental_since(store, "wm") == recovered.started_at  # a run that saw something moves it


def test_a_full_run_seeing_fewer_records_does_not_move_it_nor_does_a_future_stamp(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    ListHarvester.LISTING["wm"] = [("a", OLD, 0), ("b", OLD, 1), ("c", OLD, 3)]
    first = run_source(cfg(), store, artifacts, full=True, stages=("harvest",))
    ListHarvester.LISTING["wm"] = [("a", OLD, 0)]  # a full answer missing two records: complete, but suspect
    run_source(cfg(), store, artifacts, full=True, stages=("harvest",))
    assert incremental_since(store, "wm") == first.started_at
    # the source's own stamp moves it, but never beyond the last complete run
    stamp = (first.started_at + timedelta(milliseconds=1)).isoformat()
    ListHarvester.LISTING["wm"] = [("a", stamp, 4), ("b", OLD, 1), ("c", OLD, 3)]
    third = run_source(cfg(), store, artifacts, full=True, stages=("harvest",))
    assert incremental_since(store, "wm") == third.started_at
    future = (utcnow() + timedelta(days=3650)).isoformat()
    ListHarvester.LISTING["wm"] = [("a", future, 5), ("b", OLD, 1), ("c", OLD, 3)]
    fourth = run_source(cfg(), store, artifacts, stages=("harvest",))
    assert incremental_since(store, "wm") == fourth.started_at  # not 2036
