"""Read a CSV or XLSX inventory into numbered rows of cell values.

CSV: UTF-8 (with or without BOM), else Windows-1252 (what Excel writes on many ministry PCs);
the delimiter is sniffed among ; , tab unless configured. XLSX: openpyxl, read-only, cached values
(formulas give their last computed result), dates as Python dates, rows by the sheet's content
(never its declared dimension), at most MAX_ROWS data rows (more: the table says it is truncated). Row numbers are the
spreadsheet's own (header on row 1 -> first data row is 2), so errors point at the right line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 200_000  # data rows read from one file; more makes the listing incomplete (never a withdrawal)
MAX_COLUMNS = 1_024  # named header columns (real inventories have a few dozen)
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # an XLSX is a ZIP: its parts' declared total when unpacked


class TableError(Exception):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, column -> value)
    truncated: str | None = None  # why not every row was read (the listing is then incomplete)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _rows(header: list[str], raw_rows: list[tuple[int, list[Any]]]) -> Table:
    names = [str(h).strip() if h is not None else "" for h in header]
    rows = []
    for number, cells in raw_rows:
        values = {name: _clean(cells[i]) if i < len(cells) else None for i, name in enumerate(names) if name}
        if any(v is not None for v in values.values()):
            rows.append((number, values))
    return Table([n for n in names if n], rows)


def read_csv(
    data: bytes,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
    max_rows: int = MAX_ROWS,
) -> Table:
    if encoding:
        text = data.decode(encoding)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a NUL byte, or a lone carriage return inside a field
        raise TableError(f"not readable as CSV: {exc}") from exc
    if len(lines) < header_row:
        raise TableError("the file has no header row")
    numbered = [(header_row + 1 + i, row) for i, row in enumerate(lines[header_row:])]
    truncated = None
    if len(numbered) > max_rows:
        numbered = numbered[:max_rows]
        truncated = f"more than {max_rows:,} data rows: rows after {header_row + max_rows} were not read"
    table = _rows(lines[header_row - 1], numbered)
    return Table(table.header, table.rows, truncated)


def _last_filled(cells: tuple[Any, ...] | list[Any]) -> int:
    """1-based position of the last non-empty cell (0 for an empty row)."""
    for position in range(len(cells), 0, -1):
        if cells[position - 1] not in (None, ""):
            return position
    return 0


def read_xlsx(data: bytes, *, sheet: str | None = None, header_row: int = 1, max_rows: int = MAX_ROWS) -> Table:
    """The sheet's rows as they are in its XML, whatever its `<dimension ref>` declares.

    Excel and other writers leave stale dimensions (A1:C49 for 51 rows: the last rows were dropped)
    or absurd ones (A1:XFD1048576: openpyxl padded every row to 16,384 cells, 3 GB for a 4.9 KB file).
    So the declared dimension is ignored, columns stop at the header's last named column, and at most
    `max_rows` data rows are read: more makes the table `truncated` (an incomplete listing).
    """
    from openpyxl import load_workbook  # imported here: only inventory sources need it

    unpacked = _unpacked_size(data)
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(f"the workbook unpacks to {unpacked:,} bytes, above the {MAX_UNPACKED_BYTES:,} byte cap")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for bad files
        raise TableError(f"not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise TableError(f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet else book.worksheets[0]
        ws.reset_dimensions()  # read by content, never by the declared <dimension ref>
        header_cells = next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True), ())
        width = _last_filled(header_cells)
        if width == 0:
            raise TableError("the sheet has no header row")
        if width > MAX_COLUMNS:
            raise TableError(f"the header has {width} columns, more than the cap of {MAX_COLUMNS}")
        rows: list[tuple[int, list[Any]]] = []
        truncated = None
        last = header_row + max_rows
        cells_iter = ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
        for number, cells in enumerate(cells_iter, start=header_row + 1):
            if number > last:
                if any(v not in (None, "") for v in cells):
                    truncated = f"more than {max_rows:,} data rows: rows after {last} were not read"
                    break
                continue
            if any(v is not None for v in cells):
                rows.append((number, list(cells)))
    except TableError:
        raise
    except Exception as exc:  # malformed sheet XML: openpyxl/lxml raise many types
        raise TableError(f"the sheet cannot be read: {type(exc).__name__}: {str(exc)[:200]}") from exc
    finally:
        book.close()
    table = _rows(list(header_cells[:width]), rows)
    return Table(table.header, table.rows, truncated)


def _unpacked_size(data: bytes) -> int:
    """The declared uncompressed size of every part of the XLSX (ZIP) package."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # load_workbook reports it


def read_table(data: bytes, name: str, *, kind: str = "auto", **options: Any) -> Table:
    """CSV or XLSX by `kind`, else by file name, else by the ZIP magic number of XLSX files."""
    if kind == "auto":
        lowered = name.lower().split("?")[0]
        kind = "xlsx" if lowered.endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC) else "csv"
    if kind == "xlsx":
        return read_xlsx(
            data,
            sheet=options.get("sheet"),
            header_row=options.get("header_row", 1),
            max_rows=options.get("max_rows") or MAX_ROWS,
        )
    return read_csv(
        data,
        delimiter=options.get("delimiter"),
        encoding=options.get("encoding"),
        header_row=options.get("header_row", 1),
        max_rows=options.get("max_rows") or MAX_ROWS,
    )
