"""Literal helpers: dates in the shapes DCAT-AP accepts, URLs, e-mails, language tags."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")  # European day-first, as ministries write dates
_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s/]+\.[A-Za-z]{2,}$")
_RFC822 = re.compile(r"^([A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}")
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
DATE_TYPES = frozenset({XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth})


def is_url(text: str) -> bool:
    """True for an absolute http(s) URL usable as an IRI as is."""
    return bool(_URL.match(text.strip()))


def is_email(text: str) -> bool:
    """True for a plain e-mail address (with or without mailto:)."""
    return bool(_EMAIL.match(text.strip().removeprefix("mailto:")))


def mailto(text: str) -> URIRef:
    """A mailto: IRI for an address written with or without the scheme (whitespace removed: `mailto: a@b`)."""
    return URIRef("mailto:" + "".join(text.split()).removeprefix("mailto:"))


def _iso(match: re.Match[str]) -> Literal | None:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None or (hour == minute == "00" and not second and not zone):
        return Literal(day_value.isoformat(), datatype=XSD.date)
    if int(hour) > 23 or int(minute) > 59:
        return Literal(day_value.isoformat(), datatype=XSD.date)
    zone_text = "" if zone is None else ("Z" if zone == "Z" else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    text = f"{day_value.isoformat()}T{hour}:{minute}:{second or '00'}{fraction or ''}{zone_text}"
    return Literal(text, datatype=XSD.dateTime)


def date_literal(value: object) -> Literal | None:
    """xsd:date/dateTime/gYearMonth/gYear literal for a date written any usual way; None if it is no date.

    Accepts ISO 8601, day-first European dates (31/12/2020, 31.12.2020), Excel serial day numbers,
    and Python date/datetime values (what openpyxl gives for date cells).
    """
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return Literal(value.date().isoformat(), datatype=XSD.date)
        return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(float(value))
    return _text_date(str(value).strip())


def _text_date(text: str) -> Literal | None:
    """date_literal for text values."""
    match = _ISO.match(text)
    if match:
        return _iso(match)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return Literal(date(year, month, day).isoformat(), datatype=XSD.date)
        except ValueError:
            return None
    if _YEAR_MONTH.match(text):
        return Literal(text, datatype=XSD.gYearMonth)
    if _YEAR.match(text):
        return Literal(text, datatype=XSD.gYear)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return excel_serial(float(text))
    if _RFC822.match(text):  # RSS pubDate
        try:
            return date_literal(parsedate_to_datetime(text))
        except (TypeError, ValueError):
            return None
    return None


def excel_serial(number: float) -> Literal | None:
    """An Excel serial day number (e.g. 44197 = 2021-01-01) as xsd:date, for plausible values only."""
    if not 1 <= number < 2958466:  # Excel's own range: 1900-01-01 .. 9999-12-31
        return None
    return Literal((EXCEL_EPOCH + timedelta(days=int(number))).isoformat(), datatype=XSD.date)
