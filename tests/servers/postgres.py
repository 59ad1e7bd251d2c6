"""A throwaway PostgreSQL server (initdb + pg_ctl) on 127.0.0.1, so the state store is tested on the real thing.

The Debian/Ubuntu `postgresql` package puts its binaries in /usr/lib/postgresql/<major>/bin (not on PATH).
PostgreSQL refuses to run as root; as root we run it as the `postgres` system user that package creates,
in a /tmp directory that user owns (pytest's own tmp dirs are 0700 root, which it could not enter).
Authentication is `trust` over 127.0.0.1 only, the cluster is deleted on stop.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "luxcat"
DATABASE = "luxcat_test"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or the server would not start; the message says which and why."""


def find_bindir() -> Path:
    """The newest PostgreSQL bin dir ($LUXCAT_PG_BINDIR, /usr/lib/postgresql/*/bin, or PATH)."""
    forced = os.environ.get("LUXCAT_PG_BINDIR")
    if forced:  # authoritative when set, so a wrong value is reported rather than silently replaced
        return Path(forced)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major, reverse=True)
    which = shutil.which("pg_ctl")
    candidates.append(str(Path(which).resolve().parent) if which else "")
    for cand in filter(None, candidates):
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl) in $LUXCAT_PG_BINDIR, /usr/lib/postgresql/*/bin or "
        "PATH; run scripts/install-system-deps.sh as root"
    )


def _major(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def free_port() -> int:
    """A port free right now on 127.0.0.1 (pg_ctl cannot be told to pick one itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TempPostgres:
    """initdb into a temp dir, start on a free 127.0.0.1 port, create one database, delete it all on stop."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.run_as = _run_as_user()
        self.root = Path(tempfile.mkdtemp(prefix="luxcat-pg-"))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = 0
        self._started = False

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the test database."""
        return f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> TempPostgres:
        """Create the cluster and database; raise PostgresUnavailable with the server log on failure."""
        try:
            return self._start()
        except PostgresUnavailable:
            self.stop()
            raise

    def _start(self) -> TempPostgres:
        missing = [tool for tool in ("initdb", "pg_ctl", "createdb") if not (self.bindir / tool).exists()]
        if missing:
            raise PostgresUnavailable(f"no {', '.join(missing)} in {self.bindir}")
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._pg("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        last_error = ""
        for _attempt in range(3):  # the free port can be taken between free_port() and the bind
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._pg(
                    "pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-o", options, "-w", "-t", "30", "start"
                )
            except PostgresUnavailable as exc:
                last_error = str(exc)
                continue
            self._started = True
            break
        else:
            raise PostgresUnavailable(last_error)
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, DATABASE)
        return self

    def stop(self) -> None:
        """Stop the server (immediate mode: the data is thrown away anyway) and delete the cluster."""
        if self._started:
            self._started = False
            try:
                self._pg("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            except PostgresUnavailable:
                pass  # already gone; the rmtree below still runs
        self.cleanup()

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg(self, tool: str, *args: str) -> str:
        """Run a PostgreSQL tool, as the `postgres` user when we are root."""
        cmd = [str(self.bindir / tool), *args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, cwd=self.root)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{tool} could not run: {exc}") from exc
        if proc.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise PostgresUnavailable(
                f"{tool} failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-1500:]}"
                + (f"\nserver log:\n{log}" if log else "")
            )
        return proc.stdout


def _run_as_user() -> str | None:
    """`postgres` when we are root (PostgreSQL refuses root), else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresUnavailable(
            "running as root and there is no `postgres` system user to run PostgreSQL as "
            "(the Debian `postgresql` package creates it)"
        ) from exc
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root and `runuser` is missing, so PostgreSQL cannot drop root")
    return "postgres"
