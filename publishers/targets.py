"""config/publish.yaml: the national catalogue's own metadata, merge rules and each target's global options.

Sources say *which* targets they feed (`publish:` in their YAML); this file says *what* the merged
catalogue is and *where* each target lives. Validated with the same rules as source files: unknown
keys are errors, secrets are ${ENV_VAR} references, every problem is reported with its YAML path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from luxcat.config import ENV_REF, LANGUAGES, ConfigProblem, Strict, _pydantic_problems, _secret_problems, read_yaml
from luxcat.errors import ConfigError, PipelineError

LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
LANGUAGE_CODES = {"fr": "FRA", "de": "DEU", "en": "ENG", "lb": "LTZ"}
EXPORT_FORMATS = ("nt", "ttl", "jsonld", "rdf")  # publishers.serialise.FORMATS' order: a version's files and dumps
Text = str | dict[str, str]


class PublishError(PipelineError):
    """A target cannot be published to right now (down, refusing everything): fail the run, retry later."""


def _check_languages(value: Text | None) -> Text | None:
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; use {list(LANGUAGES)}")
    return value


class Agent(Strict):
    """The catalogue's publisher (a URI is required: pages must not repeat a blank node)."""

    uri: str = Field(pattern=r"^https?://\S+$")
    """the publisher's IRI"""
    name: Text
    """name, plain or by language"""
    type: str | None = "http://purl.org/adms/publishertype/NationalAuthority"
    """ADMS publisher type IRI"""
    email: str | None = None
    """contact e-mail address"""

    _languages = field_validator("name")(_check_languages)


class CatalogueMetadata(Strict):
    """What the merged dcat:Catalog says about itself."""

    uri: str = Field(pattern=r"^https?://\S+[^/]$")
    """the catalogue's IRI (no trailing slash)"""
    title: Text
    """title, plain or by language"""
    description: Text
    """description, plain or by language"""
    publisher: Agent
    """who publishes the catalogue"""
    homepage: str | None = None
    """the portal's home page (foaf:homepage)"""
    licence: str | None = "http://publications.europa.eu/resource/authority/licence/CC0"
    """licence of the catalogue's metadata"""
    languages: list[str] = Field(default_factory=lambda: ["fr", "de", "en", "lb"])
    """languages of the catalogue (fr, de, en, lb)"""
    themes: list[str] = Field(default_factory=lambda: ["http://publications.europa.eu/resource/authority/data-theme"])
    """theme taxonomies the catalogue uses (dcat:themeTaxonomy)"""
    spatial: str | None = "http://publications.europa.eu/resource/authority/country/LUX"
    """the catalogue's coverage (EU country IRI)"""

    _languages = field_validator("title", "description")(_check_languages)

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGE_CODES]
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; use {sorted(LANGUAGE_CODES)}")
        return value


class MergeOptions(Strict):
    """How records of different sources become one dataset, and who wins a conflict."""

    # the same URI is always the same dataset; "identifier" also merges records sharing a dct:identifier
    match_on: list[Literal["uri", "identifier"]] = Field(default_factory=lambda: ["uri", "identifier"])
    """uri: the same URI is the same dataset; identifier: records sharing a dct:identifier also merge"""
    precedence: list[str] = Field(default_factory=list)  # source ids, strongest first; others follow by id
    """source ids, strongest first, deciding conflicting values; other sources follow by id"""
    equivalences: list[list[str]] = Field(default_factory=list)  # groups of dataset URIs or dct:identifiers
    """groups of dataset URIs or dct:identifiers an operator declared to be one dataset"""
    namespaces: list[str] = Field(default_factory=list)
    """identifiers under these prefixes are global (besides absolute URIs and DOIs): they merge across sources"""


class CatalogueTarget(Strict):
    """Where and how the catalogue is exported (a folder or s3://bucket/prefix)."""

    export: str = "catalogue"  # a relative folder lives in the working folder (LUXCAT_HOME, default ./var)
    """export folder or s3://bucket/prefix; a relative folder lives in LUXCAT_HOME"""
    base_url: str = Field(default="http://127.0.0.1:8080/", pattern=r"^https?://\S+/$")
    """public URL the catalogue is served at (Hydra page links, OAI-PMH baseURL)"""
    page_size: int = Field(default=100, ge=1, le=10_000)
    """datasets per Hydra page"""
    dcat_ap_2: bool = True
    """also export a DCAT-AP 2.1.1 variant (what data.europa.eu reads)"""
    keep_versions: int = Field(default=3, ge=1)
    """exported versions kept; older ones are pruned only after a new one is served"""
    workers: int = Field(default=1, ge=1, le=64)  # export processes (fork); 1 = in-process
    """export processes (fork); 1 exports in-process"""
    uncompressed_dumps: bool = False
    """also write the whole dumps uncompressed (catalogue.<ext>); catalogue.<ext>.gz is always written.
    Off by default: at 100,000 datasets they are ~3 GB rewritten on every publish, while the .gz are
    assembled from the unchanged pages' parts by copying (luxcat serve decompresses on the fly)"""
    formats: list[Literal["nt", "ttl", "jsonld", "rdf"]] = Field(default_factory=lambda: list(EXPORT_FORMATS))
    """serialisations written (pages, parts, whole dumps): nt (required: OAI-PMH and the indicators read each
    dataset's bytes from its page's N-Triples file), ttl, jsonld, rdf. [nt, ttl] halves a version's size and
    its render CPU against all four (bench/bench_export_incremental.py). Changing the list renders every page"""

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        """N-Triples required, no duplicates; kept in one order so the same set hashes the same."""
        twice = sorted({ext for ext in value if value.count(ext) > 1})
        if twice:
            raise ValueError(f"formats lists {twice} more than once")
        if "nt" not in value:
            raise ValueError(
                'formats must include "nt": OAI-PMH GetRecord and the indicators read each dataset '
                "from its page's N-Triples file"
            )
        return [ext for ext in EXPORT_FORMATS if ext in value]


