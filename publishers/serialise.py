"""Streaming RDF writers: N-Triples, Turtle, JSON-LD and RDF/XML written one dataset chunk at a time.

rdflib serialises a whole in-memory graph, and its Turtle serialiser takes minutes on 200k triples
(FIELD_NOTES, "DCAT-AP, SHACL, vocabularies"). The catalogue is a sequence of independent dataset
subgraphs, so each chunk is written as soon as it is merged: memory stays flat and every format is
a linear pass. Terms stay in their N-Triples spelling (`<iri>`, `_:label`, `"lex"@lang`), which is
what the mapped artifacts already hold; writers decode only what their syntax needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

Triple = tuple[str, str, str]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{RDF}type>"

PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "locn": "http://www.w3.org/ns/locn#",
    "spdx": "http://spdx.org/rdf/terms#",
    "schema": "http://schema.org/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "dqv": "http://www.w3.org/ns/dqv#",
    "cnt": "http://www.w3.org/2011/content#",
    "qb": "http://purl.org/linked-data/cube#",
    "stat": "http://data.europa.eu/(xyz)/statdcat-ap/",
}

_IRI = r"<[^>\s]*>"
_BNODE = r"_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?"
_LITERAL = r'"(?:[^"\\]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^<[^>\s]*>)?'
NT_LINE = re.compile(rf"\s*({_IRI}|{_BNODE})\s*({_IRI})\s*({_IRI}|{_BNODE}|{_LITERAL})\s*\.\s*")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf\"'\\])")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters that some line-oriented readers take for line ends (str.splitlines, JavaScript): written
# as \uXXXX escapes in N-Triples and Turtle, and escaped in JSON, so a record always stays on its lines.
_JSON_SEPARATORS = re.compile("[\x7f\x85\u2028\u2029]")
_XML_SEPARATORS = re.compile("[\x7f-\x9f\u2028\u2029]")
_LINE_BREAKERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")


_MISSING = object()


class SerialisationError(ValueError):
    """A term that a syntax cannot express (e.g. a predicate with no XML QName split)."""


# -- N-Triples terms ----------------------------------------------------------------------------
def _unescape_match(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU":
        return chr(int(code[1:], 16))
    return _SIMPLE[code]


def unescape(text: str) -> str:
    """Decode N-Triples string/IRI escapes (\\n, \\uXXXX, ...)."""
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


def iri(value: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{value}>"


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal as an N-Triples term (escapes what N-Triples requires)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    body = escape_line_breakers(body)
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def _safe_literal(term: str) -> str:
    """A literal term with raw line-breaking characters escaped (other terms unchanged)."""
    if term[:1] == '"' and _LINE_BREAKERS.search(term):
        return escape_line_breakers(term)
    return term


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04X}"


def escape_line_breakers(term: str) -> str:
    """A term with every control or Unicode line-separator character as a \\uXXXX escape (valid N-Triples/Turtle)."""
    return _LINE_BREAKERS.sub(_uchar, term)


def iri_value(term: str) -> str:
    """The IRI string of an `<iri>` term."""
    return unescape(term[1:-1])


def literal_parts(term: str) -> tuple[str, str | None, str | None]:
    """(lexical form, language, datatype IRI) of a literal term."""
    end = term.rindex('"')
    lexical = unescape(term[1:end])
    rest = term[end + 1 :]
    if rest.startswith("@"):
        return lexical, rest[1:], None
    if rest.startswith("^^"):
        return lexical, None, iri_value(rest[2:])
    return lexical, None, None


def parse_nt(data: bytes | str) -> list[Triple]:
    """N-Triples lines into term triples; a line the fast paths miss goes through rdflib.

    Subjects and predicates never contain spaces, so `s p o .` splits on the first two spaces;
    the full pattern checks anything unusual (tabs, comments, odd spacing).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    triples: list[Triple] = []
    # only \n (and \r) end an N-Triples line: str.splitlines() would also cut at U+2028, U+0085, VT,
    # FF, U+001C-1E, which may stand unescaped inside a literal
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        parts = line.split(" ", 2)
        if len(parts) == 3:
            s, p, rest = parts
            o = rest.rstrip()
            if o.endswith(".") and p[:1] == "<" and p[-1:] == ">" and s[:1] in "<_":
                o = o[:-1].rstrip()
                if o[:1] == "<" and o[-1:] == ">" and " " not in o or o[:2] == "_:" or _literal_ok(o):
                    if s[-1:] == ">" or s[:2] == "_:":
                        triples.append((s, p, o))
                        continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = NT_LINE.fullmatch(line)
        if match:
            triples.append((match.group(1), match.group(2), match.group(3)))
        else:
            triples.extend(_parse_with_rdflib(line))
    return triples


