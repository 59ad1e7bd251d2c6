"""Resource constraints: licence (EU URI), access rights (EU URI) and other rights statements.

INSPIRE puts "limitations on public access" in an MD_LegalConstraints with accessConstraints and
"conditions for access and use" in one with useConstraints (or in useLimitation). Anchors and texts
are read in that light: a LimitationsOnPublicAccess anchor or a known phrase in an access block
gives dct:accessRights; a recognised licence (anchor, URL or name) gives dct:license on the
dataset and on every distribution; everything else is kept as one dct:rights statement.
"""

from __future__ import annotations

from lxml import etree

from mappers.iso19139.rdf import DCTERMS, RDFS, TYPE, literal
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import ANCHOR, HREF, Texts, find, findall
from mappers.vocabularies import access_right_uri, licence_uri

_LIMITATIONS = "metadata-codelist/LimitationsOnPublicAccess/"


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


def add_constraints(state: RecordState, default_licence: str | None) -> None:
    """Decide licence, access rights and rights for the record and write them on the resource."""
    access: str | None = None
    licence: str | None = None
    rights: Texts = []
    for block in findall(state.ident, "gmd:resourceConstraints/*"):
        is_access = find(block, "gmd:accessConstraints") is not None and find(block, "gmd:useConstraints") is None
        for texts, target in _entries(state, block):
            main = texts[0][0] if texts else ""
            if _LIMITATIONS in target or is_access:
                found = access_right_uri(target) or access_right_uri(main)
                if found:
                    access = access or found
                    continue
            found_licence = licence_uri(target) or licence_uri(main)
            if found_licence:
                licence = licence or found_licence
                continue
            rights.extend(t for t in texts if t not in rights)
    out, subject = state.out, state.subject
    licence = licence or default_licence
    if licence:
        state.licence = out.typed(licence, DCTERMS.LicenseDocument)
        out.add((subject, DCTERMS.license, state.licence))
    if access:
        out.add((subject, DCTERMS.accessRights, out.typed(access, DCTERMS.RightsStatement)))
    if rights:
        node = out.bnode()
        state.rights = node
        out.add((node, TYPE, DCTERMS.RightsStatement))
        for text, lang in rights:
            out.add((node, RDFS.label, literal(text, lang)))
        out.add((subject, DCTERMS.rights, node))
