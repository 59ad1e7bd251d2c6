"""Source registry: one YAML file per source, validated by a typed schema that reports every error."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from luxcat import registry, yamlsafe
from luxcat.errors import ConfigError
from luxcat.limits import Limits

SOURCE_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"
ENV_REF = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")
SECRET_KEY = re.compile(r"(api[_-]?key|token|password|secret)", re.IGNORECASE)
LANGUAGES = ("fr", "de", "en", "lb")
CRON_PRESETS = {"@once", "@hourly", "@daily", "@weekly", "@monthly", "@yearly"}
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
DURATION = r"^[1-9][0-9]*[mhdw]$"  # 30m, 12h, 7d, 2w
NON_COMMERCIAL = re.compile(r"BY_?NC|non[-_ ]?commercial", re.IGNORECASE)


class Strict(BaseModel):
    """Every config model forbids unknown keys, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Owner(Strict):
    """The public body responsible for the source (its udata organisation when it has one)."""

    name: str = Field(min_length=2)
    """the public body's name (also the fallback publisher of its records)"""
    uri: str | None = None
    """the body's IRI (dct:publisher), e.g. from the EU corporate bodies table"""
    udata_organization: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")
    """its organisation id on data.public.lu"""
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    """where the owner digest of findings is sent (at most once a day)"""


class PluginRef(Strict):
    """A harvester or mapper kind plus the options its own model validates."""

    kind: str
    """a registered kind (see below) or a module:Class path"""
    options: dict[str, Any] = Field(default_factory=dict)
    """the kind's own options (see the kind's table)"""


class Validation(Strict):
    """How strict the validate stage is for this source."""

    profile: str = "dcat-ap-3.0.0"
    """SHACL profile the records are validated against"""
    on_violation: Literal["reject", "publish-with-warning"] = "reject"
    """reject: a record with a Violation is not published; publish-with-warning publishes it"""


class PublishTarget(Strict):
    """One place this source's datasets are syndicated to."""

    target: Literal["catalogue", "data.public.lu", "data.europa.eu"]
    """where to syndicate: the national catalogue export, data.public.lu or data.europa.eu"""
    options: dict[str, Any] = Field(default_factory=dict)
    """per-source options of the target (data.public.lu: organization, api_key)"""


class Withdrawal(Strict):
    """Guard against mass withdrawal when a source suddenly lists far fewer records."""

    max_share: float = Field(default=0.10, ge=0.0, le=1.0)
    """a full run that would withdraw more than this share of records withdraws nothing until a person approves"""
    max_count: int = Field(default=50, ge=0)
    """absolute cap: withdrawing more datasets than this in one run needs a person's yes"""


class Batches(Strict):
    """Map and validate a big source in batches of record ids, so several workers share one run."""

    size: int = Field(default=1000, ge=1, le=1_000_000)
    """record ids per batch; Airflow maps and validates each batch as its own task, retried alone"""
    max_active: int | None = Field(default=None, ge=1)
    """at most this many batch tasks of one Airflow run at once (default: as many as the workers take)"""


