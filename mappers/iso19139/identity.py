"""Resource type, identifiers and the subject URI of an ISO record."""

from __future__ import annotations

from lxml import etree
from rdflib import URIRef

from mappers.iso19139.rdf import ADMS, DCTERMS, SKOS, TYPE, is_http_uri, literal
from mappers.iso19139.state import DATASET, SERIES, SERVICE, RecordState
from mappers.iso19139.xml import ISO_TYPE, SRV, code_value, find, findall, href, value

_SERVICE_IDENT = SRV + "SV_ServiceIdentification"


def identification(root: etree._Element) -> etree._Element | None:
    """The first identificationInfo child (MD_DataIdentification, SV_ServiceIdentification, ...)."""
    info = find(root, "gmd:identificationInfo")
    if info is None:
        return None
    return next((child for child in info if isinstance(child.tag, str)), None)


def resource_kind(root: etree._Element, ident: etree._Element) -> str:
    """dataset | series | service, from hierarchyLevel (ISO default: dataset) and the identification type."""
    level = code_value(find(root, "gmd:hierarchyLevel")).lower()
    is_service_ident = ident.tag == _SERVICE_IDENT or (ident.get(ISO_TYPE) or "").endswith("SV_ServiceIdentification")
    if level == "service" or (is_service_ident and level in ("", "service")):
        return SERVICE if is_service_ident or find(ident, "srv:serviceType") is not None else DATASET
    if level == "series":
        return SERIES
    return DATASET


def file_identifier(root: etree._Element) -> str:
    return value(find(root, "gmd:fileIdentifier"))


def resource_identifiers(ident: etree._Element) -> list[tuple[str, str, str]]:
    """(code, codeSpace, anchor href) of each citation identifier that has a code."""
    out = []
    for ident_el in findall(ident, "gmd:citation/gmd:CI_Citation/gmd:identifier/*"):
        code_prop = find(ident_el, "gmd:code")
        code = value(code_prop)
        if code:
            out.append((code, value(find(ident_el, "gmd:codeSpace")), href(code_prop)))
    return out


def identifier_text(code: str, code_space: str) -> str:
    """The identifier as one string: codeSpace and code joined the way INSPIRE writes them."""
    if not code_space or code.startswith(code_space) or is_http_uri(code):
        return code
    return code_space + code if code_space.endswith(("/", "#", ":")) else f"{code_space}:{code}"


def subject_uri(state: RecordState, identifiers: list[tuple[str, str, str]]) -> URIRef:
    """The resource's own HTTP URI when its identifier is one, else a URI minted from the record key."""
    for code, code_space, anchor in identifiers:
        joined = code_space + code if code_space.endswith(("/", "#")) else ""  # never invent a port
        for candidate in (anchor, code, joined):
            if candidate and is_http_uri(candidate):
                return URIRef(candidate)
    return state.mint()


def add_identifiers(state: RecordState, identifiers: list[tuple[str, str, str]], file_id: str) -> None:
    """dct:identifier for each resource identifier (else the fileIdentifier); adms:identifier with codeSpace."""
    out, subject = state.out, state.subject
    if not identifiers:
        out.add((subject, DCTERMS.identifier, literal(file_id)))
        return
    for code, code_space, _ in identifiers:
        out.add((subject, DCTERMS.identifier, literal(identifier_text(code, code_space))))
        if code_space:
            node = out.bnode()
            out.add((subject, ADMS.identifier, node))
            out.add((node, TYPE, ADMS.Identifier))
            out.add((node, SKOS.notation, literal(code)))
            out.add((node, ADMS.schemaAgency, literal(code_space)))


KINDS = (DATASET, SERIES, SERVICE)
