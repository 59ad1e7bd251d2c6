"""High-value datasets (Regulation (EU) 2023/138): HVD categories and the regulation's URI."""

from __future__ import annotations

import functools

from rdflib import URIRef
from rdflib.namespace import SKOS

from mappers.vocabularies._data import normalise, read_graph

HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
HVD_SCHEME = "http://data.europa.eu/bna/asd487ae75"
_HVD_BASE = "http://data.europa.eu/bna/"

# Ways records name the regulation or the HVD tag itself (GeoDCAT-AP pilot good practice: an anchor
# to the ELI, text "High-value dataset"/"HVD"; plus French and German wordings).
_REGULATION_TEXT = frozenset(
    normalise(t)
    for t in (
        "HVD", "High-value dataset", "High value dataset", "High-value datasets", "2023/138",
        "Regulation (EU) 2023/138", "Implementing Regulation (EU) 2023/138", "Données de forte valeur",
        "Ensemble de données de forte valeur", "Jeux de données de forte valeur", "Hochwertige Datensätze",
        "Hochwertiger Datensatz", "Hoogwaardige datasets",
    )
)  # fmt: skip
_REGULATION_URIS = frozenset(
    {
        HVD_LEGISLATION,
        "http://data.europa.eu/eli/reg_impl/2023/138",
        "https://data.europa.eu/eli/reg_impl/2023/138/oj",
        "http://data.europa.eu/eli/reg_impl/2023/138/oj/eng",
    }
)

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _categories() -> dict[str, str]:
    """HVD category URI -> itself, plus normalised labels (all languages) -> URI."""
    subset = read_graph("eu-authority/high-value-dataset-category-subset.ttl")
    index: dict[str, str] = {}
    for concept in subset.subjects(SKOS.inScheme, URIRef(HVD_SCHEME)):
        index[str(concept)] = str(concept)
        for label in subset.objects(concept, SKOS.prefLabel):
            index.setdefault("label:" + normalise(str(label)), str(concept))
    full = read_graph("eu-authority/high-value-dataset-category.rdf")
    for concept, label in full.subject_objects(SKOS.prefLabel):
        if str(concept) in index:
            index.setdefault("label:" + normalise(str(label)), str(concept))
    return index


@functools.lru_cache(maxsize=_CACHE)
def hvd_category(text_or_uri: str | None, *, by_label: bool = True) -> str | None:
    """HVD category URI for a category URI or (when by_label) its label in any EU language."""
    if not text_or_uri:
        return None
    value = text_or_uri.strip()
    if value.startswith(("http://", "https://")):
        uri = _HVD_BASE + value.rstrip("/").rsplit("/", 1)[-1] if "data.europa.eu/bna/" in value else value
        return _categories().get(uri)
    if not by_label:
        return None
    return _categories().get("label:" + normalise(value))


@functools.lru_cache(maxsize=_CACHE)
def is_hvd_regulation(text_or_uri: str | None) -> bool:
    """True when a keyword or anchor names Regulation (EU) 2023/138 or the HVD tag."""
    if not text_or_uri:
        return False
    value = text_or_uri.strip()
    if value.startswith(("http://", "https://")):
        return value.rstrip("/") in _REGULATION_URIS or value in _REGULATION_URIS
    return normalise(value) in _REGULATION_TEXT
