"""Airflow test set-up: a temporary AIRFLOW_HOME (SQLite) for the session, source folders, a real Redis.

AIRFLOW_HOME must be set before anything imports Airflow, so it is set when this file is imported
(pytest imports it before collecting the DAG tests); the metadata database is migrated once per
session, and only for the tests that run DAGs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.dags.airflow_env import AIRFLOW_ENV, AIRFLOW_HOME  # noqa: E402  (sets AIRFLOW_HOME first)


@pytest.fixture
def sources_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty sources folder that LUXCAT_SOURCES points at, with LUXCAT_HOME in the test's tmp dir."""
    folder = tmp_path / "sources"
    folder.mkdir()
    monkeypatch.setenv("LUXCAT_SOURCES", str(folder))
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "var"))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)
    monkeypatch.delenv("LUXCAT_NOTIFY", raising=False)
    return folder


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """`airflow db migrate` once per session into the temporary AIRFLOW_HOME (SQLite); returns the home."""
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env={**os.environ, **AIRFLOW_ENV},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return AIRFLOW_HOME


@pytest.fixture(scope="session")
def create_pools(airflow_db: Path) -> Callable[[dict[str, str]], None]:
    """Create Airflow pools the way the set-up command does (luxcat.airflow.setup.ensure_pools)."""
    from luxcat.airflow.setup import ensure_pools

    return ensure_pools


class RedisServer:
    """A redis-server on a free 127.0.0.1 port with no persistence, stopped and deleted at the end."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="luxcat-redis-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        log = (self.root / "redis.log").open("wb")
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*args, "--dir", str(self.root)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.root / 'redis.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer PING within 15 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a throwaway real Redis (Debian package `redis-server`); skips with the reason when absent."""
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    if binary is None:
        pytest.skip("Redis unavailable: no redis-server binary on PATH (run scripts/install-system-deps.sh as root)")
    server = RedisServer(binary)
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        pytest.skip(f"Redis unavailable: {exc}")
    try:
        yield server.url
    finally:
        server.stop()
