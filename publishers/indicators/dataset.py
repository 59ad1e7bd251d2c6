"""The indicators as a dcat:Dataset of the national catalogue itself (DCAT-AP 3.0.0), CC0, by the catalogue's publisher.

Its CSV distribution points at the CSVW metadata with `dct:conformsTo` (the table's schema) and at
the dashboard with `foaf:page`; the temporal coverage spans the first to the last computation.
"""

from __future__ import annotations

from datetime import date, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from publishers.indicators.csvw import CSV_NAME, METADATA_NAME
from publishers.targets import CatalogueMetadata

EU = "http://publications.europa.eu/resource/authority/"
CC0 = URIRef(EU + "licence/CC0")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DASHBOARD = "index.html"


def dataset_uri(meta: CatalogueMetadata) -> URIRef:
    """The indicators dataset's IRI, under the catalogue's."""
    return URIRef(meta.uri + "/dataset/indicators")


def describe(
    meta: CatalogueMetadata,
    base_url: str,
    *,
    first: date,
    last: date,
    modified: datetime,
    frequency: str = EU + "frequency/DAILY",
) -> Graph:
    """The dataset, its CSV distribution and the catalogue's link to it, as one graph."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    ds, dist = dataset_uri(meta), URIRef(meta.uri + "/dataset/indicators/csv")
    folder = base_url.rstrip("/") + "/indicators/"
    publisher = URIRef(meta.publisher.uri)
    g.add((URIRef(meta.uri), DCAT.dataset, ds))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal("luxcat-indicators")))
    for lang, text in (
        ("en", "Luxembourg open data indicators"),
        ("fr", "Indicateurs des données ouvertes du Luxembourg"),
    ):
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
    descriptions = {
        "en": "How Luxembourg's open data strategy progresses, measured on the national catalogue after each "
        "publication: datasets, licences, metadata quality (DCAT-AP conformance, MQA), high-value datasets, "
        "formats, freshness, multilingualism and inventories, nationally and per publisher, source, priority "
        "theme and HVD category. The CSV holds the whole time series.",
        "fr": "Suivi de la stratégie luxembourgeoise des données ouvertes, mesuré sur le catalogue national après "
        "chaque publication : jeux de données, licences, qualité des métadonnées (conformité DCAT-AP, MQA), "
        "données de forte valeur, formats, fraîcheur, multilinguisme et inventaires, au niveau national et par "
        "éditeur, source, thème prioritaire et catégorie HVD. Le CSV contient toute la série temporelle.",
    }
    for lang, text in descriptions.items():
        g.add((ds, DCTERMS.description, Literal(text, lang=lang)))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    for lang, name in (
        meta.publisher.name.items() if isinstance(meta.publisher.name, dict) else [("fr", meta.publisher.name)]
    ):
        g.add((publisher, FOAF.name, Literal(name, lang=lang)))
    g.add((ds, DCTERMS.license, CC0))
    g.add((CC0, RDF.type, DCTERMS.LicenseDocument))
    g.add((ds, DCTERMS.accrualPeriodicity, URIRef(frequency)))
    g.add((URIRef(frequency), RDF.type, DCTERMS.Frequency))
    theme = URIRef(EU + "data-theme/GOVE")
    g.add((ds, DCAT.theme, theme))
    for kw in ("open data", "indicators", "données ouvertes", "indicateurs"):
        g.add((ds, DCAT.keyword, Literal(kw, lang="en" if kw in ("open data", "indicators") else "fr")))
    spatial = URIRef(EU + "country/LUX")
    g.add((ds, DCTERMS.spatial, spatial))
    g.add((spatial, RDF.type, DCTERMS.Location))
    period = BNode("indicators-period")
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(first.isoformat(), datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(last.isoformat(), datatype=XSD.date)))
    g.add((ds, DCTERMS.issued, Literal(first.isoformat(), datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    page = URIRef(folder + DASHBOARD)
    g.add((ds, DCAT.landingPage, page))
    g.add((page, RDF.type, FOAF.Document))
    if meta.publisher.email:
        contact = URIRef(meta.uri + "/dataset/indicators/contact")
        g.add((ds, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{meta.publisher.email}")))
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    for lang, text in (
        ("en", "Indicators time series (CSV, CSVW)"),
        ("fr", "Série temporelle des indicateurs (CSV, CSVW)"),
    ):
        g.add((dist, DCTERMS.title, Literal(text, lang=lang)))
    csv_url = URIRef(folder + CSV_NAME)
    g.add((dist, DCAT.accessURL, csv_url))
    g.add((dist, DCAT.downloadURL, csv_url))
    g.add((dist, DCTERMS.format, URIRef(EU + "file-type/CSV")))
    g.add((URIRef(EU + "file-type/CSV"), RDF.type, DCTERMS.MediaTypeOrExtent))
    media = URIRef("https://www.iana.org/assignments/media-types/text/csv")
    g.add((dist, DCAT.mediaType, media))
    g.add((media, RDF.type, DCTERMS.MediaType))
    g.add((dist, DCTERMS.license, CC0))
    schema = URIRef(folder + METADATA_NAME)
    g.add((dist, DCTERMS.conformsTo, schema))
    g.add((schema, RDF.type, DCTERMS.Standard))
    g.add((dist, FOAF.page, page))
    g.add((dist, DCTERMS.modified, Literal(modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    return g
