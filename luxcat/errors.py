"""Error types that tell the pipeline whether to stop, retry or skip one record."""

from __future__ import annotations

from typing import ClassVar


class PipelineError(Exception):
    """Base of every error luxcat raises on purpose."""


class ConfigError(PipelineError):
    """A source file or option is wrong: retrying cannot help (CLI exit 1, no Airflow retry)."""


class SourceError(PipelineError):
    """The source cannot be harvested right now (down, auth, unparsable listing): fail and retry."""

    def __init__(self, source_id: str, message: str) -> None:
        super().__init__(f"{source_id}: {message}")
        self.source_id = source_id


class RecordError(PipelineError):
    """One record cannot be processed: skip it, count it under `reason`, keep going."""

    reason: ClassVar[str] = "record_error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason  # type: ignore[misc]


class UnparsableRecord(RecordError):
    """The payload is not well-formed or not the expected format."""

    reason = "unparsable"


class MissingField(RecordError):
    """A field without which no valid output can be produced is absent (e.g. no title)."""

    reason = "missing_field"


class MissingIdentifier(RecordError):
    """The record carries no identifier, so it cannot be tracked across runs."""

    reason = "missing_identifier"
