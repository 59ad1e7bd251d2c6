"""Atom/RSS mapper: feed entries -> datasets, enclosures and INSPIRE dataset-feed files -> distributions.

Input is the harvester's bundle (entry + feed author/rights + INSPIRE dataset feed) or, through
split(), a feed file whose entries are mapped on their own. An INSPIRE entry's identifier is its
spatial_dataset_identifier namespace + code; entry categories that are IRIs (the CRS codes INSPIRE
puts there) are not keywords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import ClassVar

from lxml import etree
from rdflib import BNode, Literal
from rdflib.namespace import RDF

from harvesters.atom.feed import ATOM, GEORSS, INSPIRE_DLS, LUXCAT, NotAFeed, entries, entry_id, links, parse
from harvesters.atom.harvester import bundle
from luxcat.errors import MissingIdentifier, UnparsableRecord
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper
from mappers.dcat.builder import DcatBuilder, present
from mappers.dcat.literals import is_url
from mappers.dcat.terms import DCAT, DCTERMS, FOAF, GSP
from mappers.vocabularies import licence_uri

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TAGS = re.compile(r"<[^>]+>")


def text_of(element: etree._Element | None) -> str | None:
    """Plain text of a text construct (HTML content loses its tags)."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    if element.get("type") in ("html", "text/html") or "<" in text:
        text = unescape(_TAGS.sub(" ", text))
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text or None


def lang_of(element: etree._Element | None) -> str | None:
    while element is not None:
        if element.get(XML_LANG):
            return str(element.get(XML_LANG)).split("-")[0].lower()
        element = element.getparent()
    return None


def inspire_identifier(entry: etree._Element) -> str | None:
    code = (entry.findtext(f"{{{INSPIRE_DLS}}}spatial_dataset_identifier_code") or "").strip()
    namespace = (entry.findtext(f"{{{INSPIRE_DLS}}}spatial_dataset_identifier_namespace") or "").strip()
    if not code:
        return None
    return f"{namespace.rstrip('/')}/{code}" if namespace else code


def box_wkt(text: str) -> str | None:
    """georss:box "south west north east" -> a WKT polygon."""
    try:
        south, west, north, east = (float(v) for v in text.split())
    except ValueError:
        return None
    return f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"


