"""Fixtures for publishing tests: a store filled with real records and the catalogue's configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from publishers.targets import PublishConfig, load_publish_config
from tests.publish.corpus import REPO, Loaded, load


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[Loaded]:
    """Two sources of real DCAT records (they share the SEMIC bees dataset) in SQLite + a local folder."""
    data = load(tmp_path / "state")
    yield data
    data.store.close()


@pytest.fixture
def publish_config(tmp_path: Path) -> Callable[..., PublishConfig]:
    """config/publish.yaml as shipped, with the export location and paging overridden per test."""

    def make(export: str | None = None, **catalogue: Any) -> PublishConfig:
        data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
        data["targets"]["catalogue"]["export"] = export or str(tmp_path / "export")
        data["targets"]["catalogue"]["workers"] = 1  # in-process unless a test asks (forking costs per export)
        data["targets"]["catalogue"].update(catalogue)
        merge = data["targets"]["catalogue"].pop("merge", None)
        if merge is not None:
            data["merge"] = merge
        path = tmp_path / "publish.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return load_publish_config(path)

    return make


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Page numbers rendered (every call of PageWriter.write), in order."""
    from publishers.catalogue import export

    seen: list[int] = []
    real = export.PageWriter.write

    def counting(self, n, *args):  # type: ignore[no-untyped-def]
        seen.append(n)
        return real(self, n, *args)

    monkeypatch.setattr(export.PageWriter, "write", counting)
    return seen
