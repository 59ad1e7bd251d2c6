"""A reverse proxy on 127.0.0.1 that passes requests through untouched unless a programmed fault matches.

Harvesters must survive a page that fails with 500, a server that stops answering, 429 throttling and a
response with one malformed record. Real servers cannot be told to do that on demand, so tests put this
proxy in front of a real one (the local pycsw) and program faults on precise requests:

    with FaultyProxy(pycsw.url) as proxy:
        rule = proxy.fail(500, when=Match.csw("GetRecords", start_position=6), times=2)
        harvest(proxy.url) ...
        assert rule.hits == 2 and proxy.log[-1].status == 200

The udata tests put it in front of the real udata application the same way (429 with Retry-After, 500,
dropped connections, and `after_forward`: a write udata carried out whose answer is lost).

Requests that match no active rule are forwarded byte for byte (method, path, query, body, headers except
hop-by-hop ones and Host) and the upstream answer is returned as is; nothing else is rewritten.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from lxml import etree

_HOP_BY_HOP = frozenset(
    "connection keep-alive proxy-authenticate proxy-authorization te trailers transfer-encoding upgrade "
    "host content-length".split()
)


@dataclass(frozen=True)
class ProxiedRequest:
    """What the proxy received; `query` keys are lower-cased (CSW KVP names are case-insensitive)."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Match:
    """Which requests a rule applies to; every given criterion must hold (none given: every request)."""

    method: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    body_contains: bytes | None = None
    predicate: Callable[[ProxiedRequest], bool] | None = None
    path: str | None = None  # a regular expression the request path must match (re.search)

    def __call__(self, req: ProxiedRequest) -> bool:
        """Does this request match every criterion given?"""
        if self.method and req.method != self.method.upper():
            return False
        if self.path is not None and not re.search(self.path, req.path):
            return False
        if any(req.query.get(k.lower()) != v for k, v in self.query.items()):
            return False
        if self.body_contains is not None and self.body_contains not in req.body:
            return False
        return self.predicate is None or self.predicate(req)

    @classmethod
    def csw(cls, request: str | None = None, *, start_position: int | None = None) -> Match:
        """A CSW operation (and page), whether sent as GET KVP or as a POST XML document."""

        def check(req: ProxiedRequest) -> bool:
            op, start = _csw_operation(req)
            if request is not None and (op or "").lower() != request.lower():
                return False
            return start_position is None or start == start_position

        return cls(predicate=check)


def _csw_operation(req: ProxiedRequest) -> tuple[str | None, int | None]:
    """(operation, startPosition) of a CSW request; startPosition defaults to 1 as the standard says."""
    if req.method == "GET" or not req.body.strip():
        op, start = req.query.get("request"), req.query.get("startposition")
    else:
        try:
            root = etree.fromstring(req.body)
        except etree.XMLSyntaxError:
            return None, None
        op, start = etree.QName(root).localname, root.get("startPosition")
    try:
        return op, int(start) if start else 1
    except ValueError:
        return op, None


@dataclass
class Rule:
    """A programmed fault; `times=None` fires forever, else N times and then lets requests through."""

    when: Match
    action: str  # respond | hang | drop | transform | after (forward, then answer `status` or drop)
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    then_forward: bool = False
    transform: Callable[[bytes], bytes] | None = None
    times: int | None = None
    hits: int = 0

    @property
    def active(self) -> bool:
        """Still firing (fewer hits than `times`)?"""
        return self.times is None or self.hits < self.times


@dataclass(frozen=True)
class LoggedRequest:
    """One request seen by the proxy and what it did with it (`rule` is None when passed through)."""

    request: ProxiedRequest
    rule: Rule | None
    status: int | None  # None: connection dropped / hung up without an answer


