"""The mapper contract: one raw record in, zero or more DCAT-AP graphs out, or a RecordError."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from luxcat.records import MappedRecord, RawRecord


class MapperOptions(BaseModel):
    """Base of every mapper's own options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


@dataclass(frozen=True, slots=True)
class MapContext:
    """What a mapper needs to know about the source it maps for."""

    source_id: str
    base_uri: str  # minted URIs live under it, e.g. https://data.public.lu/luxcat/geoportail-inspire/
    languages: tuple[str, ...] = ("fr",)  # the source's languages, preferred first (ISO 639-1)
    licence: str | None = None  # EU licence URI used when a record states none
    publisher: dict[str, str] = field(default_factory=dict)  # fallback publisher: {"name": ..., "uri": ...}
    record_url: str | None = None  # template for a link to the original record, e.g. with {id}


class Mapper(ABC):
    """Maps raw records of one format; raise luxcat.errors.RecordError for a record that cannot map."""

    Options: ClassVar[type[MapperOptions]] = MapperOptions
    name: ClassVar[str] = ""

    def __init__(self, context: MapContext, options: MapperOptions | None = None) -> None:
        self.context = context
        self.options = options or self.Options()

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """Split a file holding many records (e.g. a CSW GetRecords response) into single records."""
        yield raw

    @abstractmethod
    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        """Yield one MappedRecord per dataset/service/series the raw record describes."""

    def enrich(self, record: MappedRecord) -> None:
        """Add triples to a record another profile mapped (stacked profiles, e.g. a local extension)."""
        return None
