"""Owner digests: the body behind a source hears about its own records' problems, once a day at most.

After a run with findings, or a failed run, the source's `owner.email` gets a short e-mail in the
source's first language (fr, de or en; English otherwise): counts per rule, the records with the
most findings by title, and the link to the full report. A marker in the artifact store
(`digests/<source>/<UTC date>.json`) keeps it to one message per source and day, whichever worker
sends it. SMTP comes from LUXCAT_SMTP_* variables, else from Airflow's connection (`smtp_default`,
or LUXCAT_SMTP_CONN_ID); with neither, nothing is sent and the log says so. The password is never
logged.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from luxcat.artifacts import ArtifactStore
from luxcat.config import SourceConfig
from luxcat.records import utcnow

log = logging.getLogger(__name__)

TOP_RULES = 10
TOP_RECORDS = 10
TEMPLATES: dict[str, dict[str, str]] = {
    "fr": {
        "subject": "luxcat : {findings} constat(s) sur vos données « {title} »",
        "subject_failed": "luxcat : la moisson de « {title} » a échoué",
        "intro": "Bonjour,\n\nvoici le résumé de la dernière moisson de la source « {title} » ({source}), run {run}.",
        "failed": "La moisson a échoué : {error}",
        "rules": "Constats par règle :",
        "records": "Fiches les plus concernées :",
        "no_title": "(sans titre)",
        "link": "Rapport complet : {url}",
        "outro": "Ce message est envoyé au plus une fois par jour et par source.\n-- luxcat",
    },
    "de": {
        "subject": "luxcat: {findings} Befund(e) zu Ihren Daten „{title}“",
        "subject_failed": "luxcat: Harvesting von „{title}“ fehlgeschlagen",
        "intro": "Guten Tag,\n\nhier die Zusammenfassung des letzten Harvestings der Quelle „{title}“ ({source}), "
        "Lauf {run}.",
        "failed": "Das Harvesting ist fehlgeschlagen: {error}",
        "rules": "Befunde je Regel:",
        "records": "Am stärksten betroffene Datensätze:",
        "no_title": "(ohne Titel)",
        "link": "Vollständiger Bericht: {url}",
        "outro": "Diese Nachricht wird höchstens einmal pro Tag und Quelle versandt.\n-- luxcat",
    },
    "en": {
        "subject": 'luxcat: {findings} finding(s) on your data "{title}"',
        "subject_failed": 'luxcat: the harvest of "{title}" failed',
        "intro": 'Hello,\n\nhere is the summary of the last harvest of the source "{title}" ({source}), run {run}.',
        "failed": "The harvest failed: {error}",
        "rules": "Findings per rule:",
        "records": "Records with the most findings:",
        "no_title": "(no title)",
        "link": "Full report: {url}",
        "outro": "This message is sent at most once a day per source.\n-- luxcat",
    },
}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send (the password stays out of repr and logs)."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "luxcat@localhost"
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, sender={self.sender!r})"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _airflow_settings(conn_id: str) -> SmtpSettings | None:
    """Airflow's SMTP connection (host, port, login, password; extra: from_email, disable_tls, disable_ssl)."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # not defined (AirflowNotFoundException) or no Airflow context: no SMTP from Airflow
        return None
    extra = conn.extra_dejson or {}
    return SmtpSettings(
        host=conn.host or "localhost",
        port=int(conn.port or 25),
        user=conn.login or None,
        password=conn.password or None,
        sender=str(extra.get("from_email") or os.environ.get("LUXCAT_SMTP_FROM") or "luxcat@localhost"),
        starttls=not _flag(str(extra.get("disable_tls", "true"))),
        ssl=not _flag(str(extra.get("disable_ssl", "true"))),
    )


def smtp_settings() -> SmtpSettings | None:
    """LUXCAT_SMTP_HOST/_PORT/_USER/_PASSWORD/_FROM/_STARTTLS/_SSL, else Airflow's SMTP connection."""
    host = os.environ.get("LUXCAT_SMTP_HOST")
    if host:
        return SmtpSettings(
            host=host,
            port=int(os.environ.get("LUXCAT_SMTP_PORT", "25")),
            user=os.environ.get("LUXCAT_SMTP_USER") or None,
            password=os.environ.get("LUXCAT_SMTP_PASSWORD") or None,
            sender=os.environ.get("LUXCAT_SMTP_FROM", "luxcat@localhost"),
            starttls=_flag(os.environ.get("LUXCAT_SMTP_STARTTLS")),
            ssl=_flag(os.environ.get("LUXCAT_SMTP_SSL")),
        )
    return _airflow_settings(os.environ.get("LUXCAT_SMTP_CONN_ID", "smtp_default"))


def digest_language(cfg: SourceConfig) -> str:
    """The source's first language that has a template, else English."""
    return next((lang for lang in cfg.languages if lang in TEMPLATES), "en")


