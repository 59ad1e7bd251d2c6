"""Property rules of the pinned DCAT-AP 3.0.0 shapes, read from the same files the validator uses.

The normaliser repairs a record against these rules (node kinds, class ranges, datatypes,
cardinalities) instead of a hand-written copy of them, so it follows the shapes if they are updated.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

SHAPES_DIR = Path(__file__).resolve().parents[2] / "validators" / "shapes" / "dcat-ap-3.0.0"
DATE_SHAPE_NAME = "DateOrDateTimeDataType_Shape"
RESOURCE_SHAPE_NAME = "DcatResource_Shape"


@dataclass(slots=True)
class PropertyRule:
    """What the shapes demand of one property on one class (Violation severity only)."""

    min_count: int = 0
    max_count: int | None = None
    node_kind: URIRef | None = None
    classes: set[URIRef] = field(default_factory=set)
    datatype: URIRef | None = None
    date: bool = False  # sh:node DateOrDateTimeDataType_Shape
    resource: bool = False  # sh:node DcatResource_Shape: a catalogue, dataset, series or service


def _merge(rule: PropertyRule, shapes: Graph, prop: object) -> None:
    value = shapes.value(prop, SH.minCount)
    if value is not None:
        rule.min_count = max(rule.min_count, int(value))
    value = shapes.value(prop, SH.maxCount)
    if value is not None:
        rule.max_count = int(value) if rule.max_count is None else min(rule.max_count, int(value))
    kind = shapes.value(prop, SH.nodeKind)
    if isinstance(kind, URIRef):
        rule.node_kind = kind
    cls = shapes.value(prop, SH["class"])
    if isinstance(cls, URIRef):
        rule.classes.add(cls)
    datatype = shapes.value(prop, SH.datatype)
    if isinstance(datatype, URIRef):
        rule.datatype = datatype
    node = shapes.value(prop, SH.node)
    if isinstance(node, URIRef) and node.endswith(DATE_SHAPE_NAME):
        rule.date = True
    if isinstance(node, URIRef) and node.endswith(RESOURCE_SHAPE_NAME):
        rule.resource = True


@functools.cache
def rules() -> dict[URIRef, dict[URIRef, PropertyRule]]:
    """targetClass -> property path -> merged rule, from shapes.ttl and range.ttl."""
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(SHAPES_DIR / name, format="turtle")
    table: dict[URIRef, dict[URIRef, PropertyRule]] = {}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        targets = [t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef)]
        for prop in shapes.objects(shape, SH.property):
            severity = shapes.value(prop, SH.severity)
            path = shapes.value(prop, SH.path)
            if not isinstance(path, URIRef) or (severity is not None and severity != SH.Violation):
                continue
            for target in targets:
                rule = table.setdefault(target, {}).setdefault(path, PropertyRule())
                _merge(rule, shapes, prop)
    return table
