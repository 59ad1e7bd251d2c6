"""A piveau hub-repo contract server: routes, parameters, bodies and answers checked against the OpenAPI spec.

Built from tests/data/openapi/piveau-hub-repo-openapi.yaml (the 2020 piveau-hub spec: the
`legacy` form, PUT/DELETE /datasets/{id}?catalogue=…). The newer `/catalogues/{id}/datasets/origin`
and `/resources/{type}/origin` operations are not in any spec available offline; they are described
below in the same OpenAPI shape from FIELD_NOTES ("data.europa.eu (piveau)": X-API-Key, RDF bodies,
201/204/304/409). Every request is matched to a spec operation (else 404/405), its required query
parameters and its body media type are checked, the body must parse as RDF, and the server refuses
to answer with a status the operation does not declare (`violations` lists any).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml
from rdflib import Graph
from rdflib.compare import to_canonical_graph

SPEC = Path(__file__).resolve().parents[1] / "data" / "openapi" / "piveau-hub-repo-openapi.yaml"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
}
_RDF_BODY = {"content": {t: {"schema": {"type": "string"}} for t in RDF_TYPES}, "required": True}
_ORIGIN_PUT = {
    "security": [{"ApiKeyAuth": []}],
    "requestBody": _RDF_BODY,
    "responses": {"201": {}, "204": {}, "304": {}, "400": {}, "404": {}, "409": {}},
}
_ORIGIN_DELETE = {"security": [{"ApiKeyAuth": []}], "responses": {"204": {}, "404": {}}}
ORIGIN_PATHS: dict[str, Any] = {
    "/catalogues/{id}/datasets/origin": {
        "put": {**_ORIGIN_PUT, "parameters": [{"name": "originalId", "in": "query", "required": True}]},
        "delete": {**_ORIGIN_DELETE, "parameters": [{"name": "originalId", "in": "query", "required": True}]},
    },
    "/resources/{type}/origin": {
        "put": {
            **_ORIGIN_PUT,
            "parameters": [
                {"name": "catalogue", "in": "query", "required": True},
                {"name": "originalId", "in": "query", "required": True},
            ],
        },
        "delete": {
            **_ORIGIN_DELETE,
            "parameters": [
                {"name": "catalogue", "in": "query", "required": True},
                {"name": "originalId", "in": "query", "required": True},
            ],
        },
    },
}


@dataclass
class Operation:
    """One (method, path template) of the spec, compiled for matching."""

    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]

    @property
    def required_query(self) -> list[str]:
        params = self.spec.get("parameters", [])
        return [p["name"] for p in params if p.get("in") == "query" and p.get("required")]

    @property
    def declared(self) -> set[int]:
        return {int(code) for code in self.spec.get("responses", {}) if str(code).isdigit()}

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))


def load_operations() -> list[Operation]:
    """Every operation of the shipped spec plus the newer origin forms."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    paths = {**spec["paths"], **ORIGIN_PATHS}
    ops = []
    for template, item in paths.items():
        shared = item.get("parameters", [])
        regex = "^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(template)) + "$"
        for method, op in item.items():
            if method in ("get", "put", "post", "delete"):
                op = dict(op, parameters=[*shared, *op.get("parameters", [])])
                ops.append(Operation(method.upper(), template, re.compile(regex), op))
    # literal segments first: /catalogues/{id}/datasets/origin must not be taken for something else
    return sorted(ops, key=lambda o: -o.template.count("/"))


@dataclass
class HubState:
    """What the hub holds: catalogue -> originalId -> canonical graph hash; plus a request log."""

    api_key: str
    catalogues: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path?query, status)
    violations: list[str] = field(default_factory=list)
    scripted: list[int] = field(default_factory=list)  # statuses to answer next, before any logic


def graph_hash(graph: Graph) -> str:
    """Isomorphism-invariant hash: what a hub compares to answer 304."""
    import hashlib

    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in to_canonical_graph(graph))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class HubHandler(BaseHTTPRequestHandler):
    """Answers as a piveau hub-repo would, within what the spec declares."""

    server: HubServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        matched = [op for op in self.server.operations if op.pattern.match(url.path)]
        op = next((o for o in matched if o.method == method), None)
        if op is None:
            self._answer(None, 405 if matched else 404, f"no {method} {url.path} in the hub API")
            return
        args = [unquote(a) for a in op.pattern.match(url.path).groups()]  # type: ignore[union-attr]
        status, message = self._check(op, query, body)
        if status is None and self.server.state.scripted:
            status, message = self.server.state.scripted.pop(0), "scripted"
        if status is None:
            status, message = self.server.apply(op, args, query, body, self.headers.get("Content-Type", ""))
        self._answer(op, status, message)

    def _check(self, op: Operation, query: dict[str, str], body: bytes) -> tuple[int | None, str]:
        state = self.server.state
        if op.secured and self.headers.get("X-API-Key") != state.api_key:
            return 401, "missing or wrong X-API-Key"
        missing = [name for name in op.required_query if name not in query]
        if missing:
            return 400, f"missing query parameter(s) {missing}"
        content = op.spec.get("requestBody", {}).get("content")
        if content is not None:
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if media not in content:
                return 415 if 415 in op.declared else 400, f"body type {media!r} not accepted"
            if not body:
                return 400, "empty body"
        return None, ""

    def _answer(self, op: Operation | None, status: int, message: str) -> None:
        injected = message == "scripted"  # a fault injected by the test (like a proxy), not hub behaviour
        if op is not None and not injected and status not in op.declared and not (op.secured and status == 401):
            self.server.state.violations.append(f"{op.method} {op.template}: undeclared {status}")
        self.server.state.log.append((self.command, self.path, status))
        body = b"" if status in (204, 304) else json.dumps({"message": message}).encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HubServer(ThreadingHTTPServer):
    """The contract server; `url` is the hub base URL to configure."""

    daemon_threads = True

    def __init__(self, api_key: str, catalogues: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), HubHandler)
        self.operations = load_operations()
        self.state = HubState(api_key, {c: {} for c in catalogues})
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._lock = threading.Lock()

    def apply(self, op: Operation, args: list[str], query: dict[str, str], body: bytes, ctype: str) -> tuple[int, str]:
        """Hub behaviour per operation: store, compare hashes, delete."""
        if op.template == "/catalogues/{id}/datasets/origin":
            catalogue, key = args[0], query["originalId"]
        elif op.template == "/resources/{type}/origin":
            catalogue, key = query["catalogue"], query["originalId"]
        elif op.template == "/datasets/{id}":
            catalogue, key = query.get("catalogue", ""), args[0]
        else:
            return 400, f"{op.template} is not simulated"
        with self._lock:
            store = self.state.catalogues.get(catalogue)
            if store is None:
                return (404 if 404 in op.declared else 400), f"no catalogue {catalogue}"
            if op.method == "DELETE":
                if store.pop(key, None) is None:
                    return 404, "no such dataset"
                return (204 if 204 in op.declared else 200), "deleted"
            graph = Graph()
            try:
                graph.parse(data=body, format=RDF_TYPES[ctype.split(";")[0].strip()])
            except Exception as exc:  # noqa: BLE001 - any parser error is a 400 for the client
                return 400, f"unparsable body: {exc}"
            digest = graph_hash(graph)
            old = store.get(key)
            store[key] = digest
            if old is None:
                return 201, "created"
            if old == digest:
                return 304, "unchanged"
            return (204 if 204 in op.declared else 200), "updated"

    def start(self) -> HubServer:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
