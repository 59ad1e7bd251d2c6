"""Test support: map the shared ISO corpus once and validate it with pySHACL in one call."""

from __future__ import annotations

import collections
import functools
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from luxcat.errors import RecordError
from luxcat.records import MappedRecord, RawRecord
from mappers.base import MapContext
from mappers.iso19139 import Iso19139Mapper
from mappers.vocabularies import vocabulary_graph

REPO = Path(__file__).resolve().parents[2]
ISO_DIR = REPO / "tests" / "data" / "iso19139"
SEMIC_DIR = ISO_DIR / "semic-iso-19139-to-dcat-ap-tests"
SHAPES_DIR = REPO / "validators" / "shapes" / "dcat-ap-3.0.0"
SHAPE_FILES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
BASE = "https://data.public.lu/luxcat/test/"
NOT_WELL_FORMED = frozenset({"ckanext-spatial/gemini2.1__error_bad_xml.xml"})


def context() -> MapContext:
    return MapContext(source_id="test", base_uri=BASE)


def iso_files() -> list[Path]:
    """Every XML file of the shared ISO folder that is meant to be well-formed."""
    return sorted(p for p in ISO_DIR.rglob("*.xml") if p.relative_to(ISO_DIR).as_posix() not in NOT_WELL_FORMED)


def raw_record(path: Path) -> RawRecord:
    return RawRecord("test", path.name, path.read_bytes(), "application/xml", path.resolve().as_uri())


@dataclass
class MappedCorpus:
    """Every record of the corpus: mapped ones, rejected ones (with reasons), files with no ISO record."""

    mapped: list[tuple[str, MappedRecord]] = field(default_factory=list)  # (file, record)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (file, record id, reason)
    not_iso: list[str] = field(default_factory=list)  # files that hold no ISO record (capabilities...)
    gaps: dict[int, set[str]] = field(default_factory=dict)  # index in mapped -> mandatory values the source lacks


SOURCE_GAP_PATHS = {
    "description": "http://purl.org/dc/terms/description",
    "modified": "http://purl.org/dc/terms/modified",
    "endpointURL": "http://www.w3.org/ns/dcat#endpointURL",
}


def source_gaps(payload: bytes) -> set[str]:
    """Mandatory DCAT-AP values the ISO record itself does not carry (no abstract, no usable dateStamp,
    a service without any http endpoint): the mapper leaves them out and validation reports them."""
    from lxml import etree

    from mappers.iso19139.rdf import date_literal

    ns = {"gmd": "http://www.isotc211.org/2005/gmd", "srv": "http://www.isotc211.org/2005/srv"}
    root = etree.fromstring(payload)
    gaps = set()
    abstract = "".join(root.xpath("gmd:identificationInfo/*/gmd:abstract//text()", namespaces=ns)).strip()
    if not abstract:
        gaps.add("description")
    stamp = "".join(root.xpath("gmd:dateStamp//text()", namespaces=ns)).strip()
    if not stamp or date_literal(stamp) is None:
        gaps.add("modified")
    urls = root.xpath(".//gmd:linkage/gmd:URL/text()", namespaces=ns)
    if not any(u.strip().startswith(("http://", "https://")) for u in urls):
        gaps.add("endpointURL")
    return gaps


@functools.cache
def mapped_corpus() -> MappedCorpus:
    mapper = Iso19139Mapper(context())
    corpus = MappedCorpus()
    for path in iso_files():
        name = path.relative_to(ISO_DIR).as_posix()
        try:
            records = list(mapper.split(raw_record(path)))
        except RecordError:
            corpus.not_iso.append(name)
            continue
        for raw in records:
            try:
                for m in mapper.map(raw):
                    corpus.gaps[len(corpus.mapped)] = source_gaps(raw.payload)
                    corpus.mapped.append((name, m))
            except RecordError as exc:
                corpus.rejected.append((name, raw.record_id, exc.reason))
    return corpus


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    value: str
    message: str


def _isolate(graph: Graph, subject: URIRef, copy: int) -> tuple[Graph, URIRef]:
    """Rename a record's own URIs (minted ones and its subject) so that repeated records of the corpus
    (the same fileIdentifier in several CSW responses, the SEMIC cases sharing one dataset URI) do
    not merge into one over-full node of the union graph."""
    if copy == 1:
        return graph, subject

    def rename(term: Node) -> Node:
        if isinstance(term, URIRef) and (term == subject or str(term).startswith(BASE)):
            return URIRef(f"{term}-copy{copy}")
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))
    return out, URIRef(f"{subject}-copy{copy}")


@functools.cache
def corpus_validation() -> dict[int, list[Violation]]:
    """Violations per index of mapped_corpus().mapped; key -1 collects those on no record's node."""
    corpus = mapped_corpus()
    union = Graph()
    owner: dict[Node, int] = {}
    seen: collections.Counter[str] = collections.Counter()
    for index, (_, record) in enumerate(corpus.mapped):
        seen[str(record.subject)] += 1
        seen["id:" + record.record_id] += 1
        copy = max(seen[str(record.subject)], seen["id:" + record.record_id])
        graph, _ = _isolate(record.graph, record.subject, copy)
        for s, _, _ in graph:
            owner.setdefault(s, index)
        union += graph
    union += vocabulary_graph()
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(SHAPES_DIR / name, format="turtle")
    _, report, _ = validate(union, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    out: dict[int, list[Violation]] = collections.defaultdict(list)
    for top in report.subjects(SH.conforms, None):
        for result in report.objects(top, SH.result):
            if report.value(result, SH.resultSeverity) != SH.Violation:
                continue
            focus = report.value(result, SH.focusNode)
            out[owner.get(focus, -1)].append(
                Violation(
                    str(focus),
                    str(report.value(result, SH.resultPath)),
                    str(report.value(result, SH.value)),
                    str(report.value(result, SH.resultMessage)),
                )
            )
    return out
