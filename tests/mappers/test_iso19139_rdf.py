"""The ISO mapper's fast RDF building blocks give exactly what rdflib's own constructors give."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from mappers.iso19139.rdf import DCTERMS, TYPE, GraphWriter, plain_literal
from tests.mappers.snapshots import EXPECTED

SLOTS = ("_language", "_datatype", "_value", "_ill_typed")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Carte géologique", "fr"), ("Karte", "de"), ("plain", None), ("", None), ("x", ""), ("EN tag", "en-GB")],
)
def test_plain_literal_equals_rdflib_literal_in_every_slot(text: str, lang: str | None) -> None:
    fast, reference = plain_literal(text, lang), Literal(text, lang=lang)
    assert fast == reference and hash(fast) == hash(reference) and fast.eq(reference)
    assert [getattr(fast, s) for s in SLOTS] == [getattr(reference, s) for s in SLOTS]
    assert fast.n3() == reference.n3()


def test_plain_literal_rejects_an_invalid_language_tag_like_rdflib() -> None:
    with pytest.raises(ValueError, match="not a valid language tag"):
        plain_literal("x", "not a tag")


def test_graph_writer_builds_the_graph_graph_add_builds() -> None:
    reference = Graph().parse(EXPECTED / "ckanext-spatial_gemini2.1__dataset1__1.nt", format="nt")
    writer = GraphWriter("seed")
    triples = list(reference)
    for triple in triples + triples[:5]:  # duplicates collapse as in Graph.add
        writer.add(triple)
    built = writer.graph
    assert len(built) == len(reference) and set(built) == set(reference)
    assert isomorphic(built, reference)
    subject = next(iter(reference.subjects(TYPE, None)))
    assert set(built.predicate_objects(subject)) == set(reference.predicate_objects(subject))
    assert set(built.subjects(TYPE, None)) == set(reference.subjects(TYPE, None))
    built.add((URIRef("urn:x"), DCTERMS.title, Literal("later")))  # the graph is an ordinary Graph
    assert len(built) == len(reference) + 1


def test_graph_writer_refuses_triples_after_the_graph_is_built() -> None:
    writer = GraphWriter("seed")
    writer.add((BNode(), TYPE, DCTERMS.Location))
    assert len(writer.graph) == 1
    with pytest.raises(RuntimeError):
        writer.add((BNode(), TYPE, DCTERMS.Location))
