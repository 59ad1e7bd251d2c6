"""RDF side of the ISO 19139 mapper: pre-made terms and a small per-record graph writer."""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import date
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from mappers.iso19139.xml import Texts


class _Terms:
    """A namespace whose terms are plain attributes once used (rdflib's DefinedNamespace looks each
    access up again, a measurable cost at ~90 triples per record)."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = URIRef(self._base + name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self.__getattr__(name)


ADMS = _Terms("http://www.w3.org/ns/adms#")
DCAT = _Terms("http://www.w3.org/ns/dcat#")  # DCAT 3 terms (DatasetSeries...) included
DCATAP = _Terms("http://data.europa.eu/r5r/")
DCTERMS = _Terms("http://purl.org/dc/terms/")
DQV = _Terms("http://www.w3.org/ns/dqv#")
FOAF = _Terms("http://xmlns.com/foaf/0.1/")
GEODCAT = _Terms("http://data.europa.eu/930/")
GSP = _Terms("http://www.opengis.net/ont/geosparql#")
LOCN = _Terms("http://www.w3.org/ns/locn#")
PROV = _Terms("http://www.w3.org/ns/prov#")
RDF = _Terms("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = _Terms("http://www.w3.org/2000/01/rdf-schema#")
SKOS = _Terms("http://www.w3.org/2004/02/skos/core#")
VCARD = _Terms("http://www.w3.org/2006/vcard/ns#")
XSD = _Terms("http://www.w3.org/2001/XMLSchema#")
DATASET_SERIES = DCAT.DatasetSeries
ELI_LEGAL_RESOURCE = URIRef("http://data.europa.eu/eli/ontology#LegalResource")
WKT = GSP.wktLiteral
TYPE = RDF.type

__all__ = [
    "ADMS", "DATASET_SERIES", "DCAT", "DCATAP", "DCTERMS", "DQV", "ELI_LEGAL_RESOURCE", "FOAF", "GEODCAT", "LOCN",
    "PROV", "RDF", "RDFS", "SKOS", "TYPE", "VCARD", "WKT", "XSD", "GraphWriter", "date_literal", "is_http_uri",
    "literal", "mint",
]  # fmt: skip

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_HTTP_URI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def is_http_uri(text: str) -> bool:
    """True for an absolute http(s) URI that can be written as an IRI as is."""
    return bool(_HTTP_URI.match(text))


def mint(base: str, *parts: str) -> URIRef:
    """A URI under the source's base, stable for the same parts (record ids are percent-encoded)."""
    return URIRef(base + "/".join(quote(p, safe="-._~") for p in parts))


