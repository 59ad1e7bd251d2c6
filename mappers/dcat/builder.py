"""A small writer of plain DCAT graphs for mappers whose input is not RDF (CKAN, udata, Atom, inventories).

It writes what the source says, with no judgement; normalise() then maps vocabularies, repairs
node kinds and rejects records without mandatory fields, the same way as for DCAT input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from luxcat.fastgraph import FastGraph
from mappers.base import MapContext
from mappers.dcat.literals import date_literal, is_email, is_url, mailto
from mappers.dcat.normalise import mint, normalise
from mappers.dcat.terms import DCAT, DCTERMS, FOAF, LOCN, RDF, SKOS, SPDX, VCARD
from mappers.fidelity import EMPTY_URL, INVALID_URL, UNPARSEABLE_DATE, drop

GEOJSON = URIRef("https://www.iana.org/assignments/media-types/application/vnd.geo+json")


def present(value: object) -> bool:
    """True for a value worth writing (not None, not blank text, not an empty list)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict | set):
        return bool(value)
    return True


class DcatBuilder:
    """Builds one record's DCAT graph around `subject`; `build()` returns the DCAT-AP 3 result."""

    def __init__(self, context: MapContext, record_id: str, *, uri: str | None = None, kind: str = "dataset") -> None:
        self.context = context
        self.record_id = record_id
        self.kind = kind
        self.graph: Graph = FastGraph()  # dict-speed adds and lookups (luxcat.fastgraph)
        self.subject: URIRef = URIRef(uri) if uri and is_url(uri) else mint(context, kind, record_id)
        cls = DCAT.DataService if kind == "service" else DCAT.Dataset
        self.graph.add((self.subject, RDF.type, cls))

    # -- values ---------------------------------------------------------------------
    def text(self, node: Node, predicate: URIRef, value: object, lang: str | None = None) -> None:
        """A text literal (language-tagged when `lang` is given; normalise tags the rest)."""
        if present(value):
            self.graph.add((node, predicate, Literal(str(value).strip(), lang=lang)))

    def texts(self, node: Node, predicate: URIRef, values: Mapping[str, object] | Iterable[object] | None) -> None:
        """Several texts: a {language: text} mapping or a plain list."""
        if isinstance(values, Mapping):
            for lang, value in values.items():
                self.text(node, predicate, value, lang or None)
        elif values is not None:
            for value in values:
                self.text(node, predicate, value)

    def link(self, node: Node, predicate: URIRef, value: object) -> None:
        """An IRI when the value is a URL, else the text (normalise maps or drops it)."""
        if not present(value):
            return
        text = str(value).strip()
        self.graph.add((node, predicate, URIRef(text) if is_url(text) else Literal(text)))

    def date(self, node: Node, predicate: URIRef, value: object) -> None:
        literal = date_literal(value) if present(value) else None
        if literal is not None:
            self.graph.add((node, predicate, literal))
        elif present(value):
            drop(str(predicate).replace(str(DCTERMS), "dct:"), value, UNPARSEABLE_DATE)

    # -- structures --------------------------------------------------------------------
    def agent(self, predicate: URIRef, name: object, *, uri: object = None, email: object = None) -> Node | None:
        """A publisher or creator (foaf:Agent) with a name."""
        if not present(name):
            return None
        node: Node = URIRef(str(uri).strip()) if present(uri) and is_url(str(uri)) else BNode()
        self.graph.add((self.subject, predicate, node))
        self.graph.add((node, RDF.type, FOAF.Agent))
        self.text(node, FOAF.name, name)
        if present(email) and is_email(str(email)):
            self.graph.add((node, FOAF.mbox, mailto(str(email))))
        return node

    def contact(self, name: object = None, email: object = None, url: object = None) -> Node | None:
        """A dcat:contactPoint (vcard:Kind) when there is at least a name, an e-mail or a URL."""
        if not any(present(v) for v in (name, email, url)):
            return None
        node = BNode()
        self.graph.add((self.subject, DCAT.contactPoint, node))
        self.graph.add((node, RDF.type, VCARD.Kind))
        self.text(node, VCARD.fn, name if present(name) else email)
        if present(email) and is_email(str(email)):
            self.graph.add((node, VCARD.hasEmail, mailto(str(email))))
        if present(url) and is_url(str(url)):
            self.graph.add((node, VCARD.hasURL, URIRef(str(url).strip())))
        return node

    def distribution(self, url: object, *, download: bool = True, uri: object = None) -> Node | None:
        """A dcat:Distribution for a URL (as access URL, and download URL when it is a file).

        Every caller passes a resource the source listed: one without a usable URL is reported."""
        if not present(url) or not is_url(str(url)):
            given = present(url)
            drop("dcat:distribution (resource URL)", url if given else "", INVALID_URL if given else EMPTY_URL)
            return None
        node: Node = URIRef(str(uri)) if present(uri) and is_url(str(uri)) else BNode()
        self.graph.add((self.subject, DCAT.distribution, node))
        self.graph.add((node, RDF.type, DCAT.Distribution))
        self.graph.add((node, DCAT.accessURL, URIRef(str(url).strip())))
        if download:
            self.graph.add((node, DCAT.downloadURL, URIRef(str(url).strip())))
        return node

    def checksum(self, node: Node, algorithm: object, value: object) -> None:
        if present(algorithm) and present(value):
            checksum = BNode()
            self.graph.add((node, SPDX.checksum, checksum))
            self.graph.add((checksum, RDF.type, SPDX.Checksum))
            self.graph.add(
                (checksum, SPDX.algorithm, URIRef(f"http://spdx.org/rdf/terms#checksumAlgorithm_{algorithm}"))
            )
            self.graph.add((checksum, SPDX.checksumValue, Literal(str(value))))

    def temporal(self, start: object, end: object) -> None:
        """A dct:temporal period when at least one end is a date."""
        begin = date_literal(start) if present(start) else None
        finish = date_literal(end) if present(end) else None
        if begin is None and finish is None:
            return
        node = BNode()
        self.graph.add((self.subject, DCTERMS.temporal, node))
        self.graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
        if begin is not None:
            self.graph.add((node, DCAT.startDate, begin))
        if finish is not None:
            self.graph.add((node, DCAT.endDate, finish))

    def spatial(self, uri: str | None = None, label: object = None, geometry: object = None) -> None:
        """A dct:spatial location: a vocabulary IRI, or a labelled place with an optional GeoJSON geometry."""
        if uri and is_url(uri):
            self.graph.add((self.subject, DCTERMS.spatial, URIRef(uri)))
            self.graph.add((URIRef(uri), RDF.type, DCTERMS.Location))
            return
        if not present(label) and not present(geometry):
            return
        node = BNode()
        self.graph.add((self.subject, DCTERMS.spatial, node))
        self.graph.add((node, RDF.type, DCTERMS.Location))
        self.text(node, SKOS.prefLabel, label)
        if present(geometry):
            text = geometry if isinstance(geometry, str) else json.dumps(geometry, separators=(",", ":"))
            self.graph.add((node, LOCN.geometry, Literal(text, datatype=GEOJSON)))

    def build(self) -> tuple[Graph, URIRef]:
        """The DCAT-AP 3 graph and subject (a missing mandatory field is left to validation)."""
        return normalise(self.graph, self.subject, self.context, self.record_id, self.kind)
