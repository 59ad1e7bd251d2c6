"""A linear-time N-Triples reader into an rdflib Graph, and the per-record size limit.

rdflib's own N-Triples parser unescapes a literal by slicing the rest of the string after every
escape, so its time grows with the square of a literal's length (1 MB: 7 s, 4 MB: 133 s, measured
for issue 17). Every N-Triples payload luxcat reads (DCAT record payloads, mapped graphs, N-Triples
feeds) goes through this reader instead: one regular expression pass over the document, one substitution pass
per escaped term. Only `\\n` and `\\r` end a line; U+2028, U+0085, VT, FF... may stand raw in a literal.
The statements go straight into a luxcat.fastgraph FastGraph's store in one bulk load (issue 19:
rdflib's per-triple `Graph.add` and its copies were over half of `luxcat validate` on 2,000 datasets).
"""

from __future__ import annotations

import gc
import re

from rdflib import BNode, Graph, Literal, URIRef

from luxcat.errors import RecordError
from luxcat.fastgraph import FastGraph, bulk_add

# A record larger than this is rejected with a reason rather than parsed (no real DCAT or ISO record
# comes near it; the largest real ISO records in tests/data are below 1 MB).
MAX_RECORD_BYTES = 16 * 1024 * 1024

_IRI_CHARS = r"[^>\\\x00-\x20]*"
# unrolled ("normal* (special normal*)*"): no alternation tried at every character
_IRI = rf"<({_IRI_CHARS}(?:(?:\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}}){_IRI_CHARS})*)>"
_BNODE = r"_:([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)"
_STRING = r'"([^"\\\n\r]*(?:\\.[^"\\\n\r]*)*)"'
_SUFFIX = r"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^" + _IRI + r")?"
LINE = re.compile(
    rf"[ \t]*(?:{_IRI}|{_BNODE})[ \t]*{_IRI}[ \t]*(?:{_IRI}|{_BNODE}|{_STRING}{_SUFFIX})[ \t]*\.[ \t]*(?:#.*)?"
)
# The same statement, for a whole-document findall: the lexical form keeps its quotes, so an empty
# group always means "absent" (an empty IRI <> and an empty string "" stay distinguishable).
_QUOTED = r'("[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*")'
_STATEMENTS = re.compile(
    rf"^[ \t]*(?:{_IRI}|{_BNODE})[ \t]*{_IRI}[ \t]*(?:{_IRI}|{_BNODE}|{_QUOTED}{_SUFFIX})"
    r"[ \t]*\.[ \t]*(?:#.*)?$",
    re.MULTILINE,
)
# Blank and comment-only lines, counted by their leading newline (a literal prefix the engine finds
# fast; `^` in MULTILINE mode is tried at every character), plus the first line on its own.
_BLANK = re.compile(r"\n[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_FIRST_BLANK = re.compile(r"[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf\"'\\])")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class RecordTooLarge(RecordError):
    """A record payload above MAX_RECORD_BYTES: rejected alone, never parsed."""

    reason = "too_large"


class NTriplesError(ValueError):
    """A line that is not N-Triples; the message names the line."""


def _unescape_match(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU":
        value = int(code[1:], 16)
        if value > 0x10FFFF:
            raise NTriplesError(f"escape \\{code} is not a Unicode character")
        return chr(value)
    return _SIMPLE[code]


def unescape(text: str) -> str:
    """Decode N-Triples escapes (\\n, \\uXXXX, ...) in one pass."""
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


def check_size(record_id: str, payload: bytes, limit: int = MAX_RECORD_BYTES) -> None:
    """Raise RecordTooLarge for a payload above the per-record limit."""
    if len(payload) > limit:
        raise RecordTooLarge(f"{record_id}: {len(payload):,} bytes, above the per-record limit of {limit:,} bytes")


def _first_bad_line(text: str) -> NTriplesError:
    """The error naming the first line that is neither a statement, blank nor a comment."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(" \t")
        if LINE.fullmatch(line) is None and stripped and not stripped.startswith("#"):
            return NTriplesError(f"line {number} is not an N-Triples statement: {stripped[:120]!r}")
    return NTriplesError("the document is not N-Triples")  # not reached: the counts differed for a reason


def parse_ntriples(data: bytes | str, graph: Graph | None = None) -> Graph:
    """N-Triples into `graph` (a new FastGraph by default) in time linear in the input; NTriplesError if malformed.

    One `findall` over the whole document (the regular expression engine, not a Python loop, walks
    the lines); every line must be a statement, blank or a comment, else the first other one is
    named. Terms are made once per distinct text in the document (a repeated IRI or literal is one
    object, so later dict lookups compare by identity), and the triples are added in one bulk load.
    The collector is paused meanwhile: terms and tuples form no reference cycles.
    """
    graph = FastGraph() if graph is None else graph
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = _STATEMENTS.findall(text)
    blanks = len(_BLANK.findall(text)) + (1 if _FIRST_BLANK.match(text) else 0)
    if len(rows) + blanks != text.count("\n") + 1:
        raise _first_bad_line(text)
    bnodes: dict[str, BNode] = {}  # labels are local to one document, as in rdflib's parser
    iris: dict[str, URIRef] = {}
    literals: dict[tuple[str, str, str], Literal] = {}

    def iri(raw: str) -> URIRef:
        found = iris[raw] = URIRef(unescape(raw))
        return found

    def bnode(label: str) -> BNode:
        found = bnodes[label] = BNode()
        return found

    def literal(key: tuple[str, str, str]) -> Literal:
        lexical, lang, datatype = key
        dt = (iris.get(datatype) or iri(datatype)) if datatype else None
        found = literals[key] = Literal(unescape(lexical[1:-1]), lang=lang or None, datatype=dt)
        return found

    triples: list[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]] = []
    append = triples.append
    get_iri, get_bnode, get_literal = iris.get, bnodes.get, literals.get
    enabled = gc.isenabled()
    gc.disable()
    try:
        # groups: subject IRI | subject label, predicate IRI, object IRI | label | "lexical" lang datatype
        for s_iri, s_label, p_iri, o_iri, o_label, lexical, lang, datatype in rows:
            if s_label:
                subject = get_bnode(s_label) or bnode(s_label)
            else:
                subject = get_iri(s_iri) or iri(s_iri)
            obj: URIRef | BNode | Literal
            if lexical:  # with its quotes: never empty when present
                key = (lexical, lang, datatype)
                obj = get_literal(key)  # not `or`: Literal("0", datatype=xsd:integer) is falsy
                if obj is None:
                    obj = literal(key)
            elif o_label:
                obj = get_bnode(o_label) or bnode(o_label)
            else:
                obj = get_iri(o_iri) or iri(o_iri)
            append((subject, get_iri(p_iri) or iri(p_iri), obj))
        return bulk_add(graph, triples)
    finally:
        if enabled:
            gc.enable()
