"""F17: disk full, a read-only artifact folder and a locked state database end a run with one line and exit 2.

Each case runs the real `luxcat run` in a child process against a real fault: a tiny or read-only
tmpfs mounted for the test when the machine allows it (root with mount rights), otherwise the
unprivileged equivalents (RLIMIT_FSIZE for a full disk, chmod for read-only); a real SQLite
exclusive lock held by the test for the locked database.
"""

from __future__ import annotations

import os
import re
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from luxcat.store import StateStore

REPO = Path(__file__).resolve().parents[2]


def write_source(workspace: Path) -> None:
    (workspace / "sources" / "envfail.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "envfail",
                "title": {"en": "environment failures"},
                "owner": {"name": "test"},
                "harvester": {"kind": "tests.hardening.plugins:ListHarvesterFive", "options": {"name": "envfail"}},
                "mapper": ["dcat"],
                "max_reject_share": 1.0,  # its records are partly rejected: not what this test is about
            }
        ),
        encoding="utf-8",
    )


def luxcat(
    workspace: Path, *args: str, preexec: Callable[[], None] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "LUXCAT_SOURCES": str(workspace / "sources"),
        "LUXCAT_HOME": str(workspace / "home"),
        **env,
    }
    environ.pop("LUXCAT_DATABASE_URL", None) if "LUXCAT_DATABASE_URL" not in env else None
    environ.pop("LUXCAT_ARTIFACTS", None) if "LUXCAT_ARTIFACTS" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "luxcat.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=REPO,
        preexec_fn=preexec,
        timeout=300,
        check=False,
    )


def can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["mount", "--version"], capture_output=True).returncode == 0


@contextmanager
def tmpfs(path: Path, options: str) -> Iterator[bool]:
    """Mount a tmpfs with `options` at path; yields False (nothing mounted) when the machine refuses."""
    path.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)]
    mounted = can_mount() and subprocess.run(command, capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(path)], check=True)


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    assert any(n in lines[0] for n in needles), lines[0]


def test_disk_full_for_artifacts_is_one_line_and_exit_2(workspace: Path) -> None:
    write_source(workspace)
    artifacts = workspace / "full-disk"
    with tmpfs(artifacts, "size=12k") as mounted:
        if mounted:
            result = luxcat(workspace, "run", "envfail", LUXCAT_ARTIFACTS=str(artifacts))
            assert_one_line_exit_2(result, "disk full")
        else:  # unprivileged: a file size limit makes the same writes fail
            limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))  # noqa: E731
            result = luxcat(workspace, "run", "envfail", LUXCAT_ARTIFACTS=str(artifacts), preexec=limit)
            assert_one_line_exit_2(result, "file size limit", "disk full")


def test_read_only_artifact_folder_is_one_line_and_exit_2(workspace: Path) -> None:
    write_source(workspace)
    artifacts = workspace / "read-only"
    with tmpfs(artifacts, "ro,size=1m") as mounted:
        if not mounted:
            artifacts.chmod(0o555)
        result = luxcat(workspace, "run", "envfail", LUXCAT_ARTIFACTS=str(artifacts))
        assert_one_line_exit_2(result, "read-only file system", "permission denied")
        if not mounted:
            artifacts.chmod(0o755)
    store = StateStore(f"sqlite:///{workspace / 'home' / 'luxcat.db'}")
    run = store.runs("envfail", limit=1)[0]
    assert run.status == "failed" and run.ended_at is not None  # recorded, not left running


def test_locked_state_database_is_one_line_and_exit_2(workspace: Path) -> None:
    write_source(workspace)
    assert luxcat(workspace, "status").returncode == 0  # creates the database
    holder = sqlite3.connect(workspace / "home" / "luxcat.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = luxcat(workspace, "run", "envfail", LUXCAT_SQLITE_LOCK_TIMEOUT="1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_exit_2(result, "locked")
    recovered = luxcat(workspace, "run", "envfail")  # and it recovers once the lock is gone
    invalid = re.search(r" (\d+) invalid, ", recovered.stdout)
    assert recovered.returncode == 1 and invalid and int(invalid.group(1)) > 0  # it ran; 1: invalid test records
