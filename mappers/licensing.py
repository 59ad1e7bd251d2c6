"""Where a dataset's licence came from: stated by the record, the source owner's default, or none.

One rule for every mapper: the licence the record states (a licence URI, a licence URL or a known
licence name) is `stated`; the default licence of the source's YAML is applied only when the record
says nothing at all about use (no licence, no rights text other than "conditions unknown", no access
restriction) and is then `source-default`; anything else is `none` (no licence is invented). A
source default is a derived statement, so the graph says so, and the export carries it:

    <dataset> dct:license <…/licence/CC0> ;
              dct:provenance <https://data.public.lu/luxcat/def/licence-origin/source-default> .
    <…/licence-origin/source-default> a dct:ProvenanceStatement ; rdfs:label "…"@en, "…"@fr .

dct:provenance with a dct:ProvenanceStatement is DCAT-AP's own place for "how this description came
about"; one shared statement node (not a blank node per dataset) lets the report, the store summary
and any consumer of the export find source-default licences with one triple pattern.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS
from rdflib.term import Node

from mappers.vocabularies.use_terms import says_nothing

STATED, SOURCE_DEFAULT, NONE = "stated", "source-default", "none"
ORIGINS = (STATED, SOURCE_DEFAULT, NONE)
SOURCE_DEFAULT_STATEMENT = URIRef("https://data.public.lu/luxcat/def/licence-origin/source-default")
_LABELS = {
    "en": "The source record states no licence and nothing about use: the licence is the default the source "
    "owner declared for this source in luxcat.",
    "fr": "La fiche source n'indique ni licence ni conditions d'utilisation : la licence est celle que le "
    "propriétaire de la source a déclarée par défaut pour cette source dans luxcat.",
}
_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
_OPEN_ACCESS = {_ACCESS + "PUBLIC"}


def decide(stated: str | None, says_something: bool, default: str | None) -> tuple[str | None, str]:
    """(licence URI, origin) for a record: its own licence, else the default only if it is silent on use."""
    if stated:
        return stated, STATED
    if default and not says_something:
        return default, SOURCE_DEFAULT
    return None, NONE


def source_default_triples(subject: Node) -> list[tuple[Node, URIRef, Node]]:
    """The triples saying that `subject`'s licence is the source owner's default (a derived statement)."""
    return [
        (subject, DCTERMS.provenance, SOURCE_DEFAULT_STATEMENT),
        (SOURCE_DEFAULT_STATEMENT, RDF.type, DCTERMS.ProvenanceStatement),
        *((SOURCE_DEFAULT_STATEMENT, RDFS.label, Literal(text, lang=lang)) for lang, text in _LABELS.items()),
    ]


def _holders(graph: Graph, dataset: Node) -> list[Node]:
    return [dataset, *graph.objects(dataset, DCAT.distribution)]


def says_something_about_use(graph: Graph, dataset: Node) -> bool:
    """Whether the mapped record states any rights text or any access restriction (dataset or distributions)."""
    for holder in _holders(graph, dataset):
        for rights in graph.objects(holder, DCTERMS.rights):
            texts = [str(t) for t in graph.objects(rights, RDFS.label)] or [str(rights)]
            if not all(says_nothing(t) for t in texts):
                return True
        for access in graph.objects(holder, DCTERMS.accessRights):
            if str(access) not in _OPEN_ACCESS:
                return True
    return False


def apply_default_licence(graph: Graph, dataset: Node, default: str | None) -> str:
    """Apply the source default to a mapped graph under the one rule above; returns the licence origin."""
    if any((h, DCTERMS.license, None) in graph for h in _holders(graph, dataset)):
        return STATED
    licence, origin = decide(None, says_something_about_use(graph, dataset), default)
    if licence:
        graph.add((dataset, DCTERMS.license, URIRef(licence)))
        graph.add((URIRef(licence), RDF.type, DCTERMS.LicenseDocument))
        for triple in source_default_triples(dataset):
            graph.add(triple)
    return origin


def licence_origin(graph: Graph, dataset: Node) -> str:
    """stated / source-default / none, read back from a mapped (or merged) graph (cheapest checks first)."""
    if (dataset, DCTERMS.provenance, SOURCE_DEFAULT_STATEMENT) in graph:
        return SOURCE_DEFAULT
    if (dataset, DCTERMS.license, None) in graph:
        return STATED
    if any((d, DCTERMS.license, None) in graph for d in graph.objects(dataset, DCAT.distribution)):
        return STATED
    return NONE
