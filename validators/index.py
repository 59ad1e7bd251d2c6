"""A dictionary snapshot of a graph (subject -> predicate -> objects), for fast repeated SHACL lookups.

rdflib's `Graph.objects()` costs several microseconds a call (generators, context handling); a SHACL
run makes hundreds of lookups per dataset. Indexing the graph once into plain dicts costs about one
pass over the triples and makes every later lookup a dict access. The vocabulary graph's index is
built once per process; the data graph's once per validation run. `View` joins the two without
copying the vocabularies into the data (which costs ~0.6 s per dataset in pySHACL set-ups).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

EMPTY: tuple[Node, ...] = ()


class Index:
    """Forward index of one graph, plus inverse lookups for the predicates asked for."""

    __slots__ = ("spo", "ops", "types", "nodes")

    def __init__(self, graph: Graph, inverse: Iterable[URIRef] = ()) -> None:
        inverse_set = set(inverse) | {RDF.type, RDFS.subClassOf}
        spo: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        ops: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        nodes: set[Node] = set()
        for s, p, o in graph:
            spo[s][p].append(o)
            nodes.add(s)
            if not isinstance(o, Literal):
                nodes.add(o)
            if p in inverse_set:
                ops[o][p].append(s)
        self.spo = {s: {p: tuple(v) for p, v in po.items()} for s, po in spo.items()}
        self.ops = {o: {p: tuple(v) for p, v in ps.items()} for o, ps in ops.items()}
        self.nodes = nodes
        self.types: dict[Node, set[Node]] = defaultdict(set)
        for cls, preds in self.ops.items():
            for s in preds.get(RDF.type, EMPTY):
                self.types[cls].add(s)

    def objects(self, s: Node, p: Node) -> tuple[Node, ...]:
        po = self.spo.get(s)
        return po.get(p, EMPTY) if po else EMPTY

    def subjects(self, p: Node, o: Node) -> tuple[Node, ...]:
        ps = self.ops.get(o)
        return ps.get(p, EMPTY) if ps else EMPTY


@cache
def _vocabulary_index(graph: Graph, inverse: frozenset[URIRef]) -> Index:
    return Index(graph, inverse)


def shared_index(graph: Graph, inverse: frozenset[URIRef]) -> Index:
    """The index of a long-lived graph (the vocabularies), built once per process and graph."""
    return _vocabulary_index(graph, inverse)


class View:
    """Union of a data index and a shared vocabulary index, with class-hierarchy helpers memoised."""

    __slots__ = ("data", "vocab", "_super", "_sub")

    def __init__(self, data: Index, vocab: Index | None) -> None:
        self.data = data
        self.vocab = vocab
        self._super: dict[Node, frozenset[Node]] = {}
        self._sub: dict[Node, frozenset[Node]] = {}

    def objects(self, s: Node, p: Node) -> tuple[Node, ...]:
        found = self.data.objects(s, p)
        if self.vocab is None:
            return found
        more = self.vocab.objects(s, p)
        if not more:
            return found
        if not found:
            return more
        return tuple(dict.fromkeys(found + more))

    def subjects(self, p: Node, o: Node) -> tuple[Node, ...]:
        found = self.data.subjects(p, o)
        if self.vocab is None:
            return found
        more = self.vocab.subjects(p, o)
        if not more:
            return found
        if not found:
            return more
        return tuple(dict.fromkeys(found + more))

    def superclasses(self, cls: Node) -> frozenset[Node]:
        """`cls` and everything it is (transitively) an rdfs:subClassOf."""
        hit = self._super.get(cls)
        if hit is None:
            hit = frozenset(self._closure(cls, lambda c: self.objects(c, RDFS.subClassOf)))
            self._super[cls] = hit
        return hit

    def subclasses(self, cls: Node) -> frozenset[Node]:
        """`cls` and everything that is (transitively) an rdfs:subClassOf it."""
        hit = self._sub.get(cls)
        if hit is None:
            hit = frozenset(self._closure(cls, lambda c: self.subjects(RDFS.subClassOf, c)))
            self._sub[cls] = hit
        return hit

    @staticmethod
    def _closure(start: Node, step: object) -> set[Node]:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in step(todo.pop()):  # type: ignore[operator]
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def is_instance(self, node: Node, cls: Node) -> bool:
        """SHACL instance test: some rdf:type of `node` is `cls` or a subclass of it."""
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF.type))

    def instances(self, cls: Node) -> set[Node]:
        """Every node typed with `cls` or one of its subclasses, in data or vocabularies."""
        found: set[Node] = set()
        for sub in self.subclasses(cls):
            found |= self.data.types.get(sub, set())
            if self.vocab is not None:
                found |= self.vocab.types.get(sub, set())
        return found
