"""Atom and RSS 2.0 feeds read with lxml: entries, their links, the next page, INSPIRE dataset-feed links.

INSPIRE ATOM download services (Technical Guidance 3.1) are two levels of Atom: a service feed
whose entries each describe a dataset and link (rel="alternate", type application/atom+xml) to a
dataset feed, whose entries link to the files (rel="alternate" or rel="section" per part).
"""

from __future__ import annotations

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
INSPIRE_DLS = "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0"
GEORSS = "http://www.georss.org/georss"
LUXCAT = "urn:luxcat:atom-record"
ATOM_TYPES = ("application/atom+xml",)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
NS = {"a": ATOM, "dls": INSPIRE_DLS, "georss": GEORSS, "l": LUXCAT}


class NotAFeed(Exception):
    """The document is neither an Atom feed nor an RSS channel."""


def parse(body: bytes) -> etree._Element:
    """The feed's root element (atom:feed or rss); raise NotAFeed otherwise."""
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(f"not well-formed XML: {exc}") from exc
    if root.tag == f"{{{ATOM}}}feed" or root.tag == "rss":
        return root
    name = str(root.tag).rsplit("}", 1)[-1][:100]  # QName() refuses a prefix with no namespace
    raise NotAFeed(f"root element is {name}, not an Atom feed or RSS channel")


def entries(root: etree._Element) -> list[etree._Element]:
    """atom:entry or rss item elements, in document order."""
    if root.tag == "rss":
        return root.findall("channel/item")
    return root.findall(f"{{{ATOM}}}entry")


def links(element: etree._Element, rel: str | None = None) -> list[etree._Element]:
    """atom:link children, optionally with one rel (a missing rel means "alternate")."""
    found = element.findall(f"{{{ATOM}}}link")
    return [link for link in found if rel is None or (link.get("rel") or "alternate") == rel]


def next_page(root: etree._Element) -> str | None:
    """RFC 5005 rel="next" of an Atom feed."""
    if root.tag == "rss":
        return None
    found = links(root, "next")
    return found[0].get("href") if found else None


def entry_id(entry: etree._Element) -> str | None:
    """atom:id, RSS guid, else the entry's link."""
    for path in (f"{{{ATOM}}}id", "guid"):
        text = (entry.findtext(path) or "").strip()
        if text:
            return text
    alternate = links(entry, "alternate")
    if alternate and alternate[0].get("href"):
        return str(alternate[0].get("href")).strip()
    return (entry.findtext("link") or "").strip() or None


def dataset_feed_url(entry: etree._Element) -> str | None:
    """The INSPIRE dataset feed an entry of a service feed links to, if any."""
    for link in links(entry, "alternate"):
        if (link.get("type") or "").split(";")[0].strip() in ATOM_TYPES and link.get("href"):
            return str(link.get("href")).strip()
    return None
