"""udata mapper: API v1 dataset objects (another udata portal) -> DCAT-AP 3.

Licence ids and frequency codes are udata's own lists (udata/core/dataset/constants.py); the ones
with an EU vocabulary concept are mapped, the others are left out rather than guessed. Spatial
zones of the form country:<code> become EU country IRIs; other zones become labelled locations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from luxcat.errors import MissingIdentifier, UnparsableRecord
from luxcat.records import MappedRecord, RawRecord
from mappers.base import Mapper
from mappers.dcat.builder import DcatBuilder, present
from mappers.dcat.terms import DCAT, DCTERMS, EU_AUTHORITY, FOAF
from mappers.json_records import load_json, split_json
from mappers.vocabularies import country_uri

FREQUENCY = EU_AUTHORITY + "frequency/"
LICENCE = EU_AUTHORITY + "licence/"
# udata licence id -> licence IRI (EU vocabulary where it has the licence; Etalab v1 has none there)
LICENCES = {
    "cc-by": LICENCE + "CC_BY_4_0", "cc-by-sa": LICENCE + "CC_BYSA_4_0", "cc-zero": LICENCE + "CC0",
    "odc-odbl": LICENCE + "ODC_BL", "odc-pddl": LICENCE + "ODC_PDDL", "odc-by": LICENCE + "ODC_BY",
    "lov2": LICENCE + "ETALAB_2_0", "fr-lo": "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
}  # fmt: skip
# udata frequency code -> EU frequency code (codes without an EU counterpart are absent)
FREQUENCIES = {
    "continuous": "UPDATE_CONT", "hourly": "HOURLY", "semidaily": "DAILY_2", "daily": "DAILY",
    "threeTimesAWeek": "WEEKLY_3", "semiweekly": "WEEKLY_2", "weekly": "WEEKLY", "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "MONTHLY_3", "semimonthly": "MONTHLY_2", "monthly": "MONTHLY", "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY", "threeTimesAYear": "ANNUAL_3", "semiannual": "ANNUAL_2", "annual": "ANNUAL",
    "biennial": "BIENNIAL", "triennial": "TRIENNIAL", "quinquennial": "QUINQUENNIAL", "irregular": "IRREG",
    "unknown": "UNKNOWN",
}  # fmt: skip


def datasets(document: Any) -> list[Any]:
    """Datasets in an API answer or file: a list page {data: [...]}, udata's fixture bundles, one dataset."""
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return list(document["data"])
    if isinstance(document, dict) and isinstance(document.get("datasets"), list):
        document = document["datasets"]
    items = document if isinstance(document, list) else [document]
    return [_unbundle(item) for item in items]


def _unbundle(item: Any) -> Any:
    """udata's fixtures keep organisation and resources beside the dataset: put them back in it."""
    if isinstance(item, dict) and isinstance(item.get("dataset"), dict):
        merged = dict(item["dataset"])
        for key in ("organization", "resources"):
            if key in item and key not in merged:
                merged[key] = item[key]
        return merged
    return item


