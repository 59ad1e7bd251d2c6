"""Turns a SHACL shapes graph into `validators.engine.Shape` objects once, so runs never re-read it."""

from __future__ import annotations

import re

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from validators.engine import (
    NODE_KINDS,
    NON_CONSTRAINTS,
    SEVERITIES,
    SH,
    ClassOf,
    Constraint,
    Datatype,
    HasValue,
    In,
    Logical,
    MaxCount,
    MinCount,
    NodeKind,
    NodeRef,
    Path,
    Pattern,
    Shape,
    Sparql,
    UnsupportedShape,
    _qname,
)


def _text(graph: Graph, node: Node, pred: URIRef) -> str | None:
    """An English (or untagged, else any) literal of `pred`, as plain text."""
    found = [o for o in graph.objects(node, pred) if isinstance(o, Literal)]
    for lit in found:
        if lit.language in (None, "en"):
            return " ".join(str(lit).split())
    return " ".join(str(found[0]).split()) if found else None


def compile_path(graph: Graph, node: Node) -> Path:
    """sh:path as a Path; predicates, sh:inversePath and sequences are supported."""
    if isinstance(node, URIRef):
        return Path(((str(node), False),), str(node))
    inverse = graph.value(node, SH.inversePath)
    if isinstance(inverse, URIRef):
        return Path(((str(inverse), True),), f"^{inverse}")
    if (node, RDF.first, None) in graph:
        steps = [compile_path(graph, item) for item in graph.items(node)]
        return Path(tuple(step for path in steps for step in path.steps), "/".join(path.text for path in steps))
    raise UnsupportedShape(f"unsupported sh:path {node!r}")


def _constraint(graph: Graph, shape: Node, pred: Node, obj: Node) -> Constraint | None:  # noqa: C901
    """One constraint component from one (shape, parameter, value) triple."""
    label = _qname(graph, obj)
    if pred == SH.minCount:
        return MinCount(int(obj))
    if pred == SH.maxCount:
        return MaxCount(int(obj))
    if pred == SH.nodeKind:
        if obj not in NODE_KINDS:
            raise UnsupportedShape(f"{shape}: unknown sh:nodeKind {obj}")
        return NodeKind(obj, label.replace("sh:", ""))
    if pred == SH["class"]:
        return ClassOf(obj, label)
    if pred == SH.datatype:
        return Datatype(obj, label)
    if pred == SH.node:
        return NodeRef(obj, label)
    if pred == SH["not"]:
        return Logical("not", (obj,), label)
    if pred in (SH["or"], SH["and"], SH.xone):
        members = tuple(graph.items(obj))
        names = ", ".join(_qname(graph, m) for m in members)
        return Logical(str(pred).split("#")[1], members, names)
    if pred == SH.hasValue:
        return HasValue(obj, label)
    if pred == SH["in"]:
        return In(frozenset(graph.items(obj)))
    if pred == SH.pattern:
        flags = str(graph.value(shape, SH.flags) or "")
        re_flags = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0) | (re.S if "s" in flags else 0)
        return Pattern(re.compile(str(obj), re_flags))
    if pred == SH.sparql:
        query = graph.value(obj, SH.select)
        if query is None or graph.value(obj, SH.deactivated) == Literal(True):
            raise UnsupportedShape(f"{shape}: only active sh:select SPARQL constraints are supported")
        return Sparql(str(query))
    if pred == SH.closed:
        if isinstance(obj, Literal) and obj.toPython() is True:
            raise UnsupportedShape(f"{shape}: sh:closed true is not supported")
        return None  # sh:closed false constrains nothing
    raise UnsupportedShape(f"{shape}: unsupported SHACL parameter {pred}")


def _compile_one(graph: Graph, node: Node) -> Shape:
    path_node = graph.value(node, SH.path)
    severity = graph.value(node, SH.severity)
    deactivated = graph.value(node, SH.deactivated)
    shape = Shape(
        node=node,
        path=compile_path(graph, path_node) if path_node is not None else None,
        severity=SEVERITIES.get(severity, str(severity)) if severity is not None else "Violation",
        message=_text(graph, node, SH.message),
        description=_text(graph, node, SH.description),
        target_classes=tuple(graph.objects(node, SH.targetClass)),
        target_nodes=tuple(graph.objects(node, SH.targetNode)),
        target_subjects_of=tuple(graph.objects(node, SH.targetSubjectsOf)),
        target_objects_of=tuple(graph.objects(node, SH.targetObjectsOf)),
        deactivated=isinstance(deactivated, Literal) and deactivated.toPython() is True,
    )
    if (node, RDF.type, RDFS.Class) in graph:
        shape.target_classes += (node,)
    for pred, obj in sorted(graph.predicate_objects(node)):
        if not str(pred).startswith(str(SH)) or pred in NON_CONSTRAINTS or pred == SH.select:
            continue
        constraint = _constraint(graph, node, pred, obj)
        if constraint is not None:
            shape.constraints.append(constraint)
    # cheap structural checks first, shape references last: fewer nested evaluations when failing fast
    shape.constraints.sort(key=lambda c: isinstance(c, NodeRef | Logical | Sparql))
    shape.finish()
    if isinstance(path_node, URIRef):
        shape.path_label = _qname(graph, path_node) + ": "
    elif shape.path is not None:
        shape.path_label = shape.path.text + ": "
    return shape


def _shape_nodes(graph: Graph) -> set[Node]:
    """Every node the shapes graph uses as a shape."""
    found: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path):
        found |= set(graph.subjects(pred))
    found |= set(graph.objects(None, SH.property)) | set(graph.objects(None, SH.node))
    found |= set(graph.objects(None, SH["not"]))
    for pred in (SH["or"], SH["and"], SH.xone):
        for head in graph.objects(None, pred):
            found |= set(graph.items(head))
    return {n for n in found if isinstance(n, URIRef | BNode)}


def compile_shapes(graph: Graph) -> dict[Node, Shape]:
    """Every shape of the graph, compiled; sh:property links resolved to the compiled objects."""
    shapes = {node: _compile_one(graph, node) for node in _shape_nodes(graph)}
    for node, shape in shapes.items():
        for prop in sorted(graph.objects(node, SH.property)):
            if prop not in shapes:
                raise UnsupportedShape(f"{node}: sh:property {prop} is not a shape")
            shape.properties.append(shapes[prop])
    for shape in shapes.values():
        for constraint in shape.constraints:
            refs = (
                (constraint.shape,)
                if isinstance(constraint, NodeRef)
                else constraint.shapes
                if isinstance(constraint, Logical)
                else ()
            )
            missing = [r for r in refs if r not in shapes]
            if missing:
                raise UnsupportedShape(f"{shape.node}: references undefined shape(s) {missing}")
    return shapes
