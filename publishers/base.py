"""The publisher contract: plan what a target must change, show it, then apply it idempotently.

Publishers read what the earlier stages stored: active records that passed validation (or whose
source relaxes that), and records withdrawn after a complete harvest within the withdrawal guard.
They never decide withdrawal themselves: the harvest stage did, safely.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from luxcat.artifacts import ArtifactStore
from luxcat.config import SourceConfig
from luxcat.store import ACTIVE, WITHDRAWN, StateStore, StoredRecord

if TYPE_CHECKING:
    from rdflib import Graph

Action = Literal["create", "update", "archive", "delete", "restore", "unchanged", "skip", "error"]
Progress = Callable[[str], None]


class PublisherOptions(BaseModel):
    """Base of every publisher's own options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


@dataclass(slots=True)
class PublishItem:
    """One record as a publisher sees it: its identity, status, where it lives, and its graph on demand."""

    source: SourceConfig
    record: StoredRecord
    load_graph: Callable[[], Graph]

    @property
    def source_id(self) -> str:
        return self.record.source_id

    @property
    def record_id(self) -> str:
        return self.record.record_id

    @property
    def dataset_uri(self) -> str:
        return self.record.dataset_uri or ""

    @property
    def withdrawn(self) -> bool:
        return self.record.status == WITHDRAWN


@dataclass(slots=True)
class PlanEntry:
    """What will happen (or happened) to one dataset on one target."""

    dataset_uri: str
    action: Action
    fields: list[str] = field(default_factory=list)  # which fields an update changes
    detail: str = ""
    source_id: str = ""
    record_id: str = ""
    target_id: str | None = None  # the dataset's id on the target, when known
    warnings: list[str] = field(default_factory=list)  # values left out or changed on the way, with why

    def line(self) -> str:
        extra = f" ({', '.join(self.fields)})" if self.fields else ""
        note = f": {self.detail}" if self.detail else ""
        return f"{self.action:9} {self.dataset_uri}{extra}{note}" + "".join(
            f"\n          warning: {w}" for w in self.warnings
        )


@dataclass(slots=True)
class Plan:
    """Every entry a publish run would carry out, with totals; `render()` is what --dry-run prints."""

    target: str
    entries: list[PlanEntry] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # publisher-private state between plan and apply
    notes: list[str] = field(default_factory=list)  # warnings every summary repeats (frozen sources, ...)
    # entries counted, not kept (the catalogue's unchanged datasets: memory flat in the catalogue's
    # size), and how to list them again when asked (`render(verbose=True)`, `publish --all`)
    quiet: Counter[str] = field(default_factory=Counter)
    quiet_entries: Callable[[], Iterator[PlanEntry]] | None = None

    def totals(self) -> dict[str, int]:
        return dict(Counter(e.action for e in self.entries) + self.quiet)

    def every_entry(self) -> Iterator[PlanEntry]:
        """The entries kept, then those only counted (read again: slow on a big catalogue)."""
        yield from self.entries
        if self.quiet_entries is not None:
            yield from self.quiet_entries()

    def render(self, *, verbose: bool = True) -> str:
        lines = [e.line() for e in self.entries if verbose or e.action != "unchanged"]
        if verbose and self.quiet_entries is not None:
            lines += [e.line() for e in self.quiet_entries()]
        totals = ", ".join(f"{n} {action}" for action, n in sorted(self.totals().items())) or "nothing to do"
        return "\n".join([*self.notes, *lines, f"{self.target}: {totals}"])


class Publisher(ABC):
    """Syndicates records to one target; `plan` never writes, `apply` carries out a plan."""

    Options: ClassVar[type[PublisherOptions]] = PublisherOptions
    name: ClassVar[str] = ""

    def __init__(
        self,
        options: PublisherOptions,
        store: StateStore,
        artifacts: ArtifactStore,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.options = options
        self.store = store
        self.artifacts = artifacts
        self.progress = progress or (lambda _msg: None)

    @abstractmethod
    def plan(self, items: Iterable[PublishItem]) -> Plan:
        """Compare what should be published with what the target has; read-only."""

    @abstractmethod
    def apply(self, plan: Plan) -> Plan:
        """Carry out the plan; returns it with each entry's final action (error entries say why)."""


def publishable(record: StoredRecord, source: SourceConfig) -> bool:
    """An active record is published when it conforms, or its source publishes with a warning."""
    if record.status != ACTIVE or record.mapped_location is None:
        return False
    return bool(record.conforms) or source.validation.on_violation == "publish-with-warning"


def publish_items(
    store: StateStore,
    artifacts: ArtifactStore,
    sources: Iterable[SourceConfig],
) -> Iterator[PublishItem]:
    """Items for every source: publishable active records, plus withdrawn ones (to archive/delete)."""
    from rdflib import Graph

    from luxcat.ntriples import parse_ntriples

    for source in sources:
        for record in store.records(source.id):
            if not (publishable(record, source) or (record.status == WITHDRAWN and record.mapped_location)):
                continue

            def load(location: str = record.mapped_location or "") -> Graph:
                return parse_ntriples(artifacts.get(artifacts.key_of(location)), Graph())

            yield PublishItem(source, record, load)
