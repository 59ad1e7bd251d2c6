"""What the indicators need to know about each dataset of the served catalogue, read from the export itself.

The served version's `datasets.jsonl` gives each dataset's byte range in its page's N-Triples file (the
merged triples, as published), so one sequential pass over the pages' N-Triples yields every dataset's
facts without rdflib graphs: 100,000 datasets stay a few hundred bytes each. Validation outcomes
(SHACL conformance, MQA score) come from the state store, from the record that won the merge.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from publishers.catalogue.storage import ExportTarget, FolderTarget, S3Target
from publishers.indicators.vocab import file_type_code, frequency_days, licence_class, theme_table
from publishers.serialise import RDF_TYPE, iri_value, literal_parts

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
R5R = "http://data.europa.eu/r5r/"
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"

P = {name: f"<{uri}>" for name, uri in {
    "title": DCT + "title", "description": DCT + "description", "publisher": DCT + "publisher",
    "license": DCT + "license", "distribution": DCAT + "distribution", "theme": DCAT + "theme",
    "hvd": R5R + "hvdCategory", "legislation": R5R + "applicableLegislation", "format": DCT + "format",
    "media": DCAT + "mediaType", "download": DCAT + "downloadURL", "access_service": DCAT + "accessService",
    "serves": DCAT + "servesDataset", "frequency": DCT + "accrualPeriodicity", "modified": DCT + "modified",
    "name": FOAF + "name", "contact": DCAT + "contactPoint", "keyword": DCAT + "keyword",
    "spatial": DCT + "spatial", "temporal": DCT + "temporal", "provenance": DCT + "provenance",
}.items()}  # fmt: skip
DATA_SERVICE = f"<{DCAT}DataService>"
WANTED = frozenset(term.encode("utf-8") for term in (*P.values(), RDF_TYPE))
_WANTED_LINE = re.compile(
    rb"^(\S+) (" + b"|".join(re.escape(term) for term in sorted(WANTED)) + rb") (.*) \.\r?$", re.MULTILINE
)
# DCAT-AP 3.0.0's recommended properties of dcat:Dataset.
RECOMMENDED = ("contact", "distribution", "keyword", "publisher", "spatial", "temporal", "theme")
LANGS = ("fr", "de", "en")
NO_THEMES: frozenset[str] = frozenset()
# mappers.licensing marks a licence the source default supplied with this dct:provenance (issue 18).
SOURCE_DEFAULT = "<https://data.public.lu/luxcat/def/licence-origin/source-default>"


@dataclass(slots=True)
class DatasetFacts:
    """One dataset as the indicators see it."""

    uri: str
    sources: tuple[str, ...]
    records: tuple[tuple[str, str], ...]
    publisher_id: str = "none"
    publisher_name: str = ""
    themes: frozenset[str] = frozenset()
    hvd: tuple[str, ...] = ()
    legislation: bool = False
    licences: tuple[str, ...] = ()  # licence classes (vocab.licence_class) of every licence stated
    licence_origin: str = "none"  # stated | source-default | none (mappers.licensing.licence_origin's rule)
    distributions: int = 0
    machine_readable: int = 0
    non_proprietary: int = 0
    download: bool = False
    api: bool = False
    period_days: int | None = None
    modified: date | None = None
    title_languages: int = 0  # how many of fr/de/en the title is in
    description_languages: int = 0
    lb: bool = False  # a title or description in Luxembourgish
    recommended: bool = False
    conforms: bool | None = None
    score: int | None = None
    finding_count: int = 0  # Violations and Warnings of its validation


def _by_subject(triples: list[tuple[str, str, str]]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples:
        out.setdefault(s, {}).setdefault(p, []).append(o)
    return out


def _value(term: str) -> str:
    return iri_value(term) if term.startswith("<") else literal_parts(term)[0] if term.startswith('"') else term


def _date(term: str) -> date | None:
    if not term.startswith('"'):
        return None
    text = literal_parts(term)[0].strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _langs(terms: list[str]) -> frozenset[str]:
    out = set()
    for term in terms:
        if term.startswith('"'):
            lang = literal_parts(term)[1]
            if lang:
                out.add(lang.split("-")[0].lower())
    return frozenset(out)


def _publisher(graph: dict[str, dict[str, list[str]]], node: str | None) -> tuple[str, str]:
    """(scope id, display name) of a dct:publisher node: its IRI, else its name."""
    if node is None:
        return "none", ""
    names = graph.get(node, {}).get(P["name"], [])
    by_lang = {(literal_parts(n)[1] or ""): literal_parts(n)[0] for n in names if n.startswith('"')}
    name = next((by_lang[lang] for lang in ("fr", "en", "de", "") if lang in by_lang), next(iter(by_lang.values()), ""))
    if node.startswith("<"):
        return iri_value(node), name or iri_value(node)
    if name:
        return "name:" + " ".join(name.lower().split()), name
    return "none", ""


def _distribution(facts: DatasetFacts, props: dict[str, list[str]]) -> None:
    facts.distributions += 1
    codes = {file_type_code(_value(t)) for t in props.get(P["format"], []) + props.get(P["media"], [])}
    codes.discard(None)
    if any(c in _flags()[0] for c in codes):
        facts.machine_readable += 1
    if any(c in _flags()[1] for c in codes):
        facts.non_proprietary += 1
    if props.get(P["download"]):
        facts.download = True
    if props.get(P["access_service"]):
        facts.api = True


def _flags() -> tuple[frozenset[str], frozenset[str]]:
    from mappers.vocabularies.format_flags import machine_readable_codes, non_proprietary_codes

    return machine_readable_codes(), non_proprietary_codes()


def dataset_facts(line: Line, triples: list[tuple[str, str, str]]) -> DatasetFacts:
    """Facts of one exported dataset from its chunk of the N-Triples dump."""
    graph = _by_subject(triples)
    node = f"<{line.uri}>"
    props = graph.get(node, {})
    facts = DatasetFacts(uri=line.uri, sources=line.sets, records=line.records)
    publisher = props.get(P["publisher"], [None])[0]
    pid, name = _publisher(graph, publisher)
    facts.publisher_id, facts.publisher_name = sys.intern(pid), sys.intern(name)
    table = theme_table()
    concepts = [_value(t) for t in props.get(P["theme"], []) + props.get(P["hvd"], [])]
    themes = {table[c] for c in concepts if c in table}
    facts.themes = frozenset(themes) if themes else NO_THEMES
    facts.hvd = tuple(sorted({_value(t) for t in props.get(P["hvd"], []) if t.startswith("<")}))
    licences = list(props.get(P["license"], []))
    for dist in props.get(P["distribution"], []):
        dprops = graph.get(dist, {})
        _distribution(facts, dprops)
        licences += dprops.get(P["license"], [])
        facts.legislation |= any(_value(t) == HVD_LEGISLATION for t in dprops.get(P["legislation"], []))
    facts.legislation |= any(_value(t) == HVD_LEGISLATION for t in props.get(P["legislation"], []))
    # a licence given as a blank node (a described LicenseDocument without IRI) is not a recognised licence
    facts.licences = tuple(
        sorted({licence_class(iri_value(t)) if t.startswith("<") else "unrecognised" for t in licences})
    )
    if SOURCE_DEFAULT in props.get(P["provenance"], []):
        facts.licence_origin = "source-default"
    elif facts.licences:
        facts.licence_origin = "stated"
    frequency = props.get(P["frequency"], [None])[0]
    facts.period_days = frequency_days(_value(frequency)) if frequency else None
    modified = [d for d in (_date(t) for t in props.get(P["modified"], [])) if d]
    facts.modified = max(modified) if modified else None
    titled, described = _langs(props.get(P["title"], [])), _langs(props.get(P["description"], []))
    facts.title_languages = sum(lang in titled for lang in LANGS)
    facts.description_languages = sum(lang in described for lang in LANGS)
    facts.lb = "lb" in titled or "lb" in described
    facts.recommended = all(props.get(P[name]) for name in RECOMMENDED)
    return facts


def served_by(line: Line, triples: list[tuple[str, str, str]]) -> list[str]:
    """Dataset URIs a data service entry serves (dcat:servesDataset): those datasets have an API."""
    node = f"<{line.uri}>"
    return [iri_value(o) for s, p, o in triples if s == node and p == P["serves"] and o.startswith("<")]


class Line(NamedTuple):
    """What the indicators keep of one datasets.jsonl line (compact: 100,000 of them stay in memory)."""

    file: str  # the N-Triples file holding the dataset: its page (catalogue.nt in versions before hash pages)
    offset: int
    length: int
    uri: str
    kind: str
    sets: tuple[str, ...]
    records: tuple[tuple[str, str], ...]  # the first (strongest) record only


def live_lines(target: ExportTarget, pointer: dict[str, Any]) -> list[Line]:
    """The served version's live datasets.jsonl lines, in dump order."""
    data = target.read(f"versions/{pointer['version']}/datasets.jsonl")
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    shared_files: dict[str, str] = {}
    out = []
    for text in data.splitlines():
        if not text.strip():
            continue
        x = json.loads(text)
        if x.get("deleted"):
            continue
        sets = tuple(x.get("sets", ()))
        records = tuple((sys.intern(r[0]), r[1]) for r in x.get("records", ())[:1])
        file = x.get("file", "catalogue.nt")
        out.append(Line(shared_files.setdefault(file, file), x["offset"], x["length"], x["uri"],
                        sys.intern(x.get("kind", "dataset")),
                        shared.setdefault(sets, sets), records))  # fmt: skip
    out.sort()
    return out


