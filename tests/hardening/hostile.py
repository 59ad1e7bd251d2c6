"""Hostile HTTP servers on 127.0.0.1 for the hardening tests: they misbehave in exactly one programmed way.

`Hostile` answers every request with the `Answer` programmed for its path (a redirect, a trickle of
one byte every 2 s, a gzip bomb, an endless body, a JSON body) and logs what it received. A second
`Hostile` plays "another host" (another port is another origin): tests assert it never saw a key.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = Callable[[BaseHTTPRequestHandler], None]


def redirect(location: str, status: int = 307) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def json_body(data: Any, status: int = 200) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        body = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def trickle(every: float = 2.0, total: int = 10_000) -> Answer:
    """Headers at once, then one byte every `every` seconds (never trips a socket read timeout)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        for _ in range(total):
            handler.wfile.write(b"#")
            handler.wfile.flush()
            time.sleep(every)

    return answer


def gzip_bomb(inflated_mb: int = 1024) -> Answer:
    """About 1 MB on the wire that inflates to `inflated_mb` MB of zeros (gzip members, one per MB, concatenated)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = comp.compress(bytes(1024 * 1024)) + comp.flush()
    data = member * inflated_mb

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def endless(mb: int = 200) -> Answer:
    """A plain body of `mb` MB, written as fast as the client reads it."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.send_header("Content-Length", str(mb * 1024 * 1024))
        handler.end_headers()
        block = b"#" * (1024 * 1024)
        for _ in range(mb):
            handler.wfile.write(block)

    return answer


@dataclass
class Hostile:
    """A server on 127.0.0.1; `answers[path]` (path without query) says how it misbehaves; others get 404."""

    answers: dict[str, Answer] = field(default_factory=dict)
    log: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length > 0 else b""
                outer.log.append(Seen(self.command, self.path, dict(self.headers), body))
                answer = outer.answers.get(self.path.split("?", 1)[0])
                try:
                    if answer is None:
                        json_body({"message": "not found"}, 404)(self)
                    else:
                        answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


def saw_secret(server: Hostile, secret: str) -> bool:
    """Whether any request the server received carried `secret` in a header or the body."""
    return any(secret in " ".join(s.headers.values()) or secret.encode() in s.body for s in server.log)


__all__ = ["Hostile", "Seen", "endless", "gzip_bomb", "json_body", "redirect", "saw_secret", "trickle"]