class EdpTarget(Strict):
    """The piveau hub-repo of data.europa.eu."""

    hub_url: str = Field(pattern=r"^https?://\S+$")
    """base URL of the piveau hub-repo API"""
    catalogue_id: str = Field(pattern=r"^[a-z0-9-]+$")
    """the catalogue's id on the hub"""
    api_key: str | None = None
    """API key as an ${ENV_VAR} reference"""
    api: Literal["origin", "resources", "legacy"] = "origin"
    """URL form of the push API: origin (/datasets/origin), resources (/resources/origin) or legacy"""
    timeout: float = 30.0
    """seconds to wait for each HTTP response before the request counts as failed"""
    retries: int = 3
    """how many times a failed request (timeout, connection error, 429, 5xx) is retried"""

    @field_validator("api_key")
    @classmethod
    def _env_ref(cls, value: str | None) -> str | None:
        if value is not None and not ENV_REF.match(value):
            raise ValueError("secrets must be an ${ENV_VAR} reference, not a value")
        return value


class OaiOptions(Strict):
    """What the OAI-PMH endpoint says about itself."""

    repository_name: str = "luxcat: Luxembourg national data catalogue"
    """repositoryName of Identify"""
    admin_email: str = Field(default="opendata@example.lu", pattern=r"^[^@\s]+@[^@\s]+$")
    """adminEmail of Identify"""
    page_size: int = Field(default=100, ge=1, le=5_000)
    """records per ListRecords/ListIdentifiers page (then a resumptionToken)"""


class Targets(Strict):
    """Global options per target; the udata target's are passed through to its own model untouched."""

    catalogue: CatalogueTarget = CatalogueTarget()
    edp: EdpTarget | None = Field(default=None, alias="data.europa.eu")
    udata: dict[str, Any] | None = Field(default=None, alias="data.public.lu")


class IndicatorsOptions(Strict):
    """The open data indicators (publishers.indicators): where they go besides the catalogue export."""

    udata_organization: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")  # None: not sent to udata
    frequency: str = "http://publications.europa.eu/resource/authority/frequency/DAILY"


class PublishConfig(Strict):
    """The whole of config/publish.yaml."""

    catalogue: CatalogueMetadata
    merge: MergeOptions = MergeOptions()
    targets: Targets = Targets()
    oai: OaiOptions = OaiOptions()
    indicators: IndicatorsOptions = IndicatorsOptions()
    # per target and run: more datasets removed or archived than this, without a digest approving
    # them, are held (the catalogue keeps its served version, udata skips them) behind a pending withdrawal
    max_removals_per_run: int = Field(default=50, ge=0)


def publish_config_path() -> Path:
    """$LUXCAT_PUBLISH_CONFIG, else publish.yaml next to the sources folder (config/publish.yaml)."""
    env = os.environ.get("LUXCAT_PUBLISH_CONFIG")
    if env:
        return Path(env)
    from luxcat.config import sources_dir

    return sources_dir().parent / "publish.yaml"


def check_publish_config(path: Path) -> tuple[PublishConfig | None, list[ConfigProblem]]:
    """Validate the file; every problem comes back as `file: dotted.path: message`."""
    data, problems = read_yaml(path)
    if data is None:
        return None, problems
    problems = list(_secret_problems(str(path), data, ""))
    try:
        cfg = PublishConfig.model_validate(data)
    except ValidationError as exc:
        return None, problems + _pydantic_problems(str(path), exc)
    return (None if problems else cfg), problems


def load_publish_config(path: Path | None = None) -> PublishConfig:
    """Load and validate, raising ConfigError listing every problem."""
    path = path or publish_config_path()
    if not path.exists():
        raise ConfigError(f"{path}: publish configuration not found (set LUXCAT_PUBLISH_CONFIG)")
    cfg, problems = check_publish_config(path)
    if cfg is None:
        raise ConfigError("\n".join(str(p) for p in problems))
    return cfg


def target_options(cfg: PublishConfig, target: str, options_model: type[Any]) -> Any:
    """A publisher's Options from this file: its section plus, for ours, the catalogue and merge rules."""
    if target == "data.public.lu":
        return options_model.model_validate(cfg.targets.udata or {})
    section: dict[str, Any] = {"catalogue": cfg.catalogue.model_dump(), "merge": cfg.merge.model_dump()}
    if target == "catalogue":
        section |= {"export": cfg.targets.catalogue.model_dump(), "oai": cfg.oai.model_dump()}
    elif target == "data.europa.eu":
        if cfg.targets.edp is None:
            raise ConfigError("publish.yaml: targets.data.europa.eu: section missing")
        section |= {"hub": cfg.targets.edp.model_dump()}
    try:
        return options_model.model_validate(section)
    except ValidationError as exc:
        raise ConfigError("\n".join(str(p) for p in _pydantic_problems("publish.yaml", exc, target))) from exc
