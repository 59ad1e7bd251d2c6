"""The pycsw and udata venvs hold exactly the versions their lock files pin (a fresh machine builds the same)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from luxcat import pycsw_local, udata_local

REPO = Path(__file__).resolve().parents[2]


def _freeze(python: Path) -> set[str]:
    out = subprocess.run([str(python), "-m", "pip", "freeze", "--disable-pip-version-check"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return {line.strip().lower() for line in out.splitlines() if line.strip()}


def _lock(name: str) -> set[str]:
    text = (REPO / name).read_text(encoding="utf-8")
    return {line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize(
    ("ensure", "lock"),
    [(pycsw_local.ensure_venv, "requirements-pycsw.lock"), (udata_local.ensure_venv, "requirements-udata.lock")],
)
def test_server_venv_is_the_locked_one(ensure, lock: str) -> None:  # type: ignore[no-untyped-def]
    assert _freeze(ensure()) == _lock(lock)


def test_a_changed_lock_file_means_the_venv_is_not_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pins are part of what the venv was built for: new pins install again (pip itself not run here)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to("/bin/true")
    lock = tmp_path / "pins.lock"
    lock.write_text("a==1\n")
    calls: list[list[str]] = []
    monkeypatch.setattr(pycsw_local, "_run_logged", lambda cmd, what: calls.append(cmd))
    args = {"marker": ".m", "check": ["-c", "pass"], "what": "test venv", "duration": "no time"}
    pycsw_local.build_venv(venv, ("a",), constraints=lock, **args)
    assert ["-c", str(lock)] == calls[0][-3:-1]
    calls.clear()
    pycsw_local.build_venv(venv, ("a",), constraints=lock, **args)
    assert calls == []  # built for these pins: nothing to do
    lock.write_text("a==2\n")
    pycsw_local.build_venv(venv, ("a",), constraints=lock, **args)
    assert calls and ["-c", str(lock)] == calls[0][-3:-1]  # new pins: installed again
