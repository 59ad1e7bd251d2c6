"""One inventory row -> the JSON payload of a record: each field with the column and cell it came from.

Values are not judged here (the mapper checks licences, formats, dates... and names the column and
value it rejects); dates from XLSX cells become ISO text, numbers stay numbers (an Excel serial day
in a date column is read by the mapper).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from harvesters.inventory.columns import ColumnMapping
from luxcat.records import canonical_json

Cell = dict[str, Any]  # {"column": name, "value": value}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def cell(values: dict[str, Any], column: str | None) -> Cell | None:
    """The cell of `column`, or None when the column is unmapped or the cell empty."""
    if not column or values.get(column) is None:
        return None
    return {"column": column, "value": _value(values[column])}


def row_document(number: int, values: dict[str, Any], mapping: ColumnMapping, location: str) -> dict[str, Any]:
    """Everything the mapper needs about one row, keyed by field."""
    doc: dict[str, Any] = {"row": number, "file": location, "id": cell(values, mapping.id)}
    doc["title"] = {lang: c for lang, col in mapping.title.items() if (c := cell(values, col))}
    doc["description"] = {lang: c for lang, col in mapping.description.items() if (c := cell(values, col))}
    for field, column in mapping.single().items():
        doc[field] = cell(values, column)
    doc["keyword_separator"] = mapping.keyword_separator
    doc["distributions"] = [
        {"url": cell(values, d.url), "format": cell(values, d.format), "title": cell(values, d.title)}
        for d in mapping.distributions
        if cell(values, d.url)
    ]
    return doc


def encode(doc: dict[str, Any]) -> bytes:
    return canonical_json(doc)


def record_id(doc: dict[str, Any]) -> str | None:
    found = doc.get("id")
    return str(found["value"]).strip() or None if found else None
