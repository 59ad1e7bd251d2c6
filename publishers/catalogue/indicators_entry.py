"""The indicators dataset (issue 15) as a dataset of the catalogue: its description joins the catalogue dumps.

Indicators are computed after an export, over the served version, so an export includes the
description the previous computation published (`indicators/dataset.ttl` beside the versions); its
distribution URLs are stable, only dates move. The served version records a hash of the description
without those dates, so a new export is forced when the indicators dataset first appears (or its
description really changes), not every day; the dates refresh with the next export of the catalogue.
"""

from __future__ import annotations

import hashlib
import logging

from rdflib import Graph

from publishers.catalogue.storage import ExportTarget
from publishers.serialise import Triple, iri, parse_nt, relabel

log = logging.getLogger(__name__)
DESCRIPTION = "indicators/dataset.ttl"
DCAT_DATASET = "<http://www.w3.org/ns/dcat#dataset>"
MOVING = frozenset({"<http://purl.org/dc/terms/modified>", "<http://www.w3.org/ns/dcat#endDate>"})


def indicators_triples(target: ExportTarget, catalogue_uri: str) -> list[Triple]:
    """The published indicators dataset's triples, or [] when none is published (or it names another catalogue)."""
    try:
        data = target.read(DESCRIPTION)
    except KeyError:
        return []
    graph = Graph().parse(data=data, format="turtle")
    triples = relabel(parse_nt(graph.serialize(format="nt", encoding="utf-8")), "indicators")
    if not any(s == iri(catalogue_uri) and p == DCAT_DATASET for s, p, _ in triples):
        log.warning("stage=publish %s describes a dataset of another catalogue than %s: left out", DESCRIPTION,
                    catalogue_uri)  # fmt: skip
        return []
    return sorted(set(triples))


def description_hash(triples: list[Triple]) -> str | None:
    """A hash of the description without its moving dates (None without indicators)."""
    if not triples:
        return None
    text = "\n".join(" ".join(t) for t in sorted(t for t in triples if t[1] not in MOVING))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
