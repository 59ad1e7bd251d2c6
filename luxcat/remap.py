"""Which stored records must be mapped again: the payload or what maps it changed since the last map.

A record's mapped graph is only as current as the two things that produced it: the payload it was
mapped from and the mapping itself (mapper code and version, vocabulary data, the source's
mapping-relevant settings such as base_uri, default licence, languages, mapper options). The
state store keeps, per record, the content hash and the fingerprint its graph came from
(`mapped_hash`, `mapped_fingerprint`), written only when the map succeeds. Every run compares
them with the current payload hash and fingerprint, so a run interrupted between harvest and map,
`luxcat harvest` followed by `luxcat run`, an edited YAML or an upgraded mapper all end in a
re-map, without harvesting again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import inspect
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from luxcat import __version__
from luxcat.store import ACTIVE, StateStore, records_table

# code and data whose change may change any mapped graph (mapper packages read the vocabularies
# and their harvester's payload codec)
MAPPING_PACKAGES = ("mappers", "harvesters", "vocabularies")


@cache
def _package_digest(package: str) -> str:
    """sha256 over every file of an importable package (code and data), '' when absent."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        return ""
    digest = hashlib.sha256()
    for folder in spec.submodule_search_locations or []:
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file() and _counts(p, root)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _counts(path: Path, root: Path) -> bool:
    """Source and data files count; caches, bytecode and hidden files do not."""
    parts = path.relative_to(root).parts
    hidden = any(p.startswith(".") or p == "__pycache__" for p in parts)
    return not hidden and path.suffix not in (".pyc", ".pyo")


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _class_files(cls: type) -> list[str]:
    """Digests of the source files of a mapper class and its bases (covers mappers outside `mappers`)."""
    out = []
    for klass in cls.__mro__:
        if klass.__module__ in ("builtins", "abc"):
            continue
        try:
            file = inspect.getsourcefile(klass)
        except TypeError:
            continue
        if file:
            out.append(f"{klass.__module__}.{klass.__qualname__}:{_file_digest(file)}")
    return out


def _plain(value: Any) -> Any:
    """A JSON-able form of a mapper context or options value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def mapping_fingerprint(mappers: Iterable[Any]) -> str:
    """One hash of everything a source's mapped graphs depend on besides the payload itself."""
    parts: list[Any] = [{"luxcat": __version__, "packages": {p: _package_digest(p) for p in MAPPING_PACKAGES}}]
    for mapper in mappers:
        cls = type(mapper)
        parts.append(
            {
                "mapper": f"{cls.__module__}:{cls.__qualname__}",
                "name": getattr(cls, "name", ""),
                "version": str(getattr(cls, "version", "")),
                "code": _class_files(cls),
                "context": _plain(getattr(mapper, "context", None)),
                "options": _plain(getattr(mapper, "options", None)),
            }
        )
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stale_records(store: StateStore, source_id: str, fingerprint: str) -> list[str]:
    """Active records whose mapped graph is missing, from another payload, or from another mapping."""
    t = records_table
    query = (
        select(t.c.record_id)
        .where(
            and_(
                t.c.source_id == source_id,
                t.c.status == ACTIVE,
                or_(
                    t.c.mapped_location.is_(None),
                    t.c.mapped_hash.is_(None),
                    t.c.mapped_hash != t.c.content_hash,
                    t.c.mapped_fingerprint.is_(None),
                    t.c.mapped_fingerprint != fingerprint,
                ),
            )
        )
        .order_by(t.c.record_id)
    )
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def active_records(store: StateStore, source_id: str) -> list[str]:
    """Every active record of a source (what `--remap` maps again)."""
    t = records_table
    query = select(t.c.record_id).where(and_(t.c.source_id == source_id, t.c.status == ACTIVE))
    with store.engine.connect() as conn:
        return sorted(row[0] for row in conn.execute(query.order_by(t.c.record_id)))
