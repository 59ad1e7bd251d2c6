"""data.europa.eu's machine-readable and non-proprietary flags for EU file types (its MQA reads the same lists).

The EU file-type table carries no such flag; data.europa.eu publishes two extension files of its own
(data/edp/, origin in data/SOURCES.md) that state `edp:isMachineReadable` / `edp:isNonProprietary`
true for a file-type URI. Indicators that say "machine-readable" mean exactly these lists.
"""

from __future__ import annotations

import functools

from rdflib import Literal, URIRef

from mappers.vocabularies._data import read_graph

EDP = "https://europeandataportal.eu/voc#"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"


def _flagged(relpath: str, prop: str) -> frozenset[str]:
    graph = read_graph(relpath)
    true = Literal(True)
    return frozenset(
        str(s)[len(FILE_TYPE_BASE) :]
        for s, o in graph.subject_objects(URIRef(EDP + prop))
        if str(s).startswith(FILE_TYPE_BASE) and o == true
    )


@functools.cache
def machine_readable_codes() -> frozenset[str]:
    """EU file-type codes data.europa.eu flags machine-readable (CSV, JSON, XML, SHP, ...)."""
    return _flagged("edp/edp-machine-readable-format.rdf", "isMachineReadable")


@functools.cache
def non_proprietary_codes() -> frozenset[str]:
    """EU file-type codes data.europa.eu flags non-proprietary (CSV, GeoJSON, ZIP, TIFF, ...)."""
    return _flagged("edp/edp-non-proprietary-format.rdf", "isNonProprietary")
