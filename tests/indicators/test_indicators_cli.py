"""`luxcat indicators [--format csv|json]`: the day's figures from the settings and config files, as people run it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from luxcat.cli import main
from tests.indicators.corpus import REPO, build


def test_luxcat_indicators_prints_csv_and_json(tmp_path: Path, publish_config, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    cat = build(tmp_path, publish_config, datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    cat.store.close()
    sources = tmp_path / "sources"
    sources.mkdir()
    for cfg in cat.sources:  # the three sources as YAML files, as an operator keeps them
        (sources / f"{cfg.id}.yaml").write_text(
            yaml.safe_dump(cfg.model_dump(mode="json", exclude_none=True), allow_unicode=True), encoding="utf-8"
        )
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LUXCAT_DATABASE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(tmp_path / "publish.yaml"))
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))

    assert main(["indicators", "--format", "json"]) == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)
    assert "indicators " in out.err and "datasets" in out.err  # the one-line summary
    nation = {r["indicator"]: r["value"] for r in rows if r["scope"] == "nation"}
    assert nation["datasets.total"] == 19 and nation["inventory.rows"] == 7

    assert main(["indicators"]) == 0  # csv by default; a second run the same day replaces that day
    text = capsys.readouterr().out
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    assert {(r["scope"], r["scope_id"], r["indicator"]) for r in parsed} == {
        (r["scope"], r["scope_id"], r["indicator"]) for r in rows
    }
    assert (tmp_path / "export" / "indicators" / "indicators.csv").is_file()


def test_luxcat_indicators_before_any_catalogue(tmp_path: Path, publish_config, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(tmp_path / "publish.yaml"))
    monkeypatch.setenv("LUXCAT_SOURCES", str(REPO / "config" / "sources"))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    assert main(["indicators"]) == 2
    assert "no catalogue published yet" in capsys.readouterr().err


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
