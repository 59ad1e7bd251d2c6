"""Namespaces and terms the DCAT-family mappers share (rdflib's DCAT module is DCAT 2)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SCHEMA = Namespace("http://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
TIME = Namespace("http://www.w3.org/2006/time#")
DC = Namespace("http://purl.org/dc/elements/1.1/")

DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
DCAT_HAS_VERSION = URIRef("http://www.w3.org/ns/dcat#hasVersion")
RECORD_CLASSES = (DCAT.Dataset, DATASET_SERIES, DCAT.DataService)

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"

__all__ = [
    "ADMS", "DATASET_SERIES", "DC", "DCAT", "DCATAP", "DCAT_HAS_VERSION", "DCAT_VERSION", "DCTERMS", "EU_AUTHORITY",
    "FOAF", "GSP", "HYDRA", "IN_SERIES", "LOCN", "OWL", "PROV", "RDF", "RDFS", "RECORD_CLASSES", "SCHEMA", "SKOS",
    "SPDX", "TIME", "VCARD", "XSD",
]  # fmt: skip
