"""EU controlled vocabularies as one read-only graph, loaded once per process for the vocabulary shapes.

The DCAT-AP vocabulary shapes check `skos:inScheme` on the *value* (e.g. a licence URI), so the
vocabulary triples must be visible to the validator. Parsing them costs ~2 s, so the graph is cached
at module level and shared by every validation in the process (forked workers inherit it).
The files are read from `mappers/vocabularies/data/` (owned by the vocabulary lookups; read only).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from rdflib import Graph

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "mappers" / "vocabularies" / "data"

# The vocabularies the DCAT-AP / HVD / GeoDCAT-AP shapes refer to (mdr_imports.ttl), as shipped.
# Not available in the package (so a value from them fails the vocabulary shapes): corporate-body,
# continent, place, dataset-type, planned-availability.
VOCABULARY_FILES: tuple[str, ...] = (
    "adms/ADMS_SKOS_v1.00.rdf",
    "eu-authority/access-right.rdf",
    "eu-authority/access-right-20220316-subset.ttl",
    "eu-authority/applicable-legislation-subset.rdf",
    "eu-authority/countries-skos.rdf",
    "eu-authority/data-theme.rdf",
    "eu-authority/distribution-status.rdf",
    "eu-authority/filetypes-skos.rdf",
    "eu-authority/frequencies-skos.rdf",
    "eu-authority/frequency-20220615-subset.ttl",
    "eu-authority/high-value-dataset-category.rdf",
    "eu-authority/high-value-dataset-category-subset.ttl",
    "eu-authority/language-subset-de-en-fr-nl.rdf",
    "eu-authority/licence-20241211-subset.ttl",
    "eu-authority/licences-skos.rdf",
    "inspire/inspire-theme.en.rdf",
)


def _parse(graph: Graph, path: Path) -> None:
    """Parse one vocabulary file, muting rdflib's per-literal warnings (countries-skos has bad dates)."""
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        graph.parse(path, format="xml" if path.suffix == ".rdf" else "turtle")
    finally:
        term_log.setLevel(level)


@cache
def vocabulary_graph() -> Graph:
    """All EU vocabularies in one graph; built on first use, then shared (never mutate it).

    Across processes the parsed graph comes from the start-up cache (luxcat.startup_cache), keyed
    by the files' contents and this module's code.
    """
    from luxcat.startup_cache import cache_key, cached

    key = cache_key("vocabulary-graph", [DATA_DIR / name for name in VOCABULARY_FILES], [__name__])
    return cached("vocabulary-graph", key, _build_graph)


def _build_graph() -> Graph:
    """Parse every vocabulary file into one graph."""
    graph = Graph()
    for name in VOCABULARY_FILES:
        path = DATA_DIR / name
        if path.exists():
            _parse(graph, path)
        else:
            log.warning("vocabulary file missing: %s", path)
    log.info("loaded %d vocabulary triples from %s", len(graph), DATA_DIR)
    return graph


def vocabulary_key(name: str, modules: tuple[str, ...] = ()) -> str:
    """Start-up cache key of something derived from the vocabulary files (and the named modules)."""
    from luxcat.startup_cache import cache_key

    return cache_key(name, [DATA_DIR / n for n in VOCABULARY_FILES], [__name__, *modules])
