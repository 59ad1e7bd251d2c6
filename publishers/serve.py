"""`luxcat serve`: the served catalogue version over HTTP, with content negotiation, Hydra pages and OAI-PMH.

Standard library only (http.server): the server just reads the files the catalogue publisher wrote,
through the same pointer, so it never serves a half-written version and picks up a new version
without a restart. Routes:

    /catalogue               first Hydra page, format by Accept (Turtle by default)
    /catalogue?page=N        page N
    /catalogue.{ttl,nt,jsonld,rdf}.gz, /pages/…, /dcat-ap-2.1.1/…   the exported files as they are
    /catalogue.{ttl,nt,jsonld,rdf}   the whole dump, decompressed on the fly when only the .gz was exported
    /oai                     OAI-PMH 2.0 (GET or POST)
    /runs/<source>/<run>/…   run reports and summaries from the artifact store (folder or S3)
    /indicators/…            the open data indicators (CSV, CSVW metadata, dashboard), not versioned

A version holds the formats its pointer lists (publish.yaml `formats`: N-Triples always); content
negotiation chooses among those (406 when none is acceptable), and a file in another format is a 404
that names the formats the version has.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from publishers.catalogue.dumps import gunzip_stream
from publishers.catalogue.export import EXTENSIONS, VARIANT_2, page_name
from publishers.catalogue.storage import CONTENT_TYPES, ExportTarget
from publishers.oaipmh import OaiRepository
from publishers.targets import OaiOptions

log = logging.getLogger(__name__)

ACCEPT: dict[str, str] = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
    "text/xml": "rdf",
}
DEFAULT = "ttl"
MAX_POST_BYTES = 64 * 1024  # an OAI-PMH form is a few arguments
IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (between requests or mid-request)


def served_formats(pointer: dict[str, Any]) -> tuple[str, ...]:
    """The formats a version was written in: its pointer's `formats` (all four before the option existed)."""
    listed = pointer.get("formats") or EXTENSIONS
    return tuple(ext for ext in EXTENSIONS if ext in listed)


def negotiate(accept: str | None, available: tuple[str, ...] = EXTENSIONS) -> str | None:
    """The export extension for an Accept header among `available` (q-values honoured); None when nothing acceptable.

    A wildcard or no Accept at all gets Turtle, or N-Triples when the version has no Turtle.
    """
    default = DEFAULT if DEFAULT in available else available[0]
    if not accept:
        return default
    choices: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept.split(",")):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        media = media.lower()
        if q <= 0:
            continue
        if media in ACCEPT:
            if ACCEPT[media] in available:
                choices.append((q, -n, ACCEPT[media]))
        elif media in ("*/*", "text/*", "application/*", "text/html"):
            choices.append((q - 0.001, -n, default))
    return max(choices)[2] if choices else None


