"""CKAN mapper: package dicts (package_show / package_search entries, ckanext-dcat and scheming fields) -> DCAT-AP 3.

Reads core CKAN fields (title, notes, tags, groups, organization, author/maintainer, license,
resources), the extras ckanext-dcat writes on harvest (issued, frequency, spatial_uri, temporal_*,
publisher_*, contact_*...) and the top-level fields of ckanext-dcat's scheming presets
(*_translated, contact, publisher, temporal_coverage, spatial_coverage...). Also reads ckanext-dcat's
JSON catalogue form ({"dataset": [{"identifier", "description", "distribution"...}]}).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

from rdflib.term import Node

from luxcat.errors import MissingIdentifier, UnparsableRecord
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper
from mappers.dcat.builder import DcatBuilder, present
from mappers.dcat.terms import ADMS, DCAT, DCAT_VERSION, DCTERMS, FOAF
from mappers.json_records import load_json, split_json

JSON_TYPE = "application/json"


def packages(document: Any) -> list[Any]:
    """The packages in an API answer or file: package_show, package_search, lists, JSON catalogues."""
    if isinstance(document, dict) and "result" in document:
        document = document["result"]
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        return list(document["results"])
    if isinstance(document, dict) and isinstance(document.get("dataset"), list):
        return list(document["dataset"])
    return list(document) if isinstance(document, list) else [document]


def extras(package: dict[str, Any]) -> dict[str, Any]:
    """CKAN extras as a dict (they come as [{"key", "value"}])."""
    found = package.get("extras") or []
    if isinstance(found, dict):
        return found
    return {e.get("key"): e.get("value") for e in found if isinstance(e, dict)}


def listed(value: Any) -> list[Any]:
    """A value that may be a list, a JSON-encoded list (ckanext-dcat extras) or a single value."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def package_id(package: dict[str, Any]) -> str | None:
    """CKAN id, else the JSON-catalogue identifier, else the package name (unique in a CKAN site)."""
    for key in ("id", "identifier", "name"):
        if present(package.get(key)):
            return str(package[key]).strip()
    return None


