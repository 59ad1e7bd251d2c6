"""The streaming writers and the N-Triples reader against rdflib, on every real DCAT document we have."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from publishers.serialise import RDFLIB_FORMATS, parse_nt, relabel, serialise
from tests.publish.corpus import DATA

# Real documents rdflib itself cannot turn into N-Triples (so no mapped artifact can hold them):
# geonetwork.xml has an IRI with a space in it. test_excluded_documents_really_fail keeps this honest.
RDFLIB_CANNOT = {"geonetwork.xml"}
ALL_DOCUMENTS = sorted(p for p in DATA.rglob("*") if p.suffix in (".ttl", ".rdf", ".xml", ".jsonld"))
DOCUMENTS = [p for p in ALL_DOCUMENTS if p.name not in RDFLIB_CANNOT]
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld"}


def _graph(path: Path) -> tuple[Graph, str]:
    """The document and its N-Triples (what a mapped artifact holds)."""
    graph = Graph()
    graph.parse(path, format=FORMATS[path.suffix])
    return graph, graph.serialize(format="nt")


@pytest.mark.parametrize("path", [p for p in ALL_DOCUMENTS if p.name in RDFLIB_CANNOT], ids=lambda p: p.name)
def test_excluded_documents_really_fail(path: Path) -> None:
    with pytest.raises(Exception):  # noqa: B017 - whatever rdflib raises, it must not succeed
        _graph(path)


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
