"""Repair a record graph against the DCAT-AP 3.0.0 property rules; reject it if a mandatory field is missing.

Per node and class: IRIs written as strings become IRIs, text written as an IRI becomes text, a text
value where a class is expected becomes a labelled node of that class, ranges get their rdf:type,
datatypes are coerced (dates through literals.date_literal), and a property allowed once keeps one
value. A sub-node that still lacks one of its own mandatory properties (a distribution without
access URL, an agent without name...) is unlinked. Every value removed on the way is reported with
its reason (mappers.fidelity.drop). The record's own missing mandatory field is not this module's
business: validation reports it, for every mapper alike, and the source's `on_violation` decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from mappers.dcat.literals import DATE_TYPES, date_literal, is_url
from mappers.dcat.shapes import PropertyRule, rules
from mappers.dcat.terms import DCAT, DCTERMS, EU_AUTHORITY, FOAF, IN_SERIES, RDF, RDFS, SKOS, VCARD, XSD
from mappers.fidelity import EMPTY_URL, INCOMPLETE_NODE, INVALID_URL, UNPARSEABLE_DATE, drop
from mappers.vocabularies import vocabulary_graph

# The property that names a node of a class made from a bare text value.
LABEL_OF: dict[URIRef, URIRef] = {
    FOAF.Agent: FOAF.name,
    SKOS.Concept: SKOS.prefLabel,
    VCARD.Kind: VCARD.fn,
    DCTERMS.Standard: DCTERMS.title,
}
NO_TEXT_NODES = frozenset({DCAT.Dataset, DCAT.Distribution, DCAT.DataService, DCAT.Catalog, FOAF.Document})
RESOURCE_CLASSES = (DCAT.Catalog, DCAT.Dataset, DCAT.DataService, URIRef(str(DCAT) + "DatasetSeries"))
# Terms read in the per-value loops, made once (an rdflib DefinedNamespace attribute costs ~1.3 us).
_TYPE = RDF.type
_SH_LITERAL, _SH_IRI, _SH_BLANK_OR_IRI = SH.Literal, SH.IRI, SH.BlankNodeOrIRI
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_HEX = re.compile(r"^([0-9A-Fa-f]{2})+$")


def curie(uri: URIRef) -> str:
    """A short, readable name such as dct:description for rejection messages."""
    for prefix, ns in (("dct", str(DCTERMS)), ("dcat", str(DCAT)), ("foaf", str(FOAF)), ("vcard", str(VCARD))):
        if str(uri).startswith(ns):
            return f"{prefix}:{str(uri)[len(ns) :]}"
    return str(uri)


def reachable(graph: Graph, root: Node) -> Iterator[Node]:
    """Nodes linked from `root` (and the series members pointing at it), each once."""
    seen: set[Node] = set()
    todo = [root, *graph.subjects(IN_SERIES, root)]
    while todo:
        node = todo.pop()
        if node in seen or isinstance(node, Literal):
            continue
        seen.add(node)
        yield node
        todo += [o for p, o in graph.predicate_objects(node) if p != _TYPE]


def _as_node(graph: Graph, value: Literal, rule: PropertyRule) -> Node | None:
    """A resource for a text value where the shapes want an IRI or blank node."""
    text = str(value).strip()
    if is_url(text):
        return URIRef(text)
    if rule.node_kind == _SH_IRI or not rule.classes or rule.classes & NO_TEXT_NODES or not text:
        return None
    node = BNode()
    cls = sorted(rule.classes)[0]
    graph.add((node, _TYPE, cls))
    graph.add((node, LABEL_OF.get(cls, RDFS.label), value))
    return node


def _coerce(value: Literal, rule: PropertyRule) -> Literal | None:
    """The literal in the datatype the rule asks for, or None when it cannot be."""
    text = str(value).strip()
    if rule.date:
        return value if value.datatype in DATE_TYPES else date_literal(text)
    if rule.datatype == XSD.decimal:
        return Literal(text, datatype=XSD.decimal) if _DECIMAL.match(text) else None
    if rule.datatype == XSD.duration:
        return Literal(text, datatype=XSD.duration) if _DURATION.match(text) else None
    if rule.datatype == XSD.hexBinary:
        return Literal(text, datatype=XSD.hexBinary) if _HEX.match(text) else None
    return value if value.datatype == rule.datatype else None


def _fixed(graph: Graph, value: Node, rule: PropertyRule) -> Node | None:
    """`value` repaired for the rule's node kind and datatype (itself if fine, None to drop it)."""
    if rule.node_kind == _SH_LITERAL and not isinstance(value, Literal):
        return Literal(str(value)) if isinstance(value, URIRef) else None
    if rule.node_kind in (_SH_IRI, _SH_BLANK_OR_IRI) and isinstance(value, Literal):
        return _as_node(graph, value, rule)
    if rule.node_kind == _SH_IRI and isinstance(value, BNode):
        return None
    if isinstance(value, Literal) and (rule.date or rule.datatype is not None):
        return _coerce(value, rule)
    if rule.resource and not any((value, _TYPE, cls) in graph for cls in RESOURCE_CLASSES):
        return None  # dcat:Relationship targets must be described catalogue resources
    return value