class CkanPackage:
    """Writes one package into a DcatBuilder."""

    def __init__(self, package: dict[str, Any], builder: DcatBuilder) -> None:
        self.p = package
        self.x = extras(package)
        self.b = builder
        self.s = builder.subject

    def get(self, *keys: str) -> Any:
        """The first present value among top-level fields and extras."""
        for key in keys:
            for source in (self.p, self.x):
                if present(source.get(key)):
                    return source[key]
        return None

    def write(self) -> None:
        self.describe()
        self.classify()
        self.parties()
        self.coverage()
        for resource in self.p.get("resources") or self.p.get("distribution") or []:
            if isinstance(resource, dict):
                self.resource(resource)

    def describe(self) -> None:
        b, s = self.b, self.s
        b.texts(s, DCTERMS.title, self.p.get("title_translated") or [self.p.get("title")])
        b.texts(s, DCTERMS.description, self.p.get("notes_translated") or [self.get("notes", "description")])
        b.text(s, DCTERMS.identifier, self.get("identifier", "guid") or package_id(self.p))
        for tag in self.p.get("tags") or []:
            b.text(s, DCAT.keyword, tag.get("display_name") or tag.get("name") if isinstance(tag, dict) else tag)
        for lang, tags in (self.p.get("tags_translated") or {}).items():
            for tag in tags:
                b.text(s, DCAT.keyword, tag, lang)
        b.texts(s, DCAT.keyword, listed(self.p.get("keyword")))
        b.link(s, DCAT.landingPage, self.get("url", "landingPage", "homepage"))
        b.date(s, DCTERMS.issued, self.get("issued", "dcat_issued", "metadata_created"))
        b.date(s, DCTERMS.modified, self.get("modified", "dcat_modified", "metadata_modified"))
        b.text(s, DCAT_VERSION, self.get("version"))
        b.text(s, ADMS.versionNotes, self.get("version_notes"))
        for page in listed(self.get("documentation")):
            b.link(s, FOAF.page, page)

    def classify(self) -> None:
        b, s = self.b, self.s
        for theme in listed(self.get("theme")):
            b.link(s, DCAT.theme, theme)
        for group in self.p.get("groups") or []:
            if isinstance(group, dict):
                b.text(s, DCAT.theme, group.get("title") or group.get("name"))
        for language in listed(self.get("language")):
            b.link(s, DCTERMS.language, language)
        b.link(s, DCTERMS.accrualPeriodicity, self.get("frequency", "accrualPeriodicity"))
        b.link(s, DCTERMS.accessRights, self.get("access_rights", "accessLevel"))
        b.link(s, DCTERMS.license, self.get("license_url", "license_id", "license_title", "license", "licence"))
        for standard in listed(self.get("conforms_to")):
            b.link(s, DCTERMS.conformsTo, standard)
        provenance = self.get("provenance")
        if present(provenance):
            b.link(s, DCTERMS.provenance, provenance)

    def parties(self) -> None:
        b = self.b
        publishers = [p for p in listed(self.p.get("publisher")) if isinstance(p, dict)]
        org = self.p.get("organization") if isinstance(self.p.get("organization"), dict) else {}
        if publishers:
            first = publishers[0]
            b.agent(
                DCTERMS.publisher,
                first.get("name"),
                uri=first.get("uri") or first.get("identifier"),
                email=first.get("email"),
            )
        elif self.get("publisher_name", "dcat_publisher_name"):
            b.agent(DCTERMS.publisher, self.get("publisher_name", "dcat_publisher_name"),
                    uri=self.get("publisher_uri", "publisher_url"), email=self.get("publisher_email"))  # fmt: skip
        elif org:
            b.agent(DCTERMS.publisher, org.get("title") or org.get("name"))
        for creator in [c for c in listed(self.p.get("creator")) if isinstance(c, dict)]:
            b.agent(DCTERMS.creator, creator.get("name"), uri=creator.get("uri") or creator.get("identifier"))
        contacts = [c for c in listed(self.p.get("contact")) if isinstance(c, dict)]
        for contact in contacts:
            b.contact(contact.get("name"), contact.get("email"), contact.get("url"))
        if not contacts:
            name = self.get("contact_name", "maintainer", "author")
            email = self.get("contact_email", "contact-email", "maintainer_email", "author_email")
            b.contact(name, email)

    def coverage(self) -> None:
        b = self.b
        periods = [t for t in listed(self.p.get("temporal_coverage")) if isinstance(t, dict)]
        for period in periods:
            b.temporal(period.get("start"), period.get("end"))
        if not periods:
            b.temporal(
                self.get("temporal_start", "temporal_coverage-from"), self.get("temporal_end", "temporal_coverage-to")
            )
        places = [p for p in listed(self.p.get("spatial_coverage")) if isinstance(p, dict)]
        for place in places:
            b.spatial(place.get("uri"), place.get("text"), place.get("geom"))
        if not places:
            geometry = self.get("spatial")
            if isinstance(geometry, str) and geometry.strip().startswith("{"):
                geometry = json.loads(geometry)
            b.spatial(self.get("spatial_uri"), self.get("spatial_text"), geometry)

    def resource(self, r: dict[str, Any]) -> None:
        b = self.b
        url = r.get("access_url") or r.get("url") or r.get("accessURL") or r.get("download_url") or r.get("downloadURL")
        node = b.distribution(url, download=False, uri=r.get("uri"))
        if node is None:
            return
        b.link(
            node,
            DCAT.downloadURL,
            r.get("download_url") or r.get("downloadURL") or (r.get("url") if r.get("url_type") == "upload" else None),
        )
        b.texts(node, DCTERMS.title, r.get("name_translated") or [r.get("name") or r.get("title")])
        b.texts(node, DCTERMS.description, r.get("description_translated") or [r.get("description")])
        self.resource_format(node, r)
        b.date(node, DCTERMS.issued, r.get("issued") or r.get("created"))
        b.date(node, DCTERMS.modified, r.get("modified") or r.get("last_modified"))
        b.link(node, DCTERMS.license, r.get("license"))
        b.link(node, DCTERMS.rights, r.get("rights"))
        for language in listed(r.get("language")):
            b.link(node, DCTERMS.language, language)
        b.checksum(node, r.get("hash_algorithm"), r.get("hash"))

    def resource_format(self, node: Node, r: dict[str, Any]) -> None:
        b = self.b
        b.link(node, DCTERMS.format, r.get("format"))
        b.link(node, DCAT.mediaType, r.get("mimetype") or r.get("mediaType"))
        size = r.get("size") or r.get("byteSize")
        if isinstance(size, int | float) or (isinstance(size, str) and size.isdigit()):
            b.text(node, DCAT.byteSize, int(size))


class CkanMapper(Mapper):
    """One CKAN package (JSON) -> one DCAT-AP 3 dataset."""

    name: ClassVar[str] = "ckan"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A file or API answer holding several packages -> one record per package."""
        return split_json(raw, packages, package_id)

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        package = load_json(raw)
        if not isinstance(package, dict):
            raise UnparsableRecord(f"{raw.record_id}: a CKAN package is a JSON object, got {type(package).__name__}")
        record_id = package_id(package)
        if record_id is None:
            raise MissingIdentifier(f"{raw.record_id}: package without id, identifier or name")
        uri = package.get("uri") or extras(package).get("uri")
        builder = DcatBuilder(self.context, record_id, uri=uri if isinstance(uri, str) else None)
        CkanPackage(package, builder).write()
        graph, subject = builder.build()
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=graph, subject=subject)
