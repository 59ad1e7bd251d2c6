"""A local SDMX REST service: answers REST paths with recorded messages (or a chosen error)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass(frozen=True)
class Answer:
    """What the service sends for one request."""

    status: int
    body: bytes
    content_type: str = "application/vnd.sdmx.structure+xml; version=2.1"


def route_key(path_and_query: str) -> str:
    """Normalise a request target: path plus its query parameters sorted."""
    parts = urlsplit(path_and_query)
    query = urlencode(sorted(parse_qsl(parts.query)))
    return parts.path.rstrip("/") + (f"?{query}" if query else "")


class SdmxServer:
    """Threaded http.server on 127.0.0.1; unknown paths get 404, as SDMX REST says for no results."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                key = route_key(self.path)
                with server._lock:
                    server.requests.append(key)
                    answer = (
                        server.routes.get(key)
                        or server.routes.get(key.split("?", 1)[0])  # a route without query answers any query
                        or Answer(404, b"NoResultsFound", "text/plain")
                    )
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SdmxServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve(self, target: str, body: bytes | Path, status: int = 200) -> None:
        """Answer `target` (path?query) with a file's bytes or given bytes."""
        data = body.read_bytes() if isinstance(body, Path) else body
        self.routes[route_key(target)] = Answer(status, data)

    def fail(self, target: str, status: int = 500) -> None:
        """Answer `target` with a server error."""
        self.routes[route_key(target)] = Answer(status, b"Internal Server Error", "text/plain")

    def count(self, prefix: str) -> int:
        """How many requests were made under a path prefix."""
        with self._lock:
            return sum(1 for r in self.requests if r.startswith(prefix))
