"""Fixtures for the indicators tests: publish.yaml as shipped, exporting into the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from publishers.targets import PublishConfig, load_publish_config
from tests.indicators.corpus import REPO


@pytest.fixture
def publish_config(tmp_path: Path) -> PublishConfig:
    """config/publish.yaml with the export in tmp_path/export (in-process export)."""
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"]["export"] = str(tmp_path / "export")
    data["targets"]["catalogue"]["workers"] = 1
    path = tmp_path / "publish.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_publish_config(path)
