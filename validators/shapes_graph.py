"""Loading SHACL shape files into one graph: stable names for anonymous shapes, dangling references pruned.

Two traps of the published files are handled here, for luxcat's engine and pySHACL alike:
- anonymous property shapes (`sh:property [ ... ]`) would get a new blank-node id on every parse, so
  a report could not name the shape that failed; they are renamed `<parent shape>/<path>` (skolemised)
  deterministically;
- DCAT-AP 3.0.1's consolidated `dcat-ap-SHACL.ttl` points (`sh:property`) at shapes it never defines
  and pySHACL aborts on them; a reference to a shape that has no triples at all is removed with a
  warning (it constrains nothing), so the rest of the file still validates.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

log = logging.getLogger(__name__)

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_DIR = Path(__file__).resolve().parent / "shapes"

# Predicates whose objects are shapes, and those whose objects are lists of shapes.
SHAPE_REFS = (SH.property, SH.node, SH["not"])
SHAPE_LIST_REFS = (SH["or"], SH["and"], SH.xone)


def _as_warnings(graph: Graph) -> Graph:
    """Every shape of `graph` reports at most a Warning (for recommended-property shapes)."""
    shapes = (
        set(graph.subjects(SH.path)) | set(graph.subjects(None, SH.NodeShape)) | set(graph.subjects(SH.targetClass))
    )
    for shape in shapes:
        graph.set((shape, SH.severity, SH.Warning))
    return graph


def load_shapes(files: Iterable[Path | str], warning_files: Iterable[Path | str] = ()) -> Graph:
    """Parse the shape files into one graph, skolemise anonymous shapes and prune dangling references.

    Shapes from `warning_files` are downgraded to sh:Warning (recommendations must not block publishing).
    """
    graph = Graph()
    for file in files:
        path = Path(file)
        graph.parse(path, format="json-ld" if path.suffix == ".jsonld" else "turtle")
    for file in warning_files:
        graph += _as_warnings(Graph().parse(Path(file), format="turtle"))
    pruned = prune_dangling(graph)
    if pruned:
        log.warning("ignored %d references to undefined shapes (e.g. %s)", len(pruned), pruned[0])
    skolemise(graph)
    return graph


def _is_defined(graph: Graph, shape: Node) -> bool:
    return next(iter(graph.predicate_objects(shape)), None) is not None


def prune_dangling(graph: Graph) -> list[str]:
    """Remove `sh:property`/`sh:node` links to shapes without any triple; return their names."""
    pruned: list[str] = []
    for pred in SHAPE_REFS:
        for subj, obj in list(graph.subject_objects(pred)):
            if not _is_defined(graph, obj):
                graph.remove((subj, pred, obj))
                pruned.append(str(obj))
    for pred in SHAPE_LIST_REFS:
        for subj, head in list(graph.subject_objects(pred)):
            items = list(graph.items(head))
            kept = [item for item in items if _is_defined(graph, item)]
            if len(kept) != len(items):
                pruned.extend(str(i) for i in items if i not in kept)
                Collection(graph, head).clear()
                new_head = BNode()
                Collection(graph, new_head, kept)
                graph.remove((subj, pred, head))
                graph.add((subj, pred, new_head))
    return pruned


def _signature(graph: Graph, node: Node) -> str:
    """Content of a shape as a sortable string (blank-node objects elided), to order siblings stably."""
    parts = sorted(f"{p} {'_' if isinstance(o, BNode) else o.n3()}" for p, o in graph.predicate_objects(node))
    return "\n".join(parts)


def _label(graph: Graph, node: Node, pred: URIRef) -> str:
    path = graph.value(node, SH.path)
    if isinstance(path, URIRef):
        return graph.namespace_manager.normalizeUri(path).strip("<>")
    if isinstance(path, BNode) and (inv := graph.value(path, SH.inversePath)) is not None:
        return "inverse-" + graph.namespace_manager.normalizeUri(inv).strip("<>")
    return pred.split("#")[-1]


def _children(graph: Graph, node: Node) -> list[tuple[URIRef, Node]]:
    found: list[tuple[URIRef, Node]] = []
    for pred in SHAPE_REFS:
        found.extend((pred, o) for o in graph.objects(node, pred) if isinstance(o, BNode))
    for pred in SHAPE_LIST_REFS:
        for head in graph.objects(node, pred):
            found.extend((pred, o) for o in graph.items(head) if isinstance(o, BNode))
    return found


def _rename(graph: Graph, old: BNode, new: URIRef) -> None:
    for p, o in list(graph.predicate_objects(old)):
        graph.remove((old, p, o))
        graph.add((new, p, o))
    for s, p in list(graph.subject_predicates(old)):
        graph.remove((s, p, old))
        graph.add((s, p, new))


def skolemise(graph: Graph) -> None:
    """Give every anonymous shape reachable from a named shape a stable IRI `<parent>/<label>`."""
    roots = [s for s in set(graph.subjects()) if isinstance(s, URIRef)]
    anonymous_roots = [
        s for s in set(graph.subjects(SH.targetClass)) | set(graph.subjects(SH.targetNode)) if isinstance(s, BNode)
    ]
    for bnode in sorted(anonymous_roots, key=lambda n: _signature(graph, n)):
        digest = hashlib.sha1(_signature(graph, bnode).encode()).hexdigest()[:12]
        name = URIRef(f"urn:luxcat:shape:{digest}")
        _rename(graph, bnode, name)
        roots.append(name)
    queue = sorted(roots)
    while queue:
        parent = queue.pop()
        taken: dict[str, int] = {}
        kids = sorted(_children(graph, parent), key=lambda pc: (str(pc[0]), _signature(graph, pc[1])))
        for pred, child in kids:
            label = _label(graph, child, pred)
            taken[label] = taken.get(label, 0) + 1
            suffix = "" if taken[label] == 1 else f"~{taken[label]}"
            name = URIRef(f"{parent}/{label}{suffix}")
            _rename(graph, child, name)
            queue.append(name)
