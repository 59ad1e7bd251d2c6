"""XML side of the ISO 19139 mapper: namespaces, safe parsing, multilingual text and code lists."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from lxml import etree

from luxcat.errors import UnparsableRecord
from mappers.vocabularies import language_tag

NS: dict[str, str] = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "gmi": "http://www.isotc211.org/2005/gmi",
    "xlink": "http://www.w3.org/1999/xlink",
    "gml": "http://www.opengis.net/gml/3.2",
    "gml31": "http://www.opengis.net/gml",
}
GMD = "{" + NS["gmd"] + "}"
GCO = "{" + NS["gco"] + "}"
GMX = "{" + NS["gmx"] + "}"
SRV = "{" + NS["srv"] + "}"
XLINK = "{" + NS["xlink"] + "}"
HREF = XLINK + "href"
CHARACTER_STRING = GCO + "CharacterString"
ANCHOR = GMX + "Anchor"
PT_FREE_TEXT = GMD + "PT_FreeText"
LOCALISED = GMD + "LocalisedCharacterString"
ISO_TYPE = GCO + "isoType"
RECORD_TAGS = frozenset({GMD + "MD_Metadata", "{" + NS["gmi"] + "}MI_Metadata"})

# No DTDs, entities or network: records come from third parties (XXE, billion laughs).
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, huge_tree=True)

Texts = list[tuple[str, str | None]]  # (text, language tag or None)


@functools.cache
def _steps(path: str) -> tuple[str, ...]:
    """ "gmd:a/gmd:b" -> Clark tags; "*" stays (any element)."""
    out = []
    for step in path.split("/"):
        prefix, _, local = step.partition(":")
        out.append("*" if step == "*" else "{" + NS[prefix] + "}" + local)
    return tuple(out)


def find(element: etree._Element, path: str) -> etree._Element | None:
    """First element at a child path ("gmd:a/gmd:b"); ~2x faster than lxml's ElementPath find."""
    node: etree._Element | None = element
    for tag in _steps(path):
        if tag == "*":
            node = next((c for c in node if isinstance(c.tag, str)), None)  # type: ignore[union-attr]
        else:
            node = next(node.iterchildren(tag), None)  # type: ignore[union-attr]
        if node is None:
            return None
    return node


def findall(element: etree._Element, path: str) -> list[etree._Element]:
    """All elements at a child path, in document order."""
    nodes = [element]
    for tag in _steps(path):
        found: list[etree._Element] = []
        for node in nodes:
            if tag == "*":
                found.extend(c for c in node if isinstance(c.tag, str))
            else:
                found.extend(node.iterchildren(tag))
        if not found:
            return found
        nodes = found
    return nodes


def parse(payload: bytes) -> etree._Element:
    """Parse a payload into its root element, or raise UnparsableRecord with the parser's reason."""
    try:
        return etree.fromstring(payload, PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnparsableRecord(f"not well-formed XML: {exc}") from exc


def is_record(element: etree._Element) -> bool:
    """True for gmd:MD_Metadata, gmi:MI_Metadata, or a profile element declaring gco:isoType MD_Metadata."""
    if element.tag in RECORD_TAGS:
        return True
    iso_type = element.get(ISO_TYPE)
    return iso_type is not None and iso_type.split(":")[-1] in ("MD_Metadata", "MI_Metadata")


def find_records(root: etree._Element) -> Iterator[etree._Element]:
    """Every outermost ISO record in a document: the root itself, or those inside a CSW response."""
    if is_record(root):
        yield root
        return
    stack = list(reversed(root))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if is_record(element):
            yield element
        else:
            stack.extend(reversed(element))


def clean(text: str | None, *, keep_lines: bool = False) -> str:
    """Trim a text node; collapse whitespace except line breaks in long texts."""
    if not text:
        return ""
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    return " ".join(text.split())


def value(prop: etree._Element | None) -> str:
    """Main text of a property element (gco:CharacterString, gmx:Anchor, or any simple child)."""
    if prop is None:
        return ""
    for child in prop:
        if child.tag in (CHARACTER_STRING, ANCHOR):
            return clean(child.text)
    for child in prop:
        if isinstance(child.tag, str) and child.tag != PT_FREE_TEXT and len(child) == 0:
            return clean(child.text)
    return ""


def href(prop: etree._Element | None) -> str:
    """xlink:href of the property's gmx:Anchor, or of the property itself."""
    if prop is None:
        return ""
    anchor = next(prop.iterchildren(ANCHOR), None)
    target = anchor.get(HREF) if anchor is not None else prop.get(HREF)
    return (target or "").strip()


def code_value(prop: etree._Element | None) -> str:
    """codeListValue of the code list element inside a property (or its text)."""
    if prop is None:
        return ""
    for child in prop:
        if isinstance(child.tag, str):
            return (child.get("codeListValue") or clean(child.text)).strip()
    return ""


class Localiser:
    """Resolves PT_FreeText locale references (#FR, #locale-fre) to language tags for one record."""

    __slots__ = ("main", "locales")

    def __init__(self, record: etree._Element, main: str | None) -> None:
        self.main = main
        self.locales: dict[str, str | None] = {}
        for locale in findall(record, "gmd:locale/gmd:PT_Locale"):
            ident = locale.get("id") or ""
            code = code_value(find(locale, "gmd:languageCode"))
            self.locales[ident] = language_tag(code) or _tag_from_id(ident)

    def tag(self, locale_ref: str | None) -> str | None:
        ref = (locale_ref or "").lstrip("#")
        if ref in self.locales:
            return self.locales[ref]
        return _tag_from_id(ref)

    def texts(self, prop: etree._Element | None, *, keep_lines: bool = False) -> Texts:
        """All language versions of a property: the main text in the record language + translations."""
        if prop is None:
            return []
        out: Texts = []
        seen: set[str | None] = set()
        for child in prop:
            tag = child.tag
            if tag in (CHARACTER_STRING, ANCHOR):
                text = clean(child.text, keep_lines=keep_lines)
                if text:
                    out.append((text, self.main))
                    seen.add(self.main)
            elif tag == PT_FREE_TEXT:
                for localised in child.iter(LOCALISED):
                    text = clean(localised.text, keep_lines=keep_lines)
                    lang = self.tag(localised.get("locale"))
                    if text and lang not in seen:
                        out.append((text, lang))
                        seen.add(lang)
        return out


def _tag_from_id(ident: str) -> str | None:
    """Guess a language from a locale id such as "FR", "locale-fre", "ger", "EN"."""
    tokens = [t for t in re.split(r"[^A-Za-z]+", ident) if len(t) in (2, 3)]
    return language_tag(tokens[-1]) if tokens else None
