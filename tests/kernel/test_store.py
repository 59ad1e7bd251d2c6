"""State store on SQLite and on a real PostgreSQL server: records, runs, withdrawal, publish ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from luxcat.records import utcnow
from luxcat.store import ACTIVE, WITHDRAWN, RunCounts, StateStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[StateStore]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = StateStore(url)
    yield store
    store.close()


def source() -> str:
    """A unique source id per test, so PostgreSQL tests sharing one database never collide."""
    return f"src-{uuid.uuid4().hex[:10]}"


def test_new_changed_withdrawn_lifecycle(store: StateStore) -> None:
    sid = source()
    t1 = utcnow()
    store.upsert_seen(sid, [{"record_id": "a", "content_hash": "h1"}, {"record_id": "b", "content_hash": "h2"}], {}, t1)
    existing = store.record_hashes(sid)
    assert existing == {"a": ("h1", ACTIVE), "b": ("h2", ACTIVE)}

    t2 = t1 + timedelta(hours=1)
    store.upsert_seen(sid, [{"record_id": "a", "content_hash": "h1b", "modified": "2024-05-01"}], existing, t2)
    a = store.get_record(sid, "a")
    b = store.get_record(sid, "b")
    assert a is not None and b is not None
    assert a.content_hash == "h1b" and a.first_seen == t1 and a.last_seen == t2 and a.last_changed == t2
    assert a.modified == "2024-05-01"
    assert b.last_seen == t1

    assert store.withdraw(sid, ["b"]) == 1
    assert store.get_record(sid, "b").status == WITHDRAWN  # type: ignore[union-attr]
    assert store.count(sid) == 1 and store.count(sid, WITHDRAWN) == 1

    # a withdrawn record that reappears is active again and counts as changed
    store.upsert_seen(sid, [{"record_id": "b", "content_hash": "h2"}], store.record_hashes(sid), t2)
    assert store.get_record(sid, "b").status == ACTIVE  # type: ignore[union-attr]


def test_mapping_validation_and_publish_ids(store: StateStore) -> None:
    sid = source()
    store.upsert_seen(sid, [{"record_id": "r/1", "content_hash": "h"}], {}, utcnow())
    report = {"dataset": "https://x/d", "conforms": False, "score": 120, "results": [{"severity": "Violation"}]}
    store.set_mapped(sid, "r/1", dataset_uri="https://x/d", mapped_location="loc", conforms=False, validation=report)
    store.set_publish_id(sid, "r/1", "data.public.lu", "64f0c0ffee")
    store.set_publish_id(sid, "r/1", "edp", {"id": "x"})
    record = store.get_record(sid, "r/1")
    assert record is not None
    assert record.dataset_uri == "https://x/d" and record.conforms is False and record.validation == report
    assert record.publish_ids == {"data.public.lu": "64f0c0ffee", "edp": {"id": "x"}}
    store.set_publish_id(sid, "r/1", "edp", None)
    assert store.get_record(sid, "r/1").publish_ids == {"data.public.lu": "64f0c0ffee"}  # type: ignore[union-attr]


def test_runs_counts_and_incremental_bound(store: StateStore) -> None:
    sid = source()
    assert store.last_successful_start(sid) is None
    first = store.start_run(sid, "full")
    run = store.finish_run(first, status="success", complete=True, counts=RunCounts(seen=3, new=3), expected=3)
    assert run.summary() == (
        f"{sid}: 3 seen, 3 new, 0 changed, 0 unchanged, 0 harvest rejects, 0 map rejects, 0 invalid, "
        "0 duplicates, 0 withdrawn, full run, complete"
    )
    assert store.last_successful_start(sid) == run.started_at

    partial = store.start_run(sid, "incremental")
    store.finish_run(partial, status="success", complete=False, counts=RunCounts(seen=1), error_summary="page 2")
    failed = store.start_run(sid, "incremental")
    store.finish_run(failed, status="failed", complete=False, counts=RunCounts(), error_summary="down")
    # neither an incomplete nor a failed run moves the incremental lower bound
    assert store.last_successful_start(sid) == run.started_at
    runs = store.runs(sid)
    assert [r.id for r in runs] == [failed, partial, first]
    assert "FAILED: down" in runs[0].summary()
    assert any(r.source_id == sid and r.id == failed for r in store.last_runs())


def test_many_withdrawals_in_chunks(store: StateStore) -> None:
    sid = source()
    rows = [{"record_id": f"r{i:04}", "content_hash": "h"} for i in range(1200)]
    store.upsert_seen(sid, rows, {}, utcnow())
    assert store.withdraw(sid, [r["record_id"] for r in rows[:1100]]) == 1100
    assert store.count(sid) == 100


def test_bulk_page_writes_round_trip(store: StateStore) -> None:
    """luxcat.bulk: new/changed/unchanged rows, map outcome, rejection and validation, by executemany."""
    from luxcat import bulk

    sid = source()
    t1 = utcnow()
    rows = [{"record_id": f"r{i}", "content_hash": f"h{i}", "raw_location": f"loc{i}"} for i in range(700)]
    store.upsert_seen(sid, rows, {}, t1)
    existing = store.record_hashes(sid)
    t2 = utcnow()
    store.upsert_seen(
        sid,
        [
            {"record_id": "r0", "content_hash": "h0-new", "raw_location": "loc0b"},
            {"record_id": "r1", "content_hash": "h1"},
        ],
        existing,
        t2,
    )
    got = bulk.records_by_ids(store, sid, [f"r{i}" for i in range(700)] + ["absent"])
    assert len(got) == 700
    assert (got["r0"].content_hash, got["r0"].raw_location, got["r0"].last_changed) == ("h0-new", "loc0b", t2)
    # unchanged: only last_seen moves, the payload location is left alone
    assert (got["r1"].raw_location, got["r1"].last_seen, got["r1"].last_changed) == ("loc1", t2, t1)
    assert got["r2"].last_seen == t1

    bulk.set_mapped_many(
        store,
        sid,
        [
            {
                "record_id": "r1",
                "dataset_uri": "https://x/d1",
                "mapped_location": "m1",
                "mapped_hash": "h1",
                "mapped_fingerprint": "fp",
            }
        ],
    )
    bulk.set_map_rejected_many(
        store, sid, [{"record_id": "r2", "content_hash": "h2", "fingerprint": "fp", "reason": "missing_field: title"}]
    )
    report = {"dataset": "https://x/d1", "conforms": True, "results": []}
    bulk.set_validation_many(
        store, sid, [{"record_id": "r1", "dataset_uri": "https://x/d1", "conforms": True, "validation": report}]
    )
    r1, r2 = store.get_record(sid, "r1"), store.get_record(sid, "r2")
    assert (r1.mapped_location, r1.mapped_hash, r1.conforms, r1.validation) == ("m1", "h1", True, report)
    assert r2.rejected_reason == "missing_field: title" and r2.mapped_location is None
    # a later successful map clears the kept rejection
    bulk.set_mapped_many(
        store,
        sid,
        [
            {
                "record_id": "r2",
                "dataset_uri": "https://x/d2",
                "mapped_location": "m2",
                "mapped_hash": "h2",
                "mapped_fingerprint": "fp",
            }
        ],
    )
    assert store.get_record(sid, "r2").rejected_reason is None
