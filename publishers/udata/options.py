"""Options of the data.public.lu target: global ones (publish config) and per-source ones (source YAML)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from luxcat.config import ENV_REF, LANGUAGES, SourceConfig, Strict
from luxcat.errors import ConfigError
from publishers.base import PublisherOptions

TARGET = "data.public.lu"


def _env_ref(value: str | None) -> str | None:
    if value is not None and not ENV_REF.match(value):
        raise ValueError("secrets must be an ${ENV_VAR} reference, not a value")
    return value


class UdataOptions(PublisherOptions):
    """Global target options: where the portal is, how hard to push it, what withdrawal means."""

    base_url: str = Field(default="https://data.public.lu/api/1", pattern=r"^https?://\S+$")
    """udata API base"""
    api_key: str = "${UDATA_API_KEY}"
    """API key as an ${ENV_VAR} reference (a source may name its own)"""
    throttle: float = Field(default=1.0, ge=0.0, description="requests per second; 0 disables throttling")
    on_withdrawn: Literal["archive", "delete"] = "archive"
    """what a withdrawn record becomes on the portal: archived (reversible) or deleted (soft)"""
    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES), min_length=1)
    """languages of titles and descriptions pushed, preferred first (udata holds one language)"""
    timeout: float = Field(default=30.0, gt=0)
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = Field(default=3, ge=0, le=10)
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""
    backoff: float = Field(default=1.0, ge=0)
    """seconds before the first retry, doubled at each further one (a Retry-After header wins)"""
    max_wait: float = Field(default=60.0, ge=0)
    """longest wait in seconds between two attempts (Retry-After or backoff)"""
    page_size: int = Field(default=100, ge=1, le=1000)
    """datasets per page when listing the organisation's datasets"""
    dataservices: Literal["dataservice", "resource"] = "dataservice"
    """publish data services as udata dataservices or as resources of their datasets"""
    default_zones: list[str] = Field(default_factory=list)
    """spatial zone ids given to datasets that state no coverage"""

    @field_validator("api_key")
    @classmethod
    def _key_is_reference(cls, value: str) -> str:
        return _env_ref(value) or value

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; use {list(LANGUAGES)}")
        return value


class UdataSourceOptions(Strict):
    """A source's `publish: [{target: data.public.lu, options: {...}}]` entry."""

    organization: str = Field(pattern=r"^[0-9a-f]{24}$")
    """the source's udata organisation id (default: owner.udata_organization)"""
    api_key: str | None = None  # a per-source key (${VAR}); else the target's key
    """a per-source API key (${ENV_VAR}); default: the target's key"""

    @field_validator("api_key")
    @classmethod
    def _key_is_reference(cls, value: str | None) -> str | None:
        return _env_ref(value)


def source_options(source: SourceConfig) -> UdataSourceOptions:
    """The source's data.public.lu options; the organisation falls back to `owner.udata_organization`."""
    entries = [p for p in source.publish if p.target == TARGET]
    options = dict(entries[0].options) if entries else {}
    if "organization" not in options and source.owner.udata_organization:
        options["organization"] = source.owner.udata_organization
    if "organization" not in options:
        raise ConfigError(
            f"{source.id}: publish to {TARGET} needs options.organization (a udata organisation id) "
            "or owner.udata_organization"
        )
    try:
        return UdataSourceOptions.model_validate(options)
    except ValueError as exc:
        raise ConfigError(f"{source.id}: publish.{TARGET}.options: {exc}") from exc
