"""Countries: names in any EU language, ISO 3166 alpha-2/alpha-3 codes -> EU country URIs."""

from __future__ import annotations

import functools

from rdflib import URIRef
from rdflib.namespace import DC, SKOS

from mappers.vocabularies._data import normalise, read_graph

COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
COUNTRY_BASE = COUNTRY_SCHEME + "/"
PLACE_BASE = "http://publications.europa.eu/resource/authority/place/"
_AT = "http://publications.europa.eu/ontology/authority/"
_DC_SOURCE = URIRef("http://purl.org/dc/elements/1.1/source")
# Luxembourgish names (lb) of Luxembourg, absent from the 2018 country table.
_CURATED: dict[str, str] = {"letzebuerg": "LUX", "groussherzogtum letzebuerg": "LUX"}

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _countries() -> dict[str, str]:
    """Lookup key -> country code: codes ("LUX", "lu"), labels and alt labels (all languages)."""
    graph = read_graph("eu-authority/countries-skos.rdf")
    index: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, URIRef(COUNTRY_SCHEME)):
        code = str(concept)[len(COUNTRY_BASE) :]
        index["code:" + code.lower()] = code
        for ident in graph.objects(concept, DC.identifier):
            index.setdefault("code:" + str(ident).lower(), code)
        for mapped in graph.objects(concept, URIRef(_AT + "op-mapped-code")):
            if str(graph.value(mapped, _DC_SOURCE) or "") == "TED":  # ISO 3166-1 alpha-2
                legacy = str(graph.value(mapped, URIRef(_AT + "legacy-code")) or "")
                index.setdefault("code:" + legacy.lower(), code)
        for pred in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, pred):
                index.setdefault(normalise(str(label)), code)
    for name, code in _CURATED.items():
        index.setdefault(name, code)
    return index


@functools.lru_cache(maxsize=_CACHE)
def country_uri(name_or_code: str | None) -> str | None:
    """EU country URI for "Luxembourg", "Luxemburg", "LU", "LUX" or a country URI; None if unknown."""
    if not name_or_code:
        return None
    value = name_or_code.strip()
    index = _countries()
    if value.startswith(COUNTRY_BASE):
        code = value[len(COUNTRY_BASE) :]
        return value if index.get("code:" + code.lower()) == code else None
    if value.isalpha() and len(value) in (2, 3) and value.isupper():
        code_hit = index.get("code:" + value.lower())
        if code_hit:
            return COUNTRY_BASE + code_hit
    found = index.get(normalise(value))
    return COUNTRY_BASE + found if found else None
