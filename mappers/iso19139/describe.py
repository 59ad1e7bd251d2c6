"""Descriptive properties: title, abstract, dates, languages, frequency, lineage, conformity, CRS."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lxml import etree
from rdflib import Literal, URIRef

from mappers.fidelity import UNKNOWN_CODE, UNPARSEABLE_DATE, drop
from mappers.iso19139.rdf import DCAT, DCTERMS, DQV, GEODCAT, RDFS, TYPE, XSD, date_literal, is_http_uri
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import code_value, find, findall, href, value
from mappers.vocabularies import frequency_uri, language_uri

_EPSG = re.compile(r"(?:EPSG\D{0,12}?|/EPSG/\d+/|crs:EPSG::?)(\d{4,6})\b", re.IGNORECASE)
_CRS_BASE = "http://www.opengis.net/def/crs/EPSG/0/"
_INSPIRE_IR = re.compile(r"1089/2010|2010/1089")  # Commission Regulation (EU) No 1089/2010 (interoperability)
_INSPIRE_IR_URI = "http://data.europa.eu/eli/reg/2010/1089"
_FREQUENCY = "gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/gmd:maintenanceAndUpdateFrequency"
_LINEAGE = "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage/gmd:statement"
_CONFORMANCE = "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:report/*/gmd:result/gmd:DQ_ConformanceResult"
_METRES = {"m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0, "km": 1000.0, "cm": 0.01}


def add_title_and_description(state: RecordState) -> None:
    """dct:title and dct:description (multilingual), only as the record gives them.

    A missing title or abstract is not filled from another property: the mandatory-property rule of
    validation (SHACL, shared by every mapper) reports it, and the source's `on_violation` decides.
    """
    citation = find(state.ident, "gmd:citation/gmd:CI_Citation")
    titles = state.loc.texts(find(citation, "gmd:title") if citation is not None else None)
    abstracts = state.loc.texts(find(state.ident, "gmd:abstract"), keep_lines=True)
    state.out.texts(state.subject, DCTERMS.title, titles)
    state.out.texts(state.subject, DCTERMS.description, abstracts)


def add_dates(state: RecordState) -> None:
    """publication -> dct:issued (earliest), revision -> dct:modified (latest), creation -> dct:created."""
    found: dict[str, list[Literal]] = {}
    for ci_date in findall(state.ident, "gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date"):
        kind = code_value(find(ci_date, "gmd:dateType"))
        date_el = find(ci_date, "gmd:date")
        text = value(date_el) if date_el is not None else ""
        literal = date_literal(text) if text else None
        if literal is None and text:
            drop(f"gmd:citation/gmd:date ({kind or 'no type'})", text, UNPARSEABLE_DATE)
        elif literal is not None and kind in ("publication", "revision", "creation"):
            found.setdefault(kind, []).append(literal)
    for kind, predicate, pick in (
        ("publication", DCTERMS.issued, min),
        ("revision", DCTERMS.modified, max),
        ("creation", DCTERMS.created, min),
    ):
        if kind in found:
            state.out.add((state.subject, predicate, pick(found[kind], key=str)))


def add_languages(state: RecordState) -> None:
    """dct:language (EU URIs) of the resource; ISO 639-2/B codes such as fre/ger are normalised."""
    for lang_el in findall(state.ident, "gmd:language"):
        code = code_value(lang_el) or value(lang_el)
        uri = language_uri(code)
        if uri:
            state.out.add((state.subject, DCTERMS.language, state.out.typed(uri, DCTERMS.LinguisticSystem)))
        elif code:
            drop("gmd:language", code, UNKNOWN_CODE)


def add_frequency(state: RecordState) -> None:
    """dct:accrualPeriodicity from the first maintenance frequency that maps to the EU table."""
    for prop in findall(
        state.ident, "gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/gmd:maintenanceAndUpdateFrequency"
    ):
        code = code_value(prop)
        uri = frequency_uri(code)
        if uri:
            state.out.add((state.subject, DCTERMS.accrualPeriodicity, state.out.typed(uri, DCTERMS.Frequency)))
            return
        if code:
            drop("gmd:maintenanceAndUpdateFrequency", code, UNKNOWN_CODE)


def add_lineage(state: RecordState) -> None:
    """dct:provenance [ a dct:ProvenanceStatement ; rdfs:label lineage statement ] (GeoDCAT-AP)."""
    for statement in findall(
        state.root, "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage/gmd:statement"
    ):
        texts = state.loc.texts(statement, keep_lines=True)
        if texts:
            node = state.out.bnode()
            state.out.add((state.subject, DCTERMS.provenance, node))
            state.out.add((node, TYPE, DCTERMS.ProvenanceStatement))
            state.out.texts(node, RDFS.label, texts)


def add_conformity(state: RecordState) -> None:
    """dct:conformsTo for each specification the record declares as passed (INSPIRE conformity)."""
    for result in findall(
        state.root, "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:report/*/gmd:result/gmd:DQ_ConformanceResult"
    ):
        if value(find(result, "gmd:pass")).lower() not in ("true", "1"):
            continue
        spec = find(result, "gmd:specification/gmd:CI_Citation")
        if spec is None:
            continue
        _add_standard(state, spec)


def _add_standard(state: RecordState, spec: etree._Element) -> None:
    title_el = find(spec, "gmd:title")
    target = href(title_el)
    title = value(title_el)
    if not is_http_uri(target):
        target = _INSPIRE_IR_URI if _INSPIRE_IR.search(title) else ""
    if target:
        standard: URIRef | object = state.out.typed(target, DCTERMS.Standard)
    else:
        standard = state.out.bnode()
        state.out.add((standard, TYPE, DCTERMS.Standard))
    state.out.add((state.subject, DCTERMS.conformsTo, standard))
    if not target or target == _INSPIRE_IR_URI:
        state.out.texts(standard, DCTERMS.title, state.loc.texts(title_el))
        date_el = find(spec, "gmd:date/gmd:CI_Date/gmd:date")
        issued = date_literal(value(date_el)) if date_el is not None else None
        if issued is not None and not target:
            state.out.add((standard, DCTERMS.issued, issued))


def crs_uri(code: str, code_space: str, anchor: str) -> str | None:
    """OGC URI of an EPSG reference system from its anchor, URN, URL or "EPSG:xxxx" code."""
    for text in (anchor, code, f"{code_space}:{code}" if code_space else ""):
        if text and "opengis.net/def/crs/" in text and is_http_uri(text):
            return text
        match = _EPSG.search(text) if text else None
        if match:
            return _CRS_BASE + match.group(1)
    if code.isdigit() and "epsg" in code_space.lower():
        return _CRS_BASE + code
    return None


def add_reference_systems(state: RecordState) -> None:
    """dct:conformsTo <EPSG URI> for each reference system (typed dct:Standard)."""
    for rs in findall(state.root, "gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/*"):
        code_prop = find(rs, "gmd:code")
        uri = crs_uri(value(code_prop), value(find(rs, "gmd:codeSpace")), href(code_prop))
        if uri:
            state.out.add((state.subject, DCTERMS.conformsTo, state.out.typed(uri, DCTERMS.Standard)))


def add_spatial_resolution(state: RecordState) -> None:
    """dcat:spatialResolutionInMeters from the finest resolution distance given in a length unit."""
    best: float | None = None
    for distance in findall(state.ident, "gmd:spatialResolution/gmd:MD_Resolution/gmd:distance/*"):
        factor = _METRES.get((distance.get("uom") or "").strip().lower().rsplit("#", 1)[-1])
        try:
            metres = float(value(distance) or (distance.text or "")) * factor if factor else None
        except ValueError:
            metres = None
        if metres is not None and metres > 0 and (best is None or metres < best):
            best = metres
    if best is not None:
        text = f"{best:.6f}".rstrip("0").rstrip(".")
        state.out.add((state.subject, DCAT.spatialResolutionInMeters, Literal(text, datatype=XSD.decimal)))
    _add_scales(state)


def _add_scales(state: RecordState) -> None:
    """Equivalent scales 1:n as GeoDCAT-AP 2.0.0 quality measurements of geodcat:spatialResolutionAsScale.

    dqv:hasQualityMeasurement [ a dqv:QualityMeasurement ; dqv:isMeasurementOf
    geodcat:spatialResolutionAsScale ; dqv:value "1/n"^^xsd:decimal ] (the representative fraction,
    e.g. 0.00004 for 1:25,000), one per distinct scale; the metric is typed dqv:Metric (range).
    """
    fractions: list[str] = []
    for denominator in findall(
        state.ident, "gmd:spatialResolution/gmd:MD_Resolution/gmd:equivalentScale/*/gmd:denominator"
    ):
        try:
            number = Decimal(value(denominator))
        except InvalidOperation:
            continue
        if number.is_finite() and number > 0 and number == number.to_integral_value():
            fraction = format(Decimal(1) / number, "f")
            if fraction not in fractions:
                fractions.append(fraction)
    out = state.out
    for fraction in fractions:
        node = out.bnode()
        out.add((state.subject, DQV.hasQualityMeasurement, node))
        out.add((node, TYPE, DQV.QualityMeasurement))
        out.add((node, DQV.isMeasurementOf, out.typed(str(GEODCAT.spatialResolutionAsScale), DQV.Metric)))
        out.add((node, DQV.value, Literal(fraction, datatype=XSD.decimal)))
