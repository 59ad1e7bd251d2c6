"""The `luxcat` command end to end against a real local pycsw: summaries, status, exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from luxcat.cli import main
from tests.servers.records import demo_records

SOURCE = """\
id: {id}
title: {{en: CLI test source}}
owner: {{name: test owner}}
enabled: {enabled}
harvester:
  kind: csw
  options: {{url: "{url}", page_size: 10, retries: 0, timeout: 5}}
mapper: [iso19139]
languages: [en]
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)
    return sources


def add_source(folder: Path, source_id: str, url: str, *, enabled: bool = True) -> None:
    text = SOURCE.format(id=source_id, url=url, enabled=str(enabled).lower())
    (folder / f"{source_id}.yaml").write_text(text, encoding="utf-8")


def test_harvest_prints_summary_and_status_shows_it(
    workspace: Path, pycsw_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    add_source(workspace, "cli-csw", pycsw_server.url)
    n = len(demo_records())
    assert main(["harvest", "cli-csw"]) == 0
    out, err = capsys.readouterr()
    assert (
        f"cli-csw: {n} seen, {n} new, 0 changed, 0 unchanged, 0 harvest rejects, 0 map rejects, 0 invalid, "
        "0 duplicates, 0 withdrawn, full run, complete"
    ) in out
    assert re.search(rf"cli-csw: page \d+: {n}/{n} records", err)  # progress on stderr

    assert main(["harvest", "cli-csw", "--full"]) == 0
    assert f"{n} seen, 0 new, 0 changed, {n} unchanged" in capsys.readouterr().out

    assert main(["status"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "full" in lines[0] and f"{n} unchanged" in lines[0]
    assert main(["status", "cli-csw"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_limit_is_partial_but_not_an_error(
    workspace: Path, pycsw_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    add_source(workspace, "cli-limit", pycsw_server.url)
    assert main(["harvest", "cli-limit", "--limit", "3"]) == 0
    assert "cli-limit: 3 seen, 3 new" in capsys.readouterr().out


def test_dead_source_exits_1_and_names_source(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_source(workspace, "cli-dead", "http://127.0.0.1:9/csw")
    assert main(["harvest", "cli-dead"]) == 1
    err = capsys.readouterr().err
    assert "cli-dead: CSW http://127.0.0.1:9/csw page 1 (startPosition=1): connection failed" in err
    assert main(["status"]) == 0
    assert "FAILED" in capsys.readouterr().out


def test_config_errors_exit_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["harvest", "missing-source"]) == 2
    assert "unknown source 'missing-source'" in capsys.readouterr().err
    add_source(workspace, "cli-off", "http://127.0.0.1:9/csw", enabled=False)
    assert main(["harvest", "cli-off"]) == 2
    assert "source is disabled" in capsys.readouterr().err
    (workspace / "cli-bad.yaml").write_text("id: cli-bad\ntitle: x\n", encoding="utf-8")
    assert main(["harvest", "cli-bad"]) == 2
    assert "cli-bad.yaml: owner: Field required" in capsys.readouterr().err


def test_run_all_without_enabled_sources_is_a_user_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--all"]) == 2
    assert "nothing to run" in capsys.readouterr().err