class FaultyProxy:
    """Threaded HTTP reverse proxy on 127.0.0.1 in front of `upstream` (an http:// URL)."""

    def __init__(self, upstream: str, *, upstream_timeout: float = 60.0, rewrite_links: bool = False) -> None:
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream!r}")
        self.upstream = upstream
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port or 80
        self._upstream_path = parts.path or "/"
        self.upstream_timeout = upstream_timeout
        # As a reverse proxy with link rewriting (nginx sub_filter, Apache ProxyPassReverse) does: the
        # upstream's own address in answers (udata's next_page, Location) becomes the proxy's.
        self.rewrite_links = rewrite_links
        self.rules: list[Rule] = []
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FaultyProxy:
        """Listen on a free 127.0.0.1 port, in a daemon thread."""
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="faulty-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging handlers wake up and drop their connections."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultyProxy:
        """Start on entry."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop on exit, whatever happened."""
        self.stop()

    @property
    def url(self) -> str:
        """The upstream URL with the proxy's host and port (same path)."""
        if self._server is None:
            raise RuntimeError("proxy not started")
        return f"http://127.0.0.1:{self._server.server_port}{self._upstream_path}"

    # -- programming faults ------------------------------------------------------------------------
    def add(self, rule: Rule) -> Rule:
        """Append a rule (rules are tried in order; the first active match wins)."""
        with self._lock:
            self.rules.append(rule)
        return rule

    def fail(
        self,
        status: int = 500,
        *,
        when: Match | None = None,
        times: int | None = None,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Rule:
        """Answer matching requests with `status` (and `body`) instead of forwarding them."""
        return self.add(Rule(when or Match(), "respond", status, body, dict(headers or {}), times=times))

    def throttle(self, retry_after: int = 1, *, when: Match | None = None, times: int | None = None) -> Rule:
        """Answer 429 Too Many Requests with a Retry-After header (seconds)."""
        return self.fail(429, when=when, times=times, headers={"Retry-After": str(retry_after)})

    def respond(
        self,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/xml; charset=UTF-8",
        when: Match | None = None,
        times: int | None = None,
    ) -> Rule:
        """Answer matching requests with this exact body."""
        headers = {"Content-Type": content_type}
        return self.add(Rule(when or Match(), "respond", status, body, headers, times=times))

    def hang(
        self, seconds: float, *, then_forward: bool = False, when: Match | None = None, times: int | None = None
    ) -> Rule:
        """Say nothing for `seconds` (a client timeout should fire), then drop the connection or forward."""
        return self.add(Rule(when or Match(), "hang", seconds=seconds, then_forward=then_forward, times=times))

    def drop(self, *, when: Match | None = None, times: int | None = None) -> Rule:
        """Close the connection without any answer (the client sees a connection error)."""
        return self.add(Rule(when or Match(), "drop", times=times))

    def after_forward(self, status: int | None = 500, *, when: Match | None = None, times: int | None = None) -> Rule:
        """Forward (upstream does the work), then answer `status` instead of upstream's answer, or drop the
        connection when `status` is None: a write that happened but whose answer was lost."""
        return self.add(Rule(when or Match(), "after", status or 0, times=times))

    def transform(self, fn: Callable[[bytes], bytes], *, when: Match | None = None, times: int | None = None) -> Rule:
        """Forward, then pass the upstream body through `fn` (e.g. break one record of a real page)."""
        return self.add(Rule(when or Match(), "transform", transform=fn, times=times))

    def clear(self) -> None:
        """Forget all rules and the request log."""
        with self._lock:
            self.rules.clear()
            self.log.clear()

    def requests_matching(self, when: Match) -> list[LoggedRequest]:
        """Logged requests a matcher selects (e.g. how often page 6 was asked for)."""
        with self._lock:
            return [entry for entry in self.log if when(entry.request)]

    # -- used by the handler -----------------------------------------------------------------------
    def _pick(self, req: ProxiedRequest) -> Rule | None:
        """The first active matching rule, counted as hit; None to pass through."""
        with self._lock:
            for rule in self.rules:
                if rule.active and rule.when(req):
                    rule.hits += 1
                    return rule
        return None

    def _record(self, req: ProxiedRequest, rule: Rule | None, status: int | None) -> None:
        """Append to the request log (thread-safe)."""
        with self._lock:
            self.log.append(LoggedRequest(req, rule, status))

    def _forward(self, req: ProxiedRequest, raw_target: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send the request upstream unchanged (path + raw query, body, end-to-end headers)."""
        conn = http.client.HTTPConnection(self._upstream_host, self._upstream_port, timeout=self.upstream_timeout)
        try:
            headers = {k: v for k, v in req.headers.items() if k.lower() not in _HOP_BY_HOP}
            headers["Host"] = f"{self._upstream_host}:{self._upstream_port}"
            conn.request(req.method, raw_target, body=req.body or None, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP]
            if self.rewrite_links and self._server is not None:
                inner = f"{self._upstream_host}:{self._upstream_port}"
                outer = f"127.0.0.1:{self._server.server_address[1]}"
                body = body.replace(inner.encode(), outer.encode())
                kept = [(k, v.replace(inner, outer)) for k, v in kept]
            return resp.status, kept, body
        finally:
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    """Applies the first active matching rule, else forwards."""

    proxy: FaultyProxy
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        """CSW GET KVP."""
        self._handle()

    def do_POST(self) -> None:
        """CSW POST XML (and CSW-T), API writes."""
        self._handle()

    def do_PUT(self) -> None:
        """API writes (udata)."""
        self._handle()

    def do_PATCH(self) -> None:
        """API writes (udata)."""
        self._handle()

    def do_DELETE(self) -> None:
        """API writes (udata)."""
        self._handle()

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's stderr lines: `FaultyProxy.log` records every request."""

    def _handle(self) -> None:
        """Read the request, apply the rule it matches (or none), log it."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urllib.parse.urlsplit(self.path)
        query = {k.lower(): v for k, v in urllib.parse.parse_qsl(split.query, keep_blank_values=True)}
        req = ProxiedRequest(self.command, split.path, query, body, dict(self.headers.items()))
        rule = self.proxy._pick(req)
        if rule is None or rule.action == "transform":
            self._pass_through(req, rule)
        elif rule.action == "after":
            try:
                self.proxy._forward(req, self.path)
            except OSError:
                pass
            if rule.status:
                self.proxy._record(req, rule, rule.status)
                self._answer(rule.status, [("Content-Type", "application/json")], b'{"message": "proxy fault"}')
            else:
                self.proxy._record(req, rule, None)
                self.close_connection = True
        elif rule.action == "respond":
            self.proxy._record(req, rule, rule.status)  # log before answering: the client may look at once
            self._answer(rule.status, list(rule.headers.items()), rule.body)
        elif rule.action == "hang":
            self.proxy._stopping.wait(rule.seconds)
            if rule.then_forward and not self.proxy._stopping.is_set():
                self._pass_through(req, rule)
            else:
                self.proxy._record(req, rule, None)
                self.close_connection = True
        else:  # drop
            self.proxy._record(req, rule, None)
            self.close_connection = True

    def _pass_through(self, req: ProxiedRequest, rule: Rule | None) -> None:
        """Forward, apply a transform rule if any, answer; 502 if upstream is unreachable."""
        try:
            status, headers, body = self.proxy._forward(req, self.path)
        except OSError as exc:
            self.proxy._record(req, rule, 502)
            self._answer(502, [("Content-Type", "text/plain")], f"proxy: upstream failed: {exc}".encode())
            return
        if rule is not None and rule.transform is not None:
            body = rule.transform(body)
        self.proxy._record(req, rule, status)
        self._answer(status, headers, body)

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Write a complete HTTP/1.0 response."""
        try:
            self.send_response_only(status)  # no Server/Date of our own: upstream's pass as they are
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout fired): nothing to tell it
