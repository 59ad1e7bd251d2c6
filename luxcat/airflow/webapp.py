"""The luxcat web app the Airflow plugin mounts at /luxcat: the sources view and the run reports.

FastAPI, served by Airflow's own API server, so operators click reports where they watch runs and
nothing else has to be deployed; on Celery the report is read from the artifact store (folder or
S3), never from a worker's disk. Every route requires an Airflow login (the UI's session cookie or a
bearer token), like Airflow's own API.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

try:  # the API server's own authentication; absent only outside an Airflow installation
    from airflow.api_fastapi.core_api.security import get_user
except ImportError:  # pragma: no cover - luxcat without Airflow never builds this app

    def get_user() -> None:  # type: ignore[misc]
        """No Airflow, no login."""


def _stores() -> tuple[Any, Any]:
    from luxcat.artifacts import open_artifacts
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    settings = load_settings()
    return StateStore(settings.database_url), open_artifacts(settings.artifacts_url)


def create_app() -> FastAPI:
    """The app: `/` the sources overview (HTML), `/sources.json` the same as data, `/runs/...` artifacts."""
    app = FastAPI(title="luxcat", dependencies=[Depends(get_user)], docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def sources_view() -> str:
        from luxcat.reports.overview import overview_html

        store, artifacts = _stores()
        try:
            return overview_html(store, artifacts)
        finally:
            store.close()

    @app.get("/sources.json")
    def sources_data() -> JSONResponse:
        from luxcat.reports.overview import overview_json

        store, artifacts = _stores()
        try:
            return JSONResponse(overview_json(store, artifacts))
        finally:
            store.close()

    @app.get("/runs/{key:path}")
    def run_artifact(key: str) -> Response:
        from luxcat.reports.build import LINK_FILE
        from luxcat.reports.links import artifact_response

        _store, artifacts = _stores()
        _store.close()
        full = f"runs/{key}"
        status, body, content_type = artifact_response(artifacts, full)
        if status == 404 and full.endswith("/report.html"):
            link_key = full.rsplit("/", 1)[0] + "/" + LINK_FILE
            if artifacts.exists(link_key):  # a run that changed nothing points at the last full report
                target = json.loads(artifacts.get(link_key))["run_id"]
                return RedirectResponse(f"../{target}/report.html", status_code=307)
        return Response(body, status_code=status, media_type=content_type)

    return app
