"""StatDCAT-AP mapper for SDMX dataflows: one dcat:Dataset per dataflow record."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import ClassVar

from harvesters.sdmx.payload import SCHEMA, StructureStore, decode, encode, key_of, record_id
from luxcat.errors import ConfigError, MissingIdentifier, UnparsableRecord
from luxcat.iris import repair_iris
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper
from mappers.sdmx.graph import DataflowGraph
from mappers.sdmx.options import SdmxMapperOptions

log = logging.getLogger(__name__)


class SdmxMapper(Mapper):
    """Maps the harvester's dataflow documents (or structure messages on disk, via split)."""

    Options: ClassVar[type[SdmxMapperOptions]] = SdmxMapperOptions
    name: ClassVar[str] = "sdmx"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A structure message with many dataflows -> one record per dataflow, as the harvester makes them."""
        if raw.payload.lstrip()[:1] == b"{" and f'"{SCHEMA}"'.encode() in raw.payload:
            yield raw
            return
        import sdmx

        opts: SdmxMapperOptions = self.options  # type: ignore[assignment]
        if not opts.service_url:
            raise ConfigError(f"{raw.source_id}: mapper option service_url is needed to map structure files")
        try:
            message = sdmx.read_sdmx(io.BytesIO(raw.payload))
        except Exception as exc:  # sdmx1 raises many types for bad input
            raise UnparsableRecord(f"{raw.record_id}: not an SDMX structure message: {exc!r}") from exc
        if not isinstance(message, sdmx.message.StructureMessage):
            raise UnparsableRecord(f"{raw.record_id}: not an SDMX structure message ({type(message).__name__})")
        store = StructureStore()
        store.add(message)
        for df in sorted(message.dataflow.values(), key=key_of):
            if df.is_external_reference and not df.name.localizations:
                continue
            service = {"url": opts.service_url.rstrip("/"), "agency": key_of(df)[0]}
            yield RawRecord(
                source_id=raw.source_id,
                record_id=record_id(df),
                payload=encode(store.document(df, service)),
                media_type="application/json",
                origin_url=raw.origin_url,
                fetched_at=raw.fetched_at,
            )

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        """One MappedRecord holding the dataset, its distributions, the API and the topic series."""
        try:
            document = decode(raw.payload)
        except (ValueError, json.JSONDecodeError) as exc:
            raise UnparsableRecord(f"{raw.record_id}: {exc}") from exc
        flow = document.get("dataflow") or {}
        if not flow.get("urn") or not flow.get("id"):
            raise MissingIdentifier(f"{raw.record_id}: dataflow without id/URN")
        try:
            graph, subject = DataflowGraph(
                document,
                self.options,  # type: ignore[arg-type]
                self.context.base_uri,
                self.context,
            ).build()
        except (KeyError, TypeError, AttributeError, ValueError) as exc:  # the document lacks a part or is mistyped
            raise UnparsableRecord(
                f"{raw.record_id}: not a complete dataflow document ({type(exc).__name__}: {str(exc)[:200]})"
            ) from exc
        repair_iris(graph)  # a URN or id with characters no RDF syntax can write in an IRI
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=graph, subject=subject)
