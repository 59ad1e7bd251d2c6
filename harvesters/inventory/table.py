"""Read a CSV or XLSX inventory into numbered rows of cell values.

CSV: UTF-8 (with or without BOM), else Windows-1252 (what Excel writes on many ministry PCs);
the delimiter is sniffed among ; , tab unless configured. XLSX: openpyxl, read-only, cached values
(formulas give their last computed result), dates as Python dates. Row numbers are the
spreadsheet's own (header on row 1 -> first data row is 2), so errors point at the right line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"


class TableError(Exception):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, column -> value)


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


def read_csv(data: bytes, *, delimiter: str | None = None, encoding: str | None = None, header_row: int = 1) -> Table:
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
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(lines) < header_row:
        raise TableError("the file has no header row")
    numbered = [(header_row + 1 + i, row) for i, row in enumerate(lines[header_row:])]
    return _rows(lines[header_row - 1], numbered)


def read_xlsx(data: bytes, *, sheet: str | None = None, header_row: int = 1) -> Table:
    from openpyxl import load_workbook  # imported here: only inventory sources need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for bad files
        raise TableError(f"not a readable XLSX workbook: {exc}") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise TableError(f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
    ws = book[sheet] if sheet else book.worksheets[0]
    all_rows = [(n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    book.close()
    header = next((r for n, r in all_rows if n == header_row), None)
    if header is None:
        raise TableError("the sheet has no header row")
    return _rows(header, [(n, r) for n, r in all_rows if n > header_row])


def read_table(data: bytes, name: str, *, kind: str = "auto", **options: Any) -> Table:
    """CSV or XLSX by `kind`, else by file name, else by the ZIP magic number of XLSX files."""
    if kind == "auto":
        lowered = name.lower().split("?")[0]
        kind = "xlsx" if lowered.endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC) else "csv"
    if kind == "xlsx":
        return read_xlsx(data, sheet=options.get("sheet"), header_row=options.get("header_row", 1))
    return read_csv(
        data,
        delimiter=options.get("delimiter"),
        encoding=options.get("encoding"),
        header_row=options.get("header_row", 1),
    )
