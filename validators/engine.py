"""A compiled SHACL Core engine: shapes turned once into Python checks, run on dict-indexed graphs.

Why not pySHACL for every run: on DCAT-AP 3.0.0 with the EU vocabularies it manages ~30-90
datasets/s, mostly spent re-reading the shapes graph and walking rdflib generators for every focus
node, and validating thousands of vocabulary concepts that no dataset uses. Here the shapes are
read once into small constraint objects (`compile_shapes`), graphs are indexed once into dicts
(`validators.index`), sh:node/sh:or conformance of a value is memoised for the run (5,000 datasets
share a handful of licences, themes and formats), and vocabulary-only nodes that the data never
mentions are not validated (their results could belong to no dataset anyway).

Semantics follow pySHACL 0.40 (the reference the tests cross-check against): a nested shape
conforms only with no result of any severity; sh:datatype rejects ill-typed literals; sh:class
follows rdfs:subClassOf in data and vocabularies; `sh:shape` (a typo in DCAT-AP 3.0.x) is ignored;
a sh:node cycle counts as conforming. Constraint kinds outside SHACL Core as used by the shipped
shapes raise `UnsupportedShape` at compile time instead of being skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from validators.index import View

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# sh: predicates that configure a shape without being constraints (sh:shape is a DCAT-AP typo).
NON_CONSTRAINTS = {
    SH[n]
    for n in (
        "path name description order group targetClass targetNode targetSubjectsOf targetObjectsOf "
        "severity message deactivated defaultValue flags shape ignoredProperties declare prefixes "
        "property"
    ).split()
}


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True, slots=True)
class Result:
    """One validation result, in pySHACL's terms."""

    focus: Node
    path: str | None
    value: Node | None
    shape: Node
    severity: str
    component: str
    message: str


@dataclass(slots=True)
class Path:
    """A property path: a predicate, an inverse predicate or a sequence of them (predicates as str)."""

    steps: tuple[tuple[str, bool], ...]  # (predicate, inverse?)
    text: str

    def values(self, view: View, focus: Node) -> tuple[Node, ...]:
        """The value nodes reached from `focus`, without duplicates."""
        if len(self.steps) == 1:
            pred, inverse = self.steps[0]
            return view.subjects(pred, focus) if inverse else view.objects(focus, pred)
        current: tuple[Node, ...] = (focus,)
        for pred, inverse in self.steps:
            nxt: dict[Node, None] = {}
            for node in current:
                nxt.update(dict.fromkeys(view.subjects(pred, node) if inverse else view.objects(node, pred)))
            current = tuple(nxt)
        return current


@dataclass(slots=True)
class Shape:
    """A compiled node or property shape."""

    node: Node
    path: Path | None
    severity: str
    message: str | None
    description: str | None
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    target_classes: tuple[Node, ...] = ()
    target_nodes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    target_objects_of: tuple[Node, ...] = ()
    deactivated: bool = False
    empty_constraints: list[Constraint] = field(default_factory=list)  # those that can fail on no values
    path_text: str | None = None
    path_label: str = ""  # `dct:title: ` prefix for messages

    def finish(self) -> None:
        """Derive the lookup helpers once all constraints are known."""
        self.empty_constraints = [c for c in self.constraints if isinstance(c, MinCount | HasValue | Sparql)]
        self.path_text = self.path.text if self.path is not None else None

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


class Constraint:
    """One constraint component; `check` yields (value, component, message) per failure."""

    component = "Constraint"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        raise NotImplementedError


def _qname(graph: Graph, node: Node) -> str:
    """A short readable name: `dct:title` for known prefixes, else the IRI's last segment."""
    if isinstance(node, URIRef):
        short = graph.namespace_manager.normalizeUri(node)
        prefix = short.split(":", 1)[0]
        if short.startswith("<") or prefix.startswith(("default", "ns")) and prefix[-1:].isdigit():
            return re.split(r"[#/]", str(node).rstrip("/#"))[-1] or str(node)
        return short
    return node.n3()


@dataclass(slots=True)
class MinCount(Constraint):
    """sh:minCount: fewer value nodes than required."""

    n: int
    component = "MinCount"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        if len(values) < self.n:
            return [(None, self.component, f"at least {self.n} value(s) required, found {len(values)}")]
        return []


@dataclass(slots=True)
class MaxCount(Constraint):
    """sh:maxCount: more value nodes than allowed."""

    n: int
    component = "MaxCount"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        if len(values) > self.n:
            return [(None, self.component, f"at most {self.n} value(s) allowed, found {len(values)}")]
        return []


NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


@dataclass(slots=True)
class NodeKind(Constraint):
    """sh:nodeKind: IRI, blank node, literal or a combination."""

    kind: Node
    label: str
    component = "NodeKind"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        kinds = NODE_KINDS[self.kind]
        article = "an" if self.label.startswith("IRI") else "a"
        return [
            (v, self.component, f"value must be {article} {self.label}") for v in values if not isinstance(v, kinds)
        ]


@dataclass(slots=True)
class ClassOf(Constraint):
    """sh:class: each value is an instance of the class (rdfs:subClassOf followed)."""

    cls: Node
    label: str
    component = "Class"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        bad = [v for v in values if isinstance(v, Literal) or not run.view.is_instance(v, self.cls)]
        return [(v, self.component, f"value must be an instance of {self.label}") for v in bad]


def _python_value_matches(value: object, datatype: Node) -> bool:
    """pySHACL's check that a literal's parsed value has the right Python type."""
    expected = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: (int,),
        XSD.float: (float,),
        XSD.decimal: (Decimal,),
        XSD.boolean: (bool,),
        XSD.date: (date,),
        XSD.time: (time,),
        XSD.dateTime: (datetime,),
    }.get(datatype)
    return expected is None or isinstance(value, expected)


