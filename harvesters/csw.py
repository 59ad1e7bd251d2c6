"""CSW 2.0.2 harvester for INSPIRE geocatalogues (GeoNetwork, pycsw) working on the raw XML.

Why raw XML and not OWSLib's record parser: OWSLib drops gmi:MI_Metadata when a page also holds
gmd:MD_Metadata, keys records by file identifier (duplicates overwrite silently) and invents ids
for records without one. Paging is sorted by identifier so GeoNetwork's unstable ordering cannot
hide records; duplicates across pages are skipped and counted; a unique count that differs from
numberOfRecordsMatched, or any failed page, marks the listing incomplete (nothing is withdrawn).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from lxml import etree
from pydantic import Field, HttpUrl

from harvesters.base import Harvester, HarvesterOptions
from harvesters.xmlrecord import UnwritableRecord, canonical_xml
from luxcat.errors import SourceError
from luxcat.http import HttpFailure, RetryPolicy, new_session, request_with_retries
from luxcat.records import RawRecord, Rejection

CSW = "http://www.opengis.net/cat/csw/2.0.2"
OGC = "http://www.opengis.net/ogc"
OWS = "http://www.opengis.net/ows"
GMD = "http://www.isotc211.org/2005/gmd"
GMI = "http://www.isotc211.org/2005/gmi"
GCO = "http://www.isotc211.org/2005/gco"
RECORD_TAGS = {f"{{{GMD}}}MD_Metadata", f"{{{GMI}}}MI_Metadata"}
ISO_TYPE = f"{{{GCO}}}isoType"
# gmd:MD_Metadata, gmi:MI_Metadata and profile records such as che:CHE_MD_Metadata (geocat.ch)
RECORD_TEXT = re.compile(rb"<(?P<tag>(?:[\w.-]+:)?(?:[A-Z]+_)?M[DI]_Metadata)\b.*?</(?P=tag)\s*>", re.S)
FILE_ID_TEXT = re.compile(rb"fileIdentifier>\s*<[^>]*CharacterString[^>]*>\s*([^<\s][^<]*?)\s*<", re.S)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Text from a broken page made storable in an attribute (a NUL there is garbage, shown as U+FFFD)."""
    return _XML_UNSAFE.sub("\ufffd", text)


def is_iso_record(element: etree._Element) -> bool:
    """gmd:MD_Metadata, gmi:MI_Metadata, or a national profile's record declaring its ISO type
    (che:CHE_MD_Metadata gco:isoType="gmd:MD_Metadata"): the ISO mapper reads all of them."""
    if element.tag in RECORD_TAGS:
        return True
    iso_type = element.get(ISO_TYPE) if isinstance(element.tag, str) else None
    return iso_type is not None and iso_type.split(":")[-1] in ("MD_Metadata", "MI_Metadata")