def _stream_from(target: ExportTarget, key: str, offset: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of `key` from `offset` on (a folder seeks, S3 asks for a range, anything else skips)."""
    if isinstance(target, FolderTarget):
        with (target.root / key).open("rb") as fh:
            fh.seek(offset)
            while data := fh.read(chunk):
                yield data
        return
    if isinstance(target, S3Target):
        response = target.client.get_object(Bucket=target.bucket, Key=target.prefix + key, Range=f"bytes={offset}-")
        yield from response["Body"].iter_chunks(chunk)
        return
    skip = offset
    for data in target.stream(key, chunk):
        if skip >= len(data):
            skip -= len(data)
            continue
        yield data[skip:]
        skip = 0


def read_catalogue(
    target: ExportTarget, pointer: dict[str, Any], lines: list[Line] | None = None
) -> Iterator[tuple[Line, list[tuple[str, str, str]]]]:
    """(datasets.jsonl line, its wanted triples) for `lines` (default: every live entry), in dump order."""
    live = live_lines(target, pointer) if lines is None else lines
    file, start = "", 0
    buffer = bytearray()  # holds the file's bytes from offset `start`
    chunks: Iterator[bytes] = iter(())
    for line in live:
        if line.file != file:  # lines come sorted by file then offset: one pass over each file
            file, start, buffer = line.file, line.offset, bytearray()
            chunks = _stream_from(target, f"versions/{pointer['version']}/{file}", start)
        end = line.offset + line.length
        while start + len(buffer) < end:
            data = next(chunks, None)
            if data is None:
                raise ValueError(f"{file} of version {pointer['version']} ends before {line.uri}")
            buffer += data
        lo = line.offset - start
        piece = bytes(buffer[lo : lo + line.length])
        del buffer[: lo + line.length]
        start = end
        yield line, wanted_triples(piece)


def wanted_triples(piece: bytes) -> list[tuple[str, str, str]]:
    """The triples of a dump slice whose predicate the indicators read; other lines are never decoded.

    The export writes canonical N-Triples (one `s p o .` per line, single spaces): one regular
    expression over the slice picks the wanted lines.
    """
    return [(m[0].decode("utf-8"), m[1].decode("utf-8"), m[2].decode("utf-8")) for m in _WANTED_LINE.findall(piece)]


def is_service(line: Line, triples: list[tuple[str, str, str]]) -> bool:
    """True for a data service entry (counted apart from datasets)."""
    if line.kind == "service":
        return True
    node = f"<{line.uri}>"
    return any(s == node and p == RDF_TYPE and o == DATA_SERVICE for s, p, o in triples)
