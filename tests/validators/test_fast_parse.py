"""The fast read path (N-Triples straight into a FastGraph) gives the graph rdflib gives and pySHACL's verdicts.

`luxcat validate` and the pipeline read N-Triples with luxcat.ntriples into a luxcat.fastgraph
FastGraph (bulk-loaded Memory store, dict-speed lookups). These tests hold it to rdflib: the same
graph (isomorphic to rdflib's own N-Triples parse of the same real records), the same store state
and lookup order as one `Graph.add` per triple, the same findings as pySHACL per dataset, and the
same full reports (SHACL + policy + MQA score) as on a plain rdflib Graph.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.events import Event
from rdflib.store import TripleAddedEvent

from luxcat.fastgraph import CachedNamespace, FastGraph, bulk_add
from luxcat.ntriples import NTriplesError, parse_ntriples
from tests.validators.helpers import merged, per_dataset, real_dcat_files
from validators import command
from validators.combined import validate_full
from validators.index import Index
from validators.jsontext import dumps_indented
from validators.reference import pyshacl_issues
from validators.shacl import Validator, partition

_BNODE = re.compile(r"_:[A-Za-z0-9]+")


@pytest.fixture(scope="module")
def real_ntriples() -> bytes:
    """Every second real DCAT file, merged, as N-Triples (an IRI with a space cannot be written: left out)."""
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # real files carry malformed dates
    graph = merged(real_dcat_files()[::2])
    writable = Graph()
    for triple in graph:
        if not any(isinstance(n, URIRef) and " " in n for n in triple):
            writable.add(triple)
    return writable.serialize(format="nt", encoding="utf-8")


def test_parsed_graph_is_rdflibs_graph(real_ntriples: bytes) -> None:
    fast = parse_ntriples(real_ntriples)
    reference = Graph().parse(data=real_ntriples, format="nt")
    assert isinstance(fast, FastGraph)
    assert len(fast) == len(reference) > 2000
    assert isomorphic(fast, reference)


def test_luxcat_validate_reading_ntriples_gives_pyshacls_verdicts(real_ntriples: bytes, tmp_path: Path) -> None:
    """The command's read path on a real catalogue file, validated by luxcat and by pySHACL."""
    path = tmp_path / "catalogue.nt"
    path.write_bytes(real_ntriples)
    read = command._read([path])
    assert not isinstance(read, int)
    graph, empty = read
    assert isinstance(graph, FastGraph) and not empty
    mine = Validator("dcat-ap-3.0.0").validate_detailed(graph)
    theirs = partition(pyshacl_issues(graph, "dcat-ap-3.0.0"), Index(graph))
    a, b = per_dataset(mine), per_dataset(theirs)
    assert len(a) >= 20 and sum(len(r.results) for r in mine.reports) >= 300  # a real, non-trivial comparison
    differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    assert not differing, f"{len(differing)} datasets differ, e.g. {differing[:3]}"


def test_full_reports_on_a_fastgraph_equal_those_on_a_plain_graph(real_ntriples: bytes) -> None:
    """SHACL, policy rules, MQA scores and catalogue reports read the graph through its lookups."""
    fast = parse_ntriples(real_ntriples)
    plain = Graph()  # with a listener, the reader adds through rdflib's own Graph.addN, in the same order
    plain.store.dispatcher.subscribe(TripleAddedEvent, lambda event: None)
    parse_ntriples(real_ntriples, plain)
    assert isomorphic(fast, plain)
    a, b = validate_full(fast, udata=True), validate_full(plain, udata=True)
    for part in ("reports", "catalogues", "other"):  # each parse names its blank nodes afresh
        assert _blanked(getattr(a, part)) == _blanked(getattr(b, part)), part
    assert any(r.score for r in a.reports)


def _blanked(items: list) -> list[str]:  # type: ignore[type-arg]
    """Reports or issues as sorted JSON texts, blank node labels blanked and result lists sorted."""
    texts = []
    for item in items:
        row = item.as_dict()
        results = sorted(_BNODE.sub("_:b", json.dumps(r, sort_keys=True)) for r in row.pop("results", []))
        texts.append(_BNODE.sub("_:b", json.dumps(row, sort_keys=True)) + "".join(results))
    return sorted(texts)


def _store_state(graph: Graph) -> tuple[object, ...]:
    """The Memory store's indexes and context bookkeeping, the graph's own context key written "self"."""
    store = graph.store
    own = f"{graph.identifier.__class__.__name__}:{graph.identifier}"
    by_context = {("self" if k == own else k): set(v) for k, v in store._Memory__contextTriples.items() if v}  # type: ignore[attr-defined]
    defaults = {("self" if k == own else k): v for k, v in store._Memory__defaultContexts.items()}  # type: ignore[attr-defined]
    return (
        store._Memory__spo,  # type: ignore[attr-defined]
        store._Memory__pos,  # type: ignore[attr-defined]
        store._Memory__osp,  # type: ignore[attr-defined]
        by_context,
        store._Memory__tripleContexts,  # type: ignore[attr-defined]
        defaults,
        len(graph),
    )


