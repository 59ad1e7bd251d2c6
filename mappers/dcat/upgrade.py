"""DCAT-AP 1.x/2.x idioms and deprecated properties rewritten the DCAT-AP 3 way.

Only rewrites with one correct answer live here (the deprecation list of the 3.0.0 shapes and the
well-known older idioms); vocabulary values are vocab.py's job, node kinds and ranges conform.py's.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mappers.dcat.literals import DATE_TYPES, date_literal, is_email, mailto
from mappers.dcat.terms import (
    ADMS,
    DCAT,
    DCAT_HAS_VERSION,
    DCAT_VERSION,
    DCTERMS,
    FOAF,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    VCARD,
)
from mappers.fidelity import UNPARSEABLE_DATE, drop

# Deprecated or superseded property -> its DCAT-AP 3 replacement, wherever it appears in a record.
RENAMED: dict[URIRef, URIRef] = {
    ADMS.contactPoint: DCAT.contactPoint,
    OWL.versionInfo: DCAT_VERSION,
    ADMS.version: DCAT_VERSION,
    DCTERMS.hasVersion: DCAT_HAS_VERSION,
    DCTERMS.isVersionOf: URIRef("http://www.w3.org/ns/dcat#isVersionOf"),
    SCHEMA.startDate: DCAT.startDate,
    SCHEMA.endDate: DCAT.endDate,
    VCARD.email: VCARD.hasEmail,
    URIRef("http://www.w3.org/ns/dcat#contactPoint_"): DCAT.contactPoint,
}
SPDX_ALGORITHM = "https://spdx.org/rdf/terms#checksumAlgorithm_"  # the form the 3.0.0 vocabulary shape expects


def rename_properties(graph: Graph) -> None:
    """Replace deprecated properties by their successors."""
    for old, new in RENAMED.items():
        for s, o in list(graph.subject_objects(old)):
            graph.remove((s, old, o))
            graph.add((s, new, o))


def _move(graph: Graph, subject: Node, old: URIRef, new: URIRef) -> None:
    for value in list(graph.objects(subject, old)):
        graph.remove((subject, old, value))
        graph.add((subject, new, value))


def upgrade_datasets(graph: Graph) -> None:
    """Dataset-level idioms: foaf:homepage as landing page, dct:abstract as description."""
    for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
        _move(graph, dataset, FOAF.homepage, DCAT.landingPage)
        if not any(graph.objects(dataset, DCTERMS.description)):  # udata's reader accepts it too
            _move(graph, dataset, DCTERMS.abstract, DCTERMS.description)


def upgrade_distributions(graph: Graph) -> None:
    """A distribution with only a download URL gets it as access URL too (DCAT-AP: accessURL mandatory)."""
    for dist in set(graph.objects(None, DCAT.distribution)) | set(graph.subjects(RDF.type, DCAT.Distribution)):
        if not any(graph.objects(dist, DCAT.accessURL)):
            for url in list(graph.objects(dist, DCAT.downloadURL)):
                graph.add((dist, DCAT.accessURL, url))


def upgrade_contacts(graph: Graph) -> None:
    """vcard:hasEmail as a mailto: IRI, vcard:hasURL as an IRI (older exports write plain strings)."""
    for contact, email in list(graph.subject_objects(VCARD.hasEmail)):
        if isinstance(email, Literal | URIRef) and is_email(str(email)) and not str(email).startswith("mailto:"):
            graph.remove((contact, VCARD.hasEmail, email))
            graph.add((contact, VCARD.hasEmail, mailto(str(email))))
        elif isinstance(email, Literal) and str(email).startswith("mailto:"):
            graph.remove((contact, VCARD.hasEmail, email))
            graph.add((contact, VCARD.hasEmail, mailto(str(email))))


def upgrade_agents(graph: Graph) -> None:
    """Agents named only by vcard:fn, skos:prefLabel or rdfs:label get the foaf:name DCAT-AP requires."""
    agents = set(graph.objects(None, DCTERMS.publisher)) | set(graph.objects(None, DCTERMS.creator))
    for agent in agents:
        if any(graph.objects(agent, FOAF.name)):
            continue
        for predicate in (VCARD.fn, VCARD["organization-name"], SKOS.prefLabel, RDFS.label):
            names = list(graph.objects(agent, predicate))
            for name in names:
                graph.add((agent, FOAF.name, name))
            if names:
                break


def upgrade_checksums(graph: Graph) -> None:
    """SPDX checksum algorithms in the https form and class the DCAT-AP 3 shapes check."""
    for checksum, algorithm in list(graph.subject_objects(SPDX.algorithm)):
        name = str(algorithm).rsplit("checksumAlgorithm_", 1)[-1].rsplit("/", 1)[-1].lower()
        term = URIRef(SPDX_ALGORITHM + name)
        graph.remove((checksum, SPDX.algorithm, algorithm))
        graph.add((checksum, SPDX.algorithm, term))
        graph.add((term, RDF.type, SPDX.ChecksumAlgorithm))


DATE_PROPERTIES = (DCTERMS.issued, DCTERMS.modified, DCAT.startDate, DCAT.endDate)


def upgrade_dates(graph: Graph) -> None:
    """Dates written as plain text ("2021-03-15", "15/03/2021") typed as xsd:date/dateTime; non-dates
    dropped and reported."""
    for predicate in DATE_PROPERTIES:
        for subject, value in list(graph.subject_objects(predicate)):
            if isinstance(value, Literal) and value.datatype not in DATE_TYPES:
                graph.remove((subject, predicate, value))
                fixed = date_literal(str(value))
                if fixed is not None:
                    graph.add((subject, predicate, fixed))
                else:
                    drop(f"dct:{predicate.rsplit('/', 1)[-1]}" if "purl.org" in predicate else str(predicate),
                         value, UNPARSEABLE_DATE)  # fmt: skip


def upgrade(graph: Graph) -> None:
    """Every rewrite of this module, in an order where later steps see earlier results."""
    rename_properties(graph)
    upgrade_dates(graph)
    upgrade_datasets(graph)
    upgrade_distributions(graph)
    upgrade_contacts(graph)
    upgrade_agents(graph)
    upgrade_checksums(graph)
