"""Spreadsheet inventory harvester: one CSV or XLSX file (local path, http(s) URL or s3://bucket/key).

The file is read whole, so the listing is complete whenever the file could be read: rows with
problems are rejected one by one (row number, column, value) and never make other rows fail; a
row without id, or repeating an earlier row's id, is rejected here, the rest in the mapper.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field

from harvesters.base import Harvester, HarvesterOptions
from harvesters.dcat.pages import PageError, get_page
from harvesters.inventory.columns import ColumnMapping
from harvesters.inventory.rows import encode, record_id, row_document
from harvesters.inventory.table import MAX_ROWS, Table, TableError, read_table
from luxcat.errors import SourceError
from luxcat.http import RetryPolicy, new_session
from luxcat.records import RawRecord, Rejection


class InventoryOptions(HarvesterOptions):
    """Options of an inventory source (config: harvester.options)."""

    location: str = Field(min_length=1, description="file path, http(s):// URL or s3://bucket/key")
    format: Literal["auto", "csv", "xlsx"] = "auto"
    """file format; auto decides from the extension and the first bytes"""
    sheet: str | None = None
    """XLSX worksheet name (default: the first sheet)"""
    delimiter: str | None = Field(default=None, max_length=1)
    """CSV delimiter (default: sniffed among ; , and tab)"""
    encoding: str | None = None
    """CSV text encoding (default: UTF-8, else Windows-1252 as Excel writes)"""
    header_row: int = Field(default=1, ge=1)
    """row number (1-based) holding the column names"""
    max_rows: int = Field(default=MAX_ROWS, ge=1)
    """data rows read at most; a sheet with more is an incomplete listing (nothing withdrawn)"""
    columns: ColumnMapping = Field(default_factory=ColumnMapping)
    """which column holds which dataset field"""
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""


def fetch(location: str, policy: RetryPolicy) -> bytes:
    """The file's bytes from a path, an HTTP(S) URL or S3 (raises OSError, PageError or KeyError)."""
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        return get_page(new_session(), policy, location).content
    if parsed.scheme == "s3":
        from luxcat.artifacts import open_artifacts

        return open_artifacts(f"s3://{parsed.netloc}").get(parsed.path.lstrip("/"))
    return Path(parsed.path if parsed.scheme == "file" else location).read_bytes()


def load(options: InventoryOptions, source_id: str) -> Table:
    """Read the inventory; any failure to get or read the file is a SourceError naming it."""
    policy = RetryPolicy(options.timeout, options.retries, options.backoff)
    try:
        data = fetch(options.location, policy)
    except (OSError, PageError, KeyError) as exc:
        raise SourceError(source_id, f"inventory {options.location}: cannot read: {exc}") from exc
    try:
        return read_table(
            data,
            options.location,
            kind=options.format,
            sheet=options.sheet,
            delimiter=options.delimiter,
            encoding=options.encoding,
            header_row=options.header_row,
            max_rows=options.max_rows,
        )
    except (TableError, UnicodeDecodeError, LookupError) as exc:
        raise SourceError(source_id, f"inventory {options.location}: {exc}") from exc


class InventoryHarvester(Harvester):
    """Yields one JSON RawRecord per inventory row (see rows.py for the payload)."""

    Options = InventoryOptions
    media_type = "application/json"
    options: InventoryOptions

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        """Every row of the file; `since` is ignored (a file has no modified-since filter)."""
        table = load(self.options, self.source_id)
        mapping, missing = self.options.columns.resolve(table.header)
        if self.options.columns.strict and missing:
            raise SourceError(self.source_id, f"inventory {self.options.location}: missing columns {missing}")
        if mapping.id not in table.header:
            raise SourceError(self.source_id, f"inventory {self.options.location}: no id column {mapping.id!r} "
                              f"(header: {', '.join(table.header)})")  # fmt: skip
        self.report.pages = self.report.requests = 1
        self.report.expected = len(table.rows)
        if table.truncated:  # nothing may be withdrawn on a listing that stopped early
            self.report.fail(f"inventory {self.options.location}: {table.truncated}")
        first_row: dict[str, int] = {}
        for number, values in table.rows:
            doc = row_document(number, values, mapping, self.options.location)
            rid = record_id(doc)
            if rid is None:
                yield Rejection(self.source_id, f"row {number}", "harvest", "missing_identifier",
                                f"row {number}: column {mapping.id!r} is empty")  # fmt: skip
                continue
            if rid in first_row:
                self.report.duplicates += 1
                detail = f"row {number}: column {mapping.id!r} value {rid!r} already used on row {first_row[rid]}"
                yield Rejection(self.source_id, f"{rid} (row {number})", "harvest", "duplicate_id", detail)
                continue
            first_row[rid] = number
            yield RawRecord(self.source_id, rid, encode(doc), self.media_type, f"{self.options.location}#row={number}")
            if limit is not None and len(first_row) >= limit:
                self.report.complete = False
                return
