"""Schema migrations of the state store: columns added after a database was created.

`metadata.create_all` creates missing tables but never alters existing ones, so a state database
created by an older luxcat lacks the newer columns. Each is added here with `ALTER TABLE ... ADD
COLUMN` (nullable, no default: valid on SQLite and PostgreSQL, instant on both). A NULL in a new
column means "not known", which the code reading it treats as "do it again" (e.g. a record with
no `mapped_fingerprint` is mapped again once).
"""

from __future__ import annotations

import logging

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# table -> [(column, SQL type)], in the order they were introduced
ADDED_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "records": [
        ("mapped_hash", "VARCHAR(64)"),
        ("mapped_fingerprint", "VARCHAR(64)"),
        ("rejected_hash", "VARCHAR(64)"),
        ("rejected_fingerprint", "VARCHAR(64)"),
        ("rejected_reason", "TEXT"),
    ],
}

# indexes added after tables were created: (name, table, column); CREATE INDEX IF NOT EXISTS on both databases
ADDED_INDEXES: list[tuple[str, str, str]] = [
    ("ix_records_dataset_uri", "records", "dataset_uri"),  # "is this dataset in the catalogue?" per served link
]


def migrate(engine: Engine) -> list[str]:
    """Add every missing column; returns `table.column` for each one added (two processes may race)."""
    added = []
    inspector = inspect(engine)
    for table, columns in ADDED_COLUMNS.items():
        if not inspector.has_table(table):
            continue
        present = {c["name"] for c in inspector.get_columns(table)}
        for name, sql_type in columns:
            if name in present:
                continue
            try:
                with engine.begin() as conn:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))
            except DBAPIError:
                # another process added it first: fine if it is there now
                if name not in {c["name"] for c in inspect(engine).get_columns(table)}:
                    raise
                continue
            log.info("state store: added column %s.%s", table, name)
            added.append(f"{table}.{name}")
    for name, table, column in ADDED_INDEXES:
        if inspector.has_table(table) and name not in {i["name"] for i in inspector.get_indexes(table)}:
            with engine.begin() as conn:
                conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})"))
            added.append(name)
    return added
