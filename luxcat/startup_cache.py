"""On-disk cache of heavy start-up work (parsed vocabularies, compiled shapes), so it is paid once, not per process.

Parsing the EU vocabulary files costs ~2-5 s of CPU in every process that validates or maps ISO
records. The result depends only on the input files and the code that builds it, so it is stored
as a pickle keyed by the sha256 of: the files' contents, the building modules' source, luxcat's,
rdflib's and Python's versions. A changed file or upgraded code gives another key (a new build);
nothing is ever served from a stale input. Writers are safe to race: each writes a temporary file
in the cache folder and renames it over the final name (atomic on POSIX), readers see either no
file or a whole one. A file that fails to load is rebuilt. rdflib terms are pickled by their
stored state (no re-parsing of literal values, which makes rdflib's own pickling slow), and the
garbage collector is paused while loading (millions of small objects).

Folder: LUXCAT_CACHE_DIR, else $XDG_CACHE_HOME/luxcat, else ~/.cache/luxcat; LUXCAT_CACHE=off disables it.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import rdflib
from rdflib.term import BNode, Literal, URIRef

from luxcat import __version__

log = logging.getLogger(__name__)
T = TypeVar("T")
FORMAT = 1  # bump when the pickled layout changes


def cache_dir() -> Path | None:
    """Where cached start-up results live, or None when caching is off."""
    if os.environ.get("LUXCAT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get("LUXCAT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    # not under LUXCAT_HOME: a cache is no state, and a preview must leave production's folder untouched
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "luxcat"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def cache_key(name: str, files: Iterable[Path], modules: Iterable[str] = ()) -> str:
    """sha256 over the inputs' contents, the named modules' source files and the versions involved."""
    digest = hashlib.sha256()
    for part in (name, str(FORMAT), __version__, rdflib.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    for path in files:
        digest.update(path.name.encode() + b"\0" + _file_digest(path).encode())
    for module in modules:
        file = getattr(sys.modules.get(module), "__file__", None)
        digest.update(module.encode() + b"\0" + (_file_digest(Path(file)) if file else "none").encode())
    return digest.hexdigest()


def _literal(lexical: str, language: str | None, datatype: Any, value: Any, ill_typed: bool | None) -> Literal:
    """A Literal rebuilt from its stored state (no lexical-to-value conversion)."""
    term = str.__new__(Literal, lexical)
    term._language = language  # type: ignore[attr-defined]
    term._datatype = datatype  # type: ignore[attr-defined]
    term._value = value  # type: ignore[attr-defined]
    term._ill_typed = ill_typed  # type: ignore[attr-defined]
    return term


def _uri(text: str) -> URIRef:
    return str.__new__(URIRef, text)


def _bnode(text: str) -> BNode:
    return str.__new__(BNode, text)


class _Pickler(pickle.Pickler):
    """Pickles rdflib terms by state: loading them is a plain str construction."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is URIRef:
            return _uri, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj._language, obj._datatype, obj._value, obj._ill_typed)
        if kind is BNode:
            return _bnode, (str(obj),)
        return NotImplemented


def dumps(value: Any) -> bytes:
    """Pickle with the fast rdflib-term reducers."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """Unpickle with the garbage collector paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)  # noqa: S301 - our own cache folder, written by this module
    finally:
        if enabled:
            gc.enable()


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """`build()`'s result, from `<cache>/<name>-<key>.pickle` when present, else built and stored."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{key[:32]}.pickle"
    if path.exists():
        try:
            return loads(path.read_bytes())  # type: ignore[no-any-return]
        except Exception as exc:  # a truncated or foreign file: rebuild it
            log.warning("start-up cache %s unreadable (%s): rebuilding", path, exc)
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(dumps(value))
            os.replace(tmp, path)  # atomic: concurrent writers each replace with a whole file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only or full cache folder only costs the next process the build
        log.warning("start-up cache %s not written: %s", path, exc)
    return value
