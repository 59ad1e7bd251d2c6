"""The Airflow UI in a real browser: Debian's headless chromium against a local `airflow standalone`.

The set-up starts Airflow the way `scripts/airflow` does (luxcat.airflow.local: SQLite, LocalExecutor,
the luxcat plugin), with the demo inventory source (offline) and one broken source file, runs
`harvest__demo-inventory` once through the REST API, then the browser logs in through the login
form, opens the luxcat view (the broken file in red, the source with its counts and report link),
opens the harvest run, follows the task's "Validation report" button to the report, and keeps a
screenshot of every step under var/test-artifacts/airflow-ui/ (LUXCAT_TEST_ARTIFACTS). No page
may log a console error or throw.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow.sdk", reason="Airflow is not installed: pip install -r requirements-airflow.lock")

from tests.support.cdp import Chromium, Page, click, type_into

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("LUXCAT_TEST_ARTIFACTS", REPO / "var" / "test-artifacts")) / "airflow-ui"
DAG_ID = "harvest__demo-inventory"
RUN_ID = "ui_test_run"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@dataclass
class LiveAirflow:
    """A running local Airflow: where it listens, the admin password and an API token."""

    url: str
    password: str
    token: str
    home: Path

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        for attempt in range(5):  # SQLite answers "database is locked" (500) while the scheduler writes
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.load(response)
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == 4:
                    raise
                time.sleep(2)
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, timeout: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                health = json.load(response)
            if all(part.get("status") == "healthy" for part in health.values()):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(2)
    raise TimeoutError(f"Airflow not healthy after {timeout}s:\n{log.read_text(errors='replace')[-4000:]}")


def _token(url: str, password: str) -> str:
    request = urllib.request.Request(
        url + "/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


def _sources(root: Path) -> Path:
    """The demo inventory (manual runs only, spreadsheet copied in) and a broken file; publish.yaml beside."""
    folder = root / "sources"
    folder.mkdir()
    sheet = root / "mmtp-inventaire.csv"
    shutil.copyfile(REPO / "config" / "demo" / "inventory" / "mmtp-inventaire.csv", sheet)
    text = (REPO / "config" / "sources" / "demo-inventory.yaml").read_text(encoding="utf-8")
    text = text.replace("location: config/demo/inventory/mmtp-inventaire.csv", f"location: {sheet}")
    text = text.replace('schedule: "@daily"', "schedule: null")  # only the run this test triggers
    (folder / "demo-inventory.yaml").write_text(text, encoding="utf-8")
    (folder / "broken-source.yaml").write_text("id: broken-source\ntitle: Broken\nowner: {nom: typo}\n")
    publish = (REPO / "config" / "publish.yaml").read_text(encoding="utf-8")
    (root / "publish.yaml").write_text(publish.replace("export: catalogue", f"export: {root / 'catalogue'}"))
    return folder


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAirflow]:
    """`airflow standalone` on a free 127.0.0.1 port, stopped (its whole process group) at the end."""
    from luxcat.airflow.local import _stop_group, airflow_env, ensure_password

    root = tmp_path_factory.mktemp("airflow-ui")
    port = _free_port()
    home = root / "home"
    env = {**os.environ, **airflow_env(home, port)}
    env.update(
        {
            "LUXCAT_SOURCES": str(_sources(root)),
            "LUXCAT_PUBLISH_CONFIG": str(root / "publish.yaml"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(REPO),
        }
    )
    for name in ("LUXCAT_DATABASE_URL", "LUXCAT_ARTIFACTS", "LUXCAT_NOTIFY", "LUXCAT_REPORTS_URL"):
        env.pop(name, None)
    airflow_home = Path(env["AIRFLOW_HOME"])
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "luxcat.airflow.setup", "pools"], env=env, check=True, capture_output=True)
    password = ensure_password(airflow_home)
    log = root / "standalone.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "airflow", "standalone"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/api/v2/monitor/health", 300, process, log)
        yield LiveAirflow(url, password, _token(url, password), home)
    finally:
        _stop_group(process)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / "standalone.log")


@pytest.fixture(scope="module")
def harvested(airflow: LiveAirflow) -> LiveAirflow:
    """One harvest__demo-inventory run, triggered through the REST API, finished successfully."""
    deadline = time.monotonic() + 180
    while True:  # the dag-processor parses the folder in the background
        try:
            airflow.api("GET", f"/api/v2/dags/{DAG_ID}")
            break
        except urllib.error.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(3)
    airflow.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    airflow.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None, "dag_run_id": RUN_ID})
    deadline = time.monotonic() + 400
    while True:
        state = airflow.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{RUN_ID}")["state"]
        if state in ("success", "failed"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{DAG_ID} run still {state}")
        time.sleep(3)
    assert state == "success"
    return airflow


def _login(page: Page, airflow: LiveAirflow) -> None:
    page.goto(f"{airflow.url}/auth/login?next=%2F")
    page.wait_for("document.querySelectorAll('input[name=password]').length === 1")
    type_into(page, "input[name=username]", "admin")
    type_into(page, "input[name=password]", airflow.password)
    click(page, "[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Sign in')")
    page.wait_for("!location.pathname.startsWith('/auth') && document.body.innerText.includes('Dags')", 60)


IFRAME_TEXT = "(() => { const f = document.querySelector('iframe'); return f && f.contentDocument && " \
              "f.contentDocument.readyState === 'complete' ? f.contentDocument.body.innerText : ''; })()"  # fmt: skip


def test_operator_sees_sources_run_and_report_in_the_browser(harvested: LiveAirflow) -> None:
    airflow = harvested
    shots = []
    with Chromium() as browser:
        page = browser.page()
        _login(page, airflow)
        shots.append(page.screenshot(ARTIFACTS / "01-home.png"))

        # the luxcat view: every source, its last run, counts, report link; the broken file in red
        nav = "[...document.querySelectorAll('a, button')].find(e => e.innerText.trim().startsWith('luxcat'))"
        page.wait_for(f"!!({nav})")  # the navigation is drawn after the home page's first data arrives
        click(page, nav)
        view = page.wait_for(f"(() => {{ const t = {IFRAME_TEXT}; return t.includes('demo-inventory') ? t : ''; }})()")
        assert "Source files with errors (1)" in view and "broken-source.yaml" in view
        assert "success #1, full, complete" in view and "5 seen, 5 new" in view
        colour = page.evaluate("getComputedStyle(document.querySelector('iframe').contentDocument"
                               ".querySelector('.config-error')).color")  # fmt: skip
        assert colour == "rgb(176, 0, 32)", "config-error files are listed in red"
        report_href = page.evaluate("document.querySelector('iframe').contentDocument"
                                    ".querySelector('#source-demo-inventory a').getAttribute('href')")  # fmt: skip
        assert report_href == "/luxcat/runs/demo-inventory/1/report.html"
        shots.append(page.screenshot(ARTIFACTS / "02-luxcat-view.png"))

        # the harvest run, then its validate task and the "Validation report" button
        page.goto(f"{airflow.url}/dags/{DAG_ID}/runs/{RUN_ID}")
        page.wait_for("document.body.innerText.includes('validate') && document.body.innerText.includes('record')")
        page.pump(2)
        shots.append(page.screenshot(ARTIFACTS / "03-harvest-run.png"))
        page.goto(f"{airflow.url}/dags/{DAG_ID}/runs/{RUN_ID}/tasks/validate")
        page.wait_for("[...document.querySelectorAll('a')].some(a => a.innerText.trim() === 'Details')")
        click(page, "[...document.querySelectorAll('a')].find(a => a.innerText.trim() === 'Details')")
        button = "[...document.querySelectorAll('a')].find(e => e.innerText.trim() === 'Validation report')"
        link = page.wait_for(f"(() => {{ const a = {button}; return a ? a.href : ''; }})()")
        assert link == f"{airflow.url}/luxcat/runs/demo-inventory/1/report.html"
        shots.append(page.screenshot(ARTIFACTS / "04-validate-task-extra-link.png"))

        click(page, button)  # follow the button (same origin: it opens in place)
        page.wait_for("document.body && document.body.innerText.includes('Findings per rule')")
        assert page.evaluate("location.href") == link
        text = page.text()
        assert "Cycle paths" in text and "missing_identifier" in text and "distribution '" in text
        assert page.evaluate("document.querySelectorAll('svg').length") == 2
        shots.append(page.screenshot(ARTIFACTS / "05-report.png"))
        page.pump(2)
        assert page.errors == [], f"console errors: {page.errors}"
    assert all(s.stat().st_size > 10_000 for s in shots)


def test_reports_need_an_airflow_login(harvested: LiveAirflow) -> None:
    url = f"{harvested.url}/luxcat/runs/demo-inventory/1/report.html"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code in (401, 403)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {harvested.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and b"Cycle paths" in response.read()
