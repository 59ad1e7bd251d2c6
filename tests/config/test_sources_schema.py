"""The source file's JSON Schema and docs/sources.md: complete, in step with the models, usable by editors."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from luxcat import registry
from luxcat.cli import main
from luxcat.config import SourceConfig
from luxcat.sources_schema import DOCS_PATH, SCHEMA_PATH, SOURCE_TARGET_OPTIONS, _target_options, docs_text, schema_text

REPO = Path(__file__).resolve().parents[2]
SOURCE_FILES = sorted([*(REPO / "config" / "sources").glob("*.yaml"), *(REPO / "config" / "examples").glob("*.yaml")])


def _models() -> list[tuple[str, type[BaseModel]]]:
    models: list[tuple[str, type[BaseModel]]] = [("source file", SourceConfig)]
    for what, table in (("harvester", registry.HARVESTERS), ("mapper", registry.MAPPERS),
                        ("publisher", registry.PUBLISHERS)):  # fmt: skip
        for kind in table:
            models.append((f"{what} {kind}", registry.load(table, kind, what=what).Options))
    models += [(f"publish {t} (per source)", _target_options(p)) for t, p in SOURCE_TARGET_OPTIONS.items()]
    return models


def _undocumented(model: type[BaseModel], prefix: str, seen: set[type]) -> list[str]:
    missing = []
    for name, field in model.model_fields.items():
        if not field.description:
            missing.append(prefix + name)
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in seen:
                    seen.add(inner)
                    missing += _undocumented(inner, f"{prefix}{name}.", seen)
    return missing


@pytest.mark.parametrize(("label", "model"), _models(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_has_a_description(label: str, model: type[BaseModel]) -> None:
    assert _undocumented(model, "", set()) == [], f"{label}: options without a description"


def test_committed_schema_and_docs_are_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/source.schema.json is stale: run `luxcat sources schema -o docs/source.schema.json`"
    )
    assert DOCS_PATH.read_text(encoding="utf-8") == docs_text(), (
        "docs/sources.md is stale: run `luxcat sources docs -o docs/sources.md`"
    )


def test_readme_links_the_schema_and_the_reference() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/sources.md" in readme and "docs/source.schema.json" in readme


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.name)
def test_shipped_source_files_validate_against_the_schema(validator: Draft202012Validator, path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


def _errors(validator: Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_schema_catches_what_the_config_check_catches(validator: Draft202012Validator) -> None:
    data = yaml.safe_load((REPO / "config" / "sources" / "demo-csw.yaml").read_text(encoding="utf-8"))
    data["harvester"]["options"]["page_sise"] = 10  # a typo in a csw option
    errors = _errors(validator, data)
    assert errors and all(e.startswith("harvester") for e in errors)
    assert any("page_sise" in e for e in errors)
    data["harvester"]["options"].pop("page_sise")
    data["harvester"]["kind"] = "inventory"  # csw options under another kind
    assert _errors(validator, data)
    data["harvester"]["kind"] = "csw"
    data["mapper"] = ["iso-19139"]  # unknown mapper kind
    assert any(e.startswith("mapper.0") for e in _errors(validator, data))
    data["mapper"] = [{"kind": "sdmx", "options": {"hvd_category": "x", "bogus": 1}}]
    assert _errors(validator, data)


def test_cli_writes_the_schema_and_the_docs(tmp_path: Path) -> None:
    assert main(["sources", "schema", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["$schema"].endswith("2020-12/schema")
    assert main(["sources", "docs", "-o", str(tmp_path / "sources.md")]) == 0
    text = (tmp_path / "sources.md").read_text(encoding="utf-8")
    for kind in (*registry.HARVESTERS, *registry.MAPPERS, *registry.PUBLISHERS):
        assert f"### `{kind}`" in text
