"""F2: characters that end lines for some readers, and predicates with no XML QName, never stop the export.

Every literal character survives every syntax (round-tripped through rdflib's parsers and compared as
graphs); a record that one syntax cannot express at all is left out of that version with a finding
while every other record is published.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from publishers.catalogue.export import EXTENSIONS
from publishers.serialise import FORMATS, RDFLIB_FORMATS, SerialisationError, parse_nt, serialise
from tests.publish.corpus import load, source_config
from tests.publish.helpers import folder_reader, members, parse, run

XML_LEGAL = "\u2028 \u2029 \u0085 tab\tend"  # legal in every syntax, line ends for str.splitlines()
XML_ILLEGAL = "\x0b \x0c \x1c \x1d \x1e"  # line ends for str.splitlines(), not characters of XML 1.0
NO_QNAME = URIRef("http://example.org/terms/2024")


def _graph(uri: str, title: str, extra: tuple[URIRef, Literal] | None = None) -> Graph:
    graph = Graph()
    subject = URIRef(uri)
    graph.add((subject, RDF.type, DCAT.Dataset))
    graph.add((subject, DCTERMS.title, Literal(title, lang="en")))
    graph.add((subject, DCTERMS.description, Literal(f"before {title} after")))
    if extra:
        graph.add((subject, *extra))
    return graph


def _to_graph(text: str, ext: str) -> Graph:
    return Graph().parse(data=text, format=RDFLIB_FORMATS[ext])


def test_parse_nt_keeps_a_literal_with_unicode_line_separators_on_one_line() -> None:
    graph = _graph("http://example.org/d/1", XML_LEGAL + XML_ILLEGAL)
    data = graph.serialize(format="nt", encoding="utf-8")  # rdflib leaves these characters raw
    triples = parse_nt(data)
    assert len(triples) == len(graph)
    assert isomorphic(Graph().parse(data=serialise(triples, "nt"), format="nt"), graph)


def test_every_writer_round_trips_every_character_it_can_hold() -> None:
    legal = _graph("http://example.org/d/1", XML_LEGAL)
    triples = parse_nt(legal.serialize(format="nt", encoding="utf-8"))
    for ext in FORMATS:
        text = serialise(triples, ext)
        assert "\u2028" not in text and "\u2029" not in text, ext  # escaped for line-oriented readers
        assert isomorphic(_to_graph(text, ext), legal), ext
    illegal = _graph("http://example.org/d/2", XML_ILLEGAL)
    triples = parse_nt(illegal.serialize(format="nt", encoding="utf-8"))
    for ext in ("nt", "ttl", "jsonld"):
        text = serialise(triples, ext)
        assert not any(c in text for c in XML_ILLEGAL.replace(" ", "")), ext
        assert isomorphic(_to_graph(text, ext), illegal), ext
    try:
        serialise(triples, "rdf")
    except SerialisationError as exc:
        assert "U+000B" in str(exc)
    else:
        raise AssertionError("RDF/XML wrote a character XML 1.0 cannot hold")


def test_export_is_complete_and_only_the_unwritable_records_are_left_out(tmp_path, publish_config) -> None:  # type: ignore[no-untyped-def]
    loaded = load(tmp_path / "state", {"portal-mix": ["ckanext-dcat-examples/catalog.rdf"]})
    loaded.add("odd", "legal", "http://example.org/d/legal", _graph("http://example.org/d/legal", XML_LEGAL))
    loaded.add("odd", "vt", "http://example.org/d/vt", _graph("http://example.org/d/vt", XML_ILLEGAL))
    qname = _graph("http://example.org/d/qname", "odd predicate", (NO_QNAME, Literal("x")))
    loaded.add("odd", "qname", "http://example.org/d/qname", qname)
    other = (URIRef("http://example.org/other#term"), Literal("y"))  # no known namespace: a generated prefix
    ns0 = _graph("http://example.org/d/ns0", "generated prefix", other)
    loaded.add("odd", "ns0", "http://example.org/d/ns0", ns0)
    loaded.sources.append(source_config("odd"))
    cfg = publish_config(page_size=2)
    run(loaded, cfg)
    root = Path(cfg.targets.catalogue.export)
    read = folder_reader(root)
    reference = parse(read("catalogue.nt"), "nt")
    for ext in EXTENSIONS:
        graph = parse(read(f"catalogue.{ext}"), ext)
        assert isomorphic(graph, reference), ext
    listed = set(members(reference, cfg.catalogue.uri))
    assert {"http://example.org/d/legal", "http://example.org/d/ns0"} <= listed
    assert not {"http://example.org/d/vt", "http://example.org/d/qname"} & listed
    assert (URIRef("http://example.org/d/legal"), DCTERMS.title, Literal(XML_LEGAL, lang="en")) in reference
    assert (URIRef("http://example.org/d/ns0"), URIRef("http://example.org/other#term"), Literal("y")) in reference
    assert len(listed) >= 4  # the real records are all there
    findings = json.loads(read("findings.json"))
    assert sorted(f["uri"] for f in findings) == ["http://example.org/d/qname", "http://example.org/d/vt"]
    assert all(f["reason"] == "not_serialisable" and f["records"][0][0] == "odd" for f in findings)
    assert any("no XML QName" in f["message"] for f in findings)
    assert json.loads((root / "index.json").read_text())["left_out"] == 2
