"""Extents: bounding boxes (one dct:Location with a WKT dcat:bbox each), periods, named places."""

from __future__ import annotations

import re

from lxml import etree
from rdflib import Literal

from mappers.iso19139.rdf import DCAT, DCTERMS, TYPE, WKT, date_literal, is_http_uri
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import NS, find, findall, href, value
from mappers.vocabularies import country_uri

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LEADING_ZEROS = re.compile(r"^(-?)0+(\d)")  # "-054.75" -> "-54.75", as WKT readers expect
_GEO_IDENTIFIERS = "gmd:geographicElement/gmd:EX_GeographicDescription/gmd:geographicIdentifier/*"
_GML_NAMESPACES = (NS["gml"], NS["gml31"])
_EU_PLACES = (
    "http://publications.europa.eu/resource/authority/country/",
    "http://publications.europa.eu/resource/authority/place/",
)


def _extents(state: RecordState) -> list[etree._Element]:
    """EX_Extent elements of the resource (gmd:extent for data, srv:extent for services)."""
    return findall(state.ident, "gmd:extent/gmd:EX_Extent") + findall(state.ident, "srv:extent/gmd:EX_Extent")


def add_extents(state: RecordState) -> None:
    """dct:spatial (bounding boxes, countries/places) and dct:temporal from every EX_Extent."""
    boxes: list[tuple[str, str, str, str]] = []
    places: list[str] = []
    for extent in _extents(state):
        for box in findall(extent, "gmd:geographicElement/gmd:EX_GeographicBoundingBox"):
            corners = _corners(box)
            if corners and corners not in boxes:
                boxes.append(corners)
        for ident in findall(extent, "gmd:geographicElement/gmd:EX_GeographicDescription/gmd:geographicIdentifier/*"):
            code_prop = find(ident, "gmd:code")
            place = _place(value(code_prop), href(code_prop))
            if place and place not in places:
                places.append(place)
        for temporal in findall(extent, "gmd:temporalElement/*/gmd:extent"):
            _add_period(state, temporal)
    for west, east, south, north in boxes:
        node = state.out.bnode()
        state.out.add((state.subject, DCTERMS.spatial, node))
        state.out.add((node, TYPE, DCTERMS.Location))
        wkt = f"POLYGON(({west} {north},{east} {north},{east} {south},{west} {south},{west} {north}))"
        state.out.add((node, DCAT.bbox, Literal(wkt, datatype=WKT)))
    for place in places:
        state.out.add((state.subject, DCTERMS.spatial, state.out.typed(place, DCTERMS.Location)))


def _corners(box: etree._Element) -> tuple[str, str, str, str] | None:
    """(west, east, south, north) with the record's digits (precision kept), if all four are numbers."""
    out = []
    for name in ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"):
        text = value(find(box, f"gmd:{name}"))
        if not _DECIMAL.match(text):
            return None
        out.append(_LEADING_ZEROS.sub(r"\1\2", text.lstrip("+")))
    return out[0], out[1], out[2], out[3]


def _place(code: str, anchor: str) -> str | None:
    """EU country/place URI for a geographic identifier (anchor to the EU tables, name or ISO code)."""
    if anchor.startswith(_EU_PLACES) and is_http_uri(anchor):
        return anchor
    return country_uri(code) or country_uri(anchor.rstrip("/").rsplit("/", 1)[-1] if anchor else None)


def _position(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return (element.text or "").strip()


def _add_period(state: RecordState, temporal: etree._Element) -> None:
    """dct:temporal [ a dct:PeriodOfTime ; dcat:startDate ; dcat:endDate ] from a gml TimePeriod/TimeInstant."""
    start = end = ""
    for ns in _GML_NAMESPACES:
        period = temporal.find(f"{{{ns}}}TimePeriod")
        if period is not None:
            start = _position(period.find(f"{{{ns}}}beginPosition")) or _position(
                period.find(f"{{{ns}}}begin/{{{ns}}}TimeInstant/{{{ns}}}timePosition")
            )
            end = _position(period.find(f"{{{ns}}}endPosition")) or _position(
                period.find(f"{{{ns}}}end/{{{ns}}}TimeInstant/{{{ns}}}timePosition")
            )
            break
        instant = temporal.find(f"{{{ns}}}TimeInstant")
        if instant is not None:
            start = end = _position(instant.find(f"{{{ns}}}timePosition"))
            break
    start_literal = date_literal(start) if start else None
    end_literal = date_literal(end) if end else None
    if start_literal is None and end_literal is None:
        return
    node = state.out.bnode()
    state.out.add((state.subject, DCTERMS.temporal, node))
    state.out.add((node, TYPE, DCTERMS.PeriodOfTime))
    if start_literal is not None:
        state.out.add((node, DCAT.startDate, start_literal))
    if end_literal is not None:
        state.out.add((node, DCAT.endDate, end_literal))
