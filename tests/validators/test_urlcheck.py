"""URL reachability against a real local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Namespace, URIRef

from tests.validators.helpers import VALID_LU
from validators import validate_graph
from validators.rdfio import load_rdf
from validators.urlcheck import UrlChecker

SEEN: Counter[tuple[str, str]] = Counter()
RANGES: list[str | None] = []


class Handler(BaseHTTPRequestHandler):
    """/ok answers everything, /nohead refuses HEAD (GET with Range works), /missing is 404, /slow sleeps."""

    def _answer(self, method: str) -> None:
        SEEN[(method, self.path)] += 1
        if self.path == "/slow":
            time.sleep(1.5)
        if method == "GET":
            RANGES.append(self.headers.get("Range"))
        status = {"/ok": 200, "/slow": 200}.get(self.path, 404)
        if self.path == "/nohead":
            status = 405 if method == "HEAD" else 206
        try:
            self.send_response(status)
            self.send_header("Content-Length", "1" if method == "GET" and status < 400 else "0")
            self.end_headers()
            if method == "GET" and status < 400:
                self.wfile.write(b"x")
        except (BrokenPipeError, ConnectionResetError):  # the client timed out first (/slow)
            pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_head_then_ranged_get(base: str) -> None:
    SEEN.clear()
    RANGES.clear()
    result = UrlChecker(timeout=5).check([f"{base}/ok", f"{base}/nohead", f"{base}/missing", "ftp://x.lu/a"])
    assert result == {f"{base}/ok": True, f"{base}/nohead": True, f"{base}/missing": False, "ftp://x.lu/a": False}
    assert SEEN[("HEAD", "/ok")] == 1 and SEEN[("GET", "/ok")] == 0
    assert SEEN[("HEAD", "/nohead")] == 1 and SEEN[("GET", "/nohead")] == 1
    assert RANGES and all(r == "bytes=0-0" for r in RANGES)


def test_timeout_counts_as_unreachable(base: str) -> None:
    assert UrlChecker(timeout=0.3).check([f"{base}/slow"]) == {f"{base}/slow": False}


def test_cache_with_expiry(base: str, tmp_path: Path) -> None:
    SEEN.clear()
    cache = tmp_path / "urls.json"
    first = UrlChecker(cache_path=cache, ttl=3600)
    first.check([f"{base}/ok"])
    first.save()
    again = UrlChecker(cache_path=cache, ttl=3600)  # a later run: answered from the file
    assert again.check([f"{base}/ok"]) == {f"{base}/ok": True}
    assert again.requests_made == 0 and SEEN[("HEAD", "/ok")] == 1
    expired = UrlChecker(cache_path=cache, ttl=0)  # everything older than 0 s is stale
    expired.check([f"{base}/ok"])
    assert expired.requests_made == 1 and SEEN[("HEAD", "/ok")] == 2


def test_concurrent_checks_finish_together(base: str) -> None:
    urls = [f"{base}/slow?{n}" for n in range(4)]  # 4 x 1.5 s sequentially; ~1.5 s with 4 threads
    started = time.perf_counter()
    UrlChecker(timeout=5, concurrency=4).check(urls)
    assert time.perf_counter() - started < 4.0


def test_reachable_urls_feed_the_score(base: str) -> None:
    graph = load_rdf(VALID_LU)
    dist = URIRef("https://data.public.lu/luxcat/test/population-csv")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    graph.set((dist, dcat.accessURL, URIRef(f"{base}/nohead")))
    graph.set((dist, dcat.downloadURL, URIRef(f"{base}/missing")))
    (report,) = validate_graph(graph, url_checker=UrlChecker(timeout=5))
    assert report.score == 325 + 50
