"""DCAT-AP 3.0.0 validation of many mapped records in one pySHACL call (shapes + EU vocabularies), for mapper tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH

from mappers.vocabularies import vocabulary_graph

SHAPES = Path(__file__).resolve().parents[2] / "validators" / "shapes" / "dcat-ap-3.0.0"


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def violations(data: Graph) -> list[tuple[str, str, str, str]]:
    """Top-level Violations (focus, path, value, message) on nodes of `data` (vocabulary nodes ignored)."""
    full = Graph()
    full += vocabulary_graph()
    full += data
    _, report, _ = pyshacl.validate(full, shacl_graph=shapes_graph(), inference="none", allow_warnings=True)
    ours = set(data.subjects())
    nested = set(report.objects(None, SH.detail))
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if result in nested or report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        if report.value(result, SH.focusNode) in ours:
            found.append(
                tuple(str(report.value(result, p)) for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage))
            )
    return sorted(found)


def is_source_gap(violation: tuple[str, str, str, str]) -> bool:
    """A mandatory value absent from the mapped graph (minCount, no value): the source lacks it and the
    mapper, inventing nothing, leaves the finding to validation (rejected or flagged per on_violation)."""
    return violation[2] == "None" and violation[3].startswith("Less than 1 values")


def not_gaps(found: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Violations other than missing mandatory values."""
    return [v for v in found if not is_source_gap(v)]