class AtomEntry:
    """Writes one entry (and its dataset feed) into a DcatBuilder."""

    def __init__(self, entry: etree._Element, record: etree._Element | None, builder: DcatBuilder) -> None:
        self.e = entry
        self.r = record
        self.b = builder
        self.s = builder.subject
        self.rss = entry.tag == "item"
        self.dataset_feed = record.find(f"{{{ATOM}}}feed") if record is not None else None

    def find(self, atom: str, rss: str) -> etree._Element | None:
        return self.e.find(rss if self.rss else f"{{{ATOM}}}{atom}")

    def write(self) -> None:
        b, s = self.b, self.s
        title = self.find("title", "title")
        b.text(s, DCTERMS.title, text_of(title), lang_of(title))
        description = self.find("summary", "description")
        if description is None:
            description = self.find("content", "description")
        if description is None and self.dataset_feed is not None:
            description = self.dataset_feed.find(f"{{{ATOM}}}subtitle")
        b.text(s, DCTERMS.description, text_of(description), lang_of(description))
        b.text(s, DCTERMS.identifier, inspire_identifier(self.e) or entry_id(self.e))
        b.date(s, DCTERMS.modified, text_of(self.find("updated", "pubDate")))
        b.date(s, DCTERMS.issued, text_of(self.find("published", "pubDate")) if not self.rss else None)
        self.pages()
        self.keywords()
        self.parties()
        self.where()
        self.files()

    def pages(self) -> None:
        if self.rss:
            self.b.link(self.s, DCAT.landingPage, self.e.findtext("link"))
            return
        for link in links(self.e, "alternate"):
            if (link.get("type") or "text/html").startswith("text/html"):
                self.b.link(self.s, DCAT.landingPage, link.get("href"))
        for link in links(self.e, "describedby"):
            self.b.link(self.s, FOAF.page, link.get("href"))

    def keywords(self) -> None:
        for category in self.e.findall("category" if self.rss else f"{{{ATOM}}}category"):
            term = category.get("term") or category.text
            if present(term) and not is_url(str(term)):  # INSPIRE puts CRS IRIs in categories
                self.b.text(self.s, DCAT.keyword, str(category.get("label") or term).strip())

    def parties(self) -> None:
        authors = self.e.findall(f"{{{ATOM}}}author")
        if not authors and self.r is not None:
            authors = self.r.findall(f"{{{LUXCAT}}}feed-info/{{{ATOM}}}author")
        for author in authors[:1]:
            name, email = author.findtext(f"{{{ATOM}}}name"), author.findtext(f"{{{ATOM}}}email")
            self.b.agent(DCTERMS.publisher, name, uri=author.findtext(f"{{{ATOM}}}uri"))
            self.b.contact(name, email)

    def where(self) -> None:
        box = self.e.findtext(f"{{{GEORSS}}}box")
        wkt = box_wkt(box) if box else None
        if wkt:
            node = BNode()
            self.b.graph.add((self.s, DCTERMS.spatial, node))
            self.b.graph.add((node, RDF.type, DCTERMS.Location))
            self.b.graph.add((node, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))

    def rights(self) -> str | None:
        found = self.find("rights", "copyright")
        if found is None and self.dataset_feed is not None:
            found = self.dataset_feed.find(f"{{{ATOM}}}rights")
        if found is None and self.r is not None:
            found = self.r.find(f"{{{LUXCAT}}}feed-info/{{{ATOM}}}rights")
        if found is None and self.r is not None:
            found = self.r.find(f"{{{LUXCAT}}}feed-info/copyright")
        return text_of(found)

    def files(self) -> None:
        rights = self.rights()
        if self.rss:
            targets = [(e.get("url"), e.get("type"), e.get("length"), None) for e in self.e.findall("enclosure")]
        else:
            targets = [
                (ln.get("href"), ln.get("type"), ln.get("length"), ln.get("title")) for ln in links(self.e, "enclosure")
            ]
        if self.dataset_feed is not None:
            for file_entry in entries(self.dataset_feed):
                name = text_of(file_entry.find(f"{{{ATOM}}}title"))
                for link in links(file_entry, "alternate") + links(file_entry, "section"):
                    targets.append((link.get("href"), link.get("type"), link.get("length"), link.get("title") or name))
        for url, media, length, title in targets:
            self.file(url, media, length, title, rights)

    def file(
        self, url: str | None, media: str | None, length: str | None, title: str | None, rights: str | None
    ) -> None:
        node = self.b.distribution(url)
        if node is None:
            return
        self.b.text(node, DCTERMS.title, title)
        self.b.link(node, DCTERMS.format, media)
        self.b.link(node, DCAT.mediaType, media)
        if length and length.isdigit() and int(length) > 0:
            self.b.text(node, DCAT.byteSize, int(length))
        if rights:
            licence = licence_uri(rights)
            self.b.link(node, DCTERMS.license if licence else DCTERMS.rights, licence or rights)


class AtomMapper(Mapper):
    """One feed entry (RSS item) -> one DCAT-AP 3 dataset."""

    name: ClassVar[str] = "atom"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A feed file -> one bundle per entry (dataset feeds are not fetched here)."""
        root = etree.fromstring(raw.payload) if raw.payload.lstrip().startswith(b"<") else None
        if root is not None and root.tag == f"{{{LUXCAT}}}record":
            yield raw
            return
        try:
            feed = parse(raw.payload)
        except NotAFeed as exc:
            raise UnparsableRecord(f"{raw.record_id}: {exc}") from exc
        for position, entry in enumerate(entries(feed), start=1):
            yield RawRecord(raw.source_id, entry_id(entry) or f"{raw.record_id}#{position}",
                            bundle(entry, feed, None, raw.origin_url), "application/xml", raw.origin_url)  # fmt: skip

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        try:
            record = etree.fromstring(raw.payload)
        except etree.XMLSyntaxError as exc:
            raise UnparsableRecord(f"{raw.record_id}: not well-formed XML: {exc}") from exc
        entry = record.find(f"{{{ATOM}}}entry")
        if entry is None:
            entry = record.find("item")
        if entry is None:
            raise UnparsableRecord(f"{raw.record_id}: no atom:entry or RSS item in the record")
        record_id = inspire_identifier(entry) or entry_id(entry)
        if record_id is None:
            raise MissingIdentifier(f"{raw.record_id}: entry without atom:id, guid, link or INSPIRE identifier")
        builder = DcatBuilder(self.context, record_id)
        AtomEntry(entry, record, builder).write()
        graph, subject = builder.build()
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=graph, subject=subject)
