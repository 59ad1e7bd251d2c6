"""Bounds on what one source may cost: answer size, time per request, time per run.

A hostile or broken server must not hold a harvest for ever (one byte every 2 s never trips a
socket timeout) nor fill the memory (a 1 MB gzip bomb inflates to gigabytes). The bounds are part
of a source's YAML (`limits:`), with defaults generous enough for every real catalogue luxcat
harvests; the pipeline applies them around the harvest (a context variable, so every request the
harvester makes through luxcat.http obeys them without each harvester passing them along).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Per-source bounds; `limits:` in the source file overrides any of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_response_mb: float = Field(default=256.0, gt=0, le=8192, description="largest answer, after decompression")
    request_deadline: float = Field(default=600.0, gt=0, description="seconds for one complete answer")
    run_deadline: float = Field(default=6 * 3600.0, gt=0, description="seconds for the whole harvest of the source")

    @property
    def max_response_bytes(self) -> int:
        return int(self.max_response_mb * 1024 * 1024)


DEFAULT = Limits()
_current: ContextVar[Limits] = ContextVar("luxcat_limits", default=DEFAULT)


def current() -> Limits:
    """The bounds in force for requests made now."""
    return _current.get()


@contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    """Make `limits` the bounds of every request made inside the block."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def bounded_harvest(
    harvester: Any, bounds: Limits, *, since: datetime | None, limit: int | None
) -> Iterator[Any]:
    """The harvester's records under the source's bounds; past the run deadline the listing stops, incomplete."""
    started = time.monotonic()
    with applied(bounds):
        records = harvester.harvest(since=since, limit=limit)
        try:
            for item in records:
                yield item
                if time.monotonic() - started > bounds.run_deadline:
                    harvester.report.fail(
                        f"run deadline reached ({bounds.run_deadline:g}s, limits.run_deadline): "
                        "harvest stopped, listing incomplete"
                    )
                    return
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()
