"""A dictionary snapshot of a graph (subject -> predicate -> objects), for fast repeated SHACL lookups.

rdflib's `Graph.objects()` costs several microseconds a call (generators, context handling); a SHACL
run makes hundreds of lookups per dataset. Indexing the graph once into plain dicts costs about one
pass over the triples and makes every later lookup a dict access. Predicates are keyed by plain
`str` (rdflib terms compare in Python code, plain strings in C). The vocabulary graph's index is
built once per process; the data graph's once per validation run. `View` joins the two without
copying the vocabularies into the data (which costs ~0.6 s per dataset in pySHACL set-ups).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

EMPTY: tuple[Node, ...] = ()
RDF_TYPE = str(RDF.type)
SUBCLASS_OF = str(RDFS.subClassOf)

Forward = dict[Node, dict[str, tuple[Node, ...]]]
Inverse = dict[Node, dict[str, tuple[Node, ...]]]


def _raw_indexes(graph: Graph) -> tuple[dict, dict, dict] | None:  # type: ignore[type-arg]
    """rdflib Memory store's spo/pos/osp dicts, when the store holds exactly this graph's triples."""
    store = graph.store
    if type(store) is not Memory or len(store) != len(graph):
        return None
    return store._Memory__spo, store._Memory__pos, store._Memory__osp  # type: ignore[attr-defined]


def _generic_indexes(graph: Graph, inverse: set[str]) -> tuple[Forward, Inverse, set[Node]]:
    """The index dicts built by iterating the triples (any store)."""
    spo: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    ops: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    objects: set[Node] = set()
    for s, p, o in graph:
        key = str(p)
        spo[s][key].append(o)
        if not isinstance(o, Literal):
            objects.add(o)
        if key in inverse:
            ops[o][key].append(s)
    return (
        {s: {p: tuple(v) for p, v in po.items()} for s, po in spo.items()},
        {o: {p: tuple(v) for p, v in ps.items()} for o, ps in ops.items()},
        objects,
    )


class Index:
    """Forward index of one graph, plus inverse lookups for the predicates asked for."""

    __slots__ = ("spo", "ops", "types", "_objects")

    def __init__(self, graph: Graph, inverse: Iterable[str] = ()) -> None:
        inverse_set = {str(p) for p in inverse} | {RDF_TYPE, SUBCLASS_OF}
        raw = _raw_indexes(graph)
        if raw is not None:  # rdflib's own Memory store dicts: no per-triple generator overhead
            spo_raw, pos_raw, osp_raw = raw
            names: dict[Node, str] = {}  # one str per predicate object, not one per triple
            self.spo: Forward = {
                s: {names.get(p) or names.setdefault(p, str(p)): tuple(os) for p, os in po.items()}
                for s, po in spo_raw.items()
            }
            ops: dict[Node, dict[str, tuple[Node, ...]]] = defaultdict(dict)
            for p, by_object in pos_raw.items():
                key = str(p)
                if key in inverse_set:
                    for o, subjects in by_object.items():
                        ops[o][key] = tuple(subjects)
            self.ops: Inverse = dict(ops)
            self._objects: dict[Node, object] | set[Node] = osp_raw
        else:
            self.spo, self.ops, self._objects = _generic_indexes(graph, inverse_set)
        self.types: dict[Node, set[Node]] = defaultdict(set)
        for cls, preds in self.ops.items():
            self.types[cls].update(preds.get(RDF_TYPE, EMPTY))

    def mentions(self, node: Node) -> bool:
        """Whether the graph has `node` as a subject or an object."""
        return node in self.spo or node in self._objects

    def objects(self, s: Node, p: str) -> tuple[Node, ...]:
        po = self.spo.get(s)
        return po.get(p, EMPTY) if po else EMPTY

    def subjects(self, p: str, o: Node) -> tuple[Node, ...]:
        ps = self.ops.get(o)
        return ps.get(p, EMPTY) if ps else EMPTY


@cache
def _shared(graph: Graph, inverse: frozenset[str]) -> Index:
    return Index(graph, inverse)


def shared_index(graph: Graph, inverse: frozenset[str]) -> Index:
    """The index of a long-lived graph (the vocabularies), built once per process and graph."""
    return _shared(graph, inverse)


def _closure(start: Node, step: Callable[[Node], tuple[Node, ...]]) -> frozenset[Node]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


class View:
    """Union of a data index and a shared vocabulary index, with class-hierarchy helpers memoised."""

    __slots__ = ("data", "vocab", "_super", "_sub")

    def __init__(self, data: Index, vocab: Index | None) -> None:
        self.data = data
        self.vocab = vocab
        self._super: dict[Node, frozenset[Node]] = {}
        self._sub: dict[Node, frozenset[Node]] = {}

    def objects(self, s: Node, p: str) -> tuple[Node, ...]:
        po = self.data.spo.get(s)
        found = po.get(p, EMPTY) if po else EMPTY
        if self.vocab is None:
            return found
        po = self.vocab.spo.get(s)
        more = po.get(p, EMPTY) if po else EMPTY
        if not more:
            return found
        if not found:
            return more
        return tuple(dict.fromkeys(found + more))

    def subjects(self, p: str, o: Node) -> tuple[Node, ...]:
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
            hit = self._super[cls] = _closure(cls, lambda c: self.objects(c, SUBCLASS_OF))
        return hit

    def subclasses(self, cls: Node) -> frozenset[Node]:
        """`cls` and everything that is (transitively) an rdfs:subClassOf it."""
        hit = self._sub.get(cls)
        if hit is None:
            hit = self._sub[cls] = _closure(cls, lambda c: self.subjects(SUBCLASS_OF, c))
        return hit

    def is_instance(self, node: Node, cls: Node) -> bool:
        """SHACL instance test: some rdf:type of `node` is `cls` or a subclass of it."""
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF_TYPE))

    def instances(self, cls: Node) -> set[Node]:
        """Every node typed with `cls` or one of its subclasses, in data or vocabularies."""
        found: set[Node] = set()
        for sub in self.subclasses(cls):
            found |= self.data.types.get(sub, set())
            if self.vocab is not None:
                found |= self.vocab.types.get(sub, set())
        return found