class UdataDataset:
    """Writes one udata dataset into a DcatBuilder."""

    def __init__(self, dataset: dict[str, Any], builder: DcatBuilder) -> None:
        self.d = dataset
        self.b = builder
        self.s = builder.subject

    def write(self) -> None:
        b, s, d = self.b, self.s, self.d
        b.text(s, DCTERMS.title, d.get("title"))
        b.text(s, DCTERMS.description, d.get("description"))
        b.text(s, DCTERMS.identifier, d.get("id"))
        b.text(s, DCTERMS.alternative, d.get("acronym"))
        for tag in d.get("tags") or []:
            b.text(s, DCAT.keyword, tag)
        b.link(s, DCAT.landingPage, d.get("page"))
        b.date(s, DCTERMS.issued, d.get("created_at"))
        b.date(s, DCTERMS.modified, d.get("last_modified") or d.get("last_update"))
        code = FREQUENCIES.get(str(d.get("frequency") or ""))
        if code:
            b.link(s, DCTERMS.accrualPeriodicity, FREQUENCY + code)
        coverage = d.get("temporal_coverage") or {}
        if isinstance(coverage, dict):
            b.temporal(coverage.get("start"), coverage.get("end"))
        self.spatial()
        self.parties()
        licence = LICENCES.get(str(d.get("license") or ""))
        for resource in d.get("resources") or []:
            if isinstance(resource, dict):
                self.resource(resource, licence)

    def spatial(self) -> None:
        spatial = self.d.get("spatial") or {}
        if not isinstance(spatial, dict):
            return
        for zone in spatial.get("zones") or []:
            zone_id = zone.get("id") if isinstance(zone, dict) else zone
            if isinstance(zone_id, str) and zone_id.startswith("country:"):
                self.b.spatial(country_uri(zone_id.split(":", 1)[1]))
            elif present(zone_id):
                self.b.spatial(None, zone.get("name") if isinstance(zone, dict) else zone_id)
        if present(spatial.get("geom")):
            self.b.spatial(None, None, spatial["geom"])

    def parties(self) -> None:
        org = self.d.get("organization")
        owner = self.d.get("owner")
        if isinstance(org, dict):
            self.b.agent(DCTERMS.publisher, org.get("name"), uri=org.get("uri") or org.get("page"))
        elif isinstance(owner, dict):
            name = " ".join(str(owner.get(k) or "") for k in ("first_name", "last_name")).strip()
            self.b.agent(DCTERMS.publisher, name, uri=owner.get("page"))
        for contact in self.d.get("contact_points") or []:
            if isinstance(contact, dict):
                self.b.contact(contact.get("name"), contact.get("email"), contact.get("contact_form"))

    def resource(self, r: dict[str, Any], licence: str | None) -> None:
        b = self.b
        node = b.distribution(r.get("url"), download=r.get("type") != "api" and r.get("filetype") != "remote")
        if node is None:
            return
        b.text(node, DCTERMS.title, r.get("title"))
        b.text(node, DCTERMS.description, r.get("description"))
        b.text(node, DCTERMS.identifier, r.get("id"))
        b.link(node, DCTERMS.format, r.get("format"))
        b.link(node, DCAT.mediaType, r.get("mime"))
        if isinstance(r.get("filesize"), int):
            b.text(node, DCAT.byteSize, r["filesize"])
        b.date(node, DCTERMS.issued, r.get("created_at"))
        b.date(node, DCTERMS.modified, r.get("last_modified"))
        b.link(node, FOAF.page, r.get("latest"))
        checksum = r.get("checksum") or {}
        if isinstance(checksum, dict):
            b.checksum(node, checksum.get("type"), checksum.get("value"))
        b.link(node, DCTERMS.license, licence)


class UdataMapper(Mapper):
    """One udata dataset (API v1 JSON) -> one DCAT-AP 3 dataset."""

    name: ClassVar[str] = "udata"

    def split(self, raw: RawRecord) -> Iterator[RawRecord]:
        """A file or API answer holding several datasets -> one record per dataset."""
        return split_json(raw, datasets, lambda d: str(d["id"]) if present(d.get("id")) else None)

    def map(self, raw: RawRecord) -> Iterator[MappedRecord]:
        dataset = load_json(raw)
        if not isinstance(dataset, dict):
            raise UnparsableRecord(f"{raw.record_id}: a udata dataset is a JSON object")
        if not present(dataset.get("id")):
            raise MissingIdentifier(f"{raw.record_id}: udata dataset without id")
        uri = dataset.get("uri") if isinstance(dataset.get("uri"), str) else None
        builder = DcatBuilder(self.context, str(dataset["id"]), uri=uri)
        UdataDataset(dataset, builder).write()
        graph, subject = builder.build()
        yield MappedRecord(source_id=raw.source_id, record_id=raw.record_id, graph=graph, subject=subject)