def _literal_ok(term: str) -> bool:
    """A complete literal term (closing quote not escaped, suffix well-formed)."""
    if term[:1] != '"':
        return False
    end = term.rfind('"')
    if end == 0:
        return False
    backslashes = len(term[:end]) - len(term[:end].rstrip("\\"))
    if backslashes % 2:
        return False
    rest = term[end + 1 :]
    return (
        not rest or (rest[0] == "@" and " " not in rest) or (rest[:3] == "^^<" and rest[-1] == ">" and " " not in rest)
    )


def _parse_with_rdflib(line: str) -> list[Triple]:
    """An unusual line through the full (linear) N-Triples reader, as terms."""
    from luxcat.ntriples import parse_ntriples

    return [(s.n3(), p.n3(), o.n3()) for s, p, o in parse_ntriples(line)]  # type: ignore[union-attr]


def relabel(triples: Iterable[Triple], prefix: str) -> list[Triple]:
    """Give every blank node a label unique to this chunk (`<prefix>_<n>`), valid in every syntax."""
    labels: dict[str, str] = {}

    def term(t: str) -> str:
        if t.startswith("_:"):
            if t not in labels:
                labels[t] = f"_:{prefix}_{len(labels)}"
            return labels[t]
        return t

    return [(term(s), p, term(o)) for s, p, o in triples]


def by_subject(triples: Iterable[Triple]) -> dict[str, dict[str, list[str]]]:
    """subject -> predicate -> objects, keeping first-seen order and dropping duplicates."""
    out: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples:
        objects = out.setdefault(s, {}).setdefault(p, [])
        if o not in objects:
            objects.append(o)
    return out


# -- formats ------------------------------------------------------------------------------------
Groups = dict[str, dict[str, list[str]]]


