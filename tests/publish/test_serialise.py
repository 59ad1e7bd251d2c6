"""The streaming writers and the N-Triples reader against rdflib, on every real DCAT document we have."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from publishers.serialise import RDFLIB_FORMATS, parse_nt, relabel, serialise
from tests.publish.corpus import DATA

DOCUMENTS = sorted(p for p in DATA.rglob("*") if p.suffix in (".ttl", ".rdf", ".xml", ".jsonld"))


def _graph(path: Path) -> tuple[Graph, str]:
    """The document and its N-Triples (what a mapped artifact holds), or a skip when rdflib cannot."""
    graph = Graph()
    fmt = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld"}[path.suffix]
    try:
        graph.parse(path, format=fmt)
        return graph, graph.serialize(format="nt")
    except Exception as exc:  # noqa: BLE001 - documents rdflib itself cannot read or write are not ours
        pytest.skip(f"rdflib cannot read or write {path.name}: {str(exc)[:100]}")
    raise AssertionError("unreachable")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(DATA)))
def test_every_writer_round_trips_a_real_document(path: Path) -> None:
    graph, nt = _graph(path)
    triples = relabel(parse_nt(nt), "b0")
    assert len(triples) == len(graph)
    for ext, fmt in RDFLIB_FORMATS.items():
        back = Graph().parse(data=serialise(triples, ext), format=fmt)
        assert isomorphic(back, graph), ext


def test_reader_handles_what_the_fast_path_must_not_misread() -> None:
    graph = Graph()
    s = URIRef("https://example.lu/d")
    values = [
        Literal('quote " and backslash \\ and space .'),
        Literal("ends with backslash \\"),
        Literal("line\nbreak\ttab \u00e9\u4e2d \U0001f600", lang="fr-LU"),
        Literal("2024-05-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
        Literal(" . "),
        URIRef("https://example.lu/with%20escape?x=1#frag"),
    ]
    for i, value in enumerate(values):
        graph.add((s, URIRef(f"https://example.lu/p{i}"), value))
    text = graph.serialize(format="nt")
    spaced = text.replace(" .\n", "\t.\n").replace("> <", ">\t<", 2)  # odd but legal whitespace
    for data in (text, spaced):
        back = Graph().parse(data=serialise(parse_nt(data), "nt"), format="nt")
        assert isomorphic(back, graph)
