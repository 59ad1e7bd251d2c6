"""The vocabulary triples that DCAT-AP SHACL vocabulary shapes need in the data graph."""

from __future__ import annotations

import functools

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from mappers.vocabularies._data import read_graph

# Every file whose concepts a mapper may emit, and the scheme each belongs to.
VOCABULARY_FILES: tuple[tuple[str, str], ...] = (
    ("eu-authority/language-subset-de-en-fr-nl.rdf", "http://publications.europa.eu/resource/authority/language"),
    ("eu-authority/licences-skos.rdf", "http://publications.europa.eu/resource/authority/licence"),
    ("eu-authority/licence-20241211-subset.ttl", "http://publications.europa.eu/resource/authority/licence"),
    ("eu-authority/filetypes-skos.rdf", "http://publications.europa.eu/resource/authority/file-type"),
    ("eu-authority/frequencies-skos.rdf", "http://publications.europa.eu/resource/authority/frequency"),
    ("eu-authority/frequency-20220615-subset.ttl", "http://publications.europa.eu/resource/authority/frequency"),
    ("eu-authority/access-right.rdf", "http://publications.europa.eu/resource/authority/access-right"),
    ("eu-authority/access-right-20220316-subset.ttl", "http://publications.europa.eu/resource/authority/access-right"),
    ("eu-authority/data-theme.rdf", "http://publications.europa.eu/resource/authority/data-theme"),
    ("eu-authority/countries-skos.rdf", "http://publications.europa.eu/resource/authority/country"),
    ("eu-authority/distribution-status.rdf", "http://publications.europa.eu/resource/authority/distribution-status"),
    ("eu-authority/high-value-dataset-category-subset.ttl", "http://data.europa.eu/bna/asd487ae75"),
    ("eu-authority/applicable-legislation-subset.rdf", "http://data.europa.eu/r5r/applicableLegislation"),
    ("inspire/inspire-theme.en.rdf", "http://inspire.ec.europa.eu/theme"),
)  # fmt: skip

_LABEL_LANGUAGES = frozenset({"en", "fr", "de", "lb", None})


@functools.cache
def vocabulary_graph() -> Graph:
    """Concepts (type, scheme, labels in en/fr/de/lb) and schemes (type, title) of all shipped vocabularies.

    Only what the DCAT-AP 3 shapes look at, so that SHACL runs stay small: skos:inScheme for the
    vocabulary restrictions, skos:prefLabel for the skos:Concept shape, dct:title for schemes.
    Built once per process; treat it as read-only.
    """
    out = Graph()
    for relpath, scheme_uri in VOCABULARY_FILES:
        source = read_graph(relpath)
        scheme = URIRef(scheme_uri)
        out.add((scheme, RDF.type, SKOS.ConceptScheme))
        titles = list(source.objects(scheme, DCTERMS.title)) or list(source.objects(scheme, RDFS.label))
        out.add((scheme, DCTERMS.title, titles[0] if titles else Literal(scheme_uri.rsplit("/", 1)[-1], lang="en")))
        members = set(source.subjects(SKOS.inScheme, scheme))
        if relpath.startswith("inspire/"):  # the register lists themes as hasPart, not inScheme
            members = {s for s in source.subjects(SKOS.prefLabel, None) if str(s).count("/") == 4}
        for concept in members:
            out.add((concept, RDF.type, SKOS.Concept))
            out.add((concept, SKOS.inScheme, scheme))
            labels = [lbl for lbl in source.objects(concept, SKOS.prefLabel)]
            kept = [lbl for lbl in labels if getattr(lbl, "language", None) in _LABEL_LANGUAGES] or labels[:1]
            for label in kept:
                out.add((concept, SKOS.prefLabel, label))
    return out
