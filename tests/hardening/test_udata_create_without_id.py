"""F23: udata answering a create with 2xx but no `id` is a clear outcome, never a KeyError traceback.

Against the real udata application behind the fault proxy: when udata did create the dataset (answer lost its id), it is
adopted, not duplicated; when it did not, that record gets a clear error and the others go on.
"""

from __future__ import annotations

from pathlib import Path

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers.base import publish_items
from publishers.udata import UdataPublisher
from tests.udata.real_udata import RealUdata
from tests.udata.records import EXAMPLES, harvest_and_map, source_config


def sync(udata: RealUdata, tmp_path: Path) -> tuple[object, RealUdata]:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    cfg = source_config()
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES[:2]))
    opts = UdataPublisher.Options.model_validate({"base_url": udata.api, "throttle": 0, "backoff": 0})
    publisher = UdataPublisher(opts, store, artifacts, sleep=lambda _s: None)
    return publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg]))), udata


def test_created_but_answered_without_id_is_adopted_not_duplicated(udata: RealUdata, tmp_path: Path) -> None:
    udata.fail("POST", r"^/api/1/datasets/$", 201, commit=True, body={"message": "created"})
    plan, _ = sync(udata, tmp_path)
    assert plan.totals() == {"create": 2}  # type: ignore[attr-defined]
    assert len(udata.live_datasets()) == 2


def test_not_created_and_answered_without_id_is_a_record_error(udata: RealUdata, tmp_path: Path) -> None:
    udata.fail("POST", r"^/api/1/datasets/$", 201, body={"message": "accepted"})
    plan, _ = sync(udata, tmp_path)
    errors = [e for e in plan.entries if e.action == "error"]  # type: ignore[attr-defined]
    assert len(errors) == 1 and "carries no id" in (errors[0].detail or "")
    assert plan.totals() == {"create": 1, "error": 1}  # type: ignore[attr-defined]
    assert len(udata.live_datasets()) == 1
