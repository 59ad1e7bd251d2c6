"""A DCAT-AP 2.1.1-compatible variant of DCAT-AP 3 triples, for harvesters that still expect 2.1.1.

DCAT-AP 3 moved a few terms into the DCAT namespace (dcat:version, dcat:hasVersion, dcat:inSeries)
and added dcat:DatasetSeries; 2.1.1 consumers know owl:versionInfo, dct:hasVersion/isVersionOf,
dct:isPartOf and plain dcat:Dataset. Everything else is the same vocabulary and passes unchanged
(2.1.1 consumers ignore the HVD terms they do not know).
"""

from __future__ import annotations

from collections.abc import Iterable

from publishers.serialise import RDF_TYPE, Triple, iri

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"

PREDICATES: dict[str, str] = {
    iri(DCAT + "version"): iri("http://www.w3.org/2002/07/owl#versionInfo"),
    iri(DCAT + "hasVersion"): iri(DCT + "hasVersion"),
    iri(DCAT + "isVersionOf"): iri(DCT + "isVersionOf"),
    iri(DCAT + "inSeries"): iri(DCT + "isPartOf"),
}
SERIES = iri(DCAT + "DatasetSeries")
DATASET = iri(DCAT + "Dataset")


def needs_downgrade(triples: Iterable[Triple]) -> bool:
    """Whether any triple differs in 2.1.1 (most do not: their rendering is then shared)."""
    return any(p in PREDICATES or o == SERIES for _s, p, o in triples)


def downgrade(triples: Iterable[Triple]) -> list[Triple]:
    """Rename the 3.0-only predicates and type series as datasets too."""
    out: list[Triple] = []
    for s, p, o in triples:
        out.append((s, PREDICATES.get(p, p), o))
        if p == RDF_TYPE and o == SERIES:
            out.append((s, RDF_TYPE, DATASET))
    return out
