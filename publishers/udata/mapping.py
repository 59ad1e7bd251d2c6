"""DCAT-AP graph -> what one dataset should look like on udata (fields, resources, contacts, services).

udata holds one language per field, so each text field takes the first language found in this order:
the source's preferred languages, then the fallback order (fr, de, en, lb by default), then untagged
literals, then any other language (alphabetically, for a stable result). The title and description of
every other language are kept, as Markdown sections, at the end of the description.

Tags come from the keywords in the chosen language (and untagged ones), normalised to udata's tag
rules; HVD datasets get `hvd` and their category tag. luxcat's dataset URI, source id and record id go
into `extras` under `luxcat:` keys: they are how a lost id map is recovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from luxcat.errors import MissingField, RecordError
from publishers.udata import contact_points, licences, vocab

VCARD = "http://www.w3.org/2006/vcard/ns#"
DCATAP = "http://data.europa.eu/r5r/"
SCHEMA = "http://schema.org/"
EXTRA_URI = "luxcat:dataset_uri"
EXTRA_SOURCE = "luxcat:source_id"
EXTRA_RECORD = "luxcat:record_id"
EXTRA_KEY = "luxcat:key"  # on resources and dataservices: the distribution/service IRI (else its URL)
EXTRA_LICENCE = "luxcat:licence_uri"  # the licence URI the source stated, whatever id it landed on
FALLBACK_LANGUAGES = ("fr", "de", "en", "lb")


class LicenceNotAllowed(RecordError):
    """The record's licence is non-commercial or no-derivatives: data.public.lu does not accept it."""

    reason = "licence_not_allowed"


class LicenceUnplaceable(RecordError):
    """The record states a licence luxcat cannot place among data.public.lu's ids: never `notspecified`."""

    reason = "licence_unplaceable"


@dataclass(frozen=True, slots=True)
class ContactSpec:
    """One contact point as a udata ContactPoint of the organisation."""

    name: str
    email: str | None = None
    contact_form: str | None = None
    role: str = "contact"

    def body(self, organization: str) -> dict[str, Any]:
        body: dict[str, Any] = {"role": self.role, "organization": organization}
        if self.name:
            body["name"] = self.name
        if self.email:
            body["email"] = self.email
        if self.contact_form:
            body["contact_form"] = self.contact_form
        return body

    def matches(self, existing: dict[str, Any]) -> bool:
        return (
            (existing.get("name") or "") == self.name
            and (existing.get("email") or None) == self.email
            and (existing.get("role") or "contact") == self.role
        )


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """One remote resource; `key` (distribution IRI, else URL) keeps its udata id when its URL changes."""

    key: str
    url: str
    title: str
    type: str = "main"
    format: str = ""
    mime: str | None = None
    filesize: int | None = None
    description: str = ""

    def fields(self) -> dict[str, Any]:
        """The resource fields luxcat owns, as udata stores them."""
        return {
            "title": self.title,
            "url": self.url,
            "type": self.type,
            "format": self.format,
            "mime": self.mime,
            "filesize": self.filesize,
            "description": self.description,
            "filetype": "remote",
        }


@dataclass(frozen=True, slots=True)
class DataserviceSpec:
    """One dcat:DataService: a udata dataservice, or an `api` resource where dataservices are not used."""

    key: str
    title: str
    base_api_url: str
    description: str = ""
    machine_documentation_url: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "base_api_url": self.base_api_url,
            "machine_documentation_url": self.machine_documentation_url,
        }

    def as_resource(self) -> ResourceSpec:
        return ResourceSpec(
            key=self.key, url=self.base_api_url, title=self.title, type="api", description=self.description
        )