def _why(value: Node, rule: PropertyRule) -> str:
    """The reason a value could not be repaired, in the shared words of mappers.fidelity."""
    text = str(value).strip()
    if rule.date:
        return UNPARSEABLE_DATE
    if rule.node_kind in (_SH_IRI, _SH_BLANK_OR_IRI) and isinstance(value, Literal):
        return EMPTY_URL if not text else INVALID_URL
    if rule.resource:
        return "not a dataset, service or catalogue described here"
    return f"not a valid {rule.datatype.rsplit('#', 1)[-1] if rule.datatype else 'value'} for this property"


def _rank(value: Node, language: str) -> tuple[int, str]:
    """Order for keeping one value of a single-valued property: EU terms and the default language first."""
    if isinstance(value, Literal):
        return (0 if value.language in (language, None) else 1, str(value))
    return (0 if str(value).startswith(EU_AUTHORITY) else 1 if isinstance(value, URIRef) else 2, str(value))


def _apply(graph: Graph, node: Node, path: URIRef, rule: PropertyRule, language: str) -> bool:
    """Repair the values of one property of one node; True when something changed."""
    changed = False
    values = list(graph.objects(node, path))
    kept = []
    for value in values:
        fixed = _fixed(graph, value, rule)
        if fixed != value:
            graph.remove((node, path, value))
            changed = True
            if fixed is not None:
                graph.add((node, path, fixed))
            else:
                drop(curie(path), value, _why(value, rule))
        if fixed is not None:
            kept.append(fixed)
    if rule.max_count is not None and len(kept) > rule.max_count:
        for extra in sorted(kept, key=lambda v: _rank(v, language))[rule.max_count :]:
            graph.remove((node, path, extra))
            drop(curie(path), extra, f"at most {rule.max_count} value(s) allowed; another one was kept")
        changed = True
    for value in kept:
        for cls in rule.classes:
            if not isinstance(value, Literal) and (value, _TYPE, cls) not in graph:
                graph.add((value, _TYPE, cls))
                changed = True
    return changed


def _types(graph: Graph, node: Node) -> list[URIRef]:
    return [t for t in graph.objects(node, _TYPE) if isinstance(t, URIRef) and t in rules()]


def _has(graph: Graph, node: Node, path: URIRef) -> bool:
    return any(graph.objects(node, path)) or (isinstance(node, URIRef) and any(vocabulary_graph().objects(node, path)))


def missing(graph: Graph, node: Node) -> list[str]:
    """Mandatory properties (by the shapes) that `node` lacks, e.g. ["dcat:accessURL"]."""
    absent = []
    for cls in _types(graph, node):
        for path, rule in rules()[cls].items():
            if rule.min_count and not _has(graph, node, path):
                absent.append(curie(path))
    return sorted(set(absent))


def _unlink_incomplete(graph: Graph, root: Node) -> bool:
    """Remove links to sub-nodes that lack a mandatory property of their own; True if any was removed."""
    removed = False
    for node in list(reachable(graph, root)):
        if node == root or not missing(graph, node):
            continue
        if (node, IN_SERIES, root) in graph:  # a series member stub without title/description
            graph.remove((node, IN_SERIES, root))
            why = f"{INCOMPLETE_NODE}: no {', '.join(missing(graph, node))}"
            drop("dcat:inSeries (member)", _describe(graph, node), why)
            removed = True
        for subject, predicate in list(graph.subject_predicates(node)):
            graph.remove((subject, predicate, node))
            drop(curie(predicate), _describe(graph, node), f"{INCOMPLETE_NODE}: no {', '.join(missing(graph, node))}")
            removed = True
    return removed


def _describe(graph: Graph, node: Node) -> str:
    """A short readable account of an unlinked node: its URI, or its type and first values."""
    if isinstance(node, URIRef):
        return str(node)
    parts = [curie(t) for t in graph.objects(node, _TYPE) if isinstance(t, URIRef)]
    parts += [f"{curie(p)}={o}" for p, o in list(graph.predicate_objects(node))[:4] if p != _TYPE]
    return " ".join(parts) or "(blank node)"


def conform(graph: Graph, root: Node, language: str) -> None:
    """Repair `graph` in place around `root` (a missing mandatory field of `root` is left to validation)."""
    for _round in range(6):
        changed = False
        for node in list(reachable(graph, root)):
            for cls in _types(graph, node):
                for path, rule in rules()[cls].items():
                    changed |= _apply(graph, node, path, rule, language)
        changed |= _unlink_incomplete(graph, root)
        if not changed:
            break