class RdfFormat:
    """One syntax: a document is `head() + render(chunk) [+ separator + render(chunk)]... + tail()`.

    Rendering is separate from writing so a chunk rendered once goes to the whole dump and to its page.
    """

    extension = ""
    media_type = ""
    separator = ""

    def __init__(self, prefixes: dict[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes or PREFIXES)
        self._ns = {ns: p for p, ns in self.prefixes.items() if ns[-1] in "#/"}
        self._cache: dict[str, object] = {}  # per-term renderings; bounded, most terms repeat

    def cached(self, term: str, make: Callable[[str], Any]) -> Any:
        """`make(term)`, remembered for terms that repeat (predicates, types, vocabulary IRIs)."""
        hit = self._cache.get(term, _MISSING)
        if hit is _MISSING:
            if len(self._cache) > 200_000:
                self._cache.clear()
            hit = self._cache[term] = make(term)
        return hit

    def head(self) -> str:
        return ""

    def render(self, groups: Groups) -> str:
        raise NotImplementedError

    def tail(self) -> str:
        return ""

    def _split(self, value: str) -> tuple[str, str] | None:
        """(prefix, local name) when the IRI is a known namespace + a simple name (namespaces end in # or /)."""
        cut = max(value.rfind("#"), value.rfind("/")) + 1
        prefix = self._ns.get(value[:cut])
        if prefix is None or not _LOCAL.match(value[cut:]):
            return None
        return prefix, value[cut:]


class NTriples(RdfFormat):
    """N-Triples: one line per triple."""

    extension = "nt"
    media_type = "application/n-triples"

    def render(self, groups: Groups) -> str:
        return "".join(
            f"{s} {p} {_safe_literal(o)} .\n" for s, preds in groups.items() for p, objs in preds.items() for o in objs
        )


class Turtle(RdfFormat):
    """Turtle: prefixes once, then one block per subject with `;` and `,` lists."""

    extension = "ttl"
    media_type = "text/turtle"

    def head(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"

    def _term(self, term: str) -> str:
        if term.startswith("<"):
            return self.cached(term, self._iri)  # type: ignore[no-any-return]
        if term.endswith(">") and term.startswith('"') and '"^^<' in term:
            end = term.rindex('"^^<')
            return _safe_literal(term[: end + 3]) + self._term(term[end + 3 :])
        return _safe_literal(term)

    def _iri(self, term: str) -> str:
        split = self._split(term[1:-1]) if "\\" not in term else None
        return f"{split[0]}:{split[1]}" if split else term

    def render(self, groups: Groups) -> str:
        parts: list[str] = []
        for subject, predicates in groups.items():
            lines = []
            for pred, objects in predicates.items():
                name = "a" if pred == RDF_TYPE else self._term(pred)
                lines.append(f"    {name} " + ",\n        ".join(self._term(o) for o in objects))
            parts.append(f"{self._term(subject)}\n" + " ;\n".join(lines) + " .\n\n")
        return "".join(parts)


class JsonLd(RdfFormat):
    """JSON-LD: `{"@graph": [node, ...]}` with full IRIs everywhere.

    No prefix context on purpose: real data holds IRIs such as `dct:LinguisticSystem` (a scheme that
    equals a prefix name), which a JSON-LD processor would expand through the context.
    """

    extension = "jsonld"
    media_type = "application/ld+json"
    separator = ",\n"

    def head(self) -> str:
        return '{"@graph": [\n'

    def _key(self, pred: str) -> str:
        return iri_value(pred)

    @staticmethod
    def _node_id(term: str) -> str:
        return term if term.startswith("_:") else iri_value(term)

    def _value(self, term: str) -> dict[str, str]:
        if term.startswith("<") or term.startswith("_:"):
            return {"@id": self._node_id(term)}
        lexical, lang, datatype = literal_parts(term)
        if lang:
            return {"@value": lexical, "@language": lang}
        if datatype:
            return {"@value": lexical, "@type": datatype}
        return {"@value": lexical}

    def render(self, groups: Groups) -> str:
        nodes = []
        for subject, predicates in groups.items():
            node: dict[str, object] = {"@id": self._node_id(subject)}
            for pred, objects in predicates.items():
                if pred == RDF_TYPE and all(o.startswith("<") for o in objects):
                    node["@type"] = [iri_value(o) for o in objects]
                else:
                    node[self._key(pred)] = [self._value(o) for o in objects]
            text = json.dumps(node, ensure_ascii=False)
            if _JSON_SEPARATORS.search(text):  # valid JSON raw, but JavaScript and line readers split on them
                text = _JSON_SEPARATORS.sub(_uchar, text)
            nodes.append(text)
        return ",\n".join(nodes)

    def tail(self) -> str:
        return "\n]}\n"


def _xml_text(text: str) -> str:
    """Character data escaped for XML 1.0; a character XML 1.0 cannot hold at all is a SerialisationError.

    (Replacing it, e.g. by U+FFFD, would publish a value the source never stated.)
    """
    bad = _XML_BAD.search(text)
    if bad:
        raise SerialisationError(f"U+{ord(bad.group(0)):04X} cannot be written in XML 1.0 (RDF/XML)")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if _XML_SEPARATORS.search(text):
        text = _XML_SEPARATORS.sub(lambda m: f"&#x{ord(m.group(0)):X};", text)
    return text


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


class RdfXml(RdfFormat):
    """RDF/XML: one `rdf:Description` per subject; predicates outside known namespaces get a local xmlns."""

    extension = "rdf"
    media_type = "application/rdf+xml"

    def head(self) -> str:
        return '<?xml version="1.0" encoding="utf-8"?>\n' + self.root_open() + "\n"

    def root_open(self) -> str:
        ns = " ".join(f'xmlns:{p}="{_xml_attr(uri)}"' for p, uri in self.prefixes.items())
        return f"<rdf:RDF {ns}>"

    def _element(self, pred: str) -> tuple[str, str]:
        value = iri_value(pred)
        split = self._split(value)
        if split:
            return f"{split[0]}:{split[1]}", ""
        match = _NCNAME_TAIL.search(value)
        if not match or match.start() == 0:
            raise SerialisationError(f"predicate {value} has no XML QName form")
        return f"ns0:{match.group(0)}", f' xmlns:ns0="{_xml_attr(value[: match.start()])}"'

    def _property(self, pred: str, obj: str) -> str:
        name, xmlns = self.cached(pred, self._element)
        if obj.startswith("<"):
            return f'    <{name}{xmlns} rdf:resource="{_xml_attr(iri_value(obj))}"/>\n'
        if obj.startswith("_:"):
            return f'    <{name}{xmlns} rdf:nodeID="{obj[2:]}"/>\n'
        lexical, lang, datatype = literal_parts(obj)
        attr = f' rdf:datatype="{_xml_attr(datatype)}"' if datatype else ""
        attr = f' xml:lang="{_xml_attr(lang)}"' if lang else attr
        return f"    <{name}{xmlns}{attr}>{_xml_text(lexical)}</{name}>\n"

    def render(self, groups: Groups) -> str:
        parts = []
        for subject, predicates in groups.items():
            if subject.startswith("_:"):
                head = f'  <rdf:Description rdf:nodeID="{subject[2:]}">\n'
            else:
                head = f'  <rdf:Description rdf:about="{_xml_attr(iri_value(subject))}">\n'
            body = "".join(self._property(p, o) for p, objects in predicates.items() for o in objects)
            parts.append(head + body + "  </rdf:Description>\n")
        return "".join(parts)

    def tail(self) -> str:
        return "</rdf:RDF>\n"


class DocumentWriter:
    """Streams one document to a text file: head, rendered chunks with separators, tail."""

    def __init__(self, fmt: RdfFormat, out: IO[str]) -> None:
        self.fmt = fmt
        self.out = out
        self._empty = True
        out.write(fmt.head())

    def write_rendered(self, text: str) -> None:
        if not text:
            return
        if not self._empty and self.fmt.separator:
            self.out.write(self.fmt.separator)
        self.out.write(text)
        self._empty = False

    def write(self, triples: Iterable[Triple]) -> None:
        self.write_rendered(self.fmt.render(by_subject(triples)))

    def close(self) -> None:
        self.out.write(self.fmt.tail())


FORMATS: dict[str, type[RdfFormat]] = {"nt": NTriples, "ttl": Turtle, "jsonld": JsonLd, "rdf": RdfXml}
MEDIA_TYPES: dict[str, str] = {ext: cls.media_type for ext, cls in FORMATS.items()}
RDFLIB_FORMATS: dict[str, str] = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


def serialise(triples: Iterable[Triple], fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """A whole small document in one call (a page, one dataset for the hub, an OAI record)."""
    import io

    buffer = io.StringIO()
    writer = DocumentWriter(FORMATS[fmt](prefixes), buffer)
    writer.write(triples)
    writer.close()
    return buffer.getvalue()
