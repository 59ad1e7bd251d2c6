"""data.europa.eu's Metadata Quality Assessment (MQA) score for one dataset: 405 points, five dimensions.

Weights as data.europa.eu publishes them (findability 100, accessibility 100, interoperability
110, reusability 75, contextuality 20). Distribution indicators are scored per distribution and the
best distribution counts (as the MQA does). URL reachability is only scored when a reachability
map is given (`validators.urlcheck`); otherwise those 80 points are not awarded. The lists of
machine-readable and non-proprietary formats are luxcat's reading of data.europa.eu's lists,
matched on EU file-type codes, IANA media types or plain format names. A licence stated on the
dataset only (which Luxembourg's policy accepts) counts for the distribution licence indicators.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from luxcat.fastgraph import CachedNamespace
from validators.policy import eu_licence, format_tokens
from validators.vocabularies import vocabulary_graph

DCAT = CachedNamespace("http://www.w3.org/ns/dcat#")
DCT = CachedNamespace("http://purl.org/dc/terms/")
FILE_TYPE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/file-type")
ACCESS_RIGHT_SCHEME = URIRef("http://publications.europa.eu/resource/authority/access-right")
IANA = "www.iana.org/assignments/media-types/"

WEIGHTS: dict[str, int] = {
    # findability 100
    "keywords": 30,
    "themes": 30,
    "spatial": 20,
    "temporal": 20,
    # accessibility 100
    "access_url_reachable": 50,
    "download_url": 20,
    "download_url_reachable": 30,
    # interoperability 110
    "format": 20,
    "media_type": 10,
    "format_vocabulary": 10,
    "non_proprietary": 20,
    "machine_readable": 20,
    "dcat_ap_compliance": 30,
    # reusability 75
    "licence": 20,
    "licence_vocabulary": 10,
    "access_rights": 10,
    "access_rights_vocabulary": 5,
    "contact_point": 20,
    "publisher": 10,
    # contextuality 20
    "rights": 5,
    "byte_size": 5,
    "issued": 5,
    "modified": 5,
}
DISTRIBUTION_INDICATORS = (
    "access_url_reachable download_url download_url_reachable format media_type format_vocabulary "
    "non_proprietary machine_readable licence licence_vocabulary rights byte_size"
).split()
MAX_SCORE = sum(WEIGHTS.values())  # 405
RATINGS = ((351, "excellent"), (221, "good"), (121, "sufficient"), (0, "bad"))

MACHINE_READABLE = {
    "CSV", "TSV", "JSON", "JSON_LD", "GEOJSON", "XML", "RDF", "RDF_XML", "RDF_TURTLE", "RDF_N_TRIPLES",
    "RDF_N_QUADS", "RDF_TRIG", "N3", "XLS", "XLSX", "ODS", "GML", "KML", "KMZ", "SHP", "GPKG", "NETCDF",
    "PARQUET", "SDMX", "GRIB", "HDF", "DBF", "GEOTIFF", "TIFF", "WMS_SRVC", "WFS_SRVC", "WCS_SRVC",
    "SPARQLQ", "ATOM", "RSS", "YAML", "AVRO", "TEXT/CSV", "APPLICATION/JSON", "APPLICATION/XML",
    "APPLICATION/LD+JSON", "APPLICATION/GEO+JSON", "APPLICATION/RDF+XML", "TEXT/TURTLE",
    "APPLICATION/VND.MS-EXCEL", "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET",
    "APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET", "APPLICATION/GML+XML", "APPLICATION/VND.GOOGLE-EARTH.KML+XML",
    "APPLICATION/X-NETCDF", "APPLICATION/GEOPACKAGE+SQLITE3", "TEXT/TAB-SEPARATED-VALUES",
}  # fmt: skip
NON_PROPRIETARY = {
    "CSV", "TSV", "JSON", "JSON_LD", "GEOJSON", "XML", "RDF", "RDF_XML", "RDF_TURTLE", "RDF_N_TRIPLES",
    "RDF_N_QUADS", "RDF_TRIG", "N3", "ODS", "ODT", "GML", "KML", "GPKG", "NETCDF", "PARQUET", "SDMX",
    "HTML", "TXT", "PDF", "PNG", "GEOTIFF", "TIFF", "ATOM", "RSS", "YAML", "AVRO", "ZIP", "GZIP",
    "WMS_SRVC", "WFS_SRVC", "WCS_SRVC", "TEXT/CSV", "APPLICATION/JSON", "APPLICATION/XML", "APPLICATION/LD+JSON",
    "APPLICATION/GEO+JSON", "APPLICATION/RDF+XML", "TEXT/TURTLE", "APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET",
    "APPLICATION/GML+XML", "APPLICATION/VND.GOOGLE-EARTH.KML+XML", "APPLICATION/X-NETCDF", "TEXT/HTML",
    "TEXT/PLAIN", "APPLICATION/PDF", "APPLICATION/GEOPACKAGE+SQLITE3", "TEXT/TAB-SEPARATED-VALUES",
}  # fmt: skip


@dataclass(slots=True)
class QualityScore:
    """MQA points per indicator, their total and the rating."""

    points: dict[str, int] = field(default_factory=dict)
    urls_checked: bool = False

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def rating(self) -> str:
        return rating(self.total)


def rating(total: int) -> str:
    """excellent 351-405, good 221-350, sufficient 121-220, bad 0-120."""
    return next(name for floor, name in RATINGS if total >= floor)


@cache
def _scheme_members(scheme: URIRef) -> frozenset[Node]:
    """The concepts of one vocabulary scheme (start-up cached)."""
    from luxcat.startup_cache import cached
    from validators.vocabularies import vocabulary_key

    name = f"scheme-{hashlib.sha256(str(scheme).encode()).hexdigest()[:16]}"
    key = vocabulary_key(f"{name}|{scheme}", (__name__,))
    return cached(name, key, lambda: frozenset(vocabulary_graph().subjects(SKOS.inScheme, scheme)))


def _has(graph: Graph, node: Node, pred: URIRef) -> bool:
    return (node, pred, None) in graph


def _in_vocabulary(graph: Graph, distribution: Node) -> bool:
    formats = set(graph.objects(distribution, DCT["format"]))
    media = [str(m) for m in graph.objects(distribution, DCAT.mediaType)]
    return bool(formats & _scheme_members(FILE_TYPE_SCHEME)) or any(IANA in m for m in media)


def _reachable(urls: list[Node], reachable: Mapping[str, bool] | None) -> bool:
    return reachable is not None and any(reachable.get(str(u), False) for u in urls)


def distribution_points(
    graph: Graph, distribution: Node, dataset_licences: list[Node], reachable: Mapping[str, bool] | None
) -> dict[str, int]:
    """The distribution-level indicators of one distribution."""
    access = list(graph.objects(distribution, DCAT.accessURL))
    download = list(graph.objects(distribution, DCAT.downloadURL))
    tokens = format_tokens(graph, distribution)
    licences = list(graph.objects(distribution, DCT.license)) or dataset_licences
    hits = {
        "access_url_reachable": _reachable(access, reachable),
        "download_url": bool(download),
        "download_url_reachable": _reachable(download, reachable),
        "format": _has(graph, distribution, DCT["format"]),
        "media_type": _has(graph, distribution, DCAT.mediaType),
        "format_vocabulary": _in_vocabulary(graph, distribution),
        "non_proprietary": bool(tokens & NON_PROPRIETARY),
        "machine_readable": bool(tokens & MACHINE_READABLE),
        "licence": bool(licences),
        "licence_vocabulary": any(eu_licence(lic) is not None for lic in licences),
        "rights": _has(graph, distribution, DCT.rights),
        "byte_size": _has(graph, distribution, DCAT.byteSize),
    }
    return {name: WEIGHTS[name] if hit else 0 for name, hit in hits.items()}


def score_dataset(
    graph: Graph, dataset: Node, *, conforms: bool, reachable: Mapping[str, bool] | None = None
) -> QualityScore:
    """MQA score of `dataset`; `conforms` is its DCAT-AP SHACL outcome, `reachable` maps URL -> bool."""
    access_rights = list(graph.objects(dataset, DCT.accessRights))
    hits = {
        "keywords": any(isinstance(k, Literal) for k in graph.objects(dataset, DCAT.keyword)),
        "themes": _has(graph, dataset, DCAT.theme),
        "spatial": _has(graph, dataset, DCT.spatial),
        "temporal": _has(graph, dataset, DCT.temporal),
        "dcat_ap_compliance": conforms,
        "access_rights": bool(access_rights),
        "access_rights_vocabulary": bool(set(access_rights) & _scheme_members(ACCESS_RIGHT_SCHEME)),
        "contact_point": _has(graph, dataset, DCAT.contactPoint),
        "publisher": _has(graph, dataset, DCT.publisher),
        "issued": _has(graph, dataset, DCT.issued),
        "modified": _has(graph, dataset, DCT.modified),
    }
    points = {name: WEIGHTS[name] if hit else 0 for name, hit in hits.items()}
    dataset_licences = list(graph.objects(dataset, DCT.license))
    per_distribution = [
        distribution_points(graph, d, dataset_licences, reachable) for d in graph.objects(dataset, DCAT.distribution)
    ]
    best = max(per_distribution, key=lambda p: sum(p.values()), default=dict.fromkeys(DISTRIBUTION_INDICATORS, 0))
    points.update(best)
    return QualityScore(points={name: points[name] for name in WEIGHTS}, urls_checked=reachable is not None)


def dataset_urls(graph: Graph, dataset: Node) -> list[str]:
    """The access and download URLs of a dataset's distributions (for reachability checks)."""
    urls: list[str] = []
    for dist in graph.objects(dataset, DCAT.distribution):
        for pred in (DCAT.accessURL, DCAT.downloadURL):
            urls.extend(str(u) for u in graph.objects(dist, pred) if isinstance(u, URIRef))
    return urls
