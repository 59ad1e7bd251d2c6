"""The PostgreSQL bulk path (COPY + set statements, one hash query per listing page) stores what SQLite's does.

The same inventory (real rows of config/demo/inventory/mmtp-inventaire.csv, cycled with new ids)
runs first, with no change, with changed rows and with a row gone, once on SQLite and once on a
real PostgreSQL; after each run both stores must hold the same records (timestamps compared by
their order, locations relative to each artifact folder) and the runs the same counts.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, select

from harvesters.base import Harvester, HarvesterOptions
from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import Pipeline, run_source
from luxcat.records import RawRecord, Rejection
from luxcat.store import StateStore, records_table

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "config/demo/inventory/mmtp-inventaire.csv"
SOURCE = ROOT / "config/sources/demo-inventory.yaml"
TIMES = ("first_seen", "last_seen", "last_changed")


def write_inventory(path: Path, numbers: list[int], changed: frozenset[int] = frozenset()) -> None:
    """The real rows cycled: row n gets id suffix n and title number n; `changed` rows get a new title."""
    text = INVENTORY.read_bytes().decode("cp1252")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if any(r)]
    header, real = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for n in numbers:
        row = list(real[n % len(real)])
        if row[col["Identifiant"]]:
            row[col["Identifiant"]] += f"-{n:04d}"
        if row[col["Titre (FR)"]]:
            row[col["Titre (FR)"]] += f" ({n}{' révisé' if n in changed else ''})"
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode("cp1252"))


def source(csv_path: Path, source_id: str) -> SourceConfig:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    data["id"] = source_id
    data["harvester"]["options"]["location"] = str(csv_path)
    data["withdrawal"] = {"max_share": 0.5, "max_count": 10}
    return SourceConfig.model_validate(data)


def snapshot(store: StateStore, source_id: str, artifacts: Path) -> list[dict[str, Any]]:
    """Every record of the source, comparable across databases and folders."""
    with store.engine.connect() as conn:
        query = select(records_table).where(records_table.c.source_id == source_id)
        rows = [dict(r) for r in conn.execute(query).mappings()]
    stamps = sorted({r[t].replace(tzinfo=None) for r in rows for t in TIMES})
    base = artifacts.as_posix()
    out = []
    for row in sorted(rows, key=lambda r: r["record_id"]):
        for t in TIMES:
            row[t] = stamps.index(row[t].replace(tzinfo=None))  # the order of events, not the clock
        for key in ("raw_location", "mapped_location"):
            row[key] = row[key] and row[key].replace(base, "<artifacts>")
        row["rejected_reason"] = row["rejected_reason"] and re.sub(r"/\S+\.csv", "<csv>", row["rejected_reason"])
        row.pop("source_id")
        out.append(row)
    return out


def scenario(url: str, tmp: Path, source_id: str) -> list[tuple[dict[str, int], list[dict[str, Any]], int]]:
    """First, no-change, changed and one-gone runs; after each: counts, snapshot, statements on records."""
    tmp.mkdir(parents=True, exist_ok=True)
    store = StateStore(url)
    artifacts = tmp / "artifacts"
    csv_path = tmp.parent / "inventory.csv"  # the same file for both databases: its path is in the payload
    cfg = source(csv_path, source_id)
    statements = {"n": 0}

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\brecords\b|COPY", statement):
            statements["n"] += 1

    event.listen(store.engine, "before_cursor_execute", count)
    steps = [
        (list(range(30)), frozenset()),  # first run
        (list(range(30)), frozenset()),  # nothing changed
        (list(range(30)), frozenset({0, 8, 15})),  # three rows edited
        ([n for n in range(30) if n != 1], frozenset({0, 8, 15})),  # row 1 gone: withdrawn
    ]
    results = []
    for numbers, changed in steps:
        write_inventory(csv_path, numbers, changed)
        statements["n"] = 0
        run = run_source(cfg, store, LocalArtifactStore(artifacts), full=True)
        results.append((run.counts.as_dict(), snapshot(store, source_id, artifacts), statements["n"]))
    store.close()
    return results


def test_postgres_bulk_path_stores_what_sqlite_stores(postgres_url: str, tmp_path: Path) -> None:
    source_id = f"bulk-{uuid.uuid4().hex[:8]}"
    on_sqlite = scenario(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "sqlite", source_id)
    on_postgres = scenario(postgres_url, tmp_path / "postgres", source_id)
    labels = ("first", "no-change", "changed", "withdrawn")
    for label, (lite_counts, lite, _), (pg_counts, pg, _) in zip(labels, on_sqlite, on_postgres, strict=True):
        assert pg_counts == lite_counts, label
        assert pg == lite, label
    first, unchanged, changed, gone = (counts for counts, _s, _n in on_postgres)
    stored = len(on_postgres[0][1])
    assert first["new"] == stored > 20 and unchanged["unchanged"] == stored
    assert changed["changed"] == 3 and gone["withdrawn"] == 1
    withdrawn = [r for r in on_postgres[3][1] if r["status"] == "withdrawn"]
    assert [r["record_id"] for r in withdrawn] == ["MMTP-002-0001"]
    # the listing is compared and written per page, not per record, on both databases
    assert on_postgres[1][2] <= 12 and on_sqlite[1][2] <= 12


def test_a_listing_page_is_one_copy_and_one_hash_query_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    """A no-change run of 1,200 rows (two pages): per page one hash query and one COPY, whatever its size."""
    source_id = f"bulk-{uuid.uuid4().hex[:8]}"
    store = StateStore(postgres_url)
    csv_path = tmp_path / "inventory.csv"
    cfg = source(csv_path, source_id)
    write_inventory(csv_path, [n for n in range(1400) if n % 7 != 4])  # no row without an id: 1,200 records
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    first = run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    assert first.counts.new == 1200
    copies: list[str] = []
    selects: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT RECORDS.RECORD_ID, RECORDS.CONTENT_HASH"):
            selects.append(statement)
        if "luxcat_seen_page" in statement and statement.lstrip().startswith("UPDATE"):
            copies.append(statement)  # the COPY itself runs on the DBAPI cursor, below SQLAlchemy

    event.listen(store.engine, "before_cursor_execute", seen)
    again = run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    assert again.counts.unchanged == 1200
    assert len(selects) == 2  # one hash query per page of 1,000
    assert len(copies) == 2  # one set UPDATE per page for the unchanged rows (after its COPY)
    with store.engine.connect() as conn:
        query = select(records_table.c.last_seen).where(records_table.c.source_id == source_id)
        stamps = {r[0] for r in conn.execute(query)}
    assert len(stamps) == 1  # every listed record touched by the second run
    store.close()


class ListingHarvester(Harvester):
    """A source whose listing is given in the test: records by id, and ids the source lists but cannot parse."""

    Options = HarvesterOptions
    listing: tuple[list[str], list[str]] = ([], [])

    def harvest(self, *, since: Any = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        ids, broken = self.listing
        for rid in ids:
            yield RawRecord(self.source_id, rid, f'{{"id": "{rid}"}}'.encode(), "application/json", f"test:{rid}")
        for rid in broken:
            yield Rejection(self.source_id, rid, "harvest", "unparseable", f"{rid}: cannot parse")


def test_withdrawal_is_what_the_listing_did_not_touch_never_a_broken_record(
    postgres_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """Withdrawal candidates come from last_seen in SQL: a record listed but unparseable stays, one gone goes."""
    monkeypatch.setattr(Pipeline, "make_harvester", lambda self: ListingHarvester(self.cfg.id, HarvesterOptions()))
    for url in (f"sqlite:///{tmp_path / 'state.db'}", postgres_url):
        source_id = f"list-{uuid.uuid4().hex[:8]}"
        store = StateStore(url)
        pipeline = Pipeline(source(tmp_path / "unused.csv", source_id), store, LocalArtifactStore(tmp_path / "a"))
        ids = [f"r{n:02d}" for n in range(20)]
        ListingHarvester.listing = (ids, [])
        first = pipeline.harvest(store.start_run(source_id, "full"), full=True)
        assert first.counts.new == 20
        ListingHarvester.listing = (ids[2:], ["r00"])  # r00 listed but broken, r01 gone
        second = pipeline.harvest(store.start_run(source_id, "full"), full=True)
        assert second.counts.withdrawn == 1, url
        assert {r.record_id for r in store.records(source_id, status="withdrawn")} == {"r01"}, url
        ListingHarvester.listing = (ids[:8], [])  # r01 back; r08-r19 gone: 12 of the 19 active, beyond the guard
        third = pipeline.harvest(store.start_run(source_id, "full"), full=True)
        assert third.counts.withdrawn == 0 and third.extra["withdrawal_blocked"] == 12, url
        assert "12 of 19 records" in third.errors[0], url  # the guard's share counts the active records before
        assert store.count(source_id) == 20, url  # r01 came back (listed again), nothing withdrawn
        store.close()
