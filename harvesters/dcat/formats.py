"""Which RDF syntax a response is in: by Content-Type, then by file extension, then by sniffing the body.

Servers often send RDF as text/plain, application/octet-stream or application/xml, and files come
without any type at all; a type that names a specific RDF syntax is trusted, a generic one is not.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

# Content types that name one RDF syntax (rdflib parser names).
BY_TYPE = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
# Types that say nothing reliable about the syntax: look further.
GENERIC = frozenset({"", "text/plain", "application/octet-stream", "application/xml", "text/xml", "application/json",
                     "binary/octet-stream"})  # fmt: skip
BY_EXTENSION = {
    ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld",
    ".nt": "nt", ".n3": "n3", ".trig": "trig", ".nq": "nquads",
}  # fmt: skip
_NT_LINE = re.compile(rb"^\s*(<[^>\s]+>|_:\S+)\s+<[^>\s]+>\s+.+\.\s*$")
MEDIA_TYPES = {"xml": "application/rdf+xml", "turtle": "text/turtle", "json-ld": "application/ld+json",
               "nt": "application/n-triples", "n3": "text/n3", "trig": "application/trig",
               "nquads": "application/n-quads"}  # fmt: skip


class NotRdf(Exception):
    """The answer is not RDF in any syntax luxcat reads (e.g. an HTML error page)."""


def sniff(body: bytes) -> str | None:
    """Guess the syntax from the first bytes of the body."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        return None
    if head.startswith(b"<"):
        if re.match(rb"<[^>\s]+>\s+<[^>\s]+>", head):
            return "nt"
        return "xml" if b"rdf:RDF" in head or b"/1999/02/22-rdf-syntax-ns#" in head else None
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if re.match(rb"(@prefix|@base|prefix\s|base\s)", lowered):
        return "turtle"
    if head.startswith(b"_:") and _NT_LINE.match(head.split(b"\n", 1)[0]):
        return "nt"
    return None


def detect(content_type: str | None, url: str, body: bytes) -> str:
    """The rdflib format name for a response; raise NotRdf when nothing says it is RDF."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in BY_TYPE:
        return BY_TYPE[media]
    if media not in GENERIC and not media.endswith(("+xml", "+json")):
        raise NotRdf(f"Content-Type {media!r} is not an RDF syntax")
    path = urlparse(url).path.lower()
    for extension, syntax in BY_EXTENSION.items():
        if path.endswith(extension) and extension not in (".xml", ".json"):
            return syntax
    found = sniff(body)
    if found is None:
        raise NotRdf(f"Content-Type {media or 'missing'} and a body that is not RDF ({body[:60]!r})")
    return found
