"""`luxcat publish` / `publish()` / `luxcat serve` wiring: settings, sources, publish.yaml, exit codes."""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from luxcat.errors import ConfigError
from publishers import command
from tests.publish.corpus import REPO, SOURCE_FILES, load


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A luxcat home with the real records stored for two registered sources, and a publish.yaml."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for source_id in SOURCE_FILES:
        (sources / f"{source_id}.yaml").write_text(
            yaml.safe_dump(
                {
                    "id": source_id,
                    "title": {"en": f"Source {source_id}"},
                    "owner": {"name": "Test owner"},
                    "harvester": {"kind": "csw", "options": {"url": "http://127.0.0.1:9/csw"}},
                    "mapper": ["iso19139"],
                    "publish": [{"target": "catalogue"}, {"target": "data.europa.eu"}],
                }
            ),
            encoding="utf-8",
        )
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"]["export"] = str(tmp_path / "export")
    data["targets"]["data.europa.eu"]["hub_url"] = f"http://127.0.0.1:{_free_port()}"
    data["targets"]["data.europa.eu"]["retries"] = 0
    (tmp_path / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load(tmp_path / "var")
    loaded.store.close()
    monkeypatch.setenv("LUXCAT_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("LUXCAT_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'state.db'}")
    monkeypatch.setenv("LUXCAT_ARTIFACTS", str(tmp_path / "var" / "artifacts"))
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(tmp_path / "publish.yaml"))
    monkeypatch.setenv("EDP_API_KEY", "k")
    return tmp_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_publish_arguments(parser)
    return parser.parse_args(list(argv))


def test_publish_function_dry_run_then_apply(home: Path) -> None:
    plans = command.publish(["catalogue"], dry_run=True)
    assert set(plans) == {"catalogue"} and set(plans["catalogue"].totals()) == {"create"}
    assert not (home / "export").exists()
    plans = command.publish(["catalogue"], dry_run=False)
    pointer = json.loads((home / "export" / "index.json").read_text())
    assert pointer["version"] == plans["catalogue"].data["version"] and pointer["datasets"] > 10


def test_target_option_takes_one_or_several() -> None:
    assert _args("--target", "catalogue", "data.europa.eu").targets == ["catalogue", "data.europa.eu"]
    assert _args("--target", "catalogue", "--target", "data.public.lu").targets == ["catalogue", "data.public.lu"]
    assert _args().targets is None


def test_cli_dry_run_prints_the_plan(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert command.run_publish(_args("--target", "catalogue", "--dry-run")) == command.EXIT_OK
    out = capsys.readouterr().out
    assert "create    https://data.exampleMS.gov/id/dataset/1T2p3o4B" in out
    assert out.strip().splitlines()[-1].startswith("catalogue (dry run): ") and " create" in out.splitlines()[-1]
    assert not (home / "export").exists()


def test_cli_exit_codes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert command.run_publish(_args("--target", "nowhere")) == command.EXIT_CONFIG
    # the hub is not listening: the catalogue still publishes, the EDP target fails -> 2
    assert command.run_publish(_args()) == command.EXIT_TARGET
    err = capsys.readouterr().err
    assert "data.europa.eu" in err and (home / "export" / "index.json").exists()
    with pytest.raises(ConfigError, match="no registered source publishes to 'data.public.lu'"):
        command.publish(["data.public.lu"], dry_run=True)
    (home / "publish.yaml").write_text("catalogue: {uri: nope}\n", encoding="utf-8")
    assert command.run_publish(_args("--target", "catalogue")) == command.EXIT_CONFIG
    assert "catalogue.uri" in capsys.readouterr().err


def test_serve_command_serves_the_export(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    command.publish(["catalogue"], dry_run=False)
    parser = argparse.ArgumentParser()
    command.add_serve_arguments(parser)
    port = _free_port()
    args = parser.parse_args(["--port", str(port)])
    from publishers import serve

    servers: list[serve.CatalogueServer] = []
    real_init = serve.CatalogueServer.__init__

    def remember(self: serve.CatalogueServer, *a: object, **k: object) -> None:
        real_init(self, *a, **k)  # type: ignore[arg-type]
        servers.append(self)

    monkeypatch.setattr(serve.CatalogueServer, "__init__", remember)
    try:
        thread = threading.Thread(target=command.run_serve, args=(args,), daemon=True)
        thread.start()
        for _ in range(100):
            if servers:
                break
            time.sleep(0.02)
        response = requests.get(f"http://127.0.0.1:{port}/catalogue", headers={"Accept": "text/turtle"}, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
        identify = requests.get(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=10).text
        assert f"<baseURL>http://127.0.0.1:{port}/oai</baseURL>" in identify  # the address it serves on
    finally:
        for server in servers:
            server.shutdown()
        thread.join(timeout=5)
