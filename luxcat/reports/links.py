"""Reports over HTTP: the URL of a stored report, and what to answer for a `/runs/...` request.

Operators click reports in Airflow and owners in e-mails, so a report is addressed by URL, not by a
`file://` path on a worker or an `s3://` key: `LUXCAT_REPORTS_URL` (e.g.
`https://airflow.example.lu/luxcat/` or `http://127.0.0.1:8080/` for `luxcat serve`) is where the
artifact store's `runs/` tree is served. Both servers (`luxcat serve` and the Airflow plugin) answer
with `artifact_response`, so they serve exactly the same files from a folder or S3.
"""

from __future__ import annotations

import os
from http import HTTPStatus

from luxcat.artifacts import ArtifactStore

SERVED_PREFIX = "runs/"
AIRFLOW_PREFIX = "/luxcat/"  # where the Airflow plugin mounts its app (relative to the Airflow UI)
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "nt": "application/n-triples",
}


def run_key_of(location: str) -> str | None:
    """The `runs/...` key of an artifact location (folder path, file:// or s3:// URL), None for other keys."""
    index = location.rfind("/runs/")
    return location[index + 1 :] if index >= 0 else None


def http_url(location: str, base: str | None = None) -> str | None:
    """The report's URL under LUXCAT_REPORTS_URL (or `base`); None when no base is configured."""
    base = base or os.environ.get("LUXCAT_REPORTS_URL")
    key = run_key_of(location)
    if not base or key is None:
        return None
    return base.rstrip("/") + "/" + key


def airflow_url(location: str) -> str | None:
    """The report's URL in the Airflow UI: LUXCAT_REPORTS_URL when set, else the plugin's path."""
    key = run_key_of(location)
    if key is None:
        return None
    return http_url(location) or AIRFLOW_PREFIX + key


def artifact_response(artifacts: ArtifactStore, key: str) -> tuple[int, bytes, str]:
    """(status, body, content type) for a request of `runs/...` key `key`; nothing outside runs/ is served."""
    key = key.lstrip("/")
    if not key.startswith(SERVED_PREFIX) or ".." in key.split("/") or key.endswith("/"):
        return HTTPStatus.NOT_FOUND, b"not found\n", "text/plain"
    ext = key.rsplit(".", 1)[-1].lower()
    if ext not in CONTENT_TYPES:
        return HTTPStatus.NOT_FOUND, b"not found\n", "text/plain"
    try:
        body = artifacts.get(key)
    except KeyError:
        return HTTPStatus.NOT_FOUND, b"not found\n", "text/plain"
    return HTTPStatus.OK, body, CONTENT_TYPES[ext]
