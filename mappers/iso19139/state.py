"""What the mapping of one ISO record shares between its parts (parsed basics, graph, decisions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from rdflib import BNode, URIRef

from mappers.iso19139.rdf import GraphWriter
from mappers.iso19139.xml import Localiser

DATASET = "dataset"
SERIES = "series"
SERVICE = "service"


@dataclass(slots=True)
class RecordState:
    """One record being mapped; parts read the XML from it and write into `out`."""

    root: etree._Element
    ident: etree._Element  # MD_DataIdentification / SV_ServiceIdentification (or a profile's subclass)
    kind: str  # DATASET | SERIES | SERVICE
    key: str  # fileIdentifier (else first resource identifier): basis of every minted URI
    base: str  # the source's base URI, ending with "/"
    loc: Localiser
    out: GraphWriter
    subject: URIRef = URIRef("urn:unset")
    record_uri: URIRef = URIRef("urn:unset")
    licence: URIRef | None = None
    licence_origin: str = "none"  # stated | source-default | none (mappers.licensing)
    rights: BNode | None = None  # a dct:RightsStatement node (blank) shared by dataset and distributions
    hvd: bool = False
    distributions: list[URIRef] = field(default_factory=list)

    def mint(self, *parts: str) -> URIRef:
        """A URI under the base for something inside this record, e.g. ("distribution", hash)."""
        from mappers.iso19139.rdf import mint

        return mint(self.base, self.kind, self.key, *parts)
