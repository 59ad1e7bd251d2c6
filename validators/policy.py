"""Luxembourg open data strategy rules as checks: licence stated, EU-recognised, not non-commercial, CC0 advised.

Also flags personal data in metadata (a contact e-mail that looks like firstname.lastname@...) and
datasets whose distributions are all documents (PDF, HTML pages) rather than data. Results use
the SHACL result shape (`ValidationIssue`) with `shape` set to `luxcat:policy/<rule>` so reports can
group them with SHACL results. Rules apply to `dcat:Dataset` nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, SKOS
from rdflib.term import Node

from luxcat.records import ValidationIssue
from validators.shacl import node_id
from validators.vocabularies import vocabulary_graph

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_LICENCE = URIRef("http://publications.europa.eu/resource/authority/licence")
CC0 = URIRef("http://publications.europa.eu/resource/authority/licence/CC0")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"

# Functional mailboxes: a local part made of these words is not a person's address.
FUNCTIONAL = {
    "info", "contact", "support", "data", "opendata", "open", "helpdesk", "help", "service", "services",
    "admin", "office", "secretariat", "secretariat-general", "geoportail", "inspire", "statec", "metadata",
    "webmaster", "communication", "press", "presse", "mail", "team", "desk", "noreply", "no-reply", "gis",
    "sig", "stat", "stats", "statistics", "dataprotection", "dpo", "public", "portal", "feedback", "hotline",
}  # fmt: skip
_NAME = r"[a-zà-öø-ÿ]{2,}(?:-[a-zà-öø-ÿ]{2,})*"  # a name, possibly hyphenated (marie-claire)
PERSONAL = re.compile(rf"^({_NAME})[._]({_NAME})$")
# Document formats: a dataset offering only these has no machine-readable distribution.
DOCUMENT_FORMATS = {"PDF", "HTML", "HTM", "XHTML", "TEXT/HTML", "APPLICATION/PDF", "APPLICATION/XHTML+XML"}


@cache
def _licences() -> tuple[frozenset[URIRef], dict[str, URIRef]]:
    """EU licence concepts, and their exactMatch/closeMatch aliases (normalised) -> concept (start-up cached)."""
    from luxcat.startup_cache import cached
    from validators.vocabularies import vocabulary_key

    return cached("eu-licences", vocabulary_key("eu-licences", (__name__,)), _build_licences)


def _build_licences() -> tuple[frozenset[URIRef], dict[str, URIRef]]:
    """Read the licence tables from the vocabulary graph."""
    vocab = vocabulary_graph()
    concepts = frozenset(c for c in vocab.subjects(SKOS.inScheme, EU_LICENCE) if isinstance(c, URIRef))
    aliases: dict[str, URIRef] = {}
    for concept in concepts:
        for pred in (SKOS.exactMatch, SKOS.closeMatch):
            for alias in vocab.objects(concept, pred):
                aliases.setdefault(_normalise(str(alias)), concept)
    return concepts, aliases


def _normalise(uri: str) -> str:
    return re.sub(r"^https?://", "", uri.strip()).rstrip("/").lower()


def eu_licence(licence: Node) -> URIRef | None:
    """The EU licence concept a licence URI is or matches exactly (creativecommons.org URLs too)."""
    concepts, aliases = _licences()
    if licence in concepts:
        return licence  # type: ignore[return-value]
    if isinstance(licence, URIRef):
        return aliases.get(_normalise(str(licence)))
    return None


def is_non_commercial(licence: Node, concept: URIRef | None) -> bool:
    """NC licences: EU codes with BYNC/NC (CC_BYNC_4_0, OGL_NC, DLDE_BYNC_1_0), CC URLs with -nc."""
    code = str(concept).rsplit("/", 1)[-1] if concept else ""
    if re.search(r"(^|_)(BY)?NC(_|$|ND|SA)", code):
        return True
    return bool(re.search(r"creativecommons\.org/licenses/[a-z-]*nc", str(licence).lower()))


def _issue(severity: str, focus: Node, path: URIRef | None, value: Node | None, rule: str, msg: str) -> ValidationIssue:
    return ValidationIssue(
        severity=severity,
        focus=node_id(focus),
        path=str(path) if path is not None else None,
        value=node_id(value) if value is not None else None,
        message=msg,
        shape=f"luxcat:policy/{rule}",
    )


def _licence_checks(graph: Graph, dataset: Node) -> Iterator[ValidationIssue]:
    distributions = list(graph.objects(dataset, DCAT.distribution))
    on_dataset = [(dataset, lic) for lic in graph.objects(dataset, DCT.license)]
    on_dists = [(d, lic) for d in distributions for lic in graph.objects(d, DCT.license)]
    missing = [d for d in distributions if (d, DCT.license, None) not in graph]
    if not on_dataset and (not distributions or missing):
        where = "the dataset has no distribution" if not distributions else f"{len(missing)} distribution(s) lack one"
        yield _issue(
            "Violation", dataset, DCT.license, None, "licence-stated",
            f"No licence stated: add dct:license to the dataset or to every distribution ({where}).",
        )  # fmt: skip
    for holder, licence in on_dataset + on_dists:
        concept = eu_licence(licence)
        if concept is None:
            yield _issue(
                "Warning", holder, DCT.license, licence, "licence-recognised",
                "Licence not recognised in the EU licence vocabulary: use a "
                "http://publications.europa.eu/resource/authority/licence/ URI.",
            )  # fmt: skip
        if is_non_commercial(licence, concept):
            yield _issue(
                "Violation", holder, DCT.license, licence, "licence-non-commercial",
                "Non-commercial licence: Luxembourg's open data strategy bars restrictions on commercial re-use.",
            )  # fmt: skip
        elif concept != CC0:
            yield _issue(
                "Info", holder, DCT.license, licence, "licence-cc0",
                "CC0 is the recommended licence for open data in Luxembourg (data.public.lu default).",
            )  # fmt: skip


def looks_personal(email: str) -> bool:
    """Whether an e-mail's local part looks like a person's name (firstname.lastname)."""
    local = email.removeprefix("mailto:").split("@", 1)[0].strip().lower()
    match = PERSONAL.match(local)
    if not match:
        return False
    words = set(re.split(r"[-.]", match.group(1))) | set(re.split(r"[-.]", match.group(2)))
    return not (words & FUNCTIONAL)


def _contact_checks(graph: Graph, dataset: Node) -> Iterator[ValidationIssue]:
    for contact in graph.objects(dataset, DCAT.contactPoint):
        for pred in (VCARD.hasEmail, FOAF.mbox):
            for email in graph.objects(contact, pred):
                if looks_personal(str(email)):
                    yield _issue(
                        "Warning", contact, pred, email, "personal-email",
                        "Contact e-mail looks personal (a person's name): use a functional mailbox, "
                        "personal data should not be published in metadata.",
                    )  # fmt: skip


def format_tokens(graph: Graph, distribution: Node) -> set[str]:
    """A distribution's formats as upper-case tokens: EU file-type codes, IANA types or literal names."""
    tokens: set[str] = set()
    for pred in (DCT["format"], DCAT.mediaType):
        for value in graph.objects(distribution, pred):
            text = str(value)
            if isinstance(value, URIRef) and text.startswith(FILE_TYPE):
                text = text.removeprefix(FILE_TYPE)
            elif isinstance(value, URIRef) and "iana.org/assignments/media-types/" in text:
                text = text.split("media-types/", 1)[1]
            elif not isinstance(value, Literal):
                label = graph.value(value, RDF.value) or graph.value(value, SKOS.prefLabel)
                text = str(label) if label is not None else text
            tokens.add(text.strip().upper())
    return tokens


def _machine_readable_checks(graph: Graph, dataset: Node) -> Iterator[ValidationIssue]:
    formats = [format_tokens(graph, d) for d in graph.objects(dataset, DCAT.distribution)]
    known = [f for f in formats if f]
    if known and len(known) == len(formats) and all(f <= DOCUMENT_FORMATS for f in known):
        yield _issue(
            "Warning", dataset, DCAT.distribution, None, "machine-readable",
            "All distributions are documents (PDF/HTML): publish the data in a machine-readable format "
            "(CSV, JSON, XML, ...).",
        )  # fmt: skip


def policy_issues(graph: Graph, dataset: Node) -> list[ValidationIssue]:
    """All strategy-rule results for one dataset of `graph`."""
    return [
        *_licence_checks(graph, dataset),
        *_contact_checks(graph, dataset),
        *_machine_readable_checks(graph, dataset),
    ]


def is_dataset(graph: Graph, node: Node) -> bool:
    """Policy rules apply to dcat:Dataset (not to series or services)."""
    return (node, RDF.type, DCAT.Dataset) in graph
