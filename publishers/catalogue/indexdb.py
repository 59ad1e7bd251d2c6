"""The catalogue's merge index kept on disk (SQLite), so a publish holds memory flat in the number of datasets.

Why: at 2 million records the in-memory index (a Member per record, an Entry per dataset, the
served version's datasets.tsv as a dict) reached 2.5-4.5 GB (bench/bench_scale.py). Here every
record is one row of a temporary SQLite file. Records that may merge (a key another record shares,
or a value a configured equivalence names) are grouped in memory by `merge.group_members`: their
number is that of merging records, not of datasets. Every other record is a dataset alone. Entries
are read back in the catalogue's order or page by page, one at a time; the served version's
dataset list is a table joined to them, never a dict.

The file lives in the temporary folder (TMPDIR) and is removed when the index is garbage collected
or the process exits. Export workers forked from the process open their own connection (`reopen`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE member (
    seq INTEGER PRIMARY KEY, source_id TEXT, record_id TEXT, uri TEXT, location TEXT,
    first_seen TEXT, last_changed TEXT, modified TEXT, rank INTEGER, stamp TEXT, ubucket INTEGER,
    hash TEXT, identifiers TEXT, kind TEXT, fresh INTEGER,
    eid INTEGER, pos INTEGER, skey TEXT, suri TEXT, bucket INTEGER
);
CREATE TABLE ukey (key TEXT, seq INTEGER, value TEXT);
CREATE TABLE named (value TEXT PRIMARY KEY);
CREATE TABLE merges (eid INTEGER PRIMARY KEY, rules TEXT);
CREATE TABLE previous (
    uri TEXT PRIMARY KEY, hash TEXT, datestamp TEXT, file TEXT, offset INTEGER, length INTEGER,
    deleted INTEGER, line TEXT
);
CREATE TABLE tomb (uri TEXT PRIMARY KEY, line TEXT);
CREATE TABLE withdrawn (uri TEXT, source_id TEXT, record_id TEXT, at TEXT);
"""

MEMBER_COLUMNS = (
    "seq, source_id, record_id, uri, location, first_seen, last_changed, modified, rank, hash, identifiers, kind, eid"
)
BATCH = 5000


class IndexDB:
    """One temporary SQLite file: the records indexed for one publish, and the served version's list."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="luxcat-index-", dir=folder))
        self.path = self.folder / "index.sqlite"
        self._pid = os.getpid()
        self.graphs_read = 0  # mapped graphs read (not answered by the scan cache) while indexing
        self.db = self._connect()
        self.db.executescript(SCHEMA)
        self._finalizer = weakref.finalize(self, _remove, str(self.folder), self._pid)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # a scratch file: a crash loses nothing that is not rebuilt by the next publish
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "cache_size=-65536"):
            db.execute(f"PRAGMA {pragma}")
        return db

    def reopen(self) -> None:
        """A connection of this process's own (an export worker forked from the one that built the index)."""
        if os.getpid() != self._pid:
            self.db = self._connect()
            self._pid = os.getpid()

    def close(self) -> None:
        """Drop the file now (else when the index is garbage collected)."""
        self._finalizer()

    def insert(self, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> int:
        """Bulk insert in transactions of BATCH rows; returns the number of rows."""
        marks = ", ".join("?" * len(columns.split(",")))
        sql = f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})"
        count, batch = 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += self._many(sql, batch)
                batch = []
        return count + (self._many(sql, batch) if batch else 0)

    def _many(self, sql: str, rows: list[Sequence[Any]]) -> int:
        self.db.execute("BEGIN")
        self.db.executemany(sql, rows)
        self.db.execute("COMMIT")
        return len(rows)

    def update(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """executemany of an UPDATE in transactions of BATCH rows."""
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._many(sql, batch)
                batch = []
        if batch:
            self._many(sql, batch)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        """Rows of a query fetched a page at a time (a cursor of its own: other queries may run between)."""
        cursor = self.db.cursor()
        cursor.execute(sql, params)
        try:
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            cursor.close()


def _remove(folder: str, pid: int) -> None:
    if os.getpid() == pid:  # a forked worker never removes its parent's index
        shutil.rmtree(folder, ignore_errors=True)


SEP, ESCAPED = "\x1f", "\x1e"


def pack_ids(identifiers: Sequence[str]) -> str:
    """Identifiers as one column: joined by U+001F (JSON after U+001E in the rare case one holds U+001F)."""
    if any(SEP in x or x.startswith(ESCAPED) for x in identifiers):
        return ESCAPED + json.dumps(list(identifiers), ensure_ascii=False)
    return SEP.join(identifiers)


def unpack_ids(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    if text.startswith(ESCAPED):
        return tuple(json.loads(text[1:]))
    return tuple(text.split(SEP))


# the first identifier of a packed column, in SQL (the entry's sort key; the URI when there is none)
FIRST_ID_SQL = (
    "CASE WHEN identifiers IS NULL OR identifiers = '' THEN uri "
    "WHEN substr(identifiers, 1, 1) = char(30) THEN json_extract(substr(identifiers, 2), '$[0]') "
    "ELSE substr(identifiers, 1, instr(identifiers || char(31), char(31)) - 1) END"
)


def uri_bucket(uri: str) -> int:
    """The low 62 bits of the URI's SHA-256 prefix: `partition.bucket` is this modulo a power of two."""
    digest = hashlib.sha256(uri.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 62) - 1)


def stamp_text(value: datetime) -> str:
    """A datetime as the index keeps it (ISO 8601, exact round trip)."""
    return value.isoformat()


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def rules_text(merges: Sequence[tuple[str, str]]) -> str:
    return json.dumps([list(m) for m in merges], ensure_ascii=False)


def rules_of(text: str | None) -> list[tuple[str, str]]:
    return [(rule, value) for rule, value in json.loads(text)] if text else []