def _sample_triples(real_ntriples: bytes) -> list[tuple]:  # type: ignore[type-arg]
    """Real triples (first 3,000 of the catalogue) plus a duplicate and literals equal but for the object."""
    triples = list(parse_ntriples(real_ntriples))[:3000]
    triples.append(triples[0])
    s = URIRef("https://example.org/d")
    triples += [
        (s, URIRef("https://example.org/p"), Literal("0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    ]
    triples += [(s, URIRef("https://example.org/p"), Literal(""))]
    return triples


def test_bulk_load_leaves_the_store_as_one_add_per_triple_would(real_ntriples: bytes) -> None:
    triples = _sample_triples(real_ntriples)
    plain, fast = Graph(), FastGraph()
    for triple in triples[:1000]:
        plain.add(triple)
        fast.add(triple)
    for triple in triples[1000:]:
        plain.add(triple)
    bulk_add(fast, triples[1000:])  # onto a non-empty graph too
    assert _store_state(fast) == _store_state(plain)
    fresh = bulk_add(FastGraph(), triples)
    assert len(fresh) == len(plain)
    fresh.remove((triples[0][0], None, None))  # rdflib's own remove works on a bulk-loaded store
    plain.remove((triples[0][0], None, None))
    assert set(fresh) == set(plain)


def test_lookups_give_rdflibs_triples_in_rdflibs_order(real_ntriples: bytes) -> None:
    triples = _sample_triples(real_ntriples)
    plain = Graph()
    for triple in triples:
        plain.add(triple)
    fast = bulk_add(FastGraph(), triples)  # the same triples in the same order
    merged_in = FastGraph()
    merged_in += plain
    assert set(merged_in) == set(plain) and len(merged_in) == len(plain)
    for s, p, o in triples[::37]:
        for pattern in (
            (s, None, None),
            (s, p, None),
            (s, p, o),
            (s, None, o),
            (None, p, None),
            (None, p, o),
            (None, None, o),
        ):
            assert list(fast.triples(pattern)) == list(plain.triples(pattern)), pattern
        assert list(fast.objects(s, p)) == list(plain.objects(s, p))
        assert list(fast.subjects(p, o)) == list(plain.subjects(p, o))
        assert fast.value(s, p) == plain.value(s, p)
        assert ((s, p, o) in fast) and ((s, p, BNode()) not in fast)
    assert list(fast) == list(plain)  # the whole graph too, in rdflib's order


def test_a_listener_or_a_shared_store_takes_rdflibs_own_path(real_ntriples: bytes) -> None:
    triples = _sample_triples(real_ntriples)[:200]
    heard: list[Event] = []
    graph = FastGraph()
    graph.store.dispatcher.subscribe(TripleAddedEvent, heard.append)
    bulk_add(graph, triples)
    assert len(heard) == len(graph) == len(set(triples))
    other = Graph(store=graph.store, identifier=URIRef("https://example.org/other"))
    other.add((URIRef("https://example.org/x"), URIRef("https://example.org/p"), Literal("in the other graph")))
    assert (URIRef("https://example.org/x"), None, None) not in graph  # the fast path does not see other graphs
    assert len(list(graph.triples((None, triples[0][1], None)))) == len(
        list(Graph.triples(graph, (None, triples[0][1], None)))
    )


def test_a_malformed_line_is_named() -> None:
    good = '<https://example.org/a> <https://example.org/p> "x" .\n'
    with pytest.raises(NTriplesError, match="line 3 is not an N-Triples statement"):
        parse_ntriples(good + "# a comment\n" + "<https://example.org/a> <p> .\n" + good)
    graph = parse_ntriples(
        good
        + "\n  # comment\r\n"
        + good.replace('"x"', '""')
        + '<> <https://example.org/p> "0"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )
    assert len(graph) == 3 and (URIRef(""), None, None) in graph


def test_cached_namespace_terms_equal_rdflibs() -> None:
    ns = CachedNamespace("http://www.w3.org/ns/dcat#")
    assert ns.distribution == URIRef("http://www.w3.org/ns/dcat#distribution") and ns.distribution is ns.distribution
    assert ns["format"] == URIRef("http://www.w3.org/ns/dcat#format") and ns["format"] is ns["format"]


def test_indented_json_is_the_standard_librarys_text(real_ntriples: bytes) -> None:
    full = validate_full(parse_ntriples(real_ntriples))
    rows = [{"kind": "dataset", **r.as_dict()} for r in full.reports]
    assert dumps_indented(rows) == json.dumps(rows, indent=2, ensure_ascii=False)
    odd = [1.5, float("nan"), float("-inf"), -0.0, 10**30, True, None, 'é"\n\u2028', {}, [], (1, 2), {"a": {"b": [{}]}}]
    assert dumps_indented(odd) == json.dumps(odd, indent=2, ensure_ascii=False)
    assert dumps_indented({1: "non-str key"}) == json.dumps({1: "non-str key"}, indent=2, ensure_ascii=False)


def test_add_and_remove_leave_the_store_as_rdflibs_do(real_ntriples: bytes) -> None:
    """One triple at a time, as the mappers build and repair graphs: the same store state after each phase."""
    triples = _sample_triples(real_ntriples)
    plain, fast = Graph(), FastGraph()
    for triple in triples:
        plain.add(triple)
        fast.add(triple)
    assert _store_state(fast) == _store_state(plain)
    for triple in triples[::3]:
        plain.remove(triple)
        fast.remove(triple)
    fast.remove((URIRef("https://example.org/absent"), URIRef("https://example.org/p"), Literal("x")))
    plain.remove((URIRef("https://example.org/absent"), URIRef("https://example.org/p"), Literal("x")))
    assert _store_state(fast) == _store_state(plain)
    for triple in triples[::6]:  # back again, after removals left empty dicts behind
        plain.add(triple)
        fast.add(triple)
    fast.remove((triples[1][0], None, None))  # a pattern: rdflib's own remove
    plain.remove((triples[1][0], None, None))
    assert _store_state(fast) == _store_state(plain)
    for triple in list(plain):
        plain.remove(triple)
        fast.remove(triple)
    assert _store_state(fast) == _store_state(plain) and len(fast) == 0
    with pytest.raises(AssertionError):
        fast.add((URIRef("https://example.org/s"), "not a term", Literal("x")))  # type: ignore[arg-type]
