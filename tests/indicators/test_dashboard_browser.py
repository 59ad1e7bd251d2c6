"""The dashboard opened in real headless chromium (Debian package): every chart drawn, no console error,
no request leaving the server, a screenshot kept under var/test-artifacts/ for people to look at."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from publishers.catalogue.storage import FolderTarget
from publishers.indicators.run import compute_indicators
from publishers.serve import CatalogueServer
from tests.indicators.corpus import REPO, build
from tests.support.cdp import Chromium, Page

ARTIFACTS = REPO / "var" / "test-artifacts"
CHARTS = ["licence-mix", "rating-bands", "hvd-coverage", "themes", "series-datasets.total", "series-licence.open_share",
          "series-quality.mqa_mean"]  # fmt: skip


def test_dashboard_in_headless_chromium(tmp_path: Path, publish_config) -> None:  # type: ignore[no-untyped-def]
    binary = shutil.which("chromium")
    assert binary, "chromium is missing: scripts/install-system-deps.sh installs the Debian package"
    day = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    cat = build(tmp_path, publish_config, day)
    try:
        compute_indicators(cat.store, cat.export, publish_config.catalogue, publish_config.targets.catalogue.base_url,
                           sources=cat.sources, clock=lambda: day)  # fmt: skip
    finally:
        cat.store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    served = CatalogueServer(FolderTarget(cat.export.root), publish_config.oai, port=0)
    with Chromium(binary) as chromium, served as server:
        browser = chromium.page()
        try:
            for name, lang in (("index.html", "fr"), ("index.en.html", "en")):
                report = _open(browser, server.url + "indicators/" + name)
                assert report["errors"] == [], report["errors"]
                assert report["lang"] == lang
                assert set(CHARTS) <= set(report["charts"]), report["charts"]
                assert report["drawn"] == len(report["charts"])  # every chart has a laid-out, non-empty box
                assert report["spark"] >= 5  # one sparkline per publisher row
                assert all(url.startswith(server.url) or url.startswith("data:") for url in report["requests"])
                shot = browser.screenshot(ARTIFACTS / f"indicators-dashboard.{lang}.png")
                assert shot.stat().st_size > 10_000
            findings = _open(browser, server.url + "indicators/" + report["first_findings"])
            assert findings["errors"] == [] and "validation findings" in findings["title"]
        finally:
            browser.close()


def _open(browser: Page, url: str) -> dict:  # type: ignore[type-arg]
    """Load a page, then report console errors, failed loads, charts and the requests it made."""
    browser.events.clear()
    browser.errors.clear()
    browser.goto(url)
    browser.pump(0.5)
    js = """JSON.stringify({
        lang: document.documentElement.lang, title: document.title,
        charts: [...document.querySelectorAll('svg.chart')].map(s => s.dataset.chart),
        drawn: [...document.querySelectorAll('svg.chart')].filter(s => {
                 const r = s.getBoundingClientRect();
                 return r.width > 0 && r.height > 0
                        && s.querySelectorAll('path,rect,circle,polyline').length > 0}).length,
        spark: document.querySelectorAll('svg.spark').length,
        first_findings: (document.querySelector('a[href^="findings/"]') || {}).getAttribute?.('href') })"""
    result = json.loads(browser.evaluate(js))
    failed = [e["params"] for e in browser.events if e.get("method") == "Network.loadingFailed"]
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    return {**result, "errors": browser.errors + failed, "requests": requests}
