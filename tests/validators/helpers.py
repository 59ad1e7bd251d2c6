"""Shared helpers for the validator tests: real data locations, graph loading, comparison keys."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from validators.rdfio import load_rdf
from validators.shacl import Outcome

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[0] / "data"
DCAT_DIR = SHARED / "dcat"
LU_TESTS = DCAT_DIR / "dcat-ap-lu-tests"
VALID_LU = HERE / "data" / "lu_dataset_valid.ttl"
RDF_SUFFIXES = {".ttl", ".rdf", ".xml", ".jsonld"}

Key = dict[str, tuple[bool, frozenset[tuple[str, str | None, str | None, str]]]]


def real_dcat_files() -> list[Path]:
    """Every real DCAT file rdflib can read (some upstream fixtures are JSON API dumps, not RDF)."""
    found = []
    for path in sorted(DCAT_DIR.rglob("*")):
        if path.suffix in RDF_SUFFIXES and path.is_file():
            try:
                load_rdf(path)
            except Exception:  # noqa: BLE001, S112 - not RDF: not a catalogue to validate
                continue
            found.append(path)
    return found


def merged(paths: list[Path]) -> Graph:
    """All files in one graph (blank nodes stay distinct per file)."""
    graph = Graph()
    for path in paths:
        load_rdf(path, graph)
    return graph


def per_dataset(outcome: Outcome) -> Key:
    """The cross-check key: conforms flag and set of (focus, path, shape, severity) per dataset."""
    return {
        r.dataset: (r.conforms, frozenset((i.focus, i.path, i.shape, i.severity) for i in r.results))
        for r in outcome.reports
    }
