"""A mapper profile with a bug on one record, to prove the map stage isolates unexpected errors."""

from __future__ import annotations

from collections.abc import Iterator

from luxcat.records import MappedRecord, RawRecord
from mappers.iso19139 import Iso19139Mapper


class ExplodingMapper(Iso19139Mapper):
    """The real ISO mapper, except that it crashes (a bug, not a RecordError) on one record."""

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        if raw.record_id == "3e9a8c05":
            raise ZeroDivisionError("simulated bug")
        yield from super().map(raw)