@dataclass(slots=True)
class DatasetSpec:
    """Everything luxcat wants one dataset to be on udata."""

    dataset_uri: str
    language: str
    fields: dict[str, Any]
    resources: list[ResourceSpec] = field(default_factory=list)
    contacts: list[ContactSpec] = field(default_factory=list)
    services: list[DataserviceSpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # values left out, each with its reason


# -- literals and languages ------------------------------------------------------------------------
def language_order(preferred: Sequence[str], fallback: Sequence[str] = FALLBACK_LANGUAGES) -> list[str]:
    """The source's languages first, then the fallback order, each once."""
    order: list[str] = []
    for lang in (*preferred, *fallback):
        if lang not in order:
            order.append(lang)
    return order


def texts(graph: Graph, node: Any, prop: URIRef) -> dict[str, list[str]]:
    """Literal values of `prop` by language ("" = untagged), each list sorted for stable output."""
    found: dict[str, list[str]] = {}
    for value in graph.objects(node, prop):
        if isinstance(value, Literal) and str(value).strip():
            found.setdefault(vocab.language_of(value.language), []).append(str(value).strip())
    return {lang: sorted(values) for lang, values in found.items()}


def ranked(languages: Iterable[str], order: Sequence[str]) -> list[str]:
    """Languages present, in preference order: `order`, then untagged, then the rest alphabetically."""
    present = set(languages)
    head = [lang for lang in order if lang in present]
    tail = sorted(present - set(order) - {""})
    return head + ([""] if "" in present else []) + tail


def pick(by_lang: dict[str, list[str]], order: Sequence[str], lang: str | None = None) -> str | None:
    """The value in `lang` when there is one, else in the first available language of `order`."""
    if lang is not None and by_lang.get(lang):
        return by_lang[lang][0]
    for candidate in ranked(by_lang, order):
        return by_lang[candidate][0]
    return None


def ref(graph: Graph, node: Any) -> str | None:
    """A node as a URI/text: IRIs and literals as they are, blank nodes through their rdfs:seeAlso."""
    if isinstance(node, URIRef | Literal):
        return str(node)
    if isinstance(node, BNode):
        target = graph.value(node, RDFS.seeAlso)
        return str(target) if target is not None else None
    return None


def refs(graph: Graph, node: Any, prop: URIRef) -> list[str]:
    """Every value of `prop` as a URI/text (see ref), sorted."""
    return sorted({r for o in graph.objects(node, prop) if (r := ref(graph, o))})


# -- dataset ----------------------------------------------------------------------------------------
def map_dataset(
    graph: Graph,
    subject: URIRef,
    *,
    source_id: str,
    record_id: str,
    languages: Sequence[str],
    fallback: Sequence[str] = FALLBACK_LANGUAGES,
    default_zones: Sequence[str] = (),
) -> DatasetSpec:
    """The udata view of one DCAT-AP dataset; raises RecordError when it cannot be published."""
    order = language_order(languages, fallback)
    titles = texts(graph, subject, DCTERMS.title)
    if not titles:
        raise MissingField(f"{subject}: no dct:title")
    lang = ranked(titles, order)[0]
    title = titles[lang][0]
    descriptions = texts(graph, subject, DCTERMS.description)
    warnings: list[str] = []
    placement = dataset_licence(graph, subject)
    extras = {EXTRA_URI: str(subject), EXTRA_SOURCE: source_id, EXTRA_RECORD: record_id}
    if placement is None:
        licence = vocab.UNSPECIFIED_LICENCE  # no licence stated at all (policy validation reports that)
    elif placement.barred:
        raise LicenceNotAllowed(
            f"{subject}: licence {placement.uri} is non-commercial or no-derivatives, barred on data.public.lu"
        )
    elif placement.id is None:
        raise LicenceUnplaceable(
            f"{subject}: licence {placement.uri} matches none of data.public.lu's licences "
            "(mappers/vocabularies/data/udata/licences.csv); not published as notspecified: "
            "add the licence to the table or fix the record"
        )
    else:
        licence = placement.id
        extras[EXTRA_LICENCE] = placement.uri
    fields: dict[str, Any] = {
        "title": title if len(title) <= vocab.TITLE_MAX else title[: vocab.TITLE_MAX - 1] + "…",
        "description": description(titles, descriptions, lang, order),
        "tags": tags(graph, subject, lang, warnings),
        "license": licence,
        "frequency": frequency(graph, subject, warnings),
        "temporal_coverage": temporal(graph, subject),
        "spatial": spatial(graph, subject, default_zones, warnings),
        "extras": extras,
    }
    return DatasetSpec(
        dataset_uri=str(subject),
        language=lang,
        fields=fields,
        resources=resources(graph, subject, order, lang, warnings),
        contacts=contacts(graph, subject, order, lang, warnings),
        services=services(graph, subject, order, lang),
        warnings=warnings,
    )


def description(
    titles: dict[str, list[str]], descriptions: dict[str, list[str]], lang: str, order: Sequence[str]
) -> str:
    """Markdown: the description in `lang` (else the title), then one section per other language."""
    main = pick(descriptions, order, lang) or titles[lang][0]
    parts = [main]
    for other in ranked(set(titles) | set(descriptions), order):
        if other == lang:
            continue
        name = vocab.LANGUAGE_NAMES.get(other, other or "?")
        heading = f"**{name}**"
        if titles.get(other):
            heading += f": {titles[other][0]}"
        section = [heading]
        if descriptions.get(other):
            section.append(descriptions[other][0])
        parts.append("\n\n".join(section))
    return "\n\n---\n\n".join(parts)


def tags(graph: Graph, subject: URIRef, lang: str, warnings: list[str] | None = None) -> list[str]:
    """Keywords in the chosen language (and untagged ones), plus `hvd` + category for HVD datasets.

    A keyword udata would refuse (fewer than 3 characters once slugified) is left out and reported; one
    longer than 96 is cut to 96 and reported.
    """
    keywords = texts(graph, subject, DCAT.keyword)
    words = [*keywords.get(lang, []), *(keywords.get("", []) if lang else [])]
    if not keywords.get(lang) and not keywords.get(""):  # keywords exist only in other languages
        words = [w for values in keywords.values() for w in values]
    found: set[str] = set()
    for word in words:
        tag = vocab.normalise_tag(word)
        if tag is None:
            _warn(warnings, f"keyword {word!r}: shorter than udata's {vocab.TAG_MIN} characters as a tag; left out")
            continue
        if len(vocab.slug(word)) > vocab.TAG_MAX:
            _warn(warnings, f"keyword {word[:40]!r}...: longer than udata's {vocab.TAG_MAX} characters; cut to {tag!r}")
        found.add(tag)
    if vocab.HVD_LEGISLATION in refs(graph, subject, URIRef(DCATAP + "applicableLegislation")):
        found.add(vocab.HVD_TAG)
        for category in refs(graph, subject, URIRef(DCATAP + "hvdCategory")):
            tag = vocab.hvd_category_tag(category)
            if tag:
                found.add(tag)
            else:
                _warn(warnings, f"HVD category {category}: not an HVD category udata knows; no category tag")
    return sorted(found)


def _warn(warnings: list[str] | None, message: str) -> None:
    if warnings is not None and message not in warnings:
        warnings.append(message)


def dataset_licence(graph: Graph, subject: URIRef) -> licences.Placement | None:
    """Where the dataset's dct:license lands (else the licence most of its distributions use); None: none stated."""
    uri = licences.stated_licence(graph, subject)
    return None if uri is None else licences.place(uri)


def frequency(graph: Graph, subject: URIRef, warnings: list[str] | None = None) -> str:
    """udata frequency of dct:accrualPeriodicity; a value udata has no code for is reported (`unknown`)."""
    stated = next(iter(refs(graph, subject, DCTERMS.accrualPeriodicity)), None)
    code = vocab.frequency_code(stated)
    if stated and code == "unknown" and not stated.rstrip("/").endswith(("UNKNOWN", "OP_DATPRO")):
        _warn(warnings, f"frequency {stated}: no udata frequency for it; left as unknown")
    return code


def temporal(graph: Graph, subject: URIRef) -> dict[str, str] | None:
    """The widest period over every dct:temporal (start required by udata); dates as UTC midnight."""
    starts: list[str] = []
    ends: list[str] = []
    for period in graph.objects(subject, DCTERMS.temporal):
        for prop, bucket in ((DCAT.startDate, starts), (DCAT.endDate, ends)):
            bucket += [str(v)[:10] for v in graph.objects(period, prop)]
        starts += [str(v)[:10] for v in graph.objects(period, URIRef(SCHEMA + "startDate"))]
        ends += [str(v)[:10] for v in graph.objects(period, URIRef(SCHEMA + "endDate"))]
    if not starts:
        return None
    coverage = {"start": f"{min(starts)}T00:00:00+00:00"}
    if ends:
        coverage["end"] = f"{max(ends)}T00:00:00+00:00"
    return coverage


def spatial(
    graph: Graph, subject: URIRef, default_zones: Sequence[str], warnings: list[str] | None = None
) -> dict[str, Any] | None:
    """udata zones for the EU country URIs in dct:spatial (else the configured default zones).

    Other spatial values (places, geometries, national geocoding URIs) have no udata zone: reported.
    """
    zones: set[str] = set()
    for uri in refs(graph, subject, DCTERMS.spatial):
        zone = vocab.country_zone(uri)
        if zone:
            zones.add(zone)
        elif uri.startswith(("http://", "https://")):
            _warn(warnings, f"spatial {uri}: no udata zone for it; left out of the spatial coverage")
    found = sorted(zones) or sorted(default_zones)
    if not found:
        return None
    granularity = "country" if all(z.startswith("country:") for z in found) else "other"
    return {"zones": found, "granularity": granularity}


# -- contacts, resources, services -------------------------------------------------------------------
def contacts(
    graph: Graph, subject: URIRef, order: Sequence[str], lang: str, warnings: list[str] | None = None
) -> list[ContactSpec]:
    """dcat:contactPoint vCards as udata contact points (role `contact`); what udata would refuse is left out.

    The e-mail is normalised (contacts.normalise_email); a contact udata would refuse (no valid e-mail and
    no contact form, or a URL in its name) is left out and reported: the dataset is published without it.
    """
    found: set[ContactSpec] = set()
    for card in graph.objects(subject, DCAT.contactPoint):
        name = pick(texts(graph, card, URIRef(VCARD + "fn")), order, lang) or pick(
            texts(graph, card, URIRef(VCARD + "organization-name")), order, lang
        )
        raw_email = next(iter(refs(graph, card, URIRef(VCARD + "hasEmail"))), None)
        form = next(iter(refs(graph, card, URIRef(VCARD + "hasURL"))), None)
        spec = contact_points.contact(name, raw_email, form)
        if isinstance(spec, str):
            _warn(warnings, spec)
            continue
        for note in spec.notes:
            _warn(warnings, note)
        found.add(ContactSpec(name=spec.name, email=spec.email, contact_form=spec.contact_form))
    return sorted(found, key=lambda c: (c.name, c.email or ""))


def resources(
    graph: Graph, subject: URIRef, order: Sequence[str], lang: str, warnings: list[str] | None = None
) -> list[ResourceSpec]:
    """Distributions as remote resources (`main`, or `api` for service access), pages as documentation."""
    found: dict[str, ResourceSpec] = {}
    for dist in graph.objects(subject, DCAT.distribution):
        spec = distribution(graph, dist, order, lang, warnings)
        if spec is not None and spec.url not in {r.url for r in found.values()}:
            found[spec.key] = spec
    for page in sorted(graph.objects(subject, FOAF.page), key=str):
        url = ref(graph, page)
        if url and url.startswith(("http://", "https://")) and url not in {r.url for r in found.values()}:
            title = pick(texts(graph, page, DCTERMS.title), order, lang) or "Documentation"
            found[url] = ResourceSpec(key=url, url=url, title=title, type="documentation", format="html")
    return sorted(found.values(), key=lambda r: (r.type != "main", r.title, r.url))


def distribution(
    graph: Graph, dist: Any, order: Sequence[str], lang: str, warnings: list[str] | None = None
) -> ResourceSpec | None:
    """One distribution; None when it has no usable URL (udata's own reader drops those too, reported)."""
    urls = refs(graph, dist, DCAT.downloadURL) or refs(graph, dist, DCAT.accessURL)
    usable = [u for u in urls if u.startswith(("http://", "https://", "ftp://")) and not any(c.isspace() for c in u)]
    if not usable:
        _warn(warnings, f"distribution {ref(graph, dist) or 'without IRI'}: no usable download or access URL "
                        f"({', '.join(urls) or 'none'}); left out")  # fmt: skip
        return None
    url = usable[0]
    fmt_ref = next(iter(refs(graph, dist, DCTERMS.format)), None)
    mime_ref = next(iter(refs(graph, dist, DCAT.mediaType)), None)
    fmt = vocab.format_name(fmt_ref) or vocab.format_name(mime_ref) or _extension(url) or ""
    if fmt and not vocab.is_format(fmt):
        _warn(warnings, f"distribution {url}: format {fmt_ref or mime_ref or fmt!r} is not a format name; left out")
        fmt = ""
    is_api = bool(list(graph.objects(dist, DCAT.accessService))) or (
        fmt_ref is not None and fmt_ref.rstrip("/").rsplit("/", 1)[-1] in vocab.SERVICE_FORMATS
    )
    size = next(iter(graph.objects(dist, DCAT.byteSize)), None)
    title = pick(texts(graph, dist, DCTERMS.title), order, lang) or url.rstrip("/").rsplit("/", 1)[-1] or url
    return ResourceSpec(
        key=str(dist) if isinstance(dist, URIRef) else url,
        url=url,
        title=title[: vocab.TITLE_MAX],
        type="api" if is_api else "main",
        format=fmt,
        mime=vocab.media_type(mime_ref),
        filesize=_int(size),
        description=pick(texts(graph, dist, DCTERMS.description), order, lang) or "",
    )


def services(graph: Graph, subject: URIRef, order: Sequence[str], lang: str) -> list[DataserviceSpec]:
    """Data services serving the dataset (dcat:servesDataset, or a distribution's dcat:accessService)."""
    nodes = set(graph.subjects(DCAT.servesDataset, subject))
    for dist in graph.objects(subject, DCAT.distribution):
        nodes.update(graph.objects(dist, DCAT.accessService))
    found: dict[str, DataserviceSpec] = {}
    for node in nodes:
        endpoint = next(iter(refs(graph, node, DCAT.endpointURL)), None)
        if not endpoint:
            continue
        key = str(node) if isinstance(node, URIRef) else endpoint
        title = pick(texts(graph, node, DCTERMS.title), order, lang) or endpoint
        found[key] = DataserviceSpec(
            key=key,
            title=title[: vocab.TITLE_MAX],
            base_api_url=endpoint,
            description=pick(texts(graph, node, DCTERMS.description), order, lang) or "",
            machine_documentation_url=next(iter(refs(graph, node, DCAT.endpointDescription)), None),
        )
    return [found[k] for k in sorted(found)]


def datasets_in(graph: Graph) -> list[URIRef]:
    """Every dcat:Dataset IRI in a graph (what a mapped record holds)."""
    return sorted(s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef))


def _extension(url: str) -> str | None:
    last = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last and len(last.rsplit(".", 1)[-1]) <= 5 else None


def _int(value: Any) -> int | None:
    try:
        return int(float(str(value))) if value is not None else None
    except ValueError:
        return None
