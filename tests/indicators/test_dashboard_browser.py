"""The dashboard opened in real headless chromium (Debian package): every chart drawn, no console error,
no request leaving the server, a screenshot kept under var/test-artifacts/ for people to look at."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

from publishers.catalogue.storage import FolderTarget
from publishers.indicators.run import compute_indicators
from publishers.serve import CatalogueServer
from tests.indicators.corpus import REPO, build
from tests.support.cdp import Browser, chromium_binary

ARTIFACTS = REPO / "var" / "test-artifacts"
CHARTS = ["licence-mix", "rating-bands", "hvd-coverage", "themes", "series-datasets.total", "series-licence.open_share",
          "series-quality.mqa_mean"]  # fmt: skip


def test_dashboard_in_headless_chromium(tmp_path: Path, publish_config) -> None:  # type: ignore[no-untyped-def]
    binary = chromium_binary()
    assert binary, "chromium is missing: scripts/install-system-deps.sh installs the Debian package"
    day = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    cat = build(tmp_path, publish_config, day)
    try:
        compute_indicators(cat.store, cat.export, publish_config.catalogue, publish_config.targets.catalogue.base_url,
                           sources=cat.sources, clock=lambda: day)  # fmt: skip
    finally:
        cat.store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = Browser(binary)
    try:
        with CatalogueServer(FolderTarget(cat.export.root), publish_config.oai, port=0) as server:
            for page, lang in (("index.html", "fr"), ("index.en.html", "en")):
                report = _open(browser, server.url + "indicators/" + page)
                assert report["errors"] == [], report["errors"]
                assert report["lang"] == lang
                assert set(CHARTS) <= set(report["charts"]), report["charts"]
                assert report["drawn"] == len(report["charts"])  # every chart has a laid-out, non-empty box
                assert report["spark"] >= 5  # one sparkline per publisher row
                assert all(url.startswith(server.url) or url.startswith("data:") for url in report["requests"])
                shot = ARTIFACTS / f"indicators-dashboard.{lang}.png"
                shot.write_bytes(report["png"])
                assert shot.stat().st_size > 10_000
            findings = _open(browser, server.url + "indicators/" + report["first_findings"])
            assert findings["errors"] == [] and "validation findings" in findings["title"]
    finally:
        browser.close()


def _open(browser: Browser, url: str) -> dict:  # type: ignore[type-arg]
    """Load a page, then report console errors, charts, requests and a full-page screenshot."""
    browser.events.clear()
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=url)
    browser.wait_event("Page.loadEventFired")
    js = """JSON.stringify({
        lang: document.documentElement.lang, title: document.title,
        charts: [...document.querySelectorAll('svg.chart')].map(s => s.dataset.chart),
        drawn: [...document.querySelectorAll('svg.chart')].filter(s => {
                 const r = s.getBoundingClientRect();
                 return r.width > 0 && r.height > 0
                        && s.querySelectorAll('path,rect,circle,polyline').length > 0}).length,
        spark: document.querySelectorAll('svg.spark').length,
        first_findings: (document.querySelector('a[href^="findings/"]') || {}).getAttribute?.('href') })"""
    result = json.loads(browser.call("Runtime.evaluate", expression=js, returnByValue=True)["result"]["value"])
    errors = [
        e["params"] for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        or e.get("method") == "Network.loadingFailed"
    ]  # fmt: skip
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    png = base64.b64decode(browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"])
    return {**result, "errors": errors, "requests": requests, "png": png}
