"""Fixtures of the hardening tests (issue 17): a luxcat workspace with sources, state and a publish.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LUXCAT_HOME, a sources folder and a publish.yaml exporting into tmp_path/export."""
    sources = tmp_path / "sources"
    sources.mkdir()
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"]["export"] = str(tmp_path / "export")
    data["targets"]["catalogue"]["workers"] = 1
    data["targets"]["data.public.lu"]["throttle"] = 0
    data["targets"]["data.public.lu"]["retries"] = 0
    (tmp_path / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(tmp_path / "publish.yaml"))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)
    return tmp_path