class CatalogueHandler(BaseHTTPRequestHandler):
    """Routes one request; the server object carries the export target and the OAI repository."""

    server: CatalogueServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """A socket timeout, so an idle client or one that lies about its body never pins a thread."""
        self.timeout = self.server.idle_timeout
        super().setup()

    def handle(self) -> None:
        try:
            super().handle()
        except (TimeoutError, ConnectionError) as exc:  # the client went quiet or away: close, no traceback
            log.info("%s connection closed: %s", self.client_address[0], type(exc).__name__)
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/oai", "/oai-pmh"):
            self._oai(query)
        elif url.path in ("/catalogue", "/catalogue/", "/"):
            self._page(query)
        elif url.path.startswith("/runs/"):
            self._run_artifact(url.path)
        else:
            self._file(url.path.lstrip("/"))

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path not in ("/oai", "/oai-pmh"):
            self.close_connection = True  # the body is not read: the connection cannot be reused
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"POST is for /oai only\n", "text/plain")
            return
        raw = self.headers.get("Content-Length")
        if raw is None or not raw.strip().isdigit():
            self.close_connection = True
            status = HTTPStatus.BAD_REQUEST if raw else HTTPStatus.LENGTH_REQUIRED
            self._send(status, b"missing or bad Content-Length\n", "text/plain")
            return
        length = int(raw)
        if length > MAX_POST_BYTES:
            self.close_connection = True
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"OAI-PMH form too large\n", "text/plain")
            return
        body = self.rfile.read(length)  # bounded; a client that sends less times out (see `timeout`)
        if len(body) < length:
            self.close_connection = True
            return
        self._oai(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))

    # -- routes -------------------------------------------------------------------------------
    def _oai(self, query: dict[str, list[str]]) -> None:
        self._send(HTTPStatus.OK, self.server.oai.handle(query), "text/xml; charset=utf-8")

    def _page(self, query: dict[str, list[str]]) -> None:
        pointer = self.server.target.current()
        if pointer is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"no catalogue published yet\n", "text/plain")
            return
        formats = served_formats(pointer)
        ext = negotiate(self.headers.get("Accept"), formats)
        if ext is None:
            kinds = ", ".join(sorted(media for media, x in ACCEPT.items() if x in formats))
            self._send(HTTPStatus.NOT_ACCEPTABLE, f"available: {kinds}\n".encode(), "text/plain")
            return
        try:
            page = int(query.get("page", ["1"])[0])
        except ValueError:
            page = 0
        if not 1 <= page <= int(pointer["pages"]):
            self._send(HTTPStatus.NOT_FOUND, b"no such page\n", "text/plain")
            return
        prefix = f"{VARIANT_2}/" if query.get("profile", [""])[0] == VARIANT_2 else ""
        self._stream(pointer, prefix + page_name(page, ext), vary=True)

    def _file(self, key: str) -> None:
        if key.startswith("indicators/") or key == "indicators":
            self._indicators(key)
            return
        pointer = self.server.target.current()
        if key == "index.json" or pointer is None:
            if pointer is None:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"no catalogue published yet\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, self.server.target.read("index.json"), "application/json")
            return
        if ".." in key.split("/") or not any(key.endswith(f".{ext}") for ext in (*EXTENSIONS, "json", "jsonl", "gz")):
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        ext = key.removesuffix(".gz").rsplit(".", 1)[-1]
        if ext in EXTENSIONS and ext not in (formats := served_formats(pointer)):
            message = f"version {pointer['version']} has no {ext} files (formats: {', '.join(formats)})\n"
            self._send(HTTPStatus.NOT_FOUND, message.encode(), "text/plain")
            return
        self._stream(pointer, key, vary=False)

    def _run_artifact(self, path: str) -> None:
        """Run reports and summaries from the artifact store (folder or S3), as the Airflow plugin serves them."""
        from luxcat.reports.links import artifact_response

        status, body, content_type = artifact_response(self.server.run_artifacts(), path)
        self._send(HTTPStatus(status), body, content_type)

    def _indicators(self, key: str) -> None:
        """The indicators folder (CSV, CSVW, dashboard), written beside the versions (publishers.indicators)."""
        from publishers.indicators.run import CONTENT_TYPES as INDICATOR_TYPES

        if key in ("indicators", "indicators/"):
            key = "indicators/index.html"
        suffix = "." + key.rsplit(".", 1)[-1]
        if ".." in key.split("/") or suffix not in INDICATOR_TYPES:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        try:
            body = self.server.target.read(key)
        except KeyError:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        self._send(HTTPStatus.OK, body, INDICATOR_TYPES[suffix])

    # -- responses ----------------------------------------------------------------------------
    def _stream(self, pointer: dict[str, Any], key: str, *, vary: bool) -> None:
        try:
            chunks = self.server.target.stream(f"versions/{pointer['version']}/{key}")
        except KeyError:
            chunks = self._compressed_dump(pointer, key)
            if chunks is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
                return
        chunks = self.server.relink(pointer, key, chunks)
        etag = f'"{pointer["version"]}-{key}"'
        if self.headers.get("If-None-Match") == etag:
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, etag=etag)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPES.get("." + key.rsplit(".", 1)[-1], "application/octet-stream"))
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("ETag", etag)
        if vary:
            self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command == "HEAD":
            return
        for data in chunks:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _compressed_dump(self, pointer: dict[str, Any], key: str) -> Iterable[bytes] | None:
        """A whole dump exported only as `.gz` (uncompressed_dumps off), decompressed as it is sent."""
        if not key.rsplit("/", 1)[-1].startswith("catalogue.") or key.endswith(".gz"):
            return None
        try:
            return gunzip_stream(self.server.target.stream(f"versions/{pointer['version']}/{key}.gz"))
        except KeyError:
            return None

    def _send(self, status: HTTPStatus, body: bytes, content_type: str | None, *, etag: str | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class CatalogueServer(ThreadingHTTPServer):
    """The HTTP server; `start()` runs it in a thread (tests, `luxcat serve` uses serve_forever)."""

    daemon_threads = True

    def __init__(
        self,
        target: ExportTarget,
        oai: OaiOptions,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        public_url: str | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self.idle_timeout = idle_timeout
        super().__init__((host, port), CatalogueHandler)
        self.target = target
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else (f"[{host}]" if ":" in host else host)
        self.url = f"http://{shown}:{self.server_address[1]}/"
        self.public_url = public_url or self.url  # what every Hydra and OAI-PMH link starts with
        self.oai = OaiRepository(target, oai, self.public_url + "oai")
        self._thread: threading.Thread | None = None
        self.artifacts: Any = None  # the artifact store of /runs/..., opened from the settings on first use

    def run_artifacts(self) -> Any:
        """The artifact store reports are served from (LUXCAT_ARTIFACTS, or the working folder's)."""
        if self.artifacts is None:
            from luxcat.artifacts import open_artifacts
            from luxcat.settings import load_settings

            self.artifacts = open_artifacts(load_settings().artifacts_url)
        return self.artifacts

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line for a failed request (the default prints a traceback to stderr)."""
        log.warning("%s request failed", client_address[0] if client_address else "?", exc_info=True)

    def relink(self, pointer: dict[str, Any], key: str, chunks: Iterable[bytes]) -> Iterable[bytes]:
        """A Hydra page with its links moved from the export's base URL to the one this server answers on.

        The export writes `base_url` (publish.yaml) into each page's first/last/next/previous links;
        a server on another address or port rewrites exactly those page links (never dataset URIs),
        so paging works wherever the catalogue is served.
        """
        exported = str(pointer.get("base_url") or "")
        if not exported or exported == self.public_url or "pages/" not in key:
            return chunks
        body = b"".join(chunks)
        for prefix in ("pages/", f"{VARIANT_2}/pages/"):
            body = body.replace((exported + prefix).encode(), (self.public_url + prefix).encode())
        return [body]

    def start(self) -> CatalogueServer:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="luxcat-serve", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> CatalogueServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
