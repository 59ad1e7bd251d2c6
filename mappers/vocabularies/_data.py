"""Loading of the vocabulary files shipped in data/: parsed once per process, on first use."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

from rdflib import Graph

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_graph(relpath: str) -> Graph:
    """Parse one vocabulary file (format from its suffix), uncached.

    The lookups use this and keep only the small tables they build (themselves cached): keeping the
    parsed graphs alive (~100k rdflib objects) makes every full garbage collection of a mapping run
    rescan them, which cost about 30% of the ISO mapper's time. Across processes the parsed file
    comes from the start-up cache (luxcat.startup_cache), keyed by its content and this module.
    """
    from luxcat.startup_cache import cache_key, cached

    name = "vocab-" + re.sub(r"[^0-9A-Za-z]+", "-", relpath)
    return cached(name, cache_key(name, [DATA_DIR / relpath], [__name__]), lambda: _parse(relpath))


def _parse(relpath: str) -> Graph:
    """Parse one vocabulary file."""
    path = DATA_DIR / relpath
    fmt = "turtle" if path.suffix == ".ttl" else "xml"
    graph = Graph()
    # The INSPIRE theme register carries malformed xsd:date values ("2013-03-25 14:14 PM UTC");
    # rdflib logs a traceback per literal, which is noise for our purpose (labels only).
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        graph.parse(path, format=fmt)
    finally:
        term_log.setLevel(level)
    return graph


_NON_WORD = re.compile(r"[^0-9a-z]+")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _strip_combining(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Fold case, accents and punctuation so labels compare across spelling variants."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded.replace("ß", "ss"))
        # only the non-ASCII runs can hold combining marks: long licence texts are mostly ASCII
        folded = _NON_ASCII.sub(_strip_combining, decomposed)
    return _NON_WORD.sub(" ", folded).strip()


@functools.cache
def load_graph(relpath: str) -> Graph:
    """The parsed graph of one vocabulary file, kept for the process (for callers that need the
    whole file, e.g. skos:broader links). Lookups in this package do not use it (see read_graph)."""
    return read_graph(relpath)
