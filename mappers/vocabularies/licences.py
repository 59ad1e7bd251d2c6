"""Licence recognition: EU licence URIs from licence URLs, anchors and free text (fr/de/en/nl)."""

from __future__ import annotations

import functools
import re

from rdflib import URIRef
from rdflib.namespace import DC, SKOS

from mappers.vocabularies._data import normalise, read_graph

LICENCE_SCHEME = "http://publications.europa.eu/resource/authority/licence"
LICENCE_BASE = LICENCE_SCHEME + "/"
_FILES = ("eu-authority/licences-skos.rdf", "eu-authority/licence-20241211-subset.ttl")

# Licence pages that the EU table does not list as skos:exactMatch (facts: the licences' own URLs).
_CURATED_URLS: dict[str, str] = {
    "etalab.gouv.fr/licence-ouverte-open-licence": "ETALAB_2_0",
    "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf": "ETALAB_2_0",
    "etalab.gouv.fr/wp-content/uploads/2018/11/open-licence.pdf": "ETALAB_2_0",
    "govdata.de/dl-de/by-2-0": "DLDE_BY_2_0",
    "govdata.de/dl-de/zero-2-0": "DLDE_ZERO_2_0",
    "govdata.de/dl-de/by-nc-1-0": "DLDE_BYNC_1_0",
    "govdata.de/dl-de/by-1-0": "DLDE_BY_1_0",
    "opendatacommons.org/licenses/odbl": "ODC_BL",
    "opendatacommons.org/licenses/odbl/1-0": "ODC_BL",
    "opendatacommons.org/licenses/by": "ODC_BY",
    "opendatacommons.org/licenses/pddl": "ODC_PDDL",
    "nationalarchives.gov.uk/doc/open-government-licence/version/3": "OGL_3_0",
    "nationalarchives.gov.uk/doc/open-government-licence/version/2": "OGL_2_0",
}

# Free-text names in fr/de/en/nl, matched on normalise()d text (accents and punctuation folded).
_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"\bcc ?0\b|\bcc zero\b|creative commons (zero|0)\b|public domain dedication", "CC0"),
        (r"\b(licence|license) ouverte\b.*\b2\b|\betalab\b.*\b2 0\b|\bopen licen[cs]e\b.*\b2 0\b", "ETALAB_2_0"),
        (r"\bdl de by 2 0\b|datenlizenz deutschland namensnennung 2 0", "DLDE_BY_2_0"),
        (r"\bdl de zero 2 0\b|datenlizenz deutschland zero 2 0", "DLDE_ZERO_2_0"),
        (r"\bodbl\b|open database licen[cs]e", "ODC_BL"),
        (r"\beupl\b.*\b1 2\b", "EUPL_1_2"),
        (r"public domain mark", "CC_PDM_1_0"),
    )
)

# Every text pattern below needs one of these substrings.
_HINTS = ("cc", "creative", "licen", "etalab", "dl de", "datenlizenz", "odbl", "database", "eupl", "public domain")
_CC_WORDS = {
    "nc": ("nc", "noncommercial", "non commercial", "nicht kommerziell", "pas d utilisation commerciale",
           "niet commercieel"),
    "nd": ("nd", "noderivatives", "no derivatives", "noderivs", "keine bearbeitung", "keine bearbeitungen",
           "pas de modification", "geen afgeleide werken"),
    "sa": ("sa", "sharealike", "share alike", "weitergabe unter gleichen bedingungen",
           "partage dans les memes conditions", "gelijk delen"),
}  # fmt: skip
_CC_BY = re.compile(
    r"\bcc by\b|\bcc\b.*\bby\b|creative commons.*\b(by|attribution|namensnennung|paternite|naamsvermelding)\b"
)
_VERSION = re.compile(r"\b([1-4]) ([05])\b")
_DEPRECATED = URIRef("http://publications.europa.eu/ontology/authority/deprecated")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
_CC_URL = re.compile(r"creativecommons\.org/licen[cs]es/([a-z-]+)/(\d\.\d)")

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _codes() -> frozenset[str]:
    """Codes of every concept of the EU licence table (both shipped versions)."""
    codes: set[str] = set()
    scheme = URIRef(LICENCE_SCHEME)
    for relpath in _FILES:
        for s in read_graph(relpath).subjects(SKOS.inScheme, scheme):
            codes.add(str(s)[len(LICENCE_BASE) :])
    return frozenset(codes)


