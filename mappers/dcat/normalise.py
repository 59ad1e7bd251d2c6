"""One DCAT record graph -> DCAT-AP 3: upgrade idioms, map vocabularies, tag languages, repair, prune.

Every DCAT-family mapper (DCAT RDF, CKAN, udata, Atom, inventory) builds a plain DCAT graph and
ends here, so all of them get the same DCAT-AP 3 output and the same rejection reasons.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from luxcat.fastgraph import FastGraph, bulk_add
from luxcat.iris import repair_iris
from luxcat.rdfcanon import canonical_labels
from mappers.base import MapContext
from mappers.dcat.conform import conform, reachable
from mappers.dcat.terms import ADMS, DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VCARD
from mappers.dcat.upgrade import upgrade
from mappers.dcat.vocab import map_vocabularies
from mappers.licensing import SOURCE_DEFAULT, apply_default_licence
from mappers.vocabularies import language_tag

# Text properties whose untagged literals get the source's default language.
TEXT = frozenset({
    DCTERMS.title, DCTERMS.description, DCTERMS.alternative, DCAT.keyword, SKOS.prefLabel, SKOS.altLabel,
    RDFS.label, RDFS.comment, FOAF.name, VCARD.fn, VCARD["organization-name"], ADMS.versionNotes,
})  # fmt: skip


def tag_literals(graph: Graph, language: str) -> None:
    """Give untagged, untyped text literals the source's default language."""
    for s, p, o in list(graph):
        if p not in TEXT or not isinstance(o, Literal) or o.datatype is not None:
            continue
        tag = language if o.language is None else (language_tag(o.language.split("-")[0]) or o.language)
        text = str(o).strip()
        if tag != o.language or text != str(o):
            graph.remove((s, p, o))
            if text:
                graph.add((s, p, Literal(text, lang=tag)))


def mint(context: MapContext, kind: str, record_id: str) -> URIRef:
    """A stable URI under the source's base URI for a resource the source left without one."""
    return URIRef(f"{context.base_uri}{kind}/{quote(record_id, safe='-._~')}")


def rename(graph: Graph, old: Node, new: Node) -> None:
    """Replace a node everywhere in the graph (e.g. a blank-node dataset by its minted URI)."""
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o))
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))


def apply_defaults(graph: Graph, root: URIRef, context: MapContext) -> None:
    """The source's fallback publisher, and its default licence only where the record says nothing about use."""
    if context.publisher.get("name") and not any(graph.objects(root, DCTERMS.publisher)):
        agent: Node = URIRef(context.publisher["uri"]) if context.publisher.get("uri") else BNode()
        graph.add((root, DCTERMS.publisher, agent))
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, FOAF.name, Literal(context.publisher["name"], lang=context.languages[0])))
    distributions = list(graph.objects(root, DCAT.distribution))
    if apply_default_licence(graph, root, context.licence) == SOURCE_DEFAULT:
        return  # the default stays on the dataset, marked as derived (mappers.licensing)
    licences = list(graph.objects(root, DCTERMS.license))
    for dist in distributions:
        if licences and not any(graph.objects(dist, DCTERMS.license)):
            graph.add((dist, DCTERMS.license, licences[0]))


def prune(graph: Graph, root: Node) -> Graph:
    """Only what the record reaches (plus its series members' stubs), canonical blank-node labels."""
    keep = bulk_add(
        FastGraph(), ((node, p, o) for node in reachable(graph, root) for p, o in graph.predicate_objects(node))
    )
    # canonical labels are only unique within one graph: prefix them with the record's own hash
    prefix = "r" + hashlib.sha1(str(root).encode()).hexdigest()[:12]
    labels = canonical_labels(keep)  # as canonical_graph(keep) would, without its intermediate copy
    named: dict[Node, Node] = {}

    def name(node: Node) -> Node:
        if not isinstance(node, BNode):
            return node
        found = named.get(node)
        if found is None:
            found = named[node] = _label(labels.get(node, node), prefix)
        return found

    out = bulk_add(FastGraph(), ((name(s), p, name(o)) for s, p, o in keep))
    repair_iris(out)  # an IRI built from source text that no RDF syntax can write
    return out


def _label(node: Node, prefix: str) -> Node:
    return BNode(prefix + str(node)) if isinstance(node, BNode) else node


def normalise(
    graph: Graph, root: Node, context: MapContext, record_id: str, kind: str = "dataset"
) -> tuple[Graph, URIRef]:
    """The DCAT-AP 3 graph and subject URI of one record (validation judges what is missing)."""
    language = language_tag(context.languages[0]) or context.languages[0]
    if not isinstance(root, URIRef):
        uri = mint(context, kind, record_id)
        rename(graph, root, uri)
        root = uri
    upgrade(graph)
    map_vocabularies(graph)
    tag_literals(graph, language)
    apply_defaults(graph, root, context)
    conform(graph, root, language)
    return prune(graph, root), root
