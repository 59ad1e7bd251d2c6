"""The harvester contract: yield raw records, and say honestly whether the listing was complete."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from luxcat.records import RawRecord, Rejection

Progress = Callable[[str], None]


class HarvesterOptions(BaseModel):
    """Base of every harvester's own options model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


@dataclass(slots=True)
class HarvestReport:
    """What the listing itself said, so the pipeline can decide whether withdrawal is safe."""

    complete: bool = True
    expected: int | None = None  # what the source announced (e.g. numberOfRecordsMatched)
    duplicates: int = 0
    pages: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        """Record a problem that makes the listing incomplete (nothing may be withdrawn)."""
        self.complete = False
        self.errors.append(message)


class Harvester(ABC):
    """Fetches one source; `harvest` yields records or rejections and fills `report`."""

    Options: ClassVar[type[HarvesterOptions]] = HarvesterOptions
    media_type: ClassVar[str] = "application/octet-stream"

    def __init__(
        self,
        source_id: str,
        options: HarvesterOptions,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.source_id = source_id
        self.options = options
        self.report = HarvestReport()
        self._progress = progress or (lambda _msg: None)

    def progress(self, message: str) -> None:
        """Tell the operator how far a long listing has got."""
        self._progress(f"{self.source_id}: {message}")

    @abstractmethod
    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        """Yield every record (modified after `since` when given); raise SourceError if the run can't go on."""
