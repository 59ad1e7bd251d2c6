"""Inventory mapper: one spreadsheet row (the harvester's JSON, or a CSV/XLSX file via split) -> DCAT-AP 3.

Each value is checked against what DCAT-AP needs (licence, frequency and theme in the EU
vocabularies, formats known, e-mail, URLs, dates); every problem of a row is reported together as
"row 7: column 'licence' value 'CC BY-NC': ..." and the row is rejected, the others go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field
from rdflib import URIRef

from harvesters.inventory.columns import ColumnMapping
from harvesters.inventory.rows import encode, record_id, row_document
from harvesters.inventory.table import TableError, read_table
from luxcat.errors import MissingIdentifier, RecordError, UnparsableRecord
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper, MapperOptions
from mappers.dcat.builder import DcatBuilder
from mappers.dcat.literals import date_literal, is_email, is_url
from mappers.dcat.terms import DCAT, DCTERMS
from mappers.dcat.vocab import theme_uri
from mappers.vocabularies import file_type, frequency_uri, licence_uri

NO_ID = "application/x-luxcat-row-without-id"  # split() markers: map() rejects these rows
DUPLICATE = "application/x-luxcat-duplicate-row"


class InventoryMapperOptions(MapperOptions):
    """How to read an inventory file given to `luxcat map --from inventory` (the harvester has its own)."""

    columns: ColumnMapping = Field(default_factory=ColumnMapping)
    """which column holds which dataset field"""
    format: Literal["auto", "csv", "xlsx"] = "auto"
    """file format; auto decides from the extension and the first bytes"""
    sheet: str | None = None
    """XLSX worksheet name (default: the first sheet)"""
    delimiter: str | None = Field(default=None, max_length=1)
    """CSV delimiter (default: detected)"""
    header_row: int = Field(default=1, ge=1)
    """row number (1-based) holding the column names"""


class RowMapper:
    """Writes one row document into a DcatBuilder, collecting every bad value of the row."""

    def __init__(self, doc: dict[str, Any], builder: DcatBuilder) -> None:
        self.doc = doc
        self.b = builder
        self.s = builder.subject
        self.errors: list[str] = []

    def bad(self, cell: dict[str, Any], why: str) -> None:
        self.errors.append(f"column {cell['column']!r} value {cell['value']!r}: {why}")

    def values(self, field: str) -> list[tuple[dict[str, Any], str]]:
        """(cell, item) for each separated item of a multi-valued cell."""
        cell = self.doc.get(field)
        if not cell:
            return []
        separator = self.doc.get("keyword_separator") or ";"
        return [(cell, part.strip()) for part in str(cell["value"]).split(separator) if part.strip()]

    def lookup(self, field: str, predicate: URIRef, find: Any, what: str) -> None:
        for cell, item in self.values(field):
            found = find(item)
            if found:
                self.b.link(self.s, predicate, found)
            else:
                self.bad(cell, f"not a known {what}")

    def write(self) -> None:
        b, s, doc = self.b, self.s, self.doc
        for lang, cell in doc["title"].items():
            b.text(s, DCTERMS.title, cell["value"], lang)
        for lang, cell in doc["description"].items():
            b.text(s, DCTERMS.description, cell["value"], lang)
        b.text(s, DCTERMS.identifier, record_id(doc))
        for _cell, keyword in self.values("keywords"):
            b.text(s, DCAT.keyword, keyword)
        self.lookup("theme", DCAT.theme, theme_uri, "EU data theme (code, URI or label)")
        self.lookup("frequency", DCTERMS.accrualPeriodicity, frequency_uri, "update frequency")
        if doc.get("publisher"):
            b.agent(DCTERMS.publisher, doc["publisher"]["value"])
        self.checked("contact_email", lambda v: is_email(str(v)), "not an e-mail address",
                     lambda v: b.contact(None, v))  # fmt: skip
        self.checked("landing_page", lambda v: is_url(str(v)), "not an http(s) URL",
                     lambda v: b.link(s, DCAT.landingPage, v))  # fmt: skip
        for field in ("issued", "modified"):
            self.checked(field, lambda v: date_literal(v) is not None, "not a date",
                         lambda v, f=field: b.date(s, getattr(DCTERMS, f), v))  # fmt: skip
        self.distributions()

    def checked(self, field: str, ok: Any, why: str, write: Any) -> None:
        cell = self.doc.get(field)
        if not cell:
            return
        if ok(cell["value"]):
            write(cell["value"])
        else:
            self.bad(cell, why)

    def licence(self) -> str | None:
        cell = self.doc.get("licence")
        if not cell:
            return None
        found = licence_uri(str(cell["value"]))
        if found is None:
            self.bad(cell, "not a known licence (use an EU licence code, URL or name)")
        elif "NC" in found.rsplit("/", 1)[-1].split("_") or "BYNC" in found:
            self.bad(cell, "non-commercial licences are not allowed by the open data strategy")
            return None
        return found

    def distributions(self) -> None:
        licence = self.licence()
        for dist in self.doc.get("distributions") or []:
            url, fmt, title = dist["url"], dist.get("format"), dist.get("title")
            if not is_url(str(url["value"])):
                self.bad(url, "not an http(s) URL")
                continue
            node = self.b.distribution(str(url["value"]))
            if fmt and file_type(str(fmt["value"])) is None:
                self.bad(fmt, "not a known file format")
            elif fmt and node is not None:
                self.b.link(node, DCTERMS.format, str(fmt["value"]))
            if title and node is not None:
                self.b.text(node, DCTERMS.title, title["value"])
            if licence and node is not None:
                self.b.link(node, DCTERMS.license, licence)


class InventoryMapper(Mapper):
    """One inventory row -> one DCAT-AP 3 dataset; a row with bad values is rejected with all of them."""

    Options: ClassVar[type[InventoryMapperOptions]] = InventoryMapperOptions
    name: ClassVar[str] = "inventory"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A CSV/XLSX file -> one record per row (rows without id come back as records map() rejects)."""
        if raw.payload.lstrip().startswith(b"{"):
            yield raw
            return
        opts: InventoryMapperOptions = self.options  # type: ignore[assignment]
        try:
            table = read_table(raw.payload, raw.origin_url or raw.record_id, kind=opts.format, sheet=opts.sheet,
                               delimiter=opts.delimiter, header_row=opts.header_row)  # fmt: skip
        except (TableError, UnicodeDecodeError) as exc:
            raise UnparsableRecord(f"{raw.record_id}: {exc}") from exc
        mapping, _missing = opts.columns.resolve(table.header)
        first: dict[str, int] = {}
        for number, values in table.rows:
            doc = row_document(number, values, mapping, raw.record_id)
            rid = record_id(doc)
            kind = NO_ID if rid is None else DUPLICATE if rid in first else "application/json"
            first.setdefault(rid or "", number)
            doc["first_row"] = first.get(rid or "")
            yield RawRecord(raw.source_id, f"{rid or raw.record_id} (row {number})" if kind != "application/json"
                            else rid, encode(doc), kind, raw.origin_url)  # fmt: skip

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        try:
            doc = json.loads(raw.payload)
        except ValueError as exc:
            raise UnparsableRecord(f"{raw.record_id}: not an inventory row document: {exc}") from exc
        where = f"row {doc.get('row')}"
        rid = record_id(doc)
        if rid is None:
            raise MissingIdentifier(f"{where}: the id column is empty")
        if raw.media_type == DUPLICATE:
            raise RecordError(f"{where}: id {rid!r} already used on row {doc.get('first_row')}", reason="duplicate_id")
        builder = DcatBuilder(self.context, rid)
        row = RowMapper(doc, builder)
        row.write()
        if row.errors:
            raise RecordError(f"{where}: " + "; ".join(row.errors), reason="invalid_value")
        graph, subject = builder.build()
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=graph, subject=subject)