def datatype_matches(v: Node, datatype: Node) -> bool:
    """Whether `v` is a well-formed literal of `datatype` (plain literals are xsd:string)."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and _python_value_matches(v.value, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and datatype == XSD.string:
        return _python_value_matches(v.value, datatype)
    if datatype == RDF.langString and v.language:
        return _python_value_matches(v.value, datatype)
    return False


@dataclass(slots=True)
class Datatype(Constraint):
    """sh:datatype: each value is a well-formed literal of the datatype."""

    datatype: Node
    label: str
    component = "Datatype"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        msg = f"value must be a literal of datatype {self.label}"
        return [(v, self.component, msg) for v in values if not datatype_matches(v, self.datatype)]


@dataclass(slots=True)
class NodeRef(Constraint):
    """sh:node: each value conforms to the referenced node shape."""

    shape: Node
    label: str
    component = "Node"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        msg = f"value does not conform to {self.label}"
        return [(v, self.component, msg) for v in values if not run.conforms(self.shape, v)]


@dataclass(slots=True)
class Logical(Constraint):
    """sh:or / sh:and / sh:xone / sh:not over a list of shapes."""

    kind: str
    shapes: tuple[Node, ...]
    label: str

    @property
    def component(self) -> str:  # type: ignore[override]
        return self.kind.capitalize()

    def _ok(self, run: Run, v: Node) -> bool:
        passed = sum(1 for s in self.shapes if run.conforms(s, v))
        if self.kind == "or":
            return passed >= 1
        if self.kind == "and":
            return passed == len(self.shapes)
        if self.kind == "xone":
            return passed == 1
        return passed == 0  # not

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        msg = f"value does not satisfy sh:{self.kind} ({self.label})"
        return [(v, self.component, msg) for v in values if not self._ok(run, v)]


@dataclass(slots=True)
class HasValue(Constraint):
    """sh:hasValue: the given value is among the value nodes."""

    value: Node
    label: str
    component = "HasValue"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        if self.value in values:
            return []
        return [(None, self.component, f"value {self.label} is required")]


@dataclass(slots=True)
class In(Constraint):
    """sh:in: each value is one of a list."""

    allowed: frozenset[Node]
    component = "In"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        return [(v, self.component, "value is not among the allowed ones") for v in values if v not in self.allowed]


@dataclass(slots=True)
class Pattern(Constraint):
    """sh:pattern: each value (not a blank node) matches the regular expression."""

    regex: re.Pattern[str]
    component = "Pattern"

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        msg = f"value does not match pattern {self.regex.pattern!r}"
        return [(v, self.component, msg) for v in values if isinstance(v, BNode) or not self.regex.search(str(v))]


@dataclass(slots=True)
class Sparql(Constraint):
    """A SPARQL-based constraint (DCAT-AP-LU): one result per solution, `$this` bound to the focus."""

    query: str
    component = "Sparql"
    prepared: object = None

    def check(self, run: Run, focus: Node, values: tuple[Node, ...]) -> list[tuple[Node | None, str, str]]:
        if self.prepared is None:  # parse and algebra-compile once, not once per focus node
            from rdflib.plugins.sparql import prepareQuery  # ~1 s to import: only for SPARQL constraints

            self.prepared = prepareQuery(self.query)
        rows = run.data.query(self.prepared, initBindings={"this": focus})  # type: ignore[arg-type]
        out: list[tuple[Node | None, str, str]] = []
        for row in rows:
            value = row.get("value") if hasattr(row, "get") else None
            out.append((value, self.component, "SPARQL constraint not satisfied"))
        return out


class Run:
    """One validation run over one data graph: memoised nested conformance."""

    def __init__(self, shapes: dict[Node, Shape], view: View, data: Graph) -> None:
        self.shapes = shapes
        self.view = view
        self.data = data
        self._conforms: dict[tuple[Node, Node], bool] = {}
        self._active: set[Node] = set()

    def conforms(self, shape_id: Node, value: Node) -> bool:
        """Whether `value` conforms to the shape (no result of any severity), memoised for the run."""
        key = (shape_id, value)
        hit = self._conforms.get(key)
        if hit is not None:
            return hit
        if shape_id in self._active:  # a cycle through sh:node: pySHACL lets it pass
            return True
        shape = self.shapes[shape_id]
        self._active.add(shape_id)
        try:
            ok = shape.deactivated or not self.evaluate(shape, value, first_only=True)
        finally:
            self._active.discard(shape_id)
        self._conforms[key] = ok
        return ok

    def evaluate(self, shape: Shape, focus: Node, first_only: bool = False) -> list[Result]:
        """All results of `shape` on `focus` (with `first_only`, stop at the first)."""
        if shape.deactivated:
            return []
        path = shape.path
        values = (focus,) if path is None else path.values(self.view, focus)
        out: list[Result] = []
        # with no value nodes only cardinality, hasValue and SPARQL constraints can fail
        for constraint in shape.constraints if values else shape.empty_constraints:
            for value, component, msg in constraint.check(self, focus, values):
                message = shape.message or shape.path_label + msg
                if component in ("Node", "Or") and shape.description and not shape.message:
                    message = f"{message}. {shape.description}"
                out.append(Result(focus, shape.path_text, value, shape.node, shape.severity, component, message))
            if first_only and out:
                return out
        if values:
            for prop in shape.properties:
                for value in values:
                    out.extend(self.evaluate(prop, value, first_only))
                    if first_only and out:
                        return out
        return out
