"""Fixtures for the indicators tests: publish.yaml as shipped, exporting into the test's folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from publishers.indicators.run import compute_indicators
from publishers.targets import PublishConfig, load_publish_config
from tests.indicators.corpus import REPO, build


@pytest.fixture
def publish_config(tmp_path: Path) -> PublishConfig:
    """config/publish.yaml with the export in tmp_path/export (in-process export)."""
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"]["export"] = str(tmp_path / "export")
    data["targets"]["catalogue"]["workers"] = 1
    path = tmp_path / "publish.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_publish_config(path)


DAY1 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The catalogue of three real sources, exported, with one indicators computation on day 1."""
    import yaml

    from publishers.targets import load_publish_config

    tmp = tmp_path_factory.mktemp("indicators")
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"].update(export=str(tmp / "export"), workers=1)
    (tmp / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cfg = load_publish_config(tmp / "publish.yaml")
    cat = build(tmp, cfg, DAY1)
    comp = compute_indicators(cat.store, cat.export, cfg.catalogue, cfg.targets.catalogue.base_url,
                              sources=cat.sources, clock=lambda: DAY1)  # fmt: skip
    yield cat, cfg, comp, tmp
    cat.store.close()
