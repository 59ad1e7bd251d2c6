"""A removed, renamed, disabled or broken source file never deletes downstream; an approved digest does, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from luxcat import withdrawals
from luxcat.cli import main
from luxcat.store import ACTIVE, WITHDRAWN
from publishers import command
from publishers.targets import PublishError
from tests.safety.home import A_EXAMPLES, B_EXAMPLES, Home, make_home
from tests.udata.real_udata import RealUdata
from tests.udata.records import EXAMPLES
from tests.udata.test_udata_sync import by_uri

B_URIS = sorted(e.dataset for e in B_EXAMPLES)


@pytest.fixture
def home(tmp_path: Path, udata: RealUdata, monkeypatch: pytest.MonkeyPatch) -> Home:
    """Sources a (3 datasets) and b (2 datasets) harvested and published to the catalogue and udata."""
    home = make_home(tmp_path, udata.api, monkeypatch)
    home.write_source("src-a")
    home.write_source("src-b")
    home.harvest("src-a", A_EXAMPLES)
    home.harvest("src-b", B_EXAMPLES)
    plans = home.publish()
    assert all("error" not in p.totals() for p in plans.values())
    assert set(B_URIS) <= home.catalogue_datasets()
    assert all(not d["archived"] for d in udata.live_datasets())
    return home


def _archived(udata: RealUdata) -> list[str]:
    return sorted(uri for uri, found in by_uri(udata).items() if any(d["archived"] for d in found))


def test_removed_file_freezes_the_source_until_its_exact_list_is_approved(
    home: Home, udata: RealUdata, capsys: pytest.CaptureFixture[str]
) -> None:
    (home.sources / "src-b.yaml").unlink()
    before = home.served_files()

    dry = home.publish(dry_run=True)

    assert {a for p in dry.values() for a in p.totals()} == {"unchanged"}, "nothing deleted, nothing archived"
    for plan in dry.values():
        assert any(n.startswith("warning: source src-b is FROZEN, file removed") for n in plan.notes)
        assert plan.render().splitlines()[0].startswith("warning: source src-b is FROZEN")
    store = home.store()
    assert withdrawals.all_withdrawals(store) == [], "a dry run proposes nothing"

    plans = home.publish()

    assert {a for p in plans.values() for a in p.totals()} == {"unchanged"}
    assert home.served_files() == before and set(B_URIS) <= home.catalogue_datasets()
    assert _archived(udata) == []
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert (pending.source_id, pending.reason) == ("src-b", withdrawals.REMOVED)
    assert sorted(pending.dataset_uris) == B_URIS, "exactly the source's datasets"
    assert any(pending.short in n for n in plans["catalogue"].notes), "the summary names the digest"
    assert {r.status for r in store.records("src-b")} == {ACTIVE}

    assert main(["withdrawals", "list"]) == 0
    assert pending.short in capsys.readouterr().out
    assert main(["withdrawals", "show", pending.short]) == 0
    shown = capsys.readouterr().out
    assert all(uri in shown for uri in B_URIS) and EXAMPLES[0].dataset not in shown

    assert main(["withdrawals", "approve", pending.digest]) == 0
    assert {r.status for r in store.records("src-b")} == {WITHDRAWN}
    assert {r.status for r in store.records("src-a")} == {ACTIVE}
    plans = home.publish()

    assert sorted(e.dataset_uri for e in plans["data.public.lu"].entries if e.action == "archive") == B_URIS
    assert _archived(udata) == B_URIS, "exactly its datasets archived on udata"
    listed = home.catalogue_datasets()
    assert not listed & set(B_URIS) and {e.dataset for e in A_EXAMPLES} <= listed
    assert main(["withdrawals", "approve", pending.digest]) == 2, "an approval applies once"
    assert "is approved" in capsys.readouterr().err
    store.close()


def test_renamed_file_with_the_same_id_keeps_its_identity(home: Home, udata: RealUdata) -> None:
    (home.sources / "src-b.yaml").rename(home.sources / "ministry-b-renamed.yaml")
    writes = len(udata.writes())
    before = home.served_files()

    plans = home.publish()

    assert {a for p in plans.values() for a in p.totals()} == {"unchanged"}
    assert not any("FROZEN" in n for p in plans.values() for n in p.notes)
    assert any("differs from its id 'src-b'" in n for n in plans["catalogue"].notes), "the file name is a warning"
    assert home.served_files() == before and len(udata.writes()) == writes
    store = home.store()
    assert withdrawals.all_withdrawals(store) == []
    store.close()


def test_renamed_file_with_a_new_id_freezes_the_old_source(home: Home, udata: RealUdata) -> None:
    (home.sources / "src-b.yaml").unlink()
    home.write_source("src-b2")  # a new source: the old one's datasets must not vanish with its name
    plans = home.publish()
    assert "delete" not in plans["catalogue"].totals() and "archive" not in plans["data.public.lu"].totals()
    assert set(B_URIS) <= home.catalogue_datasets() and _archived(udata) == []
    store = home.store()
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert pending.source_id == "src-b" and sorted(pending.dataset_uris) == B_URIS
    store.close()


def test_stale_digest_is_refused(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    (home.sources / "src-b.yaml").unlink()
    home.publish()
    store = home.store()
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    home.write_source("src-b")  # the source is back before anyone approved

    assert main(["withdrawals", "approve", pending.short]) == 2
    assert "is stale (source src-b is registered and enabled again" in capsys.readouterr().err
    assert {r.status for r in store.records("src-b")} == {ACTIVE}

    assert main(["withdrawals", "approve", "0123456789abcdef"]) == 2
    assert "no withdrawal with digest" in capsys.readouterr().err

    # a list that changed since it was shown: one of its records is no longer active
    home.harvest("src-b", B_EXAMPLES[:1])  # the harvest withdraws 1 of 2 within max_share 0.5
    (home.sources / "src-b.yaml").unlink()
    assert main(["withdrawals", "approve", pending.short]) == 2
    assert "no longer active with the same dataset URI" in capsys.readouterr().err
    store.close()


def test_disabled_source_is_frozen_and_retire_proposes_its_list(
    home: Home, udata: RealUdata, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "retire", "src-b"]) == 2
    assert "the source is enabled" in capsys.readouterr().err
    home.write_source("src-b", enabled=False)
    plans = home.publish()
    assert {a for p in plans.values() for a in p.totals()} == {"unchanged"}
    assert any(n.startswith("warning: source src-b is FROZEN, disabled") for n in plans["catalogue"].notes)
    assert main(["run", "src-b"]) == 2
    assert "sources preview" in capsys.readouterr().err, "a disabled source is tried with a preview"

    assert main(["sources", "retire", "src-b"]) == 0
    out = capsys.readouterr().out
    assert all(uri in out for uri in B_URIS)
    store = home.store()
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert sorted(pending.dataset_uris) == B_URIS  # the same list as the one proposed when it was disabled
    assert main(["withdrawals", "reject", pending.short]) == 0
    assert home.publish()["data.public.lu"].totals() == {"unchanged": 6}
    assert {r.status for r in store.records("src-b")} == {ACTIVE}
    store.close()


def test_broken_file_freezes_only_itself(home: Home, udata: RealUdata) -> None:
    with (home.sources / "src-b.yaml").open("a") as file:
        file.write("base_uri: not a URL\n")  # an invalid URL: the file no longer validates
    home.harvest("src-a", A_EXAMPLES[:2])  # the good source changes: it dropped one dataset (within the guard)
    gone = A_EXAMPLES[2].dataset

    plans = home.publish()

    catalogue = plans["catalogue"]
    assert [e.dataset_uri for e in catalogue.entries if e.action == "delete"] == [gone]
    assert {e.action for e in catalogue.every_entry() if e.dataset_uri in B_URIS} == {"unchanged"}
    udata_changes = [(e.action, e.dataset_uri) for e in plans["data.public.lu"].entries if e.action != "unchanged"]
    assert udata_changes == [("archive", gone)]
    assert _archived(udata) == [gone] and gone not in home.catalogue_datasets()
    assert any(n.startswith("warning: source src-b is FROZEN, file broken") for n in catalogue.notes)
    assert set(B_URIS) <= home.catalogue_datasets(), "the broken source's datasets stay as last published"
    store = home.store()
    assert withdrawals.all_withdrawals(store) == [], "a broken file is fixed, not withdrawn"
    store.close()


def test_removals_beyond_the_cap_per_target_wait_for_a_digest(home: Home, udata: RealUdata) -> None:
    config = home.root / "publish.yaml"
    data = yaml.safe_load(config.read_text())
    config.write_text(yaml.safe_dump({**data, "max_removals_per_run": 1}, allow_unicode=True))
    home.harvest("src-a", A_EXAMPLES[1:])  # each source drops one dataset, within its own guard (max_share 0.5)
    home.harvest("src-b", B_EXAMPLES[1:])
    gone = sorted([A_EXAMPLES[0].dataset, B_EXAMPLES[0].dataset])
    before = home.served_files()

    with pytest.raises(PublishError, match="2 removals on catalogue exceed max_removals_per_run 1"):
        command.publish(["catalogue"], dry_run=False)
    udata_plan = command.publish(["data.public.lu"], dry_run=False)["data.public.lu"]

    assert home.served_files() == before, "the catalogue keeps its served version"
    held = [e for e in udata_plan.entries if e.detail.startswith("held:")]
    assert sorted(e.dataset_uri for e in held) == gone and _archived(udata) == []
    store = home.store()
    [pending] = withdrawals.all_withdrawals(store, withdrawals.PENDING)
    assert (pending.reason, sorted(pending.dataset_uris)) == (withdrawals.TARGET_CAP, gone)

    assert main(["withdrawals", "approve", pending.short]) == 0
    plans = home.publish()

    assert sorted(e.dataset_uri for e in plans["catalogue"].entries if e.action == "delete") == gone
    assert _archived(udata) == gone
    store.close()


def test_a_frozen_source_with_no_stored_configuration_is_never_removed_unapproved(
    home: Home, udata: RealUdata
) -> None:
    """A store from before configurations were kept: the source's file goes, and nothing can publish its records
    again; still none of its datasets leaves the catalogue or udata until a person approves the exact list."""
    from sqlalchemy import delete

    from luxcat.freeze import snapshots_table

    store = home.store()
    with store.engine.begin() as conn:
        conn.execute(delete(snapshots_table).where(snapshots_table.c.source_id == "src-b"))
    (home.sources / "src-b.yaml").unlink()
    before = home.served_files()

    with pytest.raises(PublishError, match=r"2 removal\(s\) on catalogue are datasets of a frozen source"):
        command.publish(["catalogue"], dry_run=False)
    udata_plan = command.publish(["data.public.lu"], dry_run=False)["data.public.lu"]

    assert home.served_files() == before, "the catalogue keeps its served version"
    # udata plans per configured source: with no configuration, luxcat does not touch the source's datasets there
    assert not [e for e in udata_plan.entries if e.dataset_uri in B_URIS] and _archived(udata) == []
    assert len(udata.live_datasets()) == len(A_EXAMPLES) + len(B_EXAMPLES)
    assert {r.status for r in store.records("src-b")} == {ACTIVE}
    [cap] = [w for w in withdrawals.all_withdrawals(store, withdrawals.PENDING) if w.reason == withdrawals.TARGET_CAP]
    assert sorted(cap.dataset_uris) == B_URIS, "exactly the source's datasets"

    assert main(["withdrawals", "approve", cap.short]) == 0
    plans = home.publish()

    assert sorted(e.dataset_uri for e in plans["catalogue"].entries if e.action == "delete") == B_URIS
    listed = home.catalogue_datasets()
    assert not listed & set(B_URIS) and {e.dataset for e in A_EXAMPLES} <= listed
    store.close()
