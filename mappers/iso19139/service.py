"""Service records (hierarchyLevel service): the dcat:DataService itself, its endpoints and datasets."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from rdflib import URIRef

from mappers.fidelity import EMPTY_URL, INVALID_URL, drop
from mappers.iso19139.online import OGC_STANDARDS, collect, endpoint, service_type
from mappers.iso19139.rdf import DCAT, DCTERMS, FOAF, is_http_uri, mint
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import HREF, find, findall, value

_CONNECT_POINTS = "srv:containsOperations/srv:SV_OperationMetadata/srv:connectPoint/gmd:CI_OnlineResource/gmd:linkage"


def add_service(state: RecordState) -> None:
    """Endpoint URLs (connect points and online resources), standards, served datasets."""
    out, subject = state.out, state.subject
    declared = value(find(state.ident, "srv:serviceType")) + " " + value(find(state.ident, "srv:serviceTypeVersion"))
    urls, pages = _urls(state)
    endpoints: list[str] = []
    standards: set[str] = set()
    for url in urls:
        if not is_http_uri(url):
            drop("srv:connectPoint / gmd:onLine linkage", url, EMPTY_URL if not url.strip() else INVALID_URL)
            continue
        kind = service_type(url, declared)
        if kind:
            standards.add(OGC_STANDARDS[kind])
        point = endpoint(url)
        if point not in endpoints:
            endpoints.append(point)
            out.add((subject, DCAT.endpointURL, URIRef(point)))
        if point != url:
            out.add((subject, DCAT.endpointDescription, URIRef(url)))
    # no endpoint at all: dcat:endpointURL is mandatory, validation reports it (one rule for every mapper)
    kind = service_type("", declared)
    if kind:
        standards.add(OGC_STANDARDS[kind])
    for standard in sorted(standards):
        out.add((subject, DCTERMS.conformsTo, out.typed(standard, DCTERMS.Standard)))
    for page in pages:
        out.add((subject, DCAT.landingPage, out.typed(page, FOAF.Document)))
    _add_served_datasets(state)


def _add_served_datasets(state: RecordState) -> None:
    """dcat:servesDataset for each srv:operatesOn."""
    for operates in findall(state.ident, "srv:operatesOn"):
        target = _served_dataset(state, operates.get("uuidref") or "", operates.get(HREF) or "")
        if target is not None:
            state.out.add((state.subject, DCAT.servesDataset, target))


def _urls(state: RecordState) -> tuple[list[str], list[str]]:
    """(endpoint candidates: connect points and online resources, information pages)."""
    urls = [value(el) for el in findall(state.ident, _CONNECT_POINTS)]
    pages: list[str] = []
    for online in collect(state):
        if online.function in ("information", "search") and service_type(online.url, online.protocol) is None:
            pages.append(online.url)
        else:
            urls.append(online.url)
    return urls, pages


def _served_dataset(state: RecordState, uuidref: str, href: str) -> URIRef | None:
    """URI of a dataset named by srv:operatesOn: minted from its record id like the dataset's own URI.

    A dataset whose identifier is an HTTP URI gets that URI instead, so the link then only
    resolves within one catalogue when the served record uses its fileIdentifier.
    """
    record_id = uuidref.strip()
    if not record_id and href:
        query = {k.lower(): v for k, v in parse_qs(urlsplit(href).query).items()}
        record_id = (query.get("id") or [""])[0].strip()
        if not record_id and "#" in href:
            record_id = href.rsplit("#", 1)[-1].strip()
    if record_id:
        return mint(state.base, "dataset", record_id)
    return URIRef(href) if is_http_uri(href) else None
