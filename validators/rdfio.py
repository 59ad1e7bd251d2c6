"""Reading RDF files for `luxcat validate`: the format is guessed from the name, then from the content."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from luxcat.rdfparse import parse_rdf

FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
}


def guess_format(path: Path) -> str:
    """rdflib format name for a file, from its suffix or its first bytes."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt:
        return fmt
    head = path.read_bytes()[:512].lstrip()
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


def load_rdf(path: Path | str, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into `graph` (by default the parsed graph itself, a FastGraph: no copy)."""
    path = Path(path)
    # no JSON-LD context fetch, no XML entity expansion, linear N-Triples (issue 17)
    parsed = parse_rdf(path.read_bytes(), guess_format(path), path.resolve().as_uri())
    if graph is None:
        return parsed
    graph += parsed
    return graph
