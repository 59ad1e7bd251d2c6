"""Iso19139Mapper: ISO 19139 / INSPIRE records (MD_Metadata, MI_Metadata) -> DCAT-AP 3 + GeoDCAT-AP."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator

from lxml import etree

from luxcat.errors import MissingIdentifier, UnparsableRecord
from luxcat.iris import repair_iris
from luxcat.records import MappedRecord, RawRecord
from mappers.base import MapContext, Mapper, MapperOptions
from mappers.iso19139 import (
    constraints,
    describe,
    extent,
    identity,
    keywords,
    online,
    parties,
    record,
    resource_type,
    service,
)
from mappers.iso19139.rdf import DATASET_SERIES, DCAT, TYPE, GraphWriter, mint
from mappers.iso19139.state import SERIES, SERVICE, RecordState
from mappers.iso19139.xml import Localiser, code_value, find, find_records, parse, value
from mappers.vocabularies import language_tag

_CACHE_SIZE = 64


class Iso19139Mapper(Mapper):
    """Maps one ISO 19139 record to one DCAT-AP graph: dataset, series or data service + catalogue record."""

    name = "iso19139"

    def __init__(self, context: MapContext, options: MapperOptions | None = None) -> None:
        super().__init__(context, options)
        # Elements found by split(), keyed by payload identity, so map() need not parse twice.
        self._parsed: OrderedDict[int, tuple[bytes, etree._Element]] = OrderedDict()

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """One RawRecord per MD_Metadata/MI_Metadata (a single record, or a CSW response), id = fileIdentifier."""
        root = parse(raw.payload)
        found = list(find_records(root))
        if not found:
            if _is_empty_csw_response(root):
                return
            raise UnparsableRecord(f"no gmd:MD_Metadata or gmi:MI_Metadata in {root.tag}")
        for index, element in enumerate(found):
            file_id = identity.file_identifier(element)
            if len(found) == 1 and element is root:
                payload = raw.payload
            else:
                payload = etree.tostring(element, encoding="utf-8")
            record_id = file_id or (raw.record_id if len(found) == 1 else f"{raw.record_id}#{index + 1}")
            self._remember(payload, element)
            yield dataclasses.replace(raw, record_id=record_id, payload=payload)

    def _remember(self, payload: bytes, element: etree._Element) -> None:
        self._parsed[id(payload)] = (payload, element)
        while len(self._parsed) > _CACHE_SIZE:
            self._parsed.popitem(last=False)

    def _element(self, raw: RawRecord) -> etree._Element:
        cached = self._parsed.pop(id(raw.payload), None)
        if cached is not None and cached[0] is raw.payload:
            return cached[1]
        root = parse(raw.payload)
        found = next(find_records(root), None)
        if found is None:
            raise UnparsableRecord(f"no gmd:MD_Metadata or gmi:MI_Metadata in {root.tag}")
        return found

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        """Yield the record's DCAT-AP graph; RecordError for unparsable or unmappable records."""
        yield self.map_element(self._element(raw), raw)

    def map_element(self, root: etree._Element, raw: RawRecord) -> MappedRecord:
        """Map an already parsed record element."""
        context = self.context
        ident = identity.identification(root)
        if ident is None:
            raise UnparsableRecord("no identificationInfo: not an ISO 19139 resource description")
        file_id = identity.file_identifier(root)
        identifiers = identity.resource_identifiers(ident)
        key = file_id or (identifiers[0][0] if identifiers else "")
        if not key:
            raise MissingIdentifier("neither fileIdentifier nor resource identifier")
        base = context.base_uri if context.base_uri.endswith("/") else context.base_uri + "/"
        language_el = find(root, "gmd:language")
        root_lang = code_value(language_el) or value(language_el)
        main = language_tag(root_lang) or (context.languages[0] if context.languages else None)
        kind = identity.resource_kind(root, ident)
        # Blank-node labels derive from the source, the record and its content: reproducible output,
        # and no accidental merging with another record's nodes in a union graph.
        writer = GraphWriter(f"{base}|{key}|{raw.hash}")
        loc = Localiser(root, main)
        state = RecordState(root=root, ident=ident, kind=kind, key=key, base=base, loc=loc, out=writer)
        state.subject = identity.subject_uri(state, identifiers)
        state.record_uri = mint(base, "record", key)
        _map_resource(state, identifiers, file_id, context.licence, context.publisher)
        record.add_catalog_record(state, raw, context, file_id)
        repair_iris(state.out.graph)  # a code or URL with characters no RDF syntax can write
        return MappedRecord(raw.source_id, raw.record_id, state.out.graph, state.subject)


def _map_resource(
    state: RecordState,
    identifiers: list[tuple[str, str, str]],
    file_id: str,
    default_licence: str | None,
    publisher: dict[str, str],
) -> None:
    """Write the resource (dataset / series / data service) and everything hanging from it."""
    out, subject = state.out, state.subject
    if state.kind == SERVICE:
        out.add((subject, TYPE, DCAT.DataService))
    else:
        out.add((subject, TYPE, DCAT.Dataset))  # explicit for series too: shapes run without RDFS inference
        if state.kind == SERIES:
            out.add((subject, TYPE, DATASET_SERIES))
    describe.add_title_and_description(state)
    resource_type.add_resource_type(state)
    identity.add_identifiers(state, identifiers, file_id)
    describe.add_dates(state)
    describe.add_languages(state)
    keywords.add_keywords(state)
    constraints.add_constraints(state, default_licence)
    parties.add_parties(state, publisher)
    extent.add_extents(state)
    describe.add_reference_systems(state)
    describe.add_frequency(state)
    describe.add_spatial_resolution(state)
    if state.kind == SERVICE:
        service.add_service(state)
    else:
        describe.add_lineage(state)
        describe.add_conformity(state)
        online.add_online_resources(state)


_CSW = "{http://www.opengis.net/cat/csw/2.0.2}"


def _is_empty_csw_response(root: etree._Element) -> bool:
    """A CSW GetRecords / GetRecordById response that holds no record at all (a last, empty page)."""
    if root.tag == _CSW + "GetRecordByIdResponse":
        return len(root) == 0
    results = root.find(_CSW + "SearchResults") if root.tag == _CSW + "GetRecordsResponse" else None
    return results is not None and len(results) == 0
