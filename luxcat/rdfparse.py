"""Parse an RDF body in any syntax without fetching anything and in time linear in its size.

rdflib alone would: fetch any JSON-LD `@context` URL, `file:` paths included (issue 17, F8); expand
a billion-laughs entity declaration in RDF/XML for minutes (F20: 264 s, where expat alone refuses it
in 0.3 s); parse N-Triples in time quadratic in a literal's length (F5). So JSON-LD contexts come
only from the shipped cache (`contexts/`, see its SOURCES.md) or are refused with the URL named;
RDF/XML with any entity declaration is refused before rdflib sees it; N-Triples goes through
luxcat's linear reader.
"""

from __future__ import annotations

import json
import xml.parsers.expat
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph

from luxcat.fastgraph import FastGraph
from luxcat.ntriples import parse_ntriples

CONTEXTS = Path(__file__).with_name("contexts")
_SEMIC = "semiceu.github.io/DCAT-AP/releases/"
KNOWN_CONTEXTS: dict[str, str] = {
    f"{_SEMIC}3.0.0/context/dcat-ap.jsonld": "dcat-ap-3.0.0.jsonld",
    f"{_SEMIC}3.0.1/context/dcat-ap.jsonld": "dcat-ap-3.0.1.jsonld",
    f"{_SEMIC}2.2.0-hvd/context/hvd.jsonld": "hvd-2.2.0.jsonld",
    f"{_SEMIC}3.0.0-hvd/context/hvd.jsonld": "hvd-3.0.0.jsonld",
}


class RefusedInput(ValueError):
    """The body asks for something luxcat never does (a fetch, an entity expansion); the message says what."""


@cache
def _cached_context(name: str) -> Any:
    return json.loads((CONTEXTS / name).read_text(encoding="utf-8"))["@context"]


def known_context(url: str) -> Any:
    """The shipped copy of a well-known context URL; RefusedInput for any other reference."""
    key = url.strip().removeprefix("https://").removeprefix("http://")
    if key in KNOWN_CONTEXTS and url.strip().startswith(("https://", "http://")):
        return _cached_context(KNOWN_CONTEXTS[key])
    raise RefusedInput(
        f"JSON-LD context {url!r} refused: luxcat fetches no remote or local context; "
        f"only the shipped copies of {', '.join('https://' + k for k in sorted(KNOWN_CONTEXTS))} are used"
    )


def _context(value: Any) -> Any:
    """A context value with every referenced context replaced by its shipped copy (or refused)."""
    if isinstance(value, str):
        return known_context(value)
    if isinstance(value, list):
        return [_context(item) for item in value]
    if isinstance(value, dict):
        out = {key: inline_contexts(item) for key, item in value.items() if key != "@import"}
        if "@import" in value:
            imported = _context(value["@import"])
            if not isinstance(imported, dict):
                raise RefusedInput("JSON-LD @import must name one context object")
            out = {**imported, **out}
        return out
    return value


def inline_contexts(document: Any) -> Any:
    """The JSON-LD document with every `@context` (at any depth, scoped ones too) made local."""
    if isinstance(document, list):
        return [inline_contexts(item) for item in document]
    if isinstance(document, dict):
        return {key: _context(item) if key == "@context" else inline_contexts(item) for key, item in document.items()}
    return document


def refuse_entity_declarations(body: bytes) -> None:
    """RefusedInput when the XML prolog declares any entity (billion laughs, XXE); reads only the prolog."""
    parser = xml.parsers.expat.ParserCreate()

    class _Stop(Exception):
        pass

    def entity(name: str, *_: Any) -> None:
        raise RefusedInput(f"XML entity declaration <!ENTITY {name} ...> refused (no entity is ever expanded)")

    def element(*_: Any) -> None:
        raise _Stop

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = element
    try:
        parser.Parse(body, True)
    except _Stop:
        return
    except xml.parsers.expat.ExpatError:
        return  # not well-formed: rdflib reports it with its own message


def parse_rdf(body: bytes, syntax: str, public_id: str | None = None) -> Graph:
    """The graph (a FastGraph) of an RDF body in rdflib syntax `syntax`; RefusedInput or rdflib's error if not."""
    if syntax == "nt":
        return parse_ntriples(body)
    graph = FastGraph()
    try:
        if syntax == "json-ld":
            document = inline_contexts(json.loads(body))
            graph.parse(data=json.dumps(document), format="json-ld", publicID=public_id)
            return graph
        if syntax == "xml":
            refuse_entity_declarations(body)
        graph.parse(data=body, format=syntax, publicID=public_id)
    except RecursionError as exc:
        raise RefusedInput(f"{syntax} nested too deeply to read") from exc
    return graph