class CswOptions(HarvesterOptions):
    """Options of a CSW source (config: harvester.options)."""

    url: HttpUrl
    """CSW 2.0.2 endpoint (GetRecords is POSTed here)"""
    page_size: int = Field(default=50, ge=1, le=1000)
    """records per GetRecords page (maxRecords); servers may cap it lower"""
    types: list[Literal["dataset", "series", "service", "nonGeographicDataset"]] = Field(default_factory=list)
    """keep only these hierarchy levels (apiso:Type); empty keeps every type"""
    keywords: list[str] = Field(default_factory=list)
    """keep only records with each of these keywords (apiso:Subject)"""
    sort_property: str = "apiso:Identifier"
    """queryable to sort pages by: a stable order keeps paging from skipping or repeating records"""
    modified_property: str = "apiso:Modified"
    """queryable compared with the last complete run's start in incremental harvests"""
    type_property: str = "apiso:Type"
    """queryable the `types` filter applies to"""
    keyword_property: str = "apiso:Subject"
    """queryable the `keywords` filter applies to"""
    timeout: float = Field(default=30.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""
    max_pages: int = Field(default=10_000, ge=1)
    """stop after this many pages (the listing then counts as incomplete: nothing is withdrawn)"""
    max_consecutive_page_failures: int = Field(default=3, ge=1)
    """give up (incomplete listing) after this many pages in a row fail"""


def _filter(options: CswOptions, since: datetime | None) -> str:
    """The OGC filter for the configured constraints and the incremental lower bound."""
    parts: list[str] = []
    if options.types:
        equals = [
            f"<ogc:PropertyIsEqualTo><ogc:PropertyName>{options.type_property}</ogc:PropertyName>"
            f"<ogc:Literal>{t}</ogc:Literal></ogc:PropertyIsEqualTo>"
            for t in options.types
        ]
        parts.append(equals[0] if len(equals) == 1 else f"<ogc:Or>{''.join(equals)}</ogc:Or>")
    for keyword in options.keywords:
        parts.append(
            f"<ogc:PropertyIsEqualTo><ogc:PropertyName>{options.keyword_property}</ogc:PropertyName>"
            f"<ogc:Literal>{_xml_text(keyword)}</ogc:Literal></ogc:PropertyIsEqualTo>"
        )
    if since is not None:
        stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f"<ogc:PropertyIsGreaterThan><ogc:PropertyName>{options.modified_property}</ogc:PropertyName>"
            f"<ogc:Literal>{stamp}</ogc:Literal></ogc:PropertyIsGreaterThan>"
        )
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else f"<ogc:And>{''.join(parts)}</ogc:And>"
    return f'<csw:Constraint version="1.1.0"><ogc:Filter>{body}</ogc:Filter></csw:Constraint>'


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def get_records_body(options: CswOptions, start: int, since: datetime | None) -> bytes:
    """A CSW 2.0.2 GetRecords POST body for one page, full ISO records, sorted by identifier."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<csw:GetRecords xmlns:csw="{CSW}" xmlns:ogc="{OGC}" xmlns:gmd="{GMD}" '
        'xmlns:apiso="http://www.opengis.net/cat/csw/apiso/1.0" '
        f'service="CSW" version="2.0.2" resultType="results" startPosition="{start}" '
        f'maxRecords="{options.page_size}" outputSchema="{GMD}" outputFormat="application/xml">'
        '<csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName>'
        f"{_filter(options, since)}"
        f"<ogc:SortBy><ogc:SortProperty><ogc:PropertyName>{options.sort_property}</ogc:PropertyName>"
        "<ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>"
        "</csw:Query></csw:GetRecords>"
    ).encode()


class PageError(Exception):
    """One page could not be fetched or read."""


class CswHarvester(Harvester):
    """Pages through GetRecords (outputSchema=gmd) and yields one RawRecord per ISO record."""

    Options = CswOptions
    media_type = "application/xml"
    options: CswOptions

    def record_url(self, record_id: str) -> str:
        """GetRecordById link to the original record (used as provenance)."""
        query = urlencode(
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecordById",
                "id": record_id,
                "outputSchema": GMD,
                "elementSetName": "full",
            }
        )
        return f"{self.options.url}?{query}"

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        session = new_session({"Content-Type": "application/xml", "Accept": "application/xml"})
        policy = RetryPolicy(self.options.timeout, self.options.retries, self.options.backoff)
        seen: set[str] = set()
        start, page, failures_in_row = 1, 0, 0
        emitted = 0
        while start > 0 and page < self.options.max_pages:
            page += 1
            try:
                root, matched, next_record, returned = self._fetch_page(session, policy, start, since, page)
            except PageError as exc:
                failures_in_row += 1
                self.report.fail(f"page {page} (startPosition={start}): {exc}")
                if page == 1 or failures_in_row >= self.options.max_consecutive_page_failures:
                    raise SourceError(
                        self.source_id, f"CSW {self.options.url} page {page} (startPosition={start}): {exc}"
                    ) from exc
                start += self.options.page_size
                continue
            failures_in_row = 0
            self.report.pages = page
            if self.report.expected is None:
                self.report.expected = matched
            for item in self._records(root):
                if isinstance(item, RawRecord) and item.record_id in seen:
                    self.report.duplicates += 1
                    continue
                seen.add(item.record_id)
                yield item
                emitted += 1
                if limit is not None and emitted >= limit:
                    self.report.complete = False  # a partial listing on purpose: never withdraw from it
                    return
            self.progress(f"page {page}: {len(seen)}/{matched} records")
            if next_record == 0 or returned == 0 or next_record > matched:
                break
            if next_record <= start:
                self.report.fail(f"page {page}: nextRecord {next_record} does not advance past {start}")
                break
            start = next_record
        else:
            if start > 0:
                self.report.fail(f"stopped at the page cap ({self.options.max_pages} pages)")
        expected = self.report.expected
        if expected is not None and len(seen) != expected:
            self.report.fail(f"{len(seen)} unique records but the server announced {expected}")

    def _fetch_page(
        self,
        session: object,
        policy: RetryPolicy,
        start: int,
        since: datetime | None,
        page: int,
    ) -> tuple[etree._Element, int, int, int]:
        """POST one GetRecords page and return (records root, matched, nextRecord, returned)."""
        body = get_records_body(self.options, start, since)
        self.report.requests += 1
        try:
            response = request_with_retries(
                session,  # type: ignore[arg-type]
                "POST",
                str(self.options.url),
                policy,
                data=body,
            )
        except HttpFailure as exc:
            raise PageError(exc.reason) from exc
        if response.status_code != 200:
            raise PageError(f"HTTP {response.status_code}: {response.text[:200].strip()}")
        return self.read_page(response.content)

    def read_page(self, content: bytes) -> tuple[etree._Element, int, int, int]:
        """A GetRecords answer's records root and counts; PageError when it is not one."""
        root = self._parse_page(content)
        if root.tag == f"{{{OWS}}}ExceptionReport":
            texts = " ".join(t.strip() for t in root.itertext() if t.strip())
            raise PageError(f"CSW exception: {texts[:300]}")
        results = root.find(f"{{{CSW}}}SearchResults")
        if results is None:
            name = str(root.tag).rsplit("}", 1)[-1]  # QName() refuses a prefix with no namespace ("csw:...")
            raise PageError(f"not a GetRecords response (root element {name[:100]})")
        try:
            matched = int(results.get("numberOfRecordsMatched", "0"))
            returned = int(results.get("numberOfRecordsReturned", "0"))
            next_record = int(results.get("nextRecord", "0") or 0)
        except ValueError as exc:
            raise PageError(f"bad SearchResults attributes: {exc}") from exc
        return results, matched, next_record, returned

    def _parse_page(self, content: bytes) -> etree._Element:
        """Parse a page; if it is not well-formed, keep its records apart so one bad record is isolated."""
        try:
            return etree.fromstring(content, PARSER)
        except etree.XMLSyntaxError as exc:
            salvaged = self._salvage(content)
            if salvaged is None:
                raise PageError(f"response is not well-formed XML: {exc}") from exc
            return salvaged

    def _salvage(self, content: bytes) -> etree._Element | None:
        """Rebuild a SearchResults element from a broken page, marking unparsable records for rejection."""
        head = re.search(rb"<(?:[\w.-]+:)?SearchResults\b[^>]*>", content)
        if head is None:
            return None
        envelope = re.search(rb"<(?:[\w.-]+:)?GetRecordsResponse\b[^>]*>", content)
        namespaces = dict(re.findall(rb'xmlns:([\w.-]+)="([^"]+)"', envelope.group(0) if envelope else b""))
        attributes = {
            k.decode(): _xml_safe(v.decode("utf-8", "replace"))
            for k, v in re.findall(rb'([A-Za-z]+)="([^"]*)"', head.group(0))
        }
        response = etree.Element(f"{{{CSW}}}GetRecordsResponse")
        out = etree.SubElement(response, f"{{{CSW}}}SearchResults", attributes)
        for match in RECORD_TEXT.finditer(content, head.end()):
            text = match.group(0)
            tag_end = text.index(b">") if b">" in text else len(text)
            declared = set(re.findall(rb"xmlns:([\w.-]+)=", text[:tag_end]))
            decl = b" ".join(b'xmlns:%s="%s"' % (p, u) for p, u in namespaces.items() if p not in declared)
            patched = text[:tag_end].replace(match.group("tag"), match.group("tag") + b" " + decl, 1) + text[tag_end:]
            try:
                out.append(etree.fromstring(patched, PARSER))
            except etree.XMLSyntaxError as exc:
                broken = etree.SubElement(out, "unparsable-record", {"reason": _xml_safe(str(exc))})
                found = FILE_ID_TEXT.search(text)
                if found:
                    broken.set("id", _xml_safe(found.group(1).decode("utf-8", "replace")))
        return response

    def _records(self, results: etree._Element) -> Iterator[RawRecord | Rejection]:
        """The ISO records of one page, or a rejection for each record that cannot be kept."""
        for position, element in enumerate(results, start=1):
            if element.tag == "unparsable-record":
                record_id = element.get("id") or f"(record {position} of page)"
                yield Rejection(self.source_id, record_id, "harvest", "unparsable", element.get("reason", ""))
                continue
            if not is_iso_record(element):
                if isinstance(element.tag, str):  # a record of another schema: reported, never silently lost
                    yield Rejection(
                        self.source_id,
                        f"(record {position} of page, {etree.QName(element).localname})",
                        "harvest",
                        "unsupported_record",
                        f"{element.tag} is not an ISO 19139 record (gmd, gmi or a profile with gco:isoType)",
                    )
                continue
            file_id = element.findtext(f"{{{GMD}}}fileIdentifier/{{{GCO}}}CharacterString")
            if not file_id or not file_id.strip():
                yield Rejection(
                    self.source_id,
                    f"(record {position} of page, no fileIdentifier)",
                    "harvest",
                    "missing_identifier",
                    "gmd:fileIdentifier is missing or empty",
                )
                continue
            record_id = file_id.strip()
            try:
                # exclusive C14N: the same record hashes the same whichever page or envelope carried it
                payload = canonical_xml(element)
            except UnwritableRecord as exc:
                yield Rejection(self.source_id, record_id, "harvest", "unparsable", f"{record_id}: {exc}")
                continue
            stamp = element.findtext(f"{{{GMD}}}dateStamp/{{{GCO}}}DateTime") or element.findtext(
                f"{{{GMD}}}dateStamp/{{{GCO}}}Date"
            )
            yield RawRecord(
                source_id=self.source_id,
                record_id=record_id,
                payload=payload,
                media_type=self.media_type,
                origin_url=self.record_url(record_id),
                modified=stamp.strip() if stamp else None,
            )
