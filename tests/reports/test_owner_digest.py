"""Owner digests received by a real local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from luxcat.artifacts import LocalArtifactStore
from luxcat.pipeline import run_source
from luxcat.reports.digest import digest_after_run, smtp_settings
from luxcat.store import StateStore
from tests.reports.test_run_report import INVENTORY, inventory_config


class Inbox:
    """An aiosmtpd handler keeping every message the server accepts, parsed as a modern EmailMessage."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's Controller needs a fixed port: take a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("LUXCAT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("LUXCAT_SMTP_PORT", str(port))
        monkeypatch.setenv("LUXCAT_SMTP_FROM", "luxcat@data.public.lu")
        monkeypatch.setenv("LUXCAT_REPORTS_URL", "https://luxcat.example.lu/reports/")
        yield inbox
    finally:
        controller.stop()


def owned_source(tmp_path: Path, languages: list[str] | None = None) -> Any:
    sheet = tmp_path / "inventory.csv"
    sheet.write_bytes(INVENTORY.read_bytes())
    cfg = inventory_config(sheet)
    owner = cfg.owner.model_copy(update={"email": "opendata@mt.public.lu"})
    return cfg.model_copy(update={"owner": owner, **({"languages": languages} if languages else {})})


def _body(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_digest_names_the_owners_records_in_their_language_once_a_day(smtp: Inbox, tmp_path: Path) -> None:
    cfg = owned_source(tmp_path)  # languages fr, de, en: the digest is in French
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    run = run_source(cfg, store, artifacts)  # the run sends the digest itself

    [message] = smtp.messages
    assert message["To"] == "opendata@mt.public.lu" and message["From"] == "luxcat@data.public.lu"
    assert message["Subject"].startswith("luxcat : ") and "Inventaire de démonstration" in message["Subject"]
    body = _body(message)
    assert "Constats par règle" in body
    assert "harvest: missing_identifier" in body and "map: invalid_value" in body
    assert "Pistes cyclables [MMTP-003]" in body  # the record by its title, in the source's language
    assert f"https://luxcat.example.lu/reports/runs/demo-inventory/{run.id}/report.html" in body

    second = run_source(cfg, store, artifacts)
    assert len(smtp.messages) == 1, "at most one digest per source and day"
    assert digest_after_run(cfg, store, artifacts, second) == "not-due"


def test_digest_templates_follow_the_first_language(smtp: Inbox, tmp_path: Path) -> None:
    cfg = owned_source(tmp_path, ["de", "fr"])
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    run_source(cfg, store, artifacts)
    [message] = smtp.messages
    body = _body(message)
    assert "Befunde je Regel" in body and "Radwege [MMTP-003]" in body


def test_failed_run_digest_and_no_smtp(smtp: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = owned_source(tmp_path, ["en"])
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    (tmp_path / "inventory.csv").unlink()  # the spreadsheet is gone: the harvest fails
    with pytest.raises(Exception, match="cannot read"):
        run_source(cfg, store, artifacts)
    [run] = store.runs("demo-inventory")
    assert run.status == "failed"
    [message] = smtp.messages
    assert "failed" in message["Subject"] and "cannot read" in _body(message)

    monkeypatch.delenv("LUXCAT_SMTP_HOST")
    monkeypatch.setenv("LUXCAT_SMTP_CONN_ID", "luxcat_test_no_such_connection")
    assert smtp_settings() is None
    other = cfg.model_copy(update={"id": "other-source"})  # no digest sent yet today
    assert digest_after_run(other, store, artifacts, run) == "no-smtp"