class SourceConfig(Strict):
    """One registered source, exactly as in config/sources/<id>.yaml."""

    id: str = Field(pattern=SOURCE_ID)
    """lower-case letters, digits and dashes; equals the file name; DAG id harvest__<id>"""
    title: str | dict[str, str]
    """the source's name, plain or by language (fr, de, en, lb)"""
    owner: Owner
    """the public body responsible for the source"""
    enabled: bool = True
    """disabled sources get no DAG and are skipped by `luxcat run --all`"""
    schedule: str | None = "0 2 * * *"
    """cron expression or @daily/@weekly/...; null: only manual runs"""
    harvester: PluginRef
    """how the source is fetched"""
    mapper: list[str | PluginRef] = Field(min_length=1)
    """mapper profiles applied in order: the first maps, the others enrich"""
    base_uri: str | None = Field(default=None, pattern=r"^https?://\S+/$")
    """where minted URIs live (default https://data.public.lu/luxcat/<id>/)"""
    languages: list[str] = Field(default_factory=lambda: ["fr"], min_length=1)
    """the source's languages, preferred first"""
    licence: str | None = None
    """the owner's default licence (EU IRI), applied only to records that say nothing about use"""
    validation: Validation = Validation()
    """how strict the validate stage is"""
    publish: list[PublishTarget] = Field(default_factory=list)
    """targets this source's datasets are syndicated to"""
    withdrawal: Withdrawal = Withdrawal()
    """guard against mass withdrawal"""
    full_every: str = Field(default="7d", pattern=DURATION)
    """a scheduled run is full when the last full one is older than this (30m, 12h, 7d, 2w)"""
    max_incomplete_runs: int = Field(default=2, ge=1)
    """incomplete listings in a row that fail the run"""
    max_reject_share: float = Field(default=0.2, ge=0.0, le=1.0)
    """rejected share of processed records that fails the run"""
    limits: Limits = Limits()
    """answer size, request and run deadlines (luxcat.limits)"""
    batches: Batches | None = None
    """map and validate in batches (Airflow dynamic task mapping, local processes); null: one task each"""
    alert_after: str | None = Field(default=None, pattern=DURATION)
    """alert when no run succeeded for this long (90m, 36h, 3d, 2w); default: three schedule intervals"""
    description: str | dict[str, str] | None = None
    """what the source is, plain or by language"""
    tags: list[str] = Field(default_factory=list)
    """free labels (also DAG tags)"""

    @field_validator("title", "description")
    @classmethod
    def _languages_of_text(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                raise ValueError(f"unknown language(s) {unknown}; use {list(LANGUAGES)}")
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; use {list(LANGUAGES)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None or value in CRON_PRESETS:
            return value
        if len(value.split()) != 5:
            raise ValueError(f"{value!r} is neither a 5-field cron expression nor one of {sorted(CRON_PRESETS)}")
        return value

    @field_validator("licence")
    @classmethod
    def _open_licence(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(EU_LICENCE):
            raise ValueError(f"use an EU licence vocabulary URI ({EU_LICENCE}CC0 recommended)")
        if NON_COMMERCIAL.search(value.removeprefix(EU_LICENCE)):
            raise ValueError("non-commercial licences are not allowed by the open data strategy")
        return value

    @model_validator(mode="after")
    def _plugins_known(self) -> SourceConfig:
        if not registry.is_known(registry.HARVESTERS, self.harvester.kind):
            raise ValueError(
                f"harvester.kind: unknown harvester {self.harvester.kind!r}; "
                f"known: {', '.join(sorted(registry.HARVESTERS))}"
            )
        for i, ref in enumerate(self.mapper):
            kind = ref if isinstance(ref, str) else ref.kind
            if not registry.is_known(registry.MAPPERS, kind):
                raise ValueError(f"mapper.{i}: unknown mapper {kind!r}; known: {', '.join(sorted(registry.MAPPERS))}")
        return self

    @property
    def dag_id(self) -> str:
        return f"harvest__{self.id}"

    def title_in(self, language: str) -> str:
        """The title in `language`, falling back through fr, de, en, lb."""
        if isinstance(self.title, str):
            return self.title
        for lang in (language, *LANGUAGES):
            if lang in self.title:
                return self.title[lang]
        return next(iter(self.title.values()))

    def mapper_refs(self) -> list[PluginRef]:
        return [PluginRef(kind=m) if isinstance(m, str) else m for m in self.mapper]

    def effective_base_uri(self) -> str:
        return self.base_uri or f"https://data.public.lu/luxcat/{self.id}/"


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One error in one file, rendered as `file: dotted.path: message`."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


def _loc(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts if not (isinstance(p, str) and p.startswith("function-")))


def _pydantic_problems(file: str, exc: ValidationError, prefix: str = "") -> list[ConfigProblem]:
    problems = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if p not in ("str", "PluginRef", "dict[str,str]")]
        path = ".".join(x for x in (prefix, _loc(loc)) if x)
        msg = err["msg"].removeprefix("Value error, ")
        if ": " in msg and not path and msg.split(": ", 1)[0].replace(".", "").replace("_", "").isalnum():
            path, msg = msg.split(": ", 1)  # model-level errors carry their own path
        problems.append(ConfigProblem(file, path, msg))
    return problems


def _secret_problems(file: str, value: Any, path: str) -> Iterator[ConfigProblem]:
    """Secrets may only appear as ${ENV_VAR} references, never as literal values."""
    if isinstance(value, dict):
        for key, sub in value.items():
            sub_path = f"{path}.{key}" if path else str(key)
            if SECRET_KEY.search(str(key)) and sub is not None and not (isinstance(sub, str) and ENV_REF.match(sub)):
                yield ConfigProblem(file, sub_path, "secrets must be an ${ENV_VAR} reference, not a value")
            else:
                yield from _secret_problems(file, sub, sub_path)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _secret_problems(file, sub, f"{path}.{i}")


def read_yaml(path: Path) -> tuple[Any, list[ConfigProblem]]:
    """Parse one YAML file; syntax errors come back as problems with line numbers."""
    file = str(path)
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [ConfigProblem(file, "", f"cannot read: {exc.strerror or exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ConfigProblem(file, "", f"invalid YAML: {where}{problem}")]
    except UnicodeDecodeError as exc:
        return None, [ConfigProblem(file, "", f"not UTF-8 text: {exc.reason}")]
    if not isinstance(data, dict):
        return None, [ConfigProblem(file, "", "expected a mapping of keys at the top level")]
    return data, []


def check_file(path: Path, *, deep: bool = True) -> tuple[SourceConfig | None, list[ConfigProblem]]:
    """Validate one source file; `deep` also validates plugin options (imports plugins, no I/O)."""
    file = str(path)
    data, problems = read_yaml(path)
    if data is None:
        return None, problems
    problems = list(_secret_problems(file, data, ""))
    try:
        cfg = SourceConfig.model_validate(data)
    except ValidationError as exc:
        cfg = None
        problems += _pydantic_problems(file, exc)
    if deep:  # every plugin's options too, even when the envelope failed: all problems in one pass
        from luxcat.sourcecheck import deep_problems

        problems += deep_problems(file, data)
    problems = list(dict.fromkeys(problems))  # the envelope and the deep check may both name an unknown kind
    return (None if problems else cfg), problems


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their *.yaml / *.yml files, sorted, keeping explicit files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            files.append(path)
    return files


def check_paths(paths: Iterable[Path], *, deep: bool = True) -> tuple[list[SourceConfig], list[ConfigProblem]]:
    """Validate every file; one broken file never hides the others."""
    configs: list[SourceConfig] = []
    problems: list[ConfigProblem] = []
    seen: dict[str, str] = {}
    for path in source_files(paths):
        cfg, file_problems = check_file(path, deep=deep)
        problems += file_problems
        if cfg is None:
            continue
        if cfg.id in seen:
            problems.append(ConfigProblem(str(path), "id", f"{cfg.id!r} is already defined in {seen[cfg.id]}"))
            continue
        seen[cfg.id] = str(path)
        configs.append(cfg)
    return configs, problems


def sources_dir() -> Path:
    """Where source files live: $LUXCAT_SOURCES, else config/sources of the working directory/repo."""
    env = os.environ.get("LUXCAT_SOURCES")
    if env:
        return Path(env)
    local = Path("config") / "sources"
    if local.is_dir():
        return local  # relative, so messages read `config/sources/x.yaml: ...`
    return Path(__file__).resolve().parents[1] / "config" / "sources"


def load_source(source_id: str, directory: Path | None = None) -> SourceConfig:
    """Load and fully validate one registered source, raising ConfigError with every problem."""
    directory = directory or sources_dir()
    path = directory / f"{source_id}.yaml"
    if not path.exists():
        from luxcat.freeze import file_of  # the id lives in the file: a renamed file keeps its source

        path = file_of(source_id, directory) or path
    if not path.exists():
        known = sorted(p.stem for p in source_files([directory])) if directory.is_dir() else []
        raise ConfigError(f"unknown source {source_id!r} (no {path}); known: {', '.join(known) or 'none'}")
    cfg, problems = check_file(path)
    if cfg is None:
        raise ConfigError("\n".join(str(p) for p in problems))
    return cfg


def resolve_secret(value: str | None, *, what: str) -> str | None:
    """Turn a ${ENV_VAR} reference into its value at task time; never log the value."""
    if value is None:
        return None
    match = ENV_REF.match(value)
    if not match:
        raise ConfigError(f"{what}: secrets must be an ${{ENV_VAR}} reference")
    resolved = os.environ.get(match.group(1))
    if not resolved:
        raise ConfigError(f"{what}: environment variable {match.group(1)} is not set")
    return resolved
