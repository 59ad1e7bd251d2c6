"""How `luxcat map` builds its mappers: `--from KIND`, `--option KEY=VALUE` and `--source FILE`.

A file on disk lacks what a harvest knows (an SDMX structure message does not carry its service's
URL, for instance), so mapper options can be given one by one, or taken with the mapper list, base
URI, languages, licence and publisher from a source YAML, exactly as a run of that source maps.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from luxcat import registry
from luxcat.errors import ConfigError, RecordError
from luxcat.records import RawRecord
from mappers.base import MapContext, Mapper

DEFAULT_BASE_URI = "https://data.public.lu/luxcat/cli/"
DEFAULT_LANGUAGES = ("fr", "de", "en")
MISSING_OPTION = re.compile(r"mapper option (\w+) is needed")


class MapOptionError(Exception):
    """The command line or the source file asks for mappers that cannot be built; one line per problem."""

    def __init__(self, lines: list[str], hint: str = "luxcat map --help lists the options") -> None:
        super().__init__("; ".join(lines))
        self.lines = lines
        self.hint = hint


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs into an options dict; VALUE is read as YAML (numbers, booleans, lists), dotted KEY nests."""
    options: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            problems.append(
                f"--option {pair!r}: expected KEY=VALUE, e.g. --option service_url=https://example.org/rest"
            )
            continue
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            value = text
        if isinstance(value, (dict, type(None))) and text.strip() not in ("null", "~"):
            value = text  # `a: b` or an empty-looking value stays the text it was
        target = options
        *parents, leaf = key.strip().split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                problems.append(f"--option {pair!r}: {part} is already a value")
                break
        else:
            target[leaf] = value
    if problems:
        raise MapOptionError(problems)
    return options


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _option_problems(exc: ValidationError, kind: str, where: str) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        lines.append(f"{where}{loc}: {err['msg']} (mapper {kind})")
    return lines


def build_mappers(args: argparse.Namespace) -> list[Mapper]:
    """The mappers to apply, the first maps and the others enrich; MapOptionError says what is wrong."""
    extra = parse_options(args.option or [])
    if args.source:
        return _from_source(Path(args.source), args, extra)
    if not args.kind:
        raise MapOptionError(["luxcat map needs --from KIND or --source FILE (a source YAML naming its mapper)"])
    try:
        cls = registry.load(registry.MAPPERS, args.kind, what="mapper")
    except ConfigError as exc:
        raise MapOptionError([f"--from: {exc}"], "--from takes a mapper name") from exc
    try:
        options = cls.Options.model_validate(extra)
    except ValidationError as exc:
        raise MapOptionError(_option_problems(exc, args.kind, "--option ")) from exc
    languages = tuple(args.language) if args.language else DEFAULT_LANGUAGES
    context = MapContext(source_id="cli", base_uri=args.base_uri or DEFAULT_BASE_URI, languages=languages)
    return [cls(context, options)]


def _from_source(path: Path, args: argparse.Namespace, extra: dict[str, Any]) -> list[Mapper]:
    """Mappers exactly as a run of the source builds them, with --option/--base-uri/--language on top."""
    from luxcat.config import PluginRef, check_file
    from luxcat.pipeline import Pipeline

    if not path.is_file():
        raise MapOptionError([f"--source {path}: no such file"], "name a source YAML such as config/sources/x.yaml")
    cfg, problems = check_file(path)
    if cfg is None:
        raise MapOptionError([str(p) for p in problems], f"luxcat sources check {path} shows the same problems")
    refs = cfg.mapper_refs()
    if args.kind and args.kind != refs[0].kind:
        raise MapOptionError([f"--from {args.kind} contradicts {path}: its mapper is {refs[0].kind}; drop --from"])
    refs[0] = PluginRef(kind=refs[0].kind, options=_merge(refs[0].options, extra))
    try:
        cls = registry.load(registry.MAPPERS, refs[0].kind, what="mapper")
        cls.Options.model_validate(refs[0].options)
    except ValidationError as exc:
        raise MapOptionError(_option_problems(exc, refs[0].kind, f"{path}: mapper.0.options.")) from exc
    update: dict[str, Any] = {"mapper": refs}
    if args.base_uri:
        update["base_uri"] = args.base_uri
    if args.language:
        update["languages"] = list(args.language)
    pipeline = Pipeline(cfg.model_copy(update=update), None, None)  # type: ignore[arg-type]
    return pipeline.make_mappers()


def missing_option_hint(message: str) -> str:
    """How to pass the mapper option a ConfigError says is missing."""
    match = MISSING_OPTION.search(message)
    name = match.group(1) if match else "KEY"
    return f"pass it as --option {name}=VALUE, or --source FILE whose mapper options set it"


def map_files(mappers: list[Mapper], files: list[Path], err: Callable[[str], None]) -> tuple[Any, int, int]:
    """Map every file (split into records first); a record that fails is reported and the rest go on.

    Returns the union graph, how many records mapped and how many failed; a ConfigError (a mapper
    option the files need) propagates, since no file can map without it.
    """
    from rdflib import Graph

    mapper, enrichers = mappers[0], mappers[1:]
    out, done, failed = Graph(), 0, 0
    for path in files:
        origin = path.resolve().as_uri()
        raw = RawRecord(mapper.context.source_id, path.name, path.read_bytes(), "application/octet-stream", origin)
        try:
            parts = list(mapper.split(raw))
        except RecordError as exc:
            err(f"{path}: {exc.reason}: {exc}")
            failed += 1
            continue
        for part in parts:
            try:
                for record in mapper.map(part):
                    for enricher in enrichers:
                        enricher.enrich(record)
                    out += record.graph
                    done += 1
            except RecordError as exc:
                err(f"{path}: record {part.record_id}: {exc.reason}: {exc}")
                failed += 1
    return out, done, failed


def serialise(graph: Any, rdf_format: str) -> bytes:
    """The mapped graph with the catalogue's prefixes, in one RDF syntax."""
    from publishers.serialise import PREFIXES

    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("geodcat", "http://data.europa.eu/930/")
    return graph.serialize(format=rdf_format, encoding="utf-8")  # type: ignore[no-any-return]