def short_hash(*parts: str) -> str:
    """12 hex digits identifying some values (URL, protocol...) inside one record."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


def _day(text: str) -> Literal | None:
    """xsd:date for a real calendar day; "2009-00-00" / "2009-05-00" mean a year / a month."""
    year, month, day = text.split("-")
    if month == "00":
        return Literal(year, datatype=XSD.gYear)
    if day == "00":
        return Literal(f"{year}-{month}", datatype=XSD.gYearMonth)
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return Literal(text, datatype=XSD.date)


@functools.lru_cache(maxsize=8192)
def date_literal(text: str) -> Literal | None:
    """xsd:date / xsd:dateTime / xsd:gYearMonth / xsd:gYear literal for an ISO date, or None."""
    text = text.strip()
    if _DATE.match(text):
        return _day(text)
    match = _DATETIME.match(text)
    if match:
        day, hm, seconds, _, zone = match.groups()
        checked = _day(day)
        if checked is None or checked.datatype != XSD.date:
            return checked
        if hm == "00:00" and not seconds and not zone:
            return checked
        if int(hm[:2]) > 23 or int(hm[3:]) > 59:
            return checked
        return Literal(f"{day}T{hm}{seconds or ':00'}{(zone or '')}", datatype=XSD.dateTime)
    if _YEAR_MONTH.match(text):
        return Literal(text, datatype=XSD.gYearMonth)
    if _YEAR.match(text):
        return Literal(text, datatype=XSD.gYear)
    return None


_LITERALS: dict[tuple[str, str | None], Literal] = {}
_LITERALS_MAX = 50_000
_CHECKED_TAGS: set[str] = set()
_new_str = str.__new__


def plain_literal(text: str, lang: str | None = None) -> Literal:
    """The Literal rdflib builds for a plain or language-tagged string, ~10x faster.

    rdflib's Literal.__new__ casts a plain string through its datatype machinery only to keep it as
    is (value = lexical form, no datatype); tests compare every slot with rdflib's own result.
    """
    if lang == "":
        lang = None
    if lang is not None and lang not in _CHECKED_TAGS:
        Literal("", lang=lang)  # raises ValueError for an invalid tag, as Literal() would
        _CHECKED_TAGS.add(lang)
    inst = _new_str(Literal, text)
    inst._language = lang
    inst._datatype = None
    inst._value = text
    inst._ill_typed = None
    return inst


def literal(text: str, lang: str | None = None) -> Literal:
    """A (language-tagged) string literal; literals are immutable, and catalogues repeat theirs
    (organisation names, keywords, licence texts), so instances are shared (bounded memo)."""
    key = (text, lang)
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= _LITERALS_MAX:
            _LITERALS.clear()
        found = _LITERALS[key] = plain_literal(text, lang)
    return found


class GraphWriter:
    """One record's graph, with blank nodes named from the subject so that output is reproducible.

    Triples are collected first and indexed into the store once, at the end (`graph`): filling
    SimpleMemory's three indexes directly costs half of calling its add() per triple, whose
    try/except KeyError pays for an exception on every new subject, predicate or object.
    """

    __slots__ = ("_triples", "add", "_seed", "_count", "_graph")

    def __init__(self, seed: str) -> None:
        self._triples: list[tuple[Node, URIRef, Node]] = []
        self.add = self._triples.append  # duplicates collapse in the store's indexes
        self._seed = "n" + hashlib.sha1(seed.encode()).hexdigest()[:10]
        self._count = 0
        self._graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """The record's graph (built on first access; later adds are not allowed)."""
        if self._graph is None:
            self._graph = _memory_graph(self._triples)
            self.add = _closed
        return self._graph

    def bnode(self) -> BNode:
        self._count += 1
        return BNode(f"{self._seed}x{self._count}")

    def texts(self, subject: URIRef | BNode, predicate: URIRef, texts: Texts) -> None:
        """Add one literal per language version."""
        for text, lang in texts:
            self.add((subject, predicate, literal(text, lang)))

    def typed(self, uri: str, rdf_type: URIRef) -> URIRef:
        """The URI as a term, declared with the class DCAT-AP range shapes expect."""
        term = URIRef(uri)
        self.add((term, TYPE, rdf_type))
        return term


def _closed(triple: tuple[Node, URIRef, Node]) -> None:
    raise RuntimeError("GraphWriter: graph already built, no more triples can be added")


def _memory_graph(triples: list[tuple[Node, URIRef, Node]]) -> Graph:
    """A Graph on a SimpleMemory store holding the triples, its indexes filled in one pass.

    Writes the store's private indexes (spo, pos, osp: the only state SimpleMemory.add touches in
    rdflib 7); test_iso19139_rdf checks the result against Graph.add for the same triples.
    """
    store = SimpleMemory()
    graph = Graph(store=store)  # SimpleMemory: no context bookkeeping, ~2.5x faster than the default
    spo = store._SimpleMemory__spo  # type: ignore[attr-defined]
    pos = store._SimpleMemory__pos  # type: ignore[attr-defined]
    osp = store._SimpleMemory__osp  # type: ignore[attr-defined]
    for s, p, o in triples:
        spo.setdefault(s, {}).setdefault(p, {})[o] = 1
        pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        osp.setdefault(o, {}).setdefault(s, {})[p] = 1
    return graph
