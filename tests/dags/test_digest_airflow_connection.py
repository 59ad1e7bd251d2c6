"""The owner digest over SMTP settings from an Airflow connection (no LUXCAT_SMTP_HOST), to a real aiosmtpd."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from aiosmtpd.controller import Controller

from luxcat.artifacts import LocalArtifactStore
from luxcat.pipeline import run_source
from luxcat.reports.digest import smtp_settings
from luxcat.store import StateStore
from tests.reports.test_owner_digest import Inbox, owned_source


def test_digest_uses_the_airflow_smtp_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for name in ("LUXCAT_SMTP_HOST", "LUXCAT_SMTP_PORT", "LUXCAT_SMTP_FROM"):
            monkeypatch.delenv(name, raising=False)
        extra = {"from_email": "luxcat@data.public.lu", "disable_tls": True, "disable_ssl": True}
        connection = {"conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": extra}
        monkeypatch.setenv("AIRFLOW_CONN_LUXCAT_DIGEST_SMTP", json.dumps(connection))
        monkeypatch.setenv("LUXCAT_SMTP_CONN_ID", "luxcat_digest_smtp")
        settings = smtp_settings()
        assert settings is not None and (settings.host, settings.port) == ("127.0.0.1", port)
        cfg = owned_source(tmp_path, ["en"])
        run_source(cfg, StateStore(f"sqlite:///{tmp_path / 'state.db'}"), LocalArtifactStore(tmp_path / "a"))
    finally:
        controller.stop()
    [message] = inbox.messages
    assert message["From"] == "luxcat@data.public.lu" and message["To"] == "opendata@mt.public.lu"
    assert "Cycle paths [MMTP-003]" in str(message.get_body(preferencelist=("plain",)).get_content())
