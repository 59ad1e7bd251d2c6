"""A small HTTP server on 127.0.0.1 for the feed tests: fixed answers per path, or a function per path.

One per test session (see conftest.py); each test registers its routes under its own prefix, so
tests do not see each other's pages. Answers can lie about their length (a body cut short) to
imitate a connection dropped mid-page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    body: bytes
    content_type: str | None = "application/octet-stream"
    status: int = 200
    short_by: int = 0  # announce this many bytes more than sent, then close


Handler = Callable[[str, dict[str, list[str]]], Answer]


@dataclass
class FeedServer:
    routes: dict[str, Answer | Handler] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    url: str = ""

    def add(self, path: str, answer: Answer | Handler) -> str:
        """Serve `answer` at `path` (query string ignored for matching); returns the absolute URL."""
        self.routes[path] = answer
        return self.url + path

    def start(self) -> FeedServer:
        server = self

        class Request(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                server.log.append(self.path)
                route = server.routes.get(parts.path)
                if route is None:
                    answer = Answer(b"<html><body>Not Found</body></html>", "text/html", 404)
                elif callable(route):
                    answer = route(parts.path, parse_qs(parts.query))
                else:
                    answer = route
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body) + answer.short_by))
                if answer.short_by:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Request)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
