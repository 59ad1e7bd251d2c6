"""The real udata 17 application on 127.0.0.1, run from its own venv, for the tests and the udata benchmark.

udata pins its own Flask/mongoengine/celery stack, so it cannot share luxcat's venv: `ensure_venv` builds
`.venv-udata` once (a marker file records the pinned requirements), and `LocalUdata` drives it only as a
subprocess (`luxcat/udata_app.py`) and over HTTP. No MongoDB server is packaged for these machines:
the launcher swaps only mongoengine's client for mongomock; the rest is udata's own code.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from luxcat.pycsw_local import build_venv, stop_process

UDATA_REQUIREMENTS: tuple[str, ...] = ("udata==17.18.0", "mongomock==4.3.0")
REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = Path(__file__).with_name("udata_app.py")
_MARKER = ".luxcat-udata-requirements"


class UdataLocalError(RuntimeError):
    """The local udata could not be built or started."""


def default_venv_path() -> Path:
    """Where the udata venv lives: `$LUXCAT_UDATA_VENV`, else `<repo>/.venv-udata` (git-ignored)."""
    env = os.environ.get("LUXCAT_UDATA_VENV")
    return Path(env).expanduser() if env else REPO_ROOT / ".venv-udata"


def ensure_venv(path: Path | None = None) -> Path:
    """Build (once; the marker records the pinned requirements) the udata venv and return its python."""
    return build_venv(
        (path or default_venv_path()).absolute(),
        UDATA_REQUIREMENTS,
        marker=_MARKER,
        check=["-P", "-c", "import udata.app, mongomock"],
        what="udata venv",
        duration="a few minutes",
        constraints=REPO_ROOT / "requirements-udata.lock",
    )


_RUNNING: set[LocalUdata] = set()


@atexit.register
def _stop_all() -> None:
    """Never leave a udata process behind when the interpreter exits."""
    for server in list(_RUNNING):
        server.stop()


class LocalUdata:
    """One udata server process; `state` holds the seeded organisations and API tokens."""

    def __init__(self, *, python: Path | None = None, startup_timeout: float = 180.0) -> None:
        self.python = python
        self.startup_timeout = startup_timeout
        self.state: dict[str, Any] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="luxcat-udata-"))

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:PORT (the API is under /api/1)."""
        return f"http://127.0.0.1:{self.state['port']}"

    @property
    def api(self) -> str:
        """API v1 base URL, what luxcat's `base_url` option takes."""
        return self.url + "/api/1"

    @property
    def log_path(self) -> Path:
        return self._dir / "udata.log"

    def start(self) -> LocalUdata:
        """Spawn the launcher and wait for its state file (port, ids, tokens)."""
        if self._proc is not None:
            return self
        python = self.python or ensure_venv()
        state_file = self._dir / "state.json"
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                [str(python), "-P", str(LAUNCHER), str(state_file), str(os.getpid())],
                stdout=log, stderr=subprocess.STDOUT, cwd=self._dir,
            )  # fmt: skip
        _RUNNING.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while not state_file.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise UdataLocalError(f"udata did not start:\n{tail}")
            time.sleep(0.2)
        self.state = json.loads(state_file.read_text())
        return self

    def stop(self) -> None:
        """Terminate the server (idempotent)."""
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is not None:
            stop_process(proc)

    def __enter__(self) -> LocalUdata:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- test scaffolding (the launcher's /_luxcat endpoints) --------------------------------------------
    def control(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST to one of the launcher's /_luxcat endpoints (reset, token, revoke, hvd-badges)."""
        request = urllib.request.Request(
            f"{self.url}/_luxcat/{name}", data=json.dumps(body or {}).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as answer:
            return dict(json.loads(answer.read()))
