"""Online resources -> distributions (download / service access), pages and data service endpoints.

Classification of a CI_OnlineResource, first match wins:
1. OGC or ATOM service (protocol, application profile, "service=" or GetCapabilities in the URL):
   a distribution with dcat:accessURL and a dcat:accessService (endpoint URL without the
   GetCapabilities query, endpoint description = the GetCapabilities URL, dct:conformsTo the
   OGC standard);
2. a download (function "download", a WWW:DOWNLOAD protocol, or a file-like URL): dcat:downloadURL
   and dcat:accessURL;
3. function "information" or "search": foaf:page of the dataset;
4. function "offlineAccess" or "order": a distribution with dcat:accessURL only;
5. anything else: dcat:landingPage of the dataset.
Formats come from the URL's extension, else from the formats of the same MD_Distribution/distributor;
a service link's format is the file type of the protocol it names (WMS, WFS...; none for a WMTS or
WCS, which the EU file-type table lacks), never a format of the data files listed beside it.
Several layers of one service (one GetCapabilities URL, one CI_OnlineResource per layer name) stay
one distribution each, with their own title. A link without a usable URL is reported as dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml import etree
from rdflib import Literal, URIRef

from mappers.fidelity import EMPTY_URL, INVALID_URL, drop
from mappers.iso19139.rdf import DCAT, DCATAP, DCTERMS, ELI_LEGAL_RESOURCE, FOAF, TYPE, XSD, is_http_uri, short_hash
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import Texts, code_value, find, findall, value
from mappers.vocabularies import HVD_LEGISLATION, FileType, file_type, file_type_for_url
from mappers.vocabularies.formats import FILE_EXTENSIONS

OGC_STANDARDS = {
    "wms": "http://www.opengeospatial.org/standards/wms",
    "wmts": "http://www.opengeospatial.org/standards/wmts",
    "wfs": "http://www.opengeospatial.org/standards/wfs",
    "wcs": "http://www.opengeospatial.org/standards/wcs",
    "csw": "http://www.opengeospatial.org/standards/cat",
    "sos": "http://www.opengeospatial.org/standards/sos",
    "wps": "http://www.opengeospatial.org/standards/wps",
    "atom": "https://www.rfc-editor.org/rfc/rfc4287",
}
_SERVICE_FILE_TYPES = {"wms": "WMS", "wfs": "WFS", "atom": "application/atom+xml"}
_SERVICE_WORDS = (
    ("wmts", r"\bwmts\b|web map tile service"),
    ("wms", r"\bwms\b|web map service|\bview\b.*\bservice"),
    ("wfs", r"\bwfs\b|web feature service"),
    ("wcs", r"\bwcs\b|web coverage service"),
    ("csw", r"\bcsw\b|catalog(ue)? service"),
    ("sos", r"\bsos\b|sensor observation service"),
    ("wps", r"\bwps\b|web processing service"),
    ("atom", r"\batom\b"),
)
_SERVICE_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in _SERVICE_WORDS)


@dataclass(slots=True)
class Online:
    """One CI_OnlineResource with the formats that apply to it."""

    url: str
    protocol: str
    function: str
    names: Texts
    descriptions: Texts
    formats: list[str]
    size_mb: str
    key: str = ""  # what its distribution URI is minted from: the URL, plus the layer name when the URL is shared

    @property
    def mint_key(self) -> str:
        return self.key or self.url


def _formats(container: etree._Element, path: str) -> list[str]:
    return [f for f in (value(el) for el in findall(container, path)) if f]


def collect(state: RecordState) -> list[Online]:
    """Every online resource of the record's distribution info, in document order, without duplicates."""
    out: list[Online] = []
    seen: set[tuple[str, str]] = set()
    for distribution in findall(state.root, "gmd:distributionInfo/gmd:MD_Distribution"):
        shared = _formats(distribution, "gmd:distributionFormat/gmd:MD_Format/gmd:name")
        groups = [(findall(distribution, "gmd:transferOptions/gmd:MD_DigitalTransferOptions"), shared)]
        for distributor in findall(distribution, "gmd:distributor/gmd:MD_Distributor"):
            own = _formats(distributor, "gmd:distributorFormat/gmd:MD_Format/gmd:name")
            options = findall(distributor, "gmd:distributorTransferOptions/gmd:MD_DigitalTransferOptions")
            groups.append((options, own or shared))
        for options_list, formats in groups:
            for options in options_list:
                resources = findall(options, "gmd:onLine/gmd:CI_OnlineResource")
                size = value(find(options, "gmd:transferSize")) if len(resources) == 1 else ""
                for resource in resources:
                    online = _online(state, resource, formats, size)
                    if online is None:
                        continue
                    name = online.names[0][0] if online.names else ""
                    if (online.url, name) in seen:
                        continue  # the same link twice: nothing is lost
                    if any(url == online.url for url, _n in seen):
                        online.key = f"{online.url}|{name}"  # another layer of the same service
                    seen.add((online.url, name))
                    out.append(online)
    return out


def _online(state: RecordState, resource: etree._Element, formats: list[str], size: str) -> Online | None:
    url = value(find(resource, "gmd:linkage"))
    if not is_http_uri(url):
        name = value(find(resource, "gmd:name"))
        where = "gmd:onLine/gmd:CI_OnlineResource" + (f" ({name})" if name else "")
        drop(where, url, INVALID_URL if url else EMPTY_URL)
        return None
    protocol = value(find(resource, "gmd:protocol")) + " " + value(find(resource, "gmd:applicationProfile"))
    return Online(
        url=url,
        protocol=protocol.strip(),
        function=code_value(find(resource, "gmd:function")),
        names=state.loc.texts(find(resource, "gmd:name")),
        descriptions=state.loc.texts(find(resource, "gmd:description"), keep_lines=True),
        formats=formats,
        size_mb=size,
    )


