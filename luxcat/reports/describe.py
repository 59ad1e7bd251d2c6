"""Human names for what a report mentions: a record's title, its publisher, a blank node.

Operators read reports by dataset title, not URI, and a blank-node id such as `_:N3f2a…` means
nothing to them: a blank node is described by what it is and what it is called, e.g.
`distribution 'CSV 2023'` or `contact point 'Service géodonnées'`. Titles come from the mapped
graph; for a record that never mapped, from its raw payload when the format has an obvious title
field (JSON `title`, ISO 19139 `gmd:title`, RDF `dct:title`); otherwise no title is invented.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from rdflib.term import Node

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
KINDS: dict[URIRef, str] = {
    DCAT.Dataset: "dataset",
    URIRef("http://www.w3.org/ns/dcat#DatasetSeries"): "dataset series",
    DCAT.DataService: "data service",
    DCAT.Distribution: "distribution",
    DCAT.Catalog: "catalogue",
    DCAT.CatalogRecord: "catalogue record",
    FOAF.Organization: "organisation",  # before foaf:Agent: a node typed both is named by the narrower class
    FOAF.Person: "person",
    FOAF.Agent: "agent",
    VCARD.Kind: "contact point",
    VCARD.Organization: "contact point",
    VCARD.Individual: "contact point",
    DCTERMS.PeriodOfTime: "period",
    DCTERMS.Location: "location",
    DCTERMS.LicenseDocument: "licence",
    DCTERMS.RightsStatement: "rights statement",
    DCTERMS.MediaType: "media type",
    DCTERMS.MediaTypeOrExtent: "format",
    DCTERMS.Standard: "standard",
    DCTERMS.ProvenanceStatement: "provenance statement",
    SKOS.Concept: "concept",
    URIRef("http://spdx.org/rdf/terms#Checksum"): "checksum",
    URIRef("http://www.w3.org/ns/adms#Identifier"): "identifier",
}
# where a node's kind is not typed, the property pointing at it says what it is
KIND_BY_PROPERTY: dict[URIRef, str] = {
    DCAT.distribution: "distribution",
    DCAT.contactPoint: "contact point",
    DCTERMS.publisher: "publisher",
    DCTERMS.creator: "creator",
    DCTERMS.temporal: "period",
    DCTERMS.spatial: "location",
    DCTERMS.license: "licence",
    DCTERMS.rights: "rights statement",
    DCTERMS.accessRights: "access rights",
    DCTERMS.conformsTo: "standard",
    DCAT.accessService: "data service",
    DCTERMS["format"]: "format",
}
NAMES: tuple[URIRef, ...] = (
    DCTERMS.title,
    FOAF.name,
    VCARD.fn,
    VCARD["organization-name"],
    SKOS.prefLabel,
    RDFS.label,
    DCTERMS.identifier,
    LOCN.geographicName,
)


def pick_language(literals: Iterable[Node], languages: Sequence[str]) -> str | None:
    """The literal in the first of `languages` that has one, else an untagged one, else any."""
    texts = [lit for lit in literals if isinstance(lit, Literal) and str(lit).strip()]
    for lang in languages:
        for lit in texts:
            if lit.language == lang:
                return str(lit).strip()
    for lit in texts:
        if not lit.language:
            return str(lit).strip()
    return str(texts[0]).strip() if texts else None


def title_of(graph: Graph, node: Node, languages: Sequence[str], names: Sequence[URIRef] = NAMES) -> str | None:
    """The node's name: dct:title, foaf:name, vcard:fn, skos:prefLabel, ... in the preferred language."""
    for pred in names:
        name = pick_language(graph.objects(node, pred), languages)  # type: ignore[arg-type]
        if name:
            return name
    return None


def publisher_of(graph: Graph, dataset: Node, languages: Sequence[str]) -> str | None:
    """The name of the dataset's dct:publisher (or its IRI when it has no name in the graph)."""
    for agent in graph.objects(dataset, DCTERMS.publisher):  # type: ignore[arg-type]
        name = title_of(graph, agent, languages)
        if name:
            return name
        if isinstance(agent, URIRef):
            return str(agent)
    return None


