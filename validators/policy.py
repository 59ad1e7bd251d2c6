"""Luxembourg open data strategy rules as checks: licence stated, EU-recognised, not non-commercial, CC0 advised.

Terms that restrict re-use (non-commercial, "prohibited", "interdit", "nicht gestattet", permission
required, an access restriction such as INSPIRE Article 13) are a Violation "restrictive terms"
that quotes the text, whatever licence the record carries: such a dataset is not open data.

Also flags personal data in metadata (a contact e-mail that looks like firstname.lastname@...) and
datasets whose distributions are all documents (PDF, HTML pages) rather than data. Results use
the SHACL result shape (`ValidationIssue`) with `shape` set to `luxcat:policy/<rule>` so reports can
group them with SHACL results. Rules apply to `dcat:Dataset` nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import FOAF, SKOS
from rdflib.term import Node

from luxcat.fastgraph import CachedNamespace
from luxcat.records import ValidationIssue
from mappers.vocabularies.use_terms import restrictive_terms
from validators.shacl import node_id
from validators.vocabularies import vocabulary_graph

DCAT = CachedNamespace("http://www.w3.org/ns/dcat#")
DCT = CachedNamespace("http://purl.org/dc/terms/")
VCARD = CachedNamespace("http://www.w3.org/2006/vcard/ns#")
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
    """NC licences in any URI form: EU codes with BYNC/NC (CC_BYNC_4_0, OGL_NC, DLDE_BYNC_1_0),
    Creative Commons URLs with -nc (licenses/by-nc-sa/4.0/deed.fr), SPDX ids (CC-BY-NC-4.0), GovData's dl-de/by-nc."""
    code = str(concept).rsplit("/", 1)[-1] if concept else ""
    if re.search(r"(^|_)(BY)?NC(_|$|ND|SA)", code):
        return True
    text = str(licence).lower()
    return bool(
        re.search(r"creativecommons\.org/licen[cs]es/[a-z-]*\bnc\b", text)
        or re.search(r"\bcc[-_ ]by[-_ ]nc\b|\bby-nc\b|dl-de/by-nc", text)
    )


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


_NOT_OPEN_ACCESS = ("RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "SENSITIVE")
_RIGHTS_TEXT = (URIRef("http://www.w3.org/2000/01/rdf-schema#label"), SKOS.prefLabel, DCT.description)


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _restrictive_checks(graph: Graph, dataset: Node) -> Iterator[ValidationIssue]:
    """Terms restricting re-use, quoted from dct:rights (any language) or an access restriction."""
    for holder in [dataset, *graph.objects(dataset, DCAT.distribution)]:
        for rights in graph.objects(holder, DCT.rights):
            texts = [str(t) for p in _RIGHTS_TEXT for t in graph.objects(rights, p)]
            if isinstance(rights, Literal):
                texts.append(str(rights))
            found = next((t for t in texts if restrictive_terms(t)), None)
            if found is not None:
                yield _issue(
                    "Violation", holder, DCT.rights, rights, "restrictive-terms",
                    f'Restrictive terms: "{_quote(found)}" - the source restricts re-use, so this is not open data.',
                )  # fmt: skip
        for access in graph.objects(holder, DCT.accessRights):
            if str(access).rsplit("/", 1)[-1] in _NOT_OPEN_ACCESS:
                label = graph.value(access, SKOS.prefLabel) or access
                yield _issue(
                    "Violation", holder, DCT.accessRights, access, "restrictive-terms",
                    f'Restrictive terms: access rights "{_quote(str(label))}" - public access is limited '
                    "(e.g. INSPIRE Article 13), so this is not open data.",
                )  # fmt: skip


def policy_issues(graph: Graph, dataset: Node) -> list[ValidationIssue]:
    """All strategy-rule results for one dataset of `graph`."""
    return [
        *_licence_checks(graph, dataset),
        *_restrictive_checks(graph, dataset),
        *_contact_checks(graph, dataset),
        *_machine_readable_checks(graph, dataset),
    ]


def udata_licence_issues(graph: Graph, dataset: Node) -> list[ValidationIssue]:
    """For sources publishing to data.public.lu: a Warning when a dataset/series/service's licence has no id there.

    The udata publisher refuses such a record (`licence_unplaceable`, never `notspecified`); this says
    so at validation, naming the licence, without blocking the catalogue or data.europa.eu.
    """
    from mappers.vocabularies.udata_licences import place, stated_licence

    uri = stated_licence(graph, dataset)
    if uri is None or place(uri).id is not None:
        return []
    return [
        _issue(
            "Warning", dataset, DCT.license, Literal(uri), "licence-udata-placeable",
            f"Licence {uri} matches none of data.public.lu's licence ids "
            "(mappers/vocabularies/data/udata/licences.csv): this dataset will not be published to "
            "data.public.lu (never as notspecified); add the licence to the table or fix the record.",
        )
    ]  # fmt: skip


def is_dataset(graph: Graph, node: Node) -> bool:
    """Policy rules apply to dcat:Dataset (not to series or services)."""
    return (node, RDF.type, DCAT.Dataset) in graph
