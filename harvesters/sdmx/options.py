"""Configuration of the SDMX harvester (one SDMX 2.1 REST service, one agency)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from harvesters.base import HarvesterOptions


class SdmxHarvesterOptions(HarvesterOptions):
    """Where the service is, which sdmx1 source handles its quirks, and which dataflows to keep."""

    source: str = Field(description="sdmx1 source id: a built-in one (ESTAT, ECB, ISTAT...) or one to register")
    url: str | None = Field(
        default=None,
        description="REST base URL; required for a source sdmx1 does not ship, overrides a built-in one's URL",
    )
    name: str | None = Field(default=None, description="human name used when registering a custom source")
    supports: dict[str, bool] = Field(
        default_factory=dict, description="sdmx1 'supports' flags for a registered source (e.g. preview)"
    )
    agency: str = Field(description="maintenance agency of the dataflows, e.g. LU1, ESTAT; 'all' for every agency")
    references: Literal["none", "datastructure", "descendants", "all"] = Field(
        default="none",
        description="references= of the dataflow listing: 'all'/'descendants' fetch every structure in one request",
    )
    structure_references: Literal["children", "descendants", "all"] = "children"
    """references= when a dataflow's structures are fetched one by one"""
    categories: bool = Field(default=True, description="fetch category schemes and categorisations (topics)")
    constraints: bool = Field(default=True, description="fetch content constraints (time coverage) in bulk")
    include_categories: list[str] = Field(
        default_factory=list,
        description="keep only dataflows filed under these category ids (dotted path, glob) or their children",
    )
    id_pattern: str | None = Field(default=None, description="regular expression the dataflow id must match")
    exclude_annotations: dict[str, str] = Field(
        default_factory=lambda: {"NonProductionDataflow": "true"},
        description="annotation type -> value (title or text, '*' for any) that hides a dataflow",
    )
    languages: list[str] | None = Field(default=None, description="keep only these languages (default: all)")
    code_components: list[str] = Field(
        default_factory=lambda: ["FREQ", "UNIT_MEASURE", "UNIT"],
        description="components whose codes go into the payload (frequency and unit)",
    )
    max_codes: int = Field(default=12, ge=1, description="an unconstrained codelist longer than this is omitted")
    modified_annotations: list[str] = Field(
        default_factory=lambda: ["UPDATE_DATA", "LAST_UPDATE", "UPDATE_STRUCTURE"],
        description="annotation types holding the dataflow's last-update date, first found wins",
    )
    timeout: float = Field(default=60.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=2, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""
    headers: dict[str, str] = Field(default_factory=dict, description="extra HTTP headers (e.g. User-Agent)")

    @field_validator("headers")
    @classmethod
    def _secrets_as_references(cls, value: dict[str, str]) -> dict[str, str]:
        """A literal credential in a source file is a leak: only ${ENV_VAR} references are accepted."""
        from luxcat.secret_headers import header_problems

        problems = header_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("id_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        """Reject a broken regular expression at config check time, not mid-harvest."""
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _url_for_custom_source(self) -> SdmxHarvesterOptions:
        """A source sdmx1 does not ship cannot be used without a URL."""
        import sdmx.source

        if self.url is None and self.source not in sdmx.source.sources:
            raise ValueError(f"source {self.source!r} is not built into sdmx1: give its url")
        return self
