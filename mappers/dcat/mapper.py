"""DCAT mapper: one harvested DCAT record (N-Triples) or a whole RDF file -> DCAT-AP 3 graphs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from harvesters.dcat.formats import MEDIA_TYPES, NotRdf, detect
from harvesters.dcat.split import RECORD_TYPES, Piece, UnwritablePiece, canonical_ntriples, split_graph
from luxcat.errors import MissingIdentifier, UnparsableRecord
from luxcat.ntriples import check_size
from luxcat.rdfparse import parse_rdf
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper
from mappers.dcat.normalise import normalise

UNIDENTIFIED = "application/x-luxcat-unidentified"  # split() marker for a record without identity
UNWRITABLE = "application/x-luxcat-unwritable"  # split() marker for a record N-Triples cannot hold


def parse(raw: RawRecord) -> Graph:
    """The record's graph, whatever RDF syntax it came in (media type, then file name, then sniffing)."""
    media = raw.media_type if raw.media_type in MEDIA_TYPES.values() else None
    try:
        syntax = detect(media, raw.origin_url or raw.record_id, raw.payload)
    except NotRdf as exc:
        raise UnparsableRecord(f"{raw.record_id}: {exc}") from exc
    check_size(raw.record_id, raw.payload)
    try:
        graph = parse_rdf(raw.payload, syntax, raw.origin_url or None)
    except Exception as exc:  # rdflib raises many types for bad input
        raise UnparsableRecord(f"{raw.record_id}: not valid {syntax}: {str(exc)[:300]}") from exc
    return graph


def find_subject(graph: Graph, record_id: str) -> Node:
    """The record's subject: its IRI, else the node whose dct:identifier is the record id."""
    uri = URIRef(record_id)
    if any((uri, RDF.type, t) in graph for t in RECORD_TYPES):
        return uri
    for node in graph.subjects(DCTERMS.identifier, Literal(record_id)):
        return node
    for node in graph.subjects(DCTERMS.identifier, None):
        if str(graph.value(node, DCTERMS.identifier)).strip() == record_id:
            return node
    raise MissingIdentifier(f"{record_id}: no dataset, series or service with this IRI or dct:identifier")


def kind_of(graph: Graph, subject: Node) -> str:
    """Path segment of minted URIs: dataset, series or service."""
    if (subject, RDF.type, RECORD_TYPES[1]) in graph:
        return "series"
    if (subject, RDF.type, RECORD_TYPES[2]) in graph and (subject, RDF.type, RECORD_TYPES[0]) not in graph:
        return "service"
    return "dataset"


class DcatMapper(Mapper):
    """Normalises DCAT, DCAT-AP 1.x/2.x and GeoDCAT-AP records to DCAT-AP 3 (see normalise.py)."""

    name: ClassVar[str] = "dcat"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A whole catalogue file -> one record per dataset/series/service, as the harvester cuts them."""
        graph = parse(raw)
        for piece in split_graph(graph):
            if not isinstance(piece, Piece):  # map() rejects it, so it is counted, not lost
                yield RawRecord(raw.source_id, f"{raw.record_id}: {piece.label}", b"", UNIDENTIFIED, raw.origin_url)
                continue
            try:
                payload = canonical_ntriples(piece.graph)
            except UnwritablePiece as exc:  # map() rejects it with the reason
                yield RawRecord(raw.source_id, piece.record_id, str(exc).encode(), UNWRITABLE, raw.origin_url)
                continue
            yield RawRecord(
                source_id=raw.source_id,
                record_id=piece.record_id,
                payload=payload,
                media_type="application/n-triples",
                origin_url=raw.origin_url,
                fetched_at=raw.fetched_at,
                modified=piece.modified,
            )

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        if raw.media_type == UNIDENTIFIED:
            raise MissingIdentifier(f"{raw.record_id}: neither an IRI nor a dct:identifier")
        if raw.media_type == UNWRITABLE:
            raise UnparsableRecord(f"{raw.record_id}: {raw.payload.decode()}")
        graph = parse(raw)
        subject = find_subject(graph, raw.record_id)
        out, uri = normalise(graph, subject, self.context, raw.record_id, kind_of(graph, subject))
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=out, subject=uri)
