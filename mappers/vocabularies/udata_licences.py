"""Licence URI -> data.public.lu licence id, from the table in data/udata/licences.csv (data, not code).

Neutral ground: the udata publisher maps with it and the validators report what it cannot place,
so neither imports the other.

Order: the table on the normalised URI (scheme, "www.", trailing slash, `/legalcode`, `/deed.xx` and case
ignored); else the shared licence recogniser (mappers.vocabularies.licence_uri: licence URLs, names)
gives an EU licence URI, looked up in the table again; else the EU code's family (CC BY*, CC BY-SA*,
non-commercial, no-derivatives). What is still unknown is *unplaceable*: the caller reports it, it is
never published as `notspecified`.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS

TABLE = Path(__file__).with_name("data") / "udata" / "licences.csv"
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
BARRED = "barred"
IDS = frozenset(
    {"cc-zero", "cc-by", "cc-by-sa", "odc-pddl", "odc-by", "odc-odbl", "other-pd", "other-at", "other-open"}
)
_SUFFIX = re.compile(r"/(legalcode(\.[a-z-]+)?|deed\.[a-z-]+)$")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a licence URI lands: `id` (a data.public.lu id), `barred` (NC/ND) or None (unplaceable)."""

    uri: str
    id: str | None
    via: str  # table | recognised | family | none

    @property
    def barred(self) -> bool:
        return self.id == BARRED


def normalise(uri: str) -> str:
    """The table's key form: no scheme, no `www.`, no trailing slash or legalcode/deed suffix, lower-case."""
    key = uri.strip().lower()
    key = re.sub(r"^[a-z]+://", "", key).removeprefix("www.")
    key = key.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return _SUFFIX.sub("", key).rstrip("/")


@functools.cache
def table() -> dict[str, str]:
    """Normalised URI -> id (or `barred`), every row of data/udata/licences.csv; a bad row fails loudly."""
    rows: dict[str, str] = {}
    with TABLE.open(newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for n, row in enumerate(csv.DictReader(lines), 2):
        lid = row["id"].strip()
        if lid not in IDS and lid != BARRED:
            raise ValueError(f"{TABLE}: row {n}: unknown data.public.lu licence id {lid!r}")
        rows[normalise(row["uri"])] = lid
    return rows


def _family(eu_uri: str) -> str | None:
    """Fallback on an EU licence code's family; None when the family says nothing."""
    code = eu_uri[len(EU_LICENCE) :].strip("/").upper()
    if re.search(r"BY_?NC|_NC\b|NC_", code) or re.search(r"BY_?ND|_ND\b", code):
        return BARRED
    if code.startswith(("CC_BYSA", "CC_BY_SA")):
        return "cc-by-sa"
    if code == "CC_BY" or code.startswith("CC_BY_"):
        return "cc-by"
    return None


@functools.lru_cache(maxsize=4096)
def place(uri: str) -> Placement:
    """Where one licence URI (or licence URL/name) lands among data.public.lu's licence ids."""
    rows = table()
    found = rows.get(normalise(uri))
    if found:
        return Placement(uri, found, "table")
    eu = uri.strip()
    if not normalise(eu).startswith(normalise(EU_LICENCE)):
        from mappers.vocabularies import licence_uri  # the shared recogniser of licence URLs and names

        eu = licence_uri(uri) or ""
        if eu and (found := rows.get(normalise(eu))):
            return Placement(uri, found, "recognised")
    else:
        eu = "http://" + re.sub(r"^[a-z]+://", "", eu, flags=re.IGNORECASE)
    if eu:
        family = _family(eu)
        if family:
            return Placement(uri, family, "family")
    return Placement(uri, None, "none")


def _refs(graph: Graph, node: Any, prop: URIRef) -> list[str]:
    """Every value of `prop` as text, sorted: IRIs and literals as they are, blank nodes via rdfs:seeAlso."""
    found: set[str] = set()
    for obj in graph.objects(node, prop):
        if isinstance(obj, BNode):
            obj = graph.value(obj, RDFS.seeAlso)
        if isinstance(obj, URIRef | Literal):
            found.add(str(obj))
    return sorted(found)


def stated_licence(graph: Graph, dataset: Any) -> str | None:
    """The licence data.public.lu gets: the dataset's dct:license, else its distributions' most common one."""
    own = _refs(graph, dataset, DCTERMS.license)
    if own:
        return own[0]
    counts: dict[str, int] = {}
    for dist in graph.objects(dataset, DCAT.distribution):
        for uri in _refs(graph, dist, DCTERMS.license):
            counts[uri] = counts.get(uri, 0) + 1
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
