"""Cut a DCAT graph into one record per dataset, dataset series or data service.

A record holds everything its subject reaches through blank nodes and through described IRIs
(distributions, agents, contacts...), but stops at other records and catalogues, of which it keeps a
stub (type, title, description, endpoint) so links stay valid. A series keeps stubs of its members;
a dataset without publisher inherits its catalogue's. Identity is the subject IRI, else
dct:identifier; a record with neither cannot be tracked and is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from luxcat.iris import repair_iris
from luxcat.rdfcanon import canonical_graph

DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
RECORD_TYPES = (DCAT.Dataset, DATASET_SERIES, DCAT.DataService)
STUB = (RDF.type, DCTERMS.title, DCTERMS.description, DCAT.endpointURL)
HYDRA = "http://www.w3.org/ns/hydra/core#"


@dataclass(frozen=True, slots=True)
class Piece:
    """One record cut from a graph."""

    record_id: str
    subject: Node
    graph: Graph
    kind: str  # dataset | series | service
    modified: str | None


@dataclass(frozen=True, slots=True)
class Unidentified:
    """A record subject without IRI or dct:identifier."""

    label: str
    kind: str


def _kind(graph: Graph, node: Node) -> str:
    if (node, RDF.type, DATASET_SERIES) in graph:
        return "series"
    if (node, RDF.type, DCAT.Dataset) in graph:
        return "dataset"
    return "service"


def record_subjects(graph: Graph) -> list[Node]:
    """Datasets, series, and data services not merely serving a distribution (those travel with it)."""
    for listed in graph.objects(None, DCAT.dataset):
        if not any(graph.objects(listed, RDF.type)):
            graph.add((listed, RDF.type, DCAT.Dataset))  # listed by a catalogue: a dataset even if untyped
    subjects = set(graph.subjects(RDF.type, DCAT.Dataset)) | set(graph.subjects(RDF.type, DATASET_SERIES))
    listed_services = set(graph.objects(None, DCAT.service))
    access_only = set(graph.objects(None, DCAT.accessService)) - listed_services
    subjects |= set(graph.subjects(RDF.type, DCAT.DataService)) - access_only
    return sorted((s for s in subjects if _described(graph, s)), key=str)


def _described(graph: Graph, node: Node) -> bool:
    """False for a mere reference (a catalogue listing an IRI it describes elsewhere, e.g. on another page)."""
    return any(p != RDF.type for p in graph.predicates(node))


def identity(graph: Graph, node: Node) -> str | None:
    """The record id: the subject IRI, else its dct:identifier."""
    if isinstance(node, URIRef):
        return str(node)
    identifiers = sorted(str(i).strip() for i in graph.objects(node, DCTERMS.identifier) if str(i).strip())
    return identifiers[0] if identifiers else None


def _stub(graph: Graph, node: Node, out: Graph) -> None:
    for predicate in STUB:
        for value in graph.objects(node, predicate):
            out.add((node, predicate, value))


def extract(graph: Graph, subject: Node, stops: set[Node]) -> Graph:
    """The sub-graph describing `subject` (see module docstring)."""
    out = Graph()
    seen: set[Node] = set()
    todo: list[Node] = [subject]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in graph.predicate_objects(node):
            if str(predicate).startswith(HYDRA):
                continue
            out.add((node, predicate, value))
            if isinstance(value, Literal) or predicate == RDF.type:
                continue
            if value in stops:
                _stub(graph, value, out)
            else:
                todo.append(value)
    for member in graph.subjects(IN_SERIES, subject):
        out.add((member, IN_SERIES, subject))
        _stub(graph, member, out)
    _inherit_publisher(graph, subject, out, stops)
    return out


def _inherit_publisher(graph: Graph, subject: Node, out: Graph, stops: set[Node]) -> None:
    if any(graph.objects(subject, DCTERMS.publisher)):
        return
    for catalogue in list(graph.subjects(DCAT.dataset, subject)) + list(graph.subjects(DCAT.service, subject)):
        for publisher in graph.objects(catalogue, DCTERMS.publisher):
            out.add((subject, DCTERMS.publisher, publisher))
            out += extract(graph, publisher, stops | {subject})
            return


def catalogues(graph: Graph) -> set[Node]:
    return set(graph.subjects(RDF.type, DCAT.Catalog))


def split_graph(graph: Graph) -> Iterator[Piece | Unidentified]:
    """Every record of the graph, or an Unidentified marker for a subject that has no identity."""
    repair_iris(graph)
    subjects = record_subjects(graph)
    stops = set(subjects) | catalogues(graph)
    for position, subject in enumerate(subjects, start=1):
        kind = _kind(graph, subject)
        record_id = identity(graph, subject)
        if record_id is None:
            title = next((str(t) for t in graph.objects(subject, DCTERMS.title)), "untitled")
            yield Unidentified(f"{kind} {position} ({title[:80]})", kind)
            continue
        modified = graph.value(subject, DCTERMS.modified)
        yield Piece(
            record_id, subject, extract(graph, subject, stops - {subject}), kind, str(modified) if modified else None
        )


class UnwritablePiece(ValueError):
    """A record graph holding a term N-Triples cannot express (rdflib raises a bare Exception)."""


def canonical_ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples with canonical blank-node labels: equal content, equal bytes, equal hash."""
    try:
        text = canonical_graph(graph).serialize(format="nt", encoding="utf-8")
    except Exception as exc:  # rdflib raises Exception for an IRI it cannot write
        raise UnwritablePiece(f"cannot be written as N-Triples: {str(exc)[:200]}") from exc
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    return b"\n".join(lines) + b"\n"


def is_blank(node: Node) -> bool:
    return isinstance(node, BNode)
