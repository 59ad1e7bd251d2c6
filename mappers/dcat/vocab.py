"""Map controlled values (licence, language, format, frequency, theme, rights, status) to EU vocabularies.

Values come as EU URIs, other URIs (purl.org/cld/freq, id.loc.gov, IANA, Creative Commons...),
bare codes ("en", "csv", "monthly") or DCAT-AP 1.x blank nodes with rdf:value/rdfs:label. Values the
DCAT-AP 3 vocabulary shapes restrict (Violation) are kept only when they resolve to a concept of the
required scheme; the others are dropped and reported (mappers.fidelity), or kept where DCAT-AP has a
free-text home (theme text becomes a keyword, rights text a dct:rights). A theme URI outside the EU
data themes is kept as a dcat:theme of its own scheme; an INSPIRE theme also gets the EU data themes
of the SEMIC alignment table (vocabularies/data/alignments, with its provenance in SOURCES.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mappers.dcat.terms import ADMS, DCAT, DCATAP, DCTERMS, EU_AUTHORITY, RDF, RDFS, SKOS
from mappers.fidelity import UNKNOWN_CODE, drop
from mappers.vocabularies import (
    access_right_uri,
    data_theme_uri,
    data_themes_for_inspire,
    file_type,
    frequency_uri,
    inspire_theme_label,
    inspire_theme_uri,
    language_uri,
    licence_uri,
    vocabulary_graph,
)

IANA = "https://www.iana.org/assignments/media-types/"
_MIME = re.compile(r"^[a-z]+/[A-Za-z0-9.+_-]+$")
_ACCESS_WORDS = {"public": "PUBLIC", "restricted": "RESTRICTED", "non-public": "NON_PUBLIC", "non_public": "NON_PUBLIC"}
_STATUS_WORDS = {"completed": "COMPLETED", "deprecated": "DEPRECATED", "develop": "DEVELOP",
                 "underdevelopment": "DEVELOP", "withdrawn": "WITHDRAWN"}  # fmt: skip
LABELS = (RDF.value, RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.notation, DCTERMS.identifier)


def local_name(uri: str) -> str:
    """Last segment of a URI (after #, / or media-types/), for codes hidden in foreign URIs."""
    if "/media-types/" in uri:
        return uri.split("/media-types/", 1)[1]
    return re.split(r"[#/]", uri.rstrip("/#"))[-1]


def candidates(graph: Graph, value: Node) -> list[str]:
    """Strings that may identify a controlled value: the URI, its local name, or a blank node's labels."""
    if isinstance(value, Literal):
        return [str(value).strip()]
    if isinstance(value, URIRef):
        return [str(value), local_name(str(value))]
    found: list[str] = []
    for predicate in LABELS:
        for obj in graph.objects(value, predicate):
            found += candidates(graph, obj) if not isinstance(obj, BNode) else []
    return found


def in_scheme(uri: str | None, scheme: str) -> bool:
    """True when the shipped vocabularies list `uri` as a concept of `scheme`."""
    return uri is not None and (URIRef(uri), SKOS.inScheme, URIRef(scheme)) in vocabulary_graph()


def _first(lookup: Callable[[str], str | None], texts: list[str]) -> str | None:
    for text in texts:
        if text:
            found = lookup(text)
            if found:
                return found
    return None


def _access_right(text: str) -> str | None:
    word = _ACCESS_WORDS.get(text.strip().lower())
    return EU_AUTHORITY + "access-right/" + word if word else access_right_uri(text)


def _status(text: str) -> str | None:
    word = _STATUS_WORDS.get(local_name(text).lower().replace(" ", ""))
    return EU_AUTHORITY + "distribution-status/" + word if word else (text if text.startswith(EU_AUTHORITY) else None)


def _format(text: str) -> str | None:
    found = file_type(text)
    return found.uri if found else None


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(folded.replace(",", " ").split())


@functools.cache
def _theme_labels() -> dict[str, str]:
    """Normalised EU data-theme labels (en/fr/de/lb) -> theme URI (local helper: the shared lookup takes codes)."""
    graph = vocabulary_graph()
    scheme = URIRef(EU_AUTHORITY + "data-theme")
    return {
        _key(str(label)): str(concept)
        for concept in graph.subjects(SKOS.inScheme, scheme)
        for label in graph.objects(concept, SKOS.prefLabel)
    }


def theme_uri(text: str) -> str | None:
    """EU data theme for a code (ENVI), a URI or a label in en/fr/de/lb ("Environnement")."""
    text = text.strip()
    return data_theme_uri(text) or data_theme_uri(text.upper()) or _theme_labels().get(_key(text))


def _theme(text: str) -> str | None:
    return theme_uri(text)


def media_type_uri(text: str) -> str | None:
    """IANA media-type URI for "text/csv" or an IANA URI; None for anything else."""
    text = text.strip().split(";")[0].strip()
    if text.startswith(("http://www.iana.org/assignments/media-types/", IANA)):
        return IANA + text.split("/media-types/", 1)[1]
    if _MIME.match(text):
        found = file_type(text)
        return found.media_type if found and found.media_type else IANA + text
    return None


# predicate -> (lookup, scheme the DCAT-AP 3 vocabulary shapes require, or None if unrestricted)
RESTRICTED: dict[URIRef, tuple[Callable[[str], str | None], str | None]] = {
    DCTERMS.accrualPeriodicity: (frequency_uri, EU_AUTHORITY + "frequency"),
    DCTERMS.language: (language_uri, EU_AUTHORITY + "language"),
    DCTERMS.format: (_format, EU_AUTHORITY + "file-type"),
    DCTERMS.accessRights: (_access_right, EU_AUTHORITY + "access-right"),
    ADMS.status: (_status, EU_AUTHORITY + "distribution-status"),
    DCATAP.availability: (lambda _t: None, EU_AUTHORITY + "planned-availability"),  # vocabulary not shipped
    DCTERMS.license: (licence_uri, None),
    DCAT.theme: (_theme, None),
    DCAT.mediaType: (media_type_uri, None),
}


def _resolve(graph: Graph, predicate: URIRef, value: Node) -> Node | None:
    """The vocabulary term for `value`, the value itself when unrestricted and unknown, or None (drop)."""
    lookup, scheme = RESTRICTED[predicate]
    found = _first(lookup, candidates(graph, value))
    if scheme is not None:
        return URIRef(found) if in_scheme(found, scheme) else None
    if found:
        return URIRef(found)
    return value


def _fallback(graph: Graph, subject: Node, predicate: URIRef, value: Node) -> None:
    """Keep what an unresolvable value said, where DCAT-AP has a free-text home for it; else report it."""
    if predicate == DCAT.theme and isinstance(value, Literal):
        graph.add((subject, DCAT.keyword, value))
        return
    if predicate == DCTERMS.accessRights and isinstance(value, Literal):
        statement = BNode()
        graph.add((subject, DCTERMS.rights, statement))
        graph.add((statement, RDF.type, DCTERMS.RightsStatement))
        graph.add((statement, RDFS.label, value))
        return
    if predicate == DCTERMS.format:
        media = _first(media_type_uri, candidates(graph, value))
        if media and not any(graph.objects(subject, DCAT.mediaType)):
            graph.add((subject, DCAT.mediaType, URIRef(media)))
            return  # kept, as the media type
    drop(_short(predicate), " | ".join(candidates(graph, value)) or value, UNKNOWN_CODE)


def _short(predicate: URIRef) -> str:
    for prefix, ns in (("dct", DCTERMS), ("dcat", DCAT), ("adms", ADMS), ("dcatap", DCATAP)):
        if str(predicate).startswith(str(ns)):
            return f"{prefix}:{str(predicate)[len(str(ns)) :]}"
    return str(predicate)


def _own_scheme(uri: str) -> str:
    """The concept scheme a theme URI belongs to, read from the URI (its parent path or namespace)."""
    return re.split(r"(?<=[#/])[^#/]+/?$", uri)[0].rstrip("/#") or uri


def keep_themes(graph: Graph) -> None:
    """Non-EU theme URIs: INSPIRE themes get their aligned EU data themes, every one stays a labelled concept.

    The label is the source's own (skos:prefLabel, rdfs:label, dct:title); an INSPIRE theme's English
    label; else the concept's code (the URI's last segment) as an untagged label, so that the
    concept remains a valid skos:Concept (prefLabel is mandatory) without inventing a wording.
    """
    eu = EU_AUTHORITY + "data-theme/"
    for subject, theme in list(graph.subject_objects(DCAT.theme)):
        if not isinstance(theme, URIRef) or str(theme).startswith(eu):
            continue
        inspire = inspire_theme_uri(str(theme))
        for aligned in data_themes_for_inspire(inspire) if inspire else ():
            graph.add((subject, DCAT.theme, URIRef(aligned)))
        graph.add((theme, RDF.type, SKOS.Concept))
        if not any(graph.objects(theme, SKOS.inScheme)):
            graph.add((theme, SKOS.inScheme, URIRef(_own_scheme(inspire or str(theme)))))
        if not any(graph.objects(theme, SKOS.prefLabel)):
            labels = [o for p in (RDFS.label, DCTERMS.title) for o in graph.objects(theme, p) if isinstance(o, Literal)]
            if not labels:
                english = inspire_theme_label(inspire) if inspire else None
                labels = [Literal(english, lang="en")] if english else [Literal(local_name(str(theme)))]
            for label in labels:
                graph.add((theme, SKOS.prefLabel, label))


def map_vocabularies(graph: Graph) -> None:
    """Rewrite every controlled value of the record graph in place (see module docstring)."""
    keep_themes(graph)
    for predicate in RESTRICTED:
        for subject, value in list(graph.subject_objects(predicate)):
            resolved = _resolve(graph, predicate, value)
            if resolved == value:
                continue
            graph.remove((subject, predicate, value))
            if resolved is None:
                _fallback(graph, subject, predicate, value)
                continue
            graph.add((subject, predicate, resolved))
            if predicate == DCTERMS.format and not any(graph.objects(subject, DCAT.mediaType)):
                found = file_type(str(resolved))
                media = found.media_type if found else _first(media_type_uri, candidates(graph, value))
                if media:
                    graph.add((subject, DCAT.mediaType, URIRef(media)))
