"""The postgres_url fixture gives a real, writable PostgreSQL database through SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.servers.postgres import PostgresUnavailable, TempPostgres


def test_postgres_url_is_a_working_database(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE fixture_probe (id serial PRIMARY KEY, payload jsonb NOT NULL)"))
            conn.execute(text("INSERT INTO fixture_probe (payload) VALUES (CAST(:p AS jsonb))"), {"p": '{"a": 1}'})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT payload->>'a' FROM fixture_probe")).scalar_one() == "1"
            assert conn.execute(text("SHOW server_version")).scalar_one()
            assert conn.execute(text("SELECT current_database()")).scalar_one() == "luxcat_test"
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE fixture_probe"))
    finally:
        engine.dispose()


def test_missing_binaries_are_a_precise_error() -> None:
    server = TempPostgres(bindir=Path("/nonexistent/bin"))
    with pytest.raises(PostgresUnavailable, match="no initdb, pg_ctl, createdb in /nonexistent/bin"):
        server.start()
    assert not server.root.exists()  # nothing left behind