def kind_of(graph: Graph, node: Node) -> str:
    """`distribution`, `contact point`, ... from the node's rdf:type or the property that points at it.

    The tables' order decides between several types or properties, not the graph's (which varies per process).
    """
    types = set(graph.objects(node, RDF.type))  # type: ignore[arg-type]
    for cls, kind in KINDS.items():
        if cls in types:
            return kind
    predicates = set(graph.predicates(None, node))
    for pred, kind in KIND_BY_PROPERTY.items():
        if pred in predicates:
            return kind
    return "blank node"


def _period(graph: Graph, node: Node) -> str | None:
    start = next(iter(graph.objects(node, DCAT.startDate)), None)  # type: ignore[arg-type]
    end = next(iter(graph.objects(node, DCAT.endDate)), None)  # type: ignore[arg-type]
    if start is None and end is None:
        return None
    return f"{start or '…'} – {end or '…'}"


def describe_node(graph: Graph, node: Node, languages: Sequence[str]) -> str:
    """A blank node as `kind 'name'`; a distribution without a name by its URL; other nodes as themselves."""
    if not isinstance(node, BNode):
        return str(node)
    kind = kind_of(graph, node)
    name = title_of(graph, node, languages) or _period(graph, node)
    if name is None:
        for pred in (DCAT.downloadURL, DCAT.accessURL, VCARD.hasEmail, FOAF.mbox, DCAT.endpointURL):
            value = next(iter(graph.objects(node, pred)), None)  # type: ignore[arg-type]
            if value is not None:
                name = str(value)
                break
    return f"{kind} '{name}'" if name else f"{kind} (unnamed)"


def describe_text(graph: Graph, text: str | None, languages: Sequence[str]) -> str | None:
    """A result's focus or value as stored (`_:N…` for blank nodes) in words, when it is a blank node."""
    if text is None or not text.startswith("_:"):
        return text
    return describe_node(graph, BNode(text[2:]), languages)


# -- titles of records that never mapped ------------------------------------------------------------
def _json_text(value: Any, languages: Sequence[str]) -> str | None:
    """A title in the shapes luxcat's JSON payloads use: str, {lang: str}, {value: str}, {lang: {value}}."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        if "value" in value:
            return _json_text(value["value"], languages)
        for lang in (*languages, *value):
            if lang in value:
                text = _json_text(value[lang], languages)
                if text:
                    return text
    return None


def _xml_title(payload: bytes) -> str | None:
    from lxml import etree

    try:
        root = etree.fromstring(payload, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    for element in root.iter("{*}title"):
        text = "".join(element.itertext()).strip()
        if text:
            return text
    return None


def title_from_payload(payload: bytes, media_type: str, languages: Sequence[str]) -> str | None:
    """A best-effort title straight from a raw payload (None when the format has no obvious title field)."""
    try:
        if media_type == "application/json":
            data = json.loads(payload)
            return _json_text(data.get("title"), languages) if isinstance(data, dict) else None
        if media_type.endswith("xml"):
            return _xml_title(payload)
        if media_type in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"):
            graph = Graph().parse(data=payload, format=media_type)
            return pick_language(graph.objects(None, DCTERMS.title), languages)
    except (ValueError, SyntaxError, UnicodeDecodeError):
        return None
    return None


def publisher_from_payload(payload: bytes, media_type: str, languages: Sequence[str]) -> str | None:
    """The publisher a JSON payload names (inventory column, CKAN/udata organisation), when it names one."""
    if media_type != "application/json":
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for key in ("publisher", "organization"):
        value = data.get(key)
        if isinstance(value, dict) and ("title" in value or "name" in value) and "value" not in value:
            value = value.get("title") or value.get("name")
        text = _json_text(value, languages)
        if text:
            return text
    return None
