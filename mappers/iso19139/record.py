"""The dcat:CatalogRecord describing the ISO metadata record itself."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.fidelity import UNPARSEABLE_DATE, drop
from mappers.iso19139.rdf import DCAT, DCTERMS, FOAF, TYPE, date_literal, is_http_uri, literal
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import code_value, find, value
from mappers.vocabularies import language_uri

ISO_19139 = "http://www.isotc211.org/2005/gmd"  # the ISO/TS 19139 schema namespace, as GeoDCAT-AP uses it


def record_url(raw: RawRecord, context: MapContext, file_id: str) -> str | None:
    """Link to the original record: the source's template, a GetRecordById URL, or a CSW-derived one."""
    if not file_id:
        return None
    if context.record_url:
        return context.record_url.replace("{id}", quote(file_id, safe=""))
    origin = raw.origin_url or ""
    if not origin.startswith(("http://", "https://")):
        return None
    if "getrecordbyid" in origin.lower():
        return origin
    parts = urlsplit(origin)
    if "csw" not in parts.path.lower() and "service=csw" not in parts.query.lower():
        return None
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return (
        f"{base}?service=CSW&version=2.0.2&request=GetRecordById&id={quote(file_id, safe='')}"
        "&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full"
    )


def add_catalog_record(state: RecordState, raw: RawRecord, context: MapContext, file_id: str) -> None:
    """dcat:CatalogRecord: primary topic, dateStamp as dct:modified, ISO 19139, language, source link."""
    out, record = state.out, state.record_uri
    out.add((record, TYPE, DCAT.CatalogRecord))
    out.add((record, FOAF.primaryTopic, state.subject))
    stamp_el = find(state.root, "gmd:dateStamp")
    text = (value(stamp_el) or (stamp_el.text or "").strip()) if stamp_el is not None else ""
    stamp = date_literal(text) if text else None
    if stamp is not None:
        out.add((record, DCTERMS.modified, stamp))
    elif text:  # never the fetch or mapping time instead: that is not a date of the source
        drop("gmd:dateStamp", text, UNPARSEABLE_DATE)
    out.add((record, DCTERMS.conformsTo, out.typed(ISO_19139, DCTERMS.Standard)))
    if file_id:
        out.add((record, DCTERMS.identifier, literal(file_id)))
    lang = language_uri(code_value(find(state.root, "gmd:language")) or value(find(state.root, "gmd:language")))
    if lang:
        out.add((record, DCTERMS.language, out.typed(lang, DCTERMS.LinguisticSystem)))
    url = record_url(raw, context, file_id)
    if url and is_http_uri(url):
        out.add((record, FOAF.page, out.typed(url, FOAF.Document)))
    out.add((state.subject, FOAF.isPrimaryTopicOf, record))
