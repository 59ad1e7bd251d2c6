"""Resource constraints: licence (EU URI), access rights (EU URI) and other rights statements.

INSPIRE puts "limitations on public access" in an MD_LegalConstraints with accessConstraints and
"conditions for access and use" in one with useConstraints (or in useLimitation). Anchors and texts
are read in that light: a LimitationsOnPublicAccess anchor or a known phrase in an access block
gives dct:accessRights; a recognised licence (anchor, URL or name) gives dct:license on the
dataset and on every distribution; everything else is kept as one dct:rights statement. A licence
is recognised in every language the record gives (PT_FreeText translations too), and a licence URL
the EU table does not list (HNAP's Open Government Licence - Canada) is the licence as stated. The
source's default licence applies only when the record says nothing about use (mappers.licensing).
"""

from __future__ import annotations

import re

from lxml import etree

from mappers.iso19139.rdf import DCTERMS, RDFS, TYPE, is_http_uri, literal
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import ANCHOR, HREF, Texts, find, findall
from mappers.licensing import SOURCE_DEFAULT, decide, source_default_triples
from mappers.vocabularies import access_right_uri, licence_uri
from mappers.vocabularies._data import normalise
from mappers.vocabularies.access_rights import PUBLIC
from mappers.vocabularies.use_terms import restrictive_terms, says_nothing

_LIMITATIONS = "metadata-codelist/LimitationsOnPublicAccess/"
_LICENCE_WORD = re.compile(r"licen[cs]|lizenz|licentie")
_SHORT = 200  # a licence named in a sentence or two, not a page of terms
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def _entries(state: RecordState, block: etree._Element) -> list[tuple[Texts, str]]:
    """(texts, anchor href) of each otherConstraints / useLimitation of a constraints block."""
    out = []
    for name in ("gmd:otherConstraints", "gmd:useLimitation"):
        for prop in findall(block, name):
            texts = state.loc.texts(prop, keep_lines=True)
            anchor = prop.find(ANCHOR)
            target = (anchor.get(HREF) or "").strip() if anchor is not None else ""
            if texts or target:
                out.append((texts, target))
    return out


def _licence_in(texts: Texts, target: str) -> str | None:
    """A licence the entry states: an EU licence (anchor, URL or name, any language) or a licence URL.

    A URL the EU table does not know is taken as the licence only when it names one: its path says
    licence/Lizenz, or a short text names a licence next to it ("Open Government Licence - Canada
    (http://open.canada.ca/...)"); never from a text stating restrictive terms.
    """
    found = licence_uri(target)
    for text, _lang in texts:
        found = found or licence_uri(text)
    if found:
        return found
    candidates = [target] if target else []
    candidates += [u.rstrip(".,;") for t, _l in texts if "http" in t for u in _URL.findall(t)]
    if not candidates:  # most constraint texts hold no URL at all
        return None
    named = any(len(t) <= _SHORT and _LICENCE_WORD.search(normalise(t)) for t, _l in texts)
    for url in candidates:
        if is_http_uri(url) and (named or _LICENCE_WORD.search(url.lower())):
            if any(restrictive_terms(t) for t, _l in texts):
                return None
            return url  # e.g. HNAP's Open Government Licence - Canada: a licence, not in the EU table
    return None


def _restrictive_access(access: str | None) -> bool:
    return bool(access) and access != PUBLIC


def _write_licence(state: RecordState, licence: str | None, origin: str) -> None:
    """dct:license on the resource, marked as derived when it is the source's default."""
    state.licence_origin = origin
    if licence:
        state.licence = state.out.typed(licence, DCTERMS.LicenseDocument)
        state.out.add((state.subject, DCTERMS.license, state.licence))
        if origin == SOURCE_DEFAULT:
            for triple in source_default_triples(state.subject):
                state.out.add(triple)


def add_constraints(state: RecordState, default_licence: str | None) -> None:
    """Decide licence (and its origin), access rights and rights, and write them on the resource."""
    access: str | None = None
    licence: str | None = None
    rights: Texts = []
    says_something = False
    for block in findall(state.ident, "gmd:resourceConstraints/*"):
        is_access = find(block, "gmd:accessConstraints") is not None and find(block, "gmd:useConstraints") is None
        for texts, target in _entries(state, block):
            main = texts[0][0] if texts else ""
            if _LIMITATIONS in target or is_access:
                found = access_right_uri(target) or access_right_uri(main)
                if found:
                    access = access or found
                    continue
            found_licence = _licence_in(texts, target)
            if found_licence:
                licence = licence or found_licence
                continue
            if not (says_nothing(target) and all(says_nothing(t) for t, _l in texts)):
                says_something = True
            rights.extend(t for t in texts if t not in rights)
    _write_licence(state, *decide(licence, says_something or _restrictive_access(access), default_licence))
    out, subject = state.out, state.subject
    if access:
        out.add((subject, DCTERMS.accessRights, out.typed(access, DCTERMS.RightsStatement)))
    if rights:
        node = out.bnode()
        state.rights = node
        out.add((node, TYPE, DCTERMS.RightsStatement))
        for text, lang in rights:
            out.add((node, RDFS.label, literal(text, lang)))
        out.add((subject, DCTERMS.rights, node))
