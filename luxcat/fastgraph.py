"""An rdflib Graph whose adds, removes and pattern lookups skip rdflib's per-triple context bookkeeping.

rdflib's Memory store keeps, besides its spo/pos/osp dicts, a set of triples per context and
dispatches an event per added triple; a lookup such as `graph.objects(s, p)` goes through three
generators and a context check per triple. That bookkeeping was over half of `luxcat validate`'s
process on 2,000 datasets and most of the mappers' graph work (issue 19). A FastGraph is an
ordinary Graph over an ordinary Memory store (serialisation, SPARQL, isomorphism all unchanged);
it only:
- answers `triples`/`objects`/`subjects` patterns straight from the store's dicts, in the same
  order as rdflib (same dicts, same iteration), when the store holds this graph alone;
- adds and removes triples (`add`, `remove`, `bulk_add`, `+=`) by updating those dicts and context
  sets directly, leaving the store in exactly the state rdflib's own calls would (tested).
Any other situation (a shared store, quoted or named contexts, listeners, property paths) takes
rdflib's own path.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.paths import Path
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
_TERMS = frozenset({URIRef, BNode, Literal})  # the usual terms: no abstract-class isinstance check needed


def _is_path(predicate: Any) -> bool:
    """A property path (rdflib's Path is an abstract class: the plain terms are ruled out first, cheaply)."""
    return predicate is not None and type(predicate) not in _TERMS and isinstance(predicate, Path)


def _memory(graph: Graph, adding: bool = False) -> Memory | None:
    """The graph's Memory store when it holds this graph alone, in the default layout; else None."""
    store = graph._Graph__store  # type: ignore[attr-defined] - the `store` property, without its call
    if type(store) is not Memory:
        return None
    contexts = store._Memory__all_contexts  # type: ignore[attr-defined]
    if contexts and (len(contexts) != 1 or next(iter(contexts)) is not graph):
        return None
    if store._Memory__tripleContexts:  # type: ignore[attr-defined] - some triple in a non-default context
        return None
    if adding and store.dispatcher._dispatch_map:  # someone listens to TripleAddedEvent
        return None
    return store


def _context_key(graph: Graph) -> str:
    """The key rdflib's Memory store files this graph's triples under (Memory.__ctx_to_str)."""
    identifier = graph._Graph__identifier  # type: ignore[attr-defined]
    known = graph.__dict__.get("_luxcat_context_key")
    if known is not None and known[0] is identifier:
        return known[1]  # type: ignore[no-any-return]
    key = f"{identifier.__class__.__name__}:{identifier}"
    graph.__dict__["_luxcat_context_key"] = (identifier, key)
    return key


def _default_contexts(store: Memory, key: str) -> bool | None:
    """True when the store's default context info is this graph's ({key: False, None: False}), None if unset."""
    previous = store._Memory__defaultContexts  # type: ignore[attr-defined]
    if previous is None:
        return None
    return len(previous) == 2 and previous.get(key, True) is False and previous.get(None, True) is False


def graph_triples(graph: Graph) -> Iterator[Triple]:
    """Every triple of `graph`, read from its store's dicts when possible (no per-triple generators)."""
    store = _memory(graph)
    if store is None:
        yield from graph
        return
    for s, po in store._Memory__spo.items():  # type: ignore[attr-defined]
        for p, os in po.items():
            for o in os:
                yield s, p, o


def bulk_add(graph: Graph, triples: Iterable[Triple]) -> Graph:
    """Add `triples` to `graph` as many `graph.add` calls would, without the per-triple overhead."""
    store = _memory(graph, adding=True)
    if store is None:
        graph.addN((s, p, o, graph) for s, p, o in triples)
        return graph
    key = _context_key(graph)
    previous = _default_contexts(store, key)
    if previous is False:
        graph.addN((s, p, o, graph) for s, p, o in triples)
        return graph
    by_context: dict[Any, set[Triple]] = store._Memory__contextTriples  # type: ignore[attr-defined]
    added = _fill(store, triples)
    if added:
        by_context[None].update(added)  # one by one, in order: the sets iterate as after one add each
        by_context.setdefault(key, set()).update(added)
        store._Memory__all_contexts.add(graph)  # type: ignore[attr-defined]
        store._Memory__context_obj_map[key] = graph  # type: ignore[attr-defined]
        if previous is None:
            store._Memory__defaultContexts = {key: False, None: False}  # type: ignore[attr-defined]
    return graph


def _fill(store: Memory, triples: Iterable[Triple]) -> list[Triple]:
    """Insert the triples into the store's spo/pos/osp dicts; returns those that were new, in order."""
    spo: dict[Any, Any] = store._Memory__spo  # type: ignore[attr-defined]
    pos: dict[Any, Any] = store._Memory__pos  # type: ignore[attr-defined]
    osp: dict[Any, Any] = store._Memory__osp  # type: ignore[attr-defined]
    added: list[Triple] = []
    keep = added.append
    for triple in triples:  # get-then-create and a length check: each dict hashes a term once (Literals in Python)
        s, p, o = triple
        po = spo.get(s)
        if po is None:
            po = spo[s] = {}
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        size = len(objects)
        objects[o] = 1
        if len(objects) == size:
            continue  # already there
        os = pos.get(p)
        if os is None:
            os = pos[p] = {}
        subjects = os.get(o)
        if subjects is None:
            subjects = os[o] = {}
        subjects[s] = 1
        sp = osp.get(o)
        if sp is None:
            sp = osp[o] = {}
        preds = sp.get(s)
        if preds is None:
            preds = sp[s] = {}
        preds[p] = 1
        keep(triple if type(triple) is tuple else (s, p, o))
    return added


def _by_subject(spo: dict[Any, Any], s: Node, p: Node | None, o: Node | None) -> Iterator[Triple]:
    """Memory.triples's subject-bound branch, in its order."""
    po = spo.get(s)
    if po is None:
        return
    for pred in (p,) if p is not None else tuple(po):
        objects = po.get(pred)
        if objects is None:
            continue
        if o is not None:
            if o in objects:
                yield s, pred, o
            continue
        for obj in tuple(objects):
            yield s, pred, obj


def _by_predicate(pos: dict[Any, Any], p: Node, o: Node | None) -> Iterator[Triple]:
    """Memory.triples's predicate-bound branch (subject unbound), in its order."""
    os = pos.get(p)
    if os is None:
        return
    for obj in (o,) if o is not None else tuple(os):
        subjects = os.get(obj)
        if subjects is not None:
            for subj in tuple(subjects):
                yield subj, p, obj


def _by_object(osp: dict[Any, Any], o: Node) -> Iterator[Triple]:
    """Memory.triples's object-only branch, in its order."""
    sp = osp.get(o)
    if sp is not None:
        for subj in tuple(sp):
            for pred in tuple(sp[subj]):
                yield subj, pred, o


class FastGraph(Graph):
    """A Graph (default Memory store) with dict-speed pattern lookups and bulk `+=`; see the module doc."""

    def add(self, triple: Triple) -> FastGraph:  # type: ignore[override]
        """Graph.add, with the store's dicts and context sets filled directly (no event, no context lookups)."""
        s, p, o = triple
        assert type(s) in _TERMS or isinstance(s, Node), f"Subject {s} must be an rdflib term"
        assert type(p) in _TERMS or isinstance(p, Node), f"Predicate {p} must be an rdflib term"
        assert type(o) in _TERMS or isinstance(o, Node), f"Object {o} must be an rdflib term"
        store = _memory(self, adding=True)
        key = _context_key(self)
        default = None if store is None else _default_contexts(store, key)
        if store is None or default is False:
            super().add(triple)
            return self
        po = store._Memory__spo.get(s)  # type: ignore[attr-defined]
        if po is None:
            po = store._Memory__spo[s] = {}  # type: ignore[attr-defined]
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        elif o in objects:
            return self
        objects[o] = 1
        store._Memory__pos.setdefault(p, {}).setdefault(o, {})[s] = 1  # type: ignore[attr-defined]
        store._Memory__osp.setdefault(o, {}).setdefault(s, {})[p] = 1  # type: ignore[attr-defined]
        by_context = store._Memory__contextTriples  # type: ignore[attr-defined]
        by_context[None].add(triple)
        mine = by_context.get(key)
        if mine is None:
            mine = by_context[key] = set()
        mine.add(triple)
        if default is None:
            store._Memory__all_contexts.add(self)  # type: ignore[attr-defined]
            store._Memory__context_obj_map[key] = self  # type: ignore[attr-defined]
            store._Memory__defaultContexts = {key: False, None: False}  # type: ignore[attr-defined]
        return self

    def remove(self, triple: Any) -> FastGraph:  # type: ignore[override]
        """Graph.remove; one whole triple is taken out of the dicts as Memory.remove would (empty dicts stay)."""
        s, p, o = triple
        store = None if s is None or p is None or o is None or _is_path(p) else _memory(self)
        if store is None:
            super().remove(triple)
            return self
        objects = store._Memory__spo.get(s, {}).get(p)  # type: ignore[attr-defined]
        if objects is not None and o in objects:
            del objects[o]
            del store._Memory__pos[p][o][s]  # type: ignore[attr-defined]
            del store._Memory__osp[o][s][p]  # type: ignore[attr-defined]
            store._Memory__contextTriples[None].discard((s, p, o))  # type: ignore[attr-defined]
        key = _context_key(self)
        by_context = store._Memory__contextTriples  # type: ignore[attr-defined]
        mine = by_context.get(key)
        if mine is not None:
            mine.discard((s, p, o))
            if not mine:
                del by_context[key]
        return self

    def __iadd__(self, other: Iterable[Triple]) -> FastGraph:  # type: ignore[override]
        bulk_add(self, graph_triples(other) if isinstance(other, Graph) else other)
        return self

    def triples(self, triple: Any) -> Generator[Any, None, None]:  # type: ignore[override]
        s, p, o = triple
        store = None if _is_path(p) else _memory(self)
        if store is None:
            yield from super().triples(triple)  # a property path or a shared store
        elif s is None and p is None and o is None:  # the whole graph, as Memory.triples gives it (same set, copied)
            yield from store._Memory__contextTriples.get(_context_key(self), set()).copy()  # type: ignore[attr-defined]
        elif s is not None:
            yield from _by_subject(store._Memory__spo, s, p, o)  # type: ignore[attr-defined]
        elif p is not None:
            yield from _by_predicate(store._Memory__pos, p, o)  # type: ignore[attr-defined]
        else:
            yield from _by_object(store._Memory__osp, o)  # type: ignore[attr-defined]

    def objects(self, subject: Any = None, predicate: Any = None, unique: bool = False) -> Generator[Any, None, None]:  # type: ignore[override]
        if subject is not None and predicate is not None and not unique and not _is_path(predicate):
            store = _memory(self)
            if store is not None:
                po = store._Memory__spo.get(subject)  # type: ignore[attr-defined]
                objects = po.get(predicate) if po else None
                if objects:
                    yield from tuple(objects)
                return
        yield from super().objects(subject, predicate, unique)

    def subjects(self, predicate: Any = None, object: Any = None, unique: bool = False) -> Generator[Any, None, None]:  # type: ignore[override]  # noqa: A002
        if predicate is not None and object is not None and not unique and not _is_path(predicate):
            store = _memory(self)
            if store is not None:
                os = store._Memory__pos.get(predicate)  # type: ignore[attr-defined]
                subjects = os.get(object) if os else None
                if subjects:
                    yield from tuple(subjects)
                return
        yield from super().subjects(predicate, object, unique)


class CachedNamespace(Namespace):
    """An rdflib Namespace whose terms are made once: `NS.name` costs ~2.6 us in rdflib, a dict hit here.

    The validators' policy and quality rules read `DCAT.distribution`, `DCT.license`... some 40 times
    per dataset; the URIRef made is the same each time, so it is kept on the instance.
    """

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term  # later lookups find it before __getattr__ is consulted
        return term

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        cache = self.__dict__.setdefault("_items", {})
        term = cache.get(key)
        if term is None:
            term = cache[key] = super().__getitem__(key)
        return term
