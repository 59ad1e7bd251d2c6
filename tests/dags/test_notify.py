"""LUXCAT_NOTIFY parsing: e-mail and webhook notifiers, anything else refused with a log line."""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")


def test_notifiers_from_env_builds_email_and_webhook(caplog: pytest.LogCaptureFixture) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    from luxcat.airflow.notify import WebhookNotifier, notifiers_from_env

    with caplog.at_level(logging.ERROR, logger="luxcat.airflow.notify"):
        notifiers = notifiers_from_env(" mailto:ops@example.lu, https://hooks.example.lu/x ,, slack:#ops")

    email, hook = notifiers
    assert isinstance(email, SmtpNotifier) and email.to == "ops@example.lu"
    assert isinstance(hook, WebhookNotifier) and hook.url == "https://hooks.example.lu/x"
    assert [r.getMessage() for r in caplog.records] == [
        "LUXCAT_NOTIFY: ignoring 'slack:#ops' (use mailto:address or an http(s) URL)"
    ]
    assert notifiers_from_env("") == []
