"""Local servers stay on 127.0.0.1 and never fight over a port: the demo pycsw probe and the local Airflow settings."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from luxcat.demo_pycsw import FREE, OTHER, demo_pycsw, probe
from luxcat.errors import ConfigError


class _NotPycsw(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<html><body>some other program</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def other_program() -> Iterator[int]:
    """An HTTP server that is not a luxcat demo pycsw, on a port of its own."""
    server = HTTPServer(("127.0.0.1", 0), _NotPycsw)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_probe_tells_free_ours_and_other(other_program: int) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = int(sock.getsockname()[1])
    assert probe(free) == FREE
    assert probe(other_program) == OTHER  # answers HTTP, but not as the luxcat demo pycsw


def test_local_airflow_refuses_a_foreign_port_with_one_line(other_program: int, tmp_path: Path) -> None:
    """The local Airflow's DAGs read demo-csw.yaml's URL: it cannot move, so it says what holds the port."""
    said: list[str] = []
    with pytest.raises(ConfigError) as caught:
        with demo_pycsw(tmp_path / "pycsw", [], port=other_program, say=said.append, other_port_ok=False):
            pytest.fail("no pycsw may start on a taken port")
    message = str(caught.value)
    assert "\n" not in message
    assert f"127.0.0.1:{other_program} is used by another program" in message and "--no-pycsw" in message
    assert said == [] and not (tmp_path / "pycsw").exists()


def test_local_airflow_listens_on_loopback_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from luxcat.airflow.local import airflow_env

    monkeypatch.delenv("AIRFLOW__API__HOST", raising=False)
    env = airflow_env(tmp_path, 8089)
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"  # Airflow's own default is 0.0.0.0
    assert env["AIRFLOW__API__PORT"] == "8089"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8089/execution/"
