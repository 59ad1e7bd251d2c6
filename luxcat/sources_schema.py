"""A source file's JSON Schema and its reference page, both generated from the pydantic models.

Source owners register endpoints by writing YAML: the schema (`luxcat sources schema`) gives their
editor completion and checks, and docs/sources.md (`luxcat sources docs`) lists every option of
every harvester, mapper and publish target with its type, default and description. Both come from
the same models the config check uses, so they cannot drift apart; a test fails when the committed
files are stale.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from luxcat import registry
from luxcat.config import SourceConfig

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO / "docs" / "source.schema.json"
DOCS_PATH = REPO / "docs" / "sources.md"
SOURCE_TARGET_OPTIONS = {"data.public.lu": "publishers.udata.options:UdataSourceOptions"}
GLOBAL_TARGET_FILE = "config/publish.yaml"


def _load(table: typing.Mapping[str, str], kind: str, what: str) -> type:
    return registry.load(table, kind, what=what)


def _target_options(path: str) -> type[BaseModel]:
    module, _, attr = path.partition(":")
    import importlib

    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _plugins() -> dict[str, dict[str, type[Any]]]:
    """kind -> plugin class, per table (harvesters, mappers, publishers), in registry order."""
    return {
        "harvester": {k: _load(registry.HARVESTERS, k, "harvester") for k in registry.HARVESTERS},
        "mapper": {k: _load(registry.MAPPERS, k, "mapper") for k in registry.MAPPERS},
        "publisher": {k: _load(registry.PUBLISHERS, k, "publisher") for k in registry.PUBLISHERS},
    }


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def source_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of config/sources/<id>.yaml, plugin options selected by `kind`."""
    plugins = _plugins()
    target_models = {t: _target_options(p) for t, p in SOURCE_TARGET_OPTIONS.items()}
    models: list[type[BaseModel]] = [SourceConfig]
    models += [cls.Options for cls in plugins["harvester"].values()]
    models += [cls.Options for cls in plugins["mapper"].values()]
    models += list(target_models.values())
    refs, schema = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
    defs = schema["$defs"]
    root = dict(defs.pop(refs[(SourceConfig, "validation")]["$ref"].rsplit("/", 1)[1]))
    props = root["properties"]

    def options_ref(model: type[BaseModel]) -> dict[str, Any]:
        return refs[(model, "validation")]

    props["harvester"] = {
        "description": props["harvester"].get("description", ""),
        "oneOf": [
            {
                "type": "object",
                "title": kind,
                "description": _first_line(cls.__doc__),
                "properties": {"kind": {"const": kind}, "options": options_ref(cls.Options)},
                "required": ["kind", *(["options"] if cls.Options.model_json_schema().get("required") else [])],
                "additionalProperties": False,
            }
            for kind, cls in plugins["harvester"].items()
        ],
    }
    mapper_items: list[dict[str, Any]] = [{"enum": list(plugins["mapper"])}, {"type": "string", "pattern": "^.+:.+$"}]
    mapper_items += [
        {
            "type": "object",
            "title": kind,
            "description": _first_line(cls.__doc__),
            "properties": {"kind": {"const": kind}, "options": options_ref(cls.Options)},
            "required": ["kind"],
            "additionalProperties": False,
        }
        for kind, cls in plugins["mapper"].items()
    ]
    props["mapper"] = {**props["mapper"], "items": {"anyOf": mapper_items}}
    publish_items = []
    for target in plugins["publisher"]:
        options: dict[str, Any] = {"type": "object", "description": "not read by this target (its options are in "
                                   f"{GLOBAL_TARGET_FILE})"}  # fmt: skip
        if target in target_models:
            options = options_ref(target_models[target])
        publish_items.append(
            {
                "type": "object",
                "title": target,
                "properties": {"target": {"const": target}, "options": options},
                "required": ["target"],
                "additionalProperties": False,
            }
        )
    props["publish"] = {**props["publish"], "items": {"oneOf": publish_items}}
    for name in ("PluginRef", "PublishTarget"):
        defs.pop(name, None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://data.public.lu/luxcat/source.schema.json",
        "title": "luxcat source file (config/sources/<id>.yaml)",
        **root,
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as committed in docs/source.schema.json."""
    return json.dumps(source_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# -- docs/sources.md ---------------------------------------------------------------------------------
def _type_name(annotation: Any) -> str:
    text = repr(annotation) if not isinstance(annotation, type) else annotation.__name__
    text = re.sub(r"\b[a-z_]+(?:\.[a-z_]+)*\.(?=[A-Z])", "", text)  # typing.Literal, luxcat.config.Owner
    return text.replace("NoneType", "None").replace("Optional[", "None | [")


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        return "(see below)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} entries"
    try:
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    except TypeError:
        return f"`{value}`"


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The model a field holds (directly, in a list, or as dict values) and the suffix of its option names."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, "."
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0], "[]."
    if origin is dict and len(args) == 2 and isinstance(args[1], type) and issubclass(args[1], BaseModel):
        return args[1], ".<key>."
    for arg in args:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, "."
    return None, ""


def option_rows(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(name, type, default, description) of every option, nested models flattened with dotted names."""
    for name, field in model.model_fields.items():
        key = field.alias or name
        yield (f"{prefix}{key}", _type_name(field.annotation), _default(field), field.description or "")
        inner, suffix = _nested(field.annotation)
        if inner is not None:
            yield from option_rows(inner, f"{prefix}{key}{suffix}")


def _table(model: type[BaseModel]) -> list[str]:
    lines = ["| option | type | default | description |", "| --- | --- | --- | --- |"]
    for name, kind, default, description in option_rows(model):
        cells = [f"`{name}`", f"`{kind}`".replace("|", "\\|"), default.replace("|", "\\|"), description]
        lines.append("| " + " | ".join(c.replace("\n", " ") for c in cells) + " |")
    return lines


def docs_text() -> str:
    """docs/sources.md: the source file's keys, then every kind's options."""
    plugins = _plugins()
    out = [
        "# Source files: every option",
        "",
        "<!-- generated by `luxcat sources docs -o docs/sources.md` from the pydantic models; do not edit -->",
        "",
        "One YAML file per source in `config/sources/<id>.yaml`. Check it with `luxcat sources check`; point",
        "your editor at [source.schema.json](source.schema.json) (written by `luxcat sources schema`) for",
        "completion, e.g. with a first line `# yaml-language-server: $schema=../../docs/source.schema.json`.",
        "",
        "## The source file",
        "",
        *_table(SourceConfig),
        "",
        "## Harvesters (`harvester: {kind: ..., options: {...}}`)",
    ]
    for kind, cls in plugins["harvester"].items():
        out += ["", f"### `{kind}`", "", _first_line(cls.__doc__), "", *_table(cls.Options)]
    out += ["", "## Mappers (`mapper: [kind, {kind: ..., options: {...}}]`)"]
    for kind, cls in plugins["mapper"].items():
        rows = _table(cls.Options)
        body = rows if len(rows) > 2 else ["No options."]
        out += ["", f"### `{kind}`", "", _first_line(cls.__doc__), "", *body]
    out += ["", "## Publish targets", "", "A source lists its targets under `publish:`; each target's global options",
            f"live in `{GLOBAL_TARGET_FILE}` (under `catalogue`, `merge`, `oai` and `targets.<name>`)."]  # fmt: skip
    for target, cls in plugins["publisher"].items():
        out += ["", f"### `{target}`", "", _first_line(cls.__doc__), ""]
        if target in SOURCE_TARGET_OPTIONS:
            out += ["Per source (`publish: [{target: " + target + ", options: {...}}]`):", "",
                    *_table(_target_options(SOURCE_TARGET_OPTIONS[target])), ""]  # fmt: skip
        out += [f"Global (`{GLOBAL_TARGET_FILE}`):", "", *_table(cls.Options)]
    return "\n".join(out) + "\n"


# -- luxcat sources schema / docs -------------------------------------------------------------------
def _write(text: str, output: str | None) -> int:
    import sys

    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_schema(args: Any) -> int:
    """`luxcat sources schema [-o FILE]`: the JSON Schema of a source file."""
    return _write(schema_text(), args.output)


def cmd_docs(args: Any) -> int:
    """`luxcat sources docs [-o FILE]`: docs/sources.md, every option of every kind."""
    return _write(docs_text(), args.output)


def add_commands(sources_sub: Any) -> None:
    """Register `sources schema` and `sources docs` on the `luxcat sources` sub-parser."""
    schema = sources_sub.add_parser("schema", help="write the JSON Schema of a source file (for editors)")
    schema.add_argument("-o", "--output", help=f"file to write (default: stdout; committed as {SCHEMA_PATH.name})")
    schema.set_defaults(func=cmd_schema)
    docs = sources_sub.add_parser("docs", help="write the reference of every source option (docs/sources.md)")
    docs.add_argument("-o", "--output", help="file to write (default: stdout)")
    docs.set_defaults(func=cmd_docs)