def service_type(url: str, protocol: str) -> str | None:
    """ "wms", "wfs", "atom"... when the link is an OGC/ATOM service endpoint or capabilities document."""
    text = protocol.lower().replace(":", " ").replace("_", " ")
    for name, pattern in _SERVICE_PATTERNS:
        if pattern.search(text):
            return name
    query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query).items()}
    declared = (query.get("service") or [""])[0].lower()
    if declared in OGC_STANDARDS:
        return declared
    lowered = url.lower()
    if "request=getcapabilities" in lowered:
        return next((name for name, _ in _SERVICE_WORDS if f"/{name}" in lowered), "wms")
    if lowered.split("?", 1)[0].endswith((".atom", "/atom.xml")):
        return "atom"
    return None


def _is_download(online: Online) -> bool:
    if online.function == "download" or "download" in online.protocol.lower():
        return True
    last = urlsplit(online.url).path.rsplit("/", 1)[-1].lower()
    return "." in last and last.rsplit(".", 1)[-1] in FILE_EXTENSIONS


def endpoint(url: str) -> str:
    """A service URL without its GetCapabilities query: the endpoint DCAT wants."""
    parts = urlsplit(url)
    if "getcapabilities" in parts.query.lower() or "service=" in parts.query.lower():
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return url


def add_online_resources(state: RecordState) -> None:
    """Distributions, pages and landing pages of a dataset or series."""
    out, subject = state.out, state.subject
    for online in collect(state):
        service = service_type(online.url, online.protocol)
        if service is None and not _is_download(online):
            if online.function in ("information", "search"):
                out.add((subject, FOAF.page, out.typed(online.url, FOAF.Document)))
                continue
            if online.function not in ("offlineAccess", "order"):
                out.add((subject, DCAT.landingPage, out.typed(online.url, FOAF.Document)))
                continue
        _distribution(state, online, service)


def _distribution(state: RecordState, online: Online, service: str | None) -> None:
    out = state.out
    dist = state.mint("distribution", short_hash(online.mint_key))
    state.distributions.append(dist)
    out.add((state.subject, DCAT.distribution, dist))
    out.add((dist, TYPE, DCAT.Distribution))
    out.add((dist, DCAT.accessURL, URIRef(online.url)))
    out.texts(dist, DCTERMS.title, online.names)
    out.texts(dist, DCTERMS.description, online.descriptions)
    found = file_type_for_url(online.url) if service is None else None
    if service is None:
        if _is_download(online):
            out.add((dist, DCAT.downloadURL, URIRef(online.url)))
    else:
        out.add((dist, DCAT.accessService, _access_service(state, online, service)))
    _add_format(state, dist, found, online.formats, service)
    if state.licence is not None:
        out.add((dist, DCTERMS.license, state.licence))
    if state.rights is not None:
        out.add((dist, DCTERMS.rights, state.rights))
    if state.hvd:
        out.add((dist, DCATAP.applicableLegislation, URIRef(HVD_LEGISLATION)))
    size = _bytes(online.size_mb)
    if size is not None:
        out.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.decimal)))


def _add_format(
    state: RecordState, dist: URIRef, found: FileType | None, formats: list[str], service: str | None
) -> None:
    """dct:format (EU file type) and dcat:mediaType (IANA), at most one each (DCAT-AP maxCount).

    A WMS/WFS/ATOM link gets the service file type, another service (WMTS, WCS...) none (the record's
    formats describe the data files, which a service does not serve as such); other links take the
    URL's extension, else the first format of their
    MD_Distribution/distributor that maps.
    """
    if service is not None:  # the protocol named decides; the data files' formats are not what it serves
        found = file_type(_SERVICE_FILE_TYPES[service]) if service in _SERVICE_FILE_TYPES else None
        formats = []
    uri = found.uri if found else None
    media = found.media_type if found else None
    for name in formats:
        if uri and media:
            break
        guess = file_type(name)
        if guess is not None and (uri is None or guess.uri in (None, uri)):
            uri = uri or guess.uri
            media = media or guess.media_type
    if uri:
        state.out.add((dist, DCTERMS["format"], state.out.typed(uri, DCTERMS.MediaTypeOrExtent)))
    if media:
        state.out.add((dist, DCAT.mediaType, state.out.typed(media, DCTERMS.MediaType)))


def _bytes(size_mb: str) -> str | None:
    """ISO transferSize is in megabytes; dcat:byteSize wants bytes."""
    try:
        size = float(size_mb)
    except ValueError:
        return None
    return str(round(size * 1024 * 1024)) if size > 0 else None


def _access_service(state: RecordState, online: Online, service: str) -> URIRef:
    out = state.out
    node = state.mint("service", short_hash(online.mint_key))
    out.add((node, TYPE, DCAT.DataService))
    out.texts(node, DCTERMS.title, online.names or [(f"{service.upper()} service", "en")])
    out.add((node, DCAT.endpointURL, URIRef(endpoint(online.url))))
    if endpoint(online.url) != online.url:
        out.add((node, DCAT.endpointDescription, URIRef(online.url)))
    out.add((node, DCTERMS.conformsTo, out.typed(OGC_STANDARDS[service], DCTERMS.Standard)))
    out.add((node, DCAT.servesDataset, state.subject))
    if state.licence is not None:
        out.add((node, DCTERMS.license, state.licence))
    if state.hvd:
        out.add((node, DCATAP.applicableLegislation, out.typed(HVD_LEGISLATION, ELI_LEGAL_RESOURCE)))
    return node
