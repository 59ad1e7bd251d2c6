"""SDMX time periods (2020, 2020-Q3, 2020-S1, 2020-05, 2020-05-31, datetimes) to first/last days."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

_PERIOD = re.compile(r"^(\d{4})(?:-(?:([QSH])(\d)|M?(\d{2})(?:-(\d{2}))?))?$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_bounds(text: str) -> tuple[date, date] | None:
    """First and last day of a reporting period, or None when it is not one SDMX writes commonly."""
    value = text.strip()
    if "T" in value:
        day = parse_datetime(value)
        return (day.date(), day.date()) if day else None
    match = _PERIOD.match(value)
    if not match:
        return None
    year = int(match.group(1))
    kind, number, month, day = match.group(2), match.group(3), match.group(4), match.group(5)
    if kind:
        months = 3 if kind == "Q" else 6
        first = (int(number) - 1) * months + 1
        if not 1 <= first <= 12:
            return None
        return date(year, first, 1), _month_end(year, first + months - 1)
    if month and day:
        one = date(year, int(month), int(day))
        return one, one
    if month:
        return date(year, int(month), 1), _month_end(year, int(month))
    return date(year, 1, 1), date(year, 12, 31)


def parse_datetime(text: str) -> datetime | None:
    """ISO 8601 date-time, also with a +0100 style offset (Eurostat's UPDATE_DATA)."""
    value = text.strip()
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
