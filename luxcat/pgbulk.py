"""PostgreSQL bulk path of the state store: a listing page is COPYed into a temp table, then applied in set statements.

executemany sends one UPDATE per row (psycopg2 batches them into fewer round trips, but the
server still parses, plans and runs each): ~2 million `last_seen` touches of a no-change run at
2 million datasets. COPY streams the page in one go and each kind of change (new, changed,
unchanged with or without a new payload location) is then one INSERT ... SELECT or UPDATE ... FROM,
inside the page's one transaction. The stored result is the same as luxcat.bulk's executemany path
(tests/kernel/test_pg_bulk.py runs the same pipeline on both and compares the stores).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from luxcat.store import ACTIVE

STAGE = "luxcat_seen_page"
COLUMNS = ("kind", "record_id", "content_hash", "modified", "raw_location")


def _csv_line(values: list[Any]) -> str:
    """One CSV line: None is the unquoted empty field (NULL), every value else is quoted ('' stays a string)."""
    parts = []
    for value in values:
        if value is None:
            parts.append("")
        else:
            parts.append('"' + str(value).replace('"', '""') + '"')
    return ",".join(parts) + "\n"


def copy_page(conn: Connection, source_id: str, rows: Sequence[dict[str, Any]], seen_at: datetime) -> None:
    """Apply one classified page (rows carry `kind`: new, changed, located, unchanged) with COPY + set statements."""
    conn.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (kind text, record_id text, content_hash text, "
            "modified text, raw_location text) ON COMMIT DELETE ROWS"
        )
    )
    body = "".join(_csv_line([row.get(c) for c in COLUMNS]) for row in rows)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", io.StringIO(body))
    finally:
        cursor.close()
    params = {"source": source_id, "seen": seen_at, "active": ACTIVE}
    kinds = {row["kind"] for row in rows}
    if "new" in kinds:
        conn.execute(
            text(
                "INSERT INTO records (source_id, record_id, content_hash, first_seen, last_seen, last_changed, "
                "status, modified, raw_location, publish_ids) "
                f"SELECT :source, record_id, content_hash, :seen, :seen, :seen, :active, modified, raw_location, "
                f"'{{}}' FROM {STAGE} WHERE kind = 'new'"
            ),
            params,
        )
    if "changed" in kinds:
        conn.execute(
            text(
                "UPDATE records r SET content_hash = s.content_hash, raw_location = s.raw_location, "
                "modified = s.modified, status = :active, last_seen = :seen, last_changed = :seen "
                f"FROM {STAGE} s WHERE s.kind = 'changed' AND r.source_id = :source AND r.record_id = s.record_id"
            ),
            params,
        )
    if "located" in kinds:
        conn.execute(
            text(
                "UPDATE records r SET raw_location = s.raw_location, modified = s.modified, last_seen = :seen "
                f"FROM {STAGE} s WHERE s.kind = 'located' AND r.source_id = :source AND r.record_id = s.record_id"
            ),
            params,
        )
    if "unchanged" in kinds:
        conn.execute(
            text(
                "UPDATE records r SET modified = s.modified, last_seen = :seen "
                f"FROM {STAGE} s WHERE s.kind = 'unchanged' AND r.source_id = :source AND r.record_id = s.record_id"
            ),
            params,
        )