def _top_records(document: dict[str, Any], lang: str, no_title: str) -> list[str]:
    counts = Counter(e["record_id"] for e in document["entries"])
    lines = []
    for record_id, n in counts.most_common(TOP_RECORDS):
        record = document["records"].get(record_id, {})
        rules = sorted({e["rule"] for e in document["entries"] if e["record_id"] == record_id})
        title = (record.get("titles") or {}).get(lang) or record.get("title") or no_title
        lines.append(f"- {title} [{record_id}]: {n} ({', '.join(rules)})")
    return lines


def build_digest(
    cfg: SourceConfig,
    document: dict[str, Any] | None,
    report_url: str | None,
    *,
    run_id: int,
    error: str | None = None,
    sender: str = "luxcat@localhost",
) -> EmailMessage | None:
    """The owner's e-mail, or None when there is nobody to tell or nothing to say."""
    if not cfg.owner.email or (error is None and not (document and document["entries"])):
        return None
    lang = digest_language(cfg)
    t = TEMPLATES[lang]
    title = cfg.title_in(lang)
    findings = len(document["entries"]) if document else 0
    lines = [t["intro"].format(title=title, source=cfg.id, run=run_id), ""]
    if error:
        lines += [t["failed"].format(error=error), ""]
    if document and document["entries"]:
        lines.append(t["rules"])
        for group in document["groups"]["by_rule"][:TOP_RULES]:
            lines.append(f"- {group['count']} × {group['severity']} {group['rule']}: {group['message']}")
        lines += ["", t["records"], *_top_records(document, lang, t["no_title"]), ""]
    if report_url:
        lines += [t["link"].format(url=report_url), ""]
    lines.append(t["outro"])
    message = EmailMessage()
    subject = t["subject_failed"] if error else t["subject"]
    message["Subject"] = subject.format(findings=findings, title=title)
    message["From"] = sender
    message["To"] = cfg.owner.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="luxcat")
    message["Content-Language"] = lang
    message.set_content("\n".join(lines))
    return message


def _marker(source_id: str) -> str:
    return f"digests/{source_id}/{utcnow().date().isoformat()}.json"


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver one message over SMTP (SSL, STARTTLS or plain, login when a user is set)."""
    smtp_class = smtplib.SMTP_SSL if settings.ssl else smtplib.SMTP
    with smtp_class(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls and not settings.ssl:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


def send_owner_digest(
    cfg: SourceConfig,
    artifacts: ArtifactStore,
    document: dict[str, Any] | None,
    report_url: str | None,
    *,
    run_id: int,
    error: str | None = None,
) -> str:
    """Send the digest if due; returns what happened (sent, not-due, nothing-to-say, no-smtp, failed: ...).

    Never raises: an unreachable mail server must not fail a harvest.
    """
    marker = _marker(cfg.id)
    if artifacts.exists(marker):
        return "not-due"
    settings = smtp_settings()
    message = build_digest(cfg, document, report_url, run_id=run_id, error=error,
                           sender=settings.sender if settings else "luxcat@localhost")  # fmt: skip
    if message is None:
        return "nothing-to-say"
    if settings is None:
        log.info("source=%s owner digest not sent: no SMTP configured (LUXCAT_SMTP_HOST or smtp_default)", cfg.id)
        return "no-smtp"
    try:
        send(message, settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("source=%s owner digest to %s failed: %s", cfg.id, cfg.owner.email, exc)
        return f"failed: {exc}"
    artifacts.put(marker, json.dumps({"run_id": run_id, "to": cfg.owner.email}).encode(), "application/json")
    log.info("source=%s owner digest sent to %s (run %d)", cfg.id, cfg.owner.email, run_id)
    return "sent"


def digest_after_run(cfg: SourceConfig, store: Any, artifacts: ArtifactStore, run: Any) -> str:
    """Send the owner digest for a finished run (its report, or the report it links; the error if it failed).

    Never raises: the digest is a courtesy, the run's outcome stands whatever happens here.
    """
    from luxcat.reports.build import report_document, report_location

    try:
        location = report_location(store, artifacts, cfg.id, run.id)
        document = report_document(artifacts, cfg.id, run.id)
        error = run.error_summary if run.status == "failed" else None
        return send_owner_digest(cfg, artifacts, document, report_url(location), run_id=run.id, error=error)
    except Exception as exc:  # a bug here must not turn a good run into a failed one
        log.exception("source=%s run=%s owner digest: unexpected error", cfg.id, getattr(run, "id", None))
        return f"failed: {exc!r}"


def report_url(location: str | None) -> str | None:
    """The report's HTTP URL when LUXCAT_REPORTS_URL says where reports are served, else its location."""
    if location is None:
        return None
    from luxcat.reports.links import http_url

    return http_url(location) or location
