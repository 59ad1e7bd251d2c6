"""The deep part of a source file's check: every plugin's own options, in one pass with the envelope.

`luxcat sources check`, `luxcat run --all` and the Airflow DAG factory all call this through
`luxcat.config.check_file`, so a typo in `harvester.options`, in a mapper's options or in a
`publish[]` entry's options is reported together with the top-level mistakes of the same file
(as `file: dotted.path: message`), never in rounds and never first at run or publish time. It
reads the raw YAML mapping, so it works even when the envelope itself does not validate. Plugins
are imported (cheap, no network); nothing is connected to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from luxcat import registry
from luxcat.errors import ConfigError

# Per-source options a publish target accepts (`publish: [{target: T, options: {...}}]`); a target
# not listed takes none, so any key there is a mistake.
PUBLISH_SOURCE_OPTIONS: Mapping[str, str] = {
    "data.public.lu": "publishers.udata.options:UdataSourceOptions",
}


def _model(path: str) -> type[BaseModel]:
    module, _, attr = path.partition(":")
    import importlib

    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def deep_problems(file: str, data: Mapping[str, Any]) -> list[Any]:
    """Problems of the harvester's, each mapper's and each publish entry's options, and of the profile."""
    problems: list[Any] = []
    problems += _harvester(file, data.get("harvester"))
    mappers = data.get("mapper")
    if isinstance(mappers, str):
        mappers = [mappers]
    if isinstance(mappers, list):
        for i, ref in enumerate(mappers):
            problems += _mapper(file, i, ref)
    problems += _profile(file, data.get("validation"))
    publish = data.get("publish")
    if isinstance(publish, list):
        owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
        for i, entry in enumerate(publish):
            problems += _publish(file, i, entry, owner)  # type: ignore[arg-type]
    return problems


def _validate(file: str, model: type[BaseModel], options: Any, prefix: str) -> list[Any]:
    from luxcat.config import ConfigProblem, _pydantic_problems

    if options is None:
        options = {}
    if not isinstance(options, dict):
        return [ConfigProblem(file, prefix, f"expected a mapping of options, got {type(options).__name__}")]
    try:
        model.model_validate(options)
    except ValidationError as exc:
        return _pydantic_problems(file, exc, prefix)
    return []


def _harvester(file: str, ref: Any) -> list[Any]:
    if not isinstance(ref, dict) or not isinstance(ref.get("kind"), str):
        return []  # the envelope reports a missing or malformed harvester
    from luxcat.config import ConfigProblem

    if not registry.is_known(registry.HARVESTERS, ref["kind"]):  # worded as the envelope's check words it
        known = ", ".join(sorted(registry.HARVESTERS))
        return [ConfigProblem(file, "harvester.kind", f"unknown harvester {ref['kind']!r}; known: {known}")]

    try:
        cls = registry.load(registry.HARVESTERS, ref["kind"], what="harvester")
    except ConfigError as exc:
        return [ConfigProblem(file, "harvester.kind", str(exc))]
    return _validate(file, cls.Options, ref.get("options"), "harvester.options")


def _mapper(file: str, i: int, ref: Any) -> list[Any]:
    from luxcat.config import ConfigProblem

    kind, options = (ref, {}) if isinstance(ref, str) else (None, None)
    if isinstance(ref, dict) and isinstance(ref.get("kind"), str):
        kind, options = ref["kind"], ref.get("options")
    if kind is None:
        return []  # the envelope reports it
    if not registry.is_known(registry.MAPPERS, kind):
        return [
            ConfigProblem(file, f"mapper.{i}", f"unknown mapper {kind!r}; known: {', '.join(sorted(registry.MAPPERS))}")
        ]
    try:
        cls = registry.load(registry.MAPPERS, kind, what="mapper")
    except ConfigError as exc:
        return [ConfigProblem(file, f"mapper.{i}", str(exc))]
    return _validate(file, cls.Options, options, f"mapper.{i}.options")


