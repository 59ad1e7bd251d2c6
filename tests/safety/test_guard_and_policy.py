"""The withdrawal guard proposes exact lists, full_every finds deletions on schedule, red runs are failed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from luxcat import withdrawals
from luxcat.artifacts import LocalArtifactStore
from luxcat.cli import main
from luxcat.config import SourceConfig
from luxcat.errors import ConfigError
from luxcat.pipeline import Pipeline, run_source
from luxcat.store import ACTIVE, WITHDRAWN, StateStore, runs_table
from tests.safety.home import make_home
from tests.udata.records import EXAMPLES, ListHarvester, harvest_and_map, source_config


@pytest.fixture
def store(tmp_path: Path) -> Any:
    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield state
    state.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


def _harvest(cfg: SourceConfig, store: StateStore, artifacts: LocalArtifactStore, examples: list[Any]) -> Any:
    ListHarvester.LISTING[cfg.id] = list(examples)
    ListHarvester.COMPLETE[cfg.id] = True
    run_id = store.start_run(cfg.id, "full")
    return Pipeline(cfg, store, artifacts).harvest(run_id, full=True)


def test_beyond_the_guard_the_exact_list_waits_for_its_digest(store: StateStore, artifacts: LocalArtifactStore) -> None:
    cfg = source_config("guarded", withdrawal={"max_share": 0.1})
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES))

    blocked = _harvest(cfg, store, artifacts, EXAMPLES[:3])  # 2 of 5 gone: 40% > 10%

    assert blocked.counts.withdrawn == 0 and "nothing withdrawn" in blocked.errors[0]
    [first] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert sorted(first.dataset_uris) == sorted(e.dataset for e in EXAMPLES[3:])
    assert first.short in blocked.errors[0] and blocked.extra["withdrawal_pending"] == first.digest

    again = _harvest(cfg, store, artifacts, EXAMPLES[:2])  # the next run loses one more: a different list
    [second] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert second.digest != first.digest and len(second.items) == 3
    assert again.extra["withdrawal_pending"] == second.digest
    with pytest.raises(withdrawals.StaleWithdrawal, match="is superseded"):
        withdrawals.approve(store, first.digest)  # an approval applies to the list it names only

    ListHarvester.LISTING[cfg.id] = list(EXAMPLES)  # they came back before anyone decided
    back = _harvest(cfg, store, artifacts, EXAMPLES)
    assert back.counts.withdrawn == 0 and "withdrawal_pending" not in back.extra
    with pytest.raises(withdrawals.StaleWithdrawal, match="a later complete full harvest no longer asks for it"):
        withdrawals.approve(store, second.digest)
    second = withdrawals.propose(store, cfg.id, withdrawals.GUARD, second.items)  # they leave again: same list
    assert second.status == withdrawals.PENDING

    withdrawals.approve(store, second.short)

    statuses = {r.record_id: r.status for r in store.records(cfg.id)}
    assert statuses == {e.record_id: (ACTIVE if e in EXAMPLES[:2] else WITHDRAWN) for e in EXAMPLES}
    assert _harvest(cfg, store, artifacts, EXAMPLES[:2]).counts.withdrawn == 0, "nothing more to withdraw"


def test_within_share_and_count_a_complete_full_harvest_withdraws_at_once(
    store: StateStore, artifacts: LocalArtifactStore
) -> None:
    cfg = source_config("within", withdrawal={"max_share": 0.5, "max_count": 2})
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES))
    assert _harvest(cfg, store, artifacts, EXAMPLES[:4]).counts.withdrawn == 1
    assert withdrawals.all_withdrawals(store) == []

    capped = source_config("capped", withdrawal={"max_share": 0.5, "max_count": 1})
    harvest_and_map(capped, store, artifacts, list(EXAMPLES))
    outcome = _harvest(capped, store, artifacts, EXAMPLES[:3])  # 40% is within the share, 2 > max_count 1
    assert outcome.counts.withdrawn == 0 and "2 > withdrawal.max_count 1" in outcome.errors[0]
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert pending.source_id == "capped" and len(pending.items) == 2


def test_full_every_withdraws_a_record_removed_upstream_on_the_next_scheduled_run(
    store: StateStore, artifacts: LocalArtifactStore
) -> None:
    cfg = source_config("weekly", full_every="1d", max_reject_share=1.0, withdrawal={"max_share": 0.5})
    ListHarvester.COMPLETE[cfg.id] = True
    ListHarvester.LISTING[cfg.id] = list(EXAMPLES)
    first = run_source(cfg, store, artifacts)
    assert (first.mode, first.status, first.counts.new) == ("full", "success", 5)

    ListHarvester.LISTING[cfg.id] = list(EXAMPLES[:4])  # removed at the source between two scheduled runs
    soon = run_source(cfg, store, artifacts)
    assert (soon.mode, soon.counts.withdrawn) == ("incremental", 0), "within full_every: incremental"

    with store.engine.begin() as conn:  # a day passes
        for run in (first, soon):
            conn.execute(
                update(runs_table)
                .where(runs_table.c.id == run.id)
                .values(started_at=run.started_at - timedelta(days=1, minutes=1))
            )
    scheduled = run_source(cfg, store, artifacts)  # no --full: what the schedule runs

    assert (scheduled.mode, scheduled.status, scheduled.counts.withdrawn) == ("full", "success", 1)
    assert store.get_record(cfg.id, EXAMPLES[4].record_id).status == WITHDRAWN  # type: ignore[union-attr]


def test_incomplete_twice_in_a_row_fails_the_run_and_says_which_rule(
    store: StateStore, artifacts: LocalArtifactStore
) -> None:
    cfg = source_config("flaky", max_reject_share=1.0)
    ListHarvester.LISTING[cfg.id] = list(EXAMPLES)
    ListHarvester.COMPLETE[cfg.id] = False
    once = run_source(cfg, store, artifacts)
    assert (once.status, once.complete) == ("success", False), "one incomplete listing is a warning"
    limited = run_source(cfg, store, artifacts, limit=2)
    assert limited.status == "success", "a --limit run is incomplete on purpose and does not count"
    twice = run_source(cfg, store, artifacts)
    assert twice.status == "failed"
    assert "rule max_incomplete_runs fired: the listing was incomplete 2 runs in a row" in twice.summary()
    ListHarvester.COMPLETE[cfg.id] = True
    assert run_source(cfg, store, artifacts).status == "success"

    strict = source_config("flaky", max_reject_share=0.0, mapper=["iso19139"])  # every record rejected: red
    assert "max_reject_share" in run_source(strict, store, artifacts).summary()
    ListHarvester.COMPLETE[cfg.id] = False
    after = run_source(cfg, store, artifacts)
    assert after.status == "success", "a run red for its rejects still had a complete listing: no streak"


def test_every_record_rejected_is_a_failed_run_with_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = make_home(tmp_path, "http://127.0.0.1:9/api/1", monkeypatch)
    home.write_source("all-bad", mapper=["iso19139"])  # DCAT payloads through the ISO 19139 mapper: all rejected
    ListHarvester.LISTING["all-bad"] = list(EXAMPLES)
    ListHarvester.COMPLETE["all-bad"] = True

    code = main(["run", "all-bad"])

    out = capsys.readouterr().out
    assert code == 1 and "FAILED" in out  # a failed source is bad data (exit-code contract)
    assert "rule max_reject_share fired: 5 of 5 processed records rejected (100% > max_reject_share 20%)" in out
    store = home.store()
    assert store.runs("all-bad")[0].status == "failed"
    store.close()


def test_a_disabled_source_never_runs_in_production(store: StateStore) -> None:
    from luxcat.pipeline import ensure_enabled

    with pytest.raises(ConfigError, match="luxcat sources preview"):
        ensure_enabled(source_config("off", enabled=False), force=True)
