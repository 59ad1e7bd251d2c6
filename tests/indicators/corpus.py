"""A national catalogue built from real records through luxcat's own stages, for the indicators tests.

Three sources: ISO 19139 records (tests/data/iso19139) through the iso19139 mapper, DCAT documents
(tests/data/dcat) through the dcat mapper, and the demo ministry inventory (config/demo/inventory)
through the real pipeline (harvest, map, validate). Every record is validated by luxcat's validator
(SHACL + policy + MQA score) and stored as the pipeline stores it; the catalogue publisher then
merges and exports the catalogue the indicators read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from luxcat import registry
from luxcat.artifacts import LocalArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.errors import RecordError
from luxcat.pipeline import run_source
from luxcat.records import MappedRecord, RawRecord
from luxcat.store import StateStore
from mappers.base import MapContext
from publishers.base import publish_items
from publishers.catalogue.publisher import CatalogueOptions, CataloguePublisher
from publishers.catalogue.storage import FolderTarget
from publishers.targets import PublishConfig, target_options
from validators.combined import validate_graph

REPO = Path(__file__).resolve().parents[2]
ISO = REPO / "tests" / "data" / "iso19139"
DCAT_DATA = REPO / "tests" / "data" / "dcat"
INVENTORY_CSV = REPO / "config" / "demo" / "inventory" / "mmtp-inventaire.csv"

ISO_FILES = (
    sorted((ISO / "semic-iso-19139-to-dcat-ap-tests").glob("*/input.xml"))
    + [
        ISO / "owslib" / name
        for name in ("17bd184a-7e7d-4f81-95a5-041449a7212b_iso.xml", "iso19139_srv.xml", "iso_keywords_anchor.xml")
    ]
    + [
        ISO / "ckanext-spatial" / name
        for name in (
            "gemini2.1-waf__wales1.xml",
            "gemini2.1__dataset1.xml",
            "gemini2.1__validation__04_Dataset_Valid.xml",
        )
    ]
)
DCAT_FILES = [
    DCAT_DATA / rel
    for rel in (
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset.ttl",
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_data_service.ttl",
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_2_licenses.ttl",
        "dcat-ap-lu-tests/dcat-ap-lu_dummy_valid.ttl",
        "ckanext-dcat-examples/dataset_health_multilingual.ttl",
        "ckanext-dcat-examples/catalog.rdf",
        "udata-harvest-tests/catalog.xml",
    )
]


def source(source_id: str, kind: str, mapper: str, owner: str, **extra: object) -> SourceConfig:
    """A source configuration as its YAML file would give it (violations published with a warning)."""
    return SourceConfig.model_validate(
        {
            "id": source_id,
            "title": {"en": f"Test source {source_id}", "fr": f"Source de test {source_id}"},
            "owner": {"name": owner},
            "harvester": {"kind": kind, "options": extra.pop("options", {})},
            "mapper": [mapper],
            "languages": ["fr", "de", "en"],
            "validation": {"profile": "dcat-ap-3.0.0", "on_violation": "publish-with-warning"},
            "publish": [{"target": "catalogue"}],
            **extra,
        }
    )


def inventory_source(location: Path) -> SourceConfig:
    """The demo inventory source (config/sources/demo-inventory.yaml) reading `location`."""
    import yaml

    data = yaml.safe_load((REPO / "config" / "sources" / "demo-inventory.yaml").read_text(encoding="utf-8"))
    data["harvester"]["options"]["location"] = str(location)
    data["validation"] = {"profile": "dcat-ap-3.0.0", "on_violation": "publish-with-warning"}
    return SourceConfig.model_validate(data)


def map_files(source_id: str, kind: str, files: list[Path], licence: str | None = None) -> list[MappedRecord]:
    """Every record the mapper makes of the files, first one per record id (the harvesters de-duplicate so);
    records the mapper rejects are left out, as the pipeline does."""
    cls = registry.load(registry.MAPPERS, kind, what="mapper")
    mapper = cls(MapContext(source_id, f"https://data.public.lu/luxcat/{source_id}/", ("fr", "de", "en"), licence))
    out: list[MappedRecord] = []
    for path in files:
        raw = RawRecord(source_id, path.name, path.read_bytes(), "application/octet-stream", path.as_uri())
        for part in mapper.split(raw):
            try:
                out.extend(r for r in mapper.map(part) if r.record_id not in {o.record_id for o in out})
            except RecordError:
                continue
    return out


@dataclass
class Catalogue:
    """The stores, the sources and the export folder of a built catalogue."""

    store: StateStore
    artifacts: LocalArtifactStore
    sources: list[SourceConfig]
    export: FolderTarget
    records: dict[str, list[MappedRecord]]


def store_records(store: StateStore, artifacts: LocalArtifactStore, source_id: str, records: list[MappedRecord],
                  when: datetime) -> None:  # fmt: skip
    """Validate each record and store it as harvest + map + validate would."""
    existing = store.record_hashes(source_id)
    for rec in list(records):
        try:
            nt = rec.graph.serialize(format="nt", encoding="utf-8")
        except Exception:  # noqa: BLE001 - an IRI N-Triples cannot write (e.g. "mailto: a@b"): the record is left out
            records.remove(rec)
            continue
        reports = [r for r in validate_graph(rec.graph) if r.dataset == str(rec.subject)]
        report = reports[0] if reports else None
        row = {"record_id": rec.record_id, "content_hash": hashlib.sha256(nt).hexdigest()}
        store.upsert_seen(source_id, [row], existing, when)
        location = artifacts.put(f"mapped/{source_id}/{safe_key(rec.record_id)}.nt", nt, "application/n-triples")
        store.set_mapped(
            source_id,
            rec.record_id,
            dataset_uri=str(rec.subject),
            mapped_location=location,
            conforms=bool(report and report.conforms),
            validation=report.as_dict() if report else {"conforms": False, "score": None, "results": []},
        )


def build(tmp: Path, publish_config: PublishConfig, when: datetime, licence: str | None = None) -> Catalogue:
    """Map, validate and store the three sources, then publish the catalogue into tmp/export.

    `licence`: a default licence the ISO and DCAT sources declare (issue 18's source default)."""
    store = StateStore(f"sqlite:///{tmp / 'state.db'}")
    artifacts = LocalArtifactStore(tmp / "artifacts")
    iso = source("geo-iso", "csw", "iso19139", "Administration du cadastre et de la topographie",
                 options={"url": "http://127.0.0.1:9/csw"})  # fmt: skip
    dcat = source(
        "portal-dcat", "dcat", "dcat", "Service information et presse", options={"url": "http://127.0.0.1:9/x"}
    )
    inv = inventory_source(INVENTORY_CSV)
    records = {
        "geo-iso": map_files("geo-iso", "iso19139", ISO_FILES, licence),
        "portal-dcat": map_files("portal-dcat", "dcat", DCAT_FILES, licence),
    }
    for sid, recs in records.items():
        store_records(store, artifacts, sid, recs, when)
    run_source(inv, store, artifacts, full=True)
    export = FolderTarget(tmp / "export")
    cat = Catalogue(store, artifacts, [iso, dcat, inv], export, records)
    publish(cat, publish_config, lambda: when)
    return cat


def publish(cat: Catalogue, cfg: PublishConfig, clock: Callable[[], datetime] | None = None) -> None:
    """Export the catalogue of the stored records (the catalogue publisher, as `luxcat publish`)."""
    options = target_options(cfg, "catalogue", CatalogueOptions)
    publisher = CataloguePublisher(options, cat.store, cat.artifacts, target=cat.export, clock=clock)
    publisher.apply(publisher.plan(publish_items(cat.store, cat.artifacts, cat.sources)))
