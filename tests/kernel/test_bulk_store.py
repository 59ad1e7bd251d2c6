"""The state store in bulk (issue 19): WAL, one transaction per page, no per-record queries, rejects kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, update

from luxcat.artifacts import LocalArtifactStore
from luxcat.pipeline import HarvestOutcome, Pipeline, run_source
from luxcat.records import content_hash
from luxcat.remap import mapping_fingerprint, stale_records
from luxcat.store import StateStore, records_table
from tests.kernel.test_pipeline import config
from tests.servers.records import demo_records


@contextmanager
def counting(store: StateStore) -> Iterator[dict[str, int]]:
    """Count commits and statements that touch the records table while the block runs."""
    counts = {"commits": 0, "records_statements": 0}

    def on_commit(_conn: Any) -> None:
        counts["commits"] += 1

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\brecords\b", statement):
            counts["records_statements"] += 1

    event.listen(store.engine, "commit", on_commit)
    event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        yield counts
    finally:
        event.remove(store.engine, "commit", on_commit)
        event.remove(store.engine, "before_cursor_execute", on_execute)


def test_sqlite_file_store_runs_in_wal_mode(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_runs_write_in_pages_and_a_no_change_run_reads_nothing_per_record(pycsw_server: Any, tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    cfg = config(pycsw_server.url)
    n = len(demo_records())
    with counting(store) as first_counts:
        first = run_source(cfg, store, artifacts, full=True)
    assert first.counts.new == n and first.details["map"]["ok"] == n
    # the old code committed once per record in map and again in validate (>= 2n)
    assert first_counts["commits"] <= 10 < 2 * n
    assert all(r.mapped_hash and r.validation for r in store.records("pipe-csw"))

    with counting(store) as again:
        second = run_source(cfg, store, artifacts, full=True)
    assert (second.counts.unchanged, second.counts.new, second.counts.changed) == (n, 0, 0)
    assert second.details["map"]["ok"] == 0
    # a listing is compared in one query; unchanged rows are touched by one executemany; the
    # statements do not grow with the records (the old code read every unchanged record)
    assert again["records_statements"] <= 8 < n
    assert again["commits"] <= 10  # run bookkeeping (run row, locks, guards): constant, not per record


def test_an_unchanged_reject_is_kept_and_not_mapped_again_until_payload_or_mapping_change(
    pycsw_server: Any, tmp_path: Path
) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    pipeline = Pipeline(config(pycsw_server.url), store, artifacts)
    run_id = store.start_run("pipe-csw", "full")
    ids = pipeline.harvest(run_id, full=True).to_process
    victim = ids[0]
    # the source now serves the victim truncated (unparsable): store that payload as the current one
    stored = store.get_record("pipe-csw", victim)
    key = artifacts.key_of(stored.raw_location)
    original = artifacts.get(key)
    truncated = original[:500]
    artifacts.put(key, truncated)
    _set_hash(store, victim, content_hash(truncated))

    outcome = pipeline.map(run_id, ids)
    assert [(r.record_id, r.reason) for r in outcome.rejections] == [(victim, "unparsable")]
    fingerprint = mapping_fingerprint(pipeline.make_mappers())
    assert stale_records(store, "pipe-csw", fingerprint) == []  # the reject is remembered, not re-mapped
    assert "unparsable" in (store.get_record("pipe-csw", victim).rejected_reason or "")
    # what a run queues for mapping besides the listing's new and changed records: nothing
    queued = HarvestOutcome(stage="harvest")
    pipeline._add_stale(queued, remap=False)
    assert queued.to_process == []

    # another mapping (fingerprint) maps it again, and so does a new payload
    assert victim in stale_records(store, "pipe-csw", "another-mapping")
    artifacts.put(key, original)
    _set_hash(store, victim, content_hash(original))
    assert stale_records(store, "pipe-csw", fingerprint) == [victim]
    assert pipeline.map(run_id, [victim]).ok == 1
    record = store.get_record("pipe-csw", victim)
    assert record.rejected_reason is None and record.mapped_hash == content_hash(original)
    assert stale_records(store, "pipe-csw", fingerprint) == []


def _set_hash(store: StateStore, record_id: str, digest: str) -> None:
    t = records_table
    with store.engine.begin() as conn:
        conn.execute(
            update(t).where((t.c.source_id == "pipe-csw") & (t.c.record_id == record_id)).values(content_hash=digest)
        )