def _url_key(url: str) -> str:
    """Scheme-, www-, slash- and deed-insensitive key of a licence URL."""
    key = re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/.")
    key = re.sub(r"/(legalcode|deed)(\.[a-z-]+)?$", "", key)
    return re.sub(r"/(deed|legalcode)\.[a-z-]+$", "", key).rstrip("/")


@functools.cache
def _indexes() -> tuple[dict[str, str], dict[str, str]]:
    """(normalised label -> code, URL key -> code) from the EU tables plus the curated URLs."""
    labels: dict[str, str] = {}
    urls: dict[str, str] = dict(_CURATED_URLS)
    scheme = URIRef(LICENCE_SCHEME)
    # Deprecated concepts (e.g. CC_BY) reuse the labels of their successors: index them last.
    for want_deprecated in (False, True):
        for relpath in _FILES:
            graph = read_graph(relpath)
            for concept in graph.subjects(SKOS.inScheme, scheme):
                deprecated = any(str(o) == "true" for o in graph.objects(concept, _DEPRECATED))
                if deprecated != want_deprecated:
                    continue
                code = str(concept)[len(LICENCE_BASE) :]
                for pred in (SKOS.prefLabel, SKOS.altLabel, DC.identifier):
                    for label in graph.objects(concept, pred):
                        labels.setdefault(normalise(str(label)), code)
                for match in graph.objects(concept, SKOS.exactMatch):
                    if not str(match).startswith(LICENCE_SCHEME):
                        urls.setdefault(_url_key(str(match)), code)
    return labels, urls


def _known(code: str | None) -> str | None:
    return LICENCE_BASE + code if code and code in _codes() else None


def _from_url(url: str) -> str | None:
    """EU licence URI for a licence URL (EU URI, Creative Commons, Etalab, ODC, GovData...)."""
    if url.startswith(LICENCE_BASE):
        return url if url[len(LICENCE_BASE) :] in _codes() else None
    key = _url_key(url)
    if "creativecommons.org/publicdomain/zero" in key:
        return _known("CC0")
    if "creativecommons.org/publicdomain/mark" in key:
        return _known("CC_PDM_1_0")
    cc = _CC_URL.search(key)
    if cc:
        parts = cc.group(1).split("-")
        flags = "".join(p.upper() for p in ("nc", "nd", "sa") if p in parts)
        return _known(f"CC_BY{flags}_{cc.group(2).replace('.', '_')}") or _known(f"CC_BY{flags}")
    _, urls = _indexes()
    return _known(urls.get(key))


def _from_text(text: str) -> str | None:
    """EU licence URI for a licence name written out (label, alt label or a known phrasing)."""
    norm = normalise(text)
    if not norm:
        return None
    labels, _ = _indexes()
    if norm in labels:
        return _known(labels[norm])
    if not any(hint in norm for hint in _HINTS):  # most constraint texts name no licence at all
        return None
    for pattern, code in _TEXT_PATTERNS:
        if pattern.search(norm):
            return _known(code)
    if _CC_BY.search(norm):
        flags = "".join(
            flag.upper() for flag in ("nc", "nd", "sa") if any(re.search(rf"\b{w}\b", norm) for w in _CC_WORDS[flag])
        )
        version = _VERSION.search(norm)
        if version:
            found = _known(f"CC_BY{flags}_{version.group(1)}_{version.group(2)}")
            if found:
                return found
        return _known(f"CC_BY{flags}")
    return None


@functools.lru_cache(maxsize=_CACHE)
def licence_uri(text_or_url: str | None) -> str | None:
    """EU licence URI for a URL, an EU licence URI or a licence name in fr/de/en/nl; None if unknown."""
    if not text_or_url:
        return None
    value = text_or_url.strip()
    if value.startswith(("http://", "https://")) and " " not in value:
        return _from_url(value)
    for url in _URL.findall(value):
        found = _from_url(url)
        if found:
            return found
    return _from_text(value)


def is_licence_uri(uri: str) -> bool:
    """True for a URI of the EU licence table."""
    return uri.startswith(LICENCE_BASE) and uri[len(LICENCE_BASE) :] in _codes()