def _profile(file: str, validation: Any) -> list[Any]:
    from luxcat.config import ConfigProblem
    from validators.shacl import PROFILES  # cheap: names and file lists, shapes load lazily

    profile = validation.get("profile") if isinstance(validation, dict) else None
    if not isinstance(profile, str) or profile in PROFILES:
        return []
    return [
        ConfigProblem(
            file, "validation.profile", f"unknown SHACL profile {profile!r}; known: {', '.join(sorted(PROFILES))}"
        )
    ]


def _publish(file: str, i: int, entry: Any, owner: Mapping[str, Any]) -> list[Any]:
    from luxcat.config import ConfigProblem

    if not isinstance(entry, dict) or not isinstance(entry.get("target"), str):
        return []  # the envelope reports it
    target, options = entry["target"], entry.get("options")
    prefix = f"publish.{i}.options"
    if target not in registry.PUBLISHERS:
        return []  # the envelope reports the unknown target
    model_path = PUBLISH_SOURCE_OPTIONS.get(target)
    if model_path is None:
        if options:
            keys = ", ".join(sorted(map(str, options))) if isinstance(options, dict) else repr(options)
            return [ConfigProblem(file, prefix, f"target {target} takes no per-source options (got {keys})")]
        return []
    options = {} if options is None else options
    if isinstance(options, dict) and "organization" not in options and owner.get("udata_organization"):
        options = {**options, "organization": owner["udata_organization"]}  # the documented fallback
    return _validate(file, _model(model_path), options, prefix)


# -- the same check for processes that must not import plugins (the Airflow DAG processor) -----------
CODE_DIRS = ("luxcat", "harvesters", "mappers", "publishers", "validators")


def _fingerprint(root: Path) -> str:
    """Changes when any plugin's code changes (file names, sizes and modification times)."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _cache_path() -> Path:
    from luxcat.settings import load_settings

    return load_settings().home / "cache" / "source-check.json"


def check_isolated(paths: list[Path]) -> dict[str, list[Any]]:
    """Every problem of each file (envelope and options), checked in a child interpreter, cached by content.

    The DAG processor parses the DAG folder often and must stay free of plugin imports (heavy
    libraries), yet a typo deep in `publish[].options` must still turn the file into a
    `config_error__` DAG. So the deep check runs as `python -m luxcat.sourcecheck FILE...` once per
    changed file (content hash + code fingerprint), and its answer is kept in LUXCAT_HOME/cache.
    """
    from luxcat.config import ConfigProblem

    root = Path(__file__).resolve().parents[1]
    code = _fingerprint(root)
    keys = {str(p): hashlib.sha256(code.encode() + p.read_bytes()).hexdigest() for p in paths if p.is_file()}
    cache_file = _cache_path()
    try:
        cache: dict[str, Any] = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    except (OSError, ValueError):
        cache = {}
    todo = [file for file, key in keys.items() if key not in cache]
    if todo:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        result = subprocess.run(
            [sys.executable, "-m", "luxcat.sourcecheck", *todo], capture_output=True, text=True, env=env, timeout=300
        )
        if result.returncode not in (0, 1):
            raise RuntimeError(f"luxcat.sourcecheck failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        for file, found in json.loads(result.stdout).items():
            cache[keys[file]] = found
        with contextlib.suppress(OSError):  # a read-only home only costs the cache
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            live = set(keys.values())
            kept = {k: v for k, v in cache.items() if k in live}
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(kept))
            tmp.replace(cache_file)
    return {
        file: [ConfigProblem(file, path, message) for path, message in cache.get(key, [])] for file, key in keys.items()
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m luxcat.sourcecheck FILE...`: every problem of each file as JSON {file: [[path, message]]}."""
    from luxcat.config import check_file

    out = {}
    for file in argv if argv is not None else sys.argv[1:]:
        _cfg, problems = check_file(Path(file))
        out[file] = [[p.path, p.message] for p in problems]
    print(json.dumps(out))
    return 1 if any(out.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
