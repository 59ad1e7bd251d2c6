"""Real DCAT-AP examples as a source's stored records: state store + artifact store, as the pipeline leaves them.

The examples (SEMIC DCAT-AP 3 / HVD, DCAT-AP-LU dummy, ckanext-dcat multilingual; see
tests/data/dcat/SOURCES.md) are already DCAT-AP, so "mapping" one is cutting its dataset's
description out of the file: the dataset, everything it reaches, and the data services serving it.
The harvest stage is the real one (luxcat.pipeline.Pipeline.harvest) driven by `ListHarvester`, so
withdrawal follows the real rules (complete full listing, withdrawal guard).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCAT

from harvesters.base import Harvester, HarvesterOptions
from luxcat.artifacts import ArtifactStore, LocalArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.pipeline import Pipeline
from luxcat.records import RawRecord, Rejection
from luxcat.store import StateStore
from publishers.base import Plan, publish_items
from publishers.udata import UdataPublisher

DATA = Path(__file__).resolve().parents[1] / "data" / "dcat"
STATEC = "56f3c3390d6ceb1b0b4030e8"  # FIELD_NOTES: STATEC's organisation id on data.public.lu
GEOPORTAIL = "585b9f70111e9b70fda95c09"


@dataclass(frozen=True)
class Example:
    """One dataset of one example file."""

    record_id: str
    file: str
    dataset: str


EXAMPLES = (
    Example("lu-dummy-1", "dcat-ap-lu-tests/dcat-ap-lu_dummy_valid.ttl", "https://metadata.demo.lnds.tech/api/v1/datasets/1"),
    Example("bees-hvd", "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_hvd_profile.ttl", "https://data.exampleMS.gov/id/dataset/1T2p3o4B"),
    Example("multilingual", "ckanext-dcat-examples/dataset_multilingual.ttl", "https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad"),
    Example("wasps-service", "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_data_service.ttl", "https://data.exampleMS.gov/id/dataset/1W2o3p4T"),
    Example("bees-greece", "semic-dcat-ap-examples/3.0.1/example-bee-population.ttl", "https://data.gov.gr/id/dataset/BeePopulation"),
)  # fmt: skip


def dataset_graph(example: Example) -> Graph:
    """The example's dataset with everything it reaches (not other datasets) and the services serving it."""
    source = Graph().parse(DATA / example.file)
    subject = URIRef(example.dataset)
    others = {s for s in source.subjects(predicate=None, object=DCAT.Dataset) if s != subject}
    out = Graph()
    todo: list[Any] = [subject, *source.subjects(DCAT.servesDataset, subject)]
    seen: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in source.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, URIRef | BNode) and o not in others and p != DCAT.servesDataset:
                todo.append(o)
    return out


class ListHarvester(Harvester):
    """Yields the records `LISTING[name]` names; `COMPLETE[name]` says whether the listing was complete."""

    class Options(HarvesterOptions):
        name: str

    LISTING: ClassVar[dict[str, list[Example]]] = {}
    COMPLETE: ClassVar[dict[str, bool]] = {}
    media_type = "text/turtle"

    def harvest(self, *, since: datetime | None = None, limit: int | None = None) -> Iterator[RawRecord | Rejection]:
        name = self.options.name  # type: ignore[attr-defined]
        for example in self.LISTING[name]:
            payload = dataset_graph(example).serialize(format="nt", encoding="utf-8")
            yield RawRecord(self.source_id, example.record_id, payload, self.media_type, str(DATA / example.file))
        if not self.COMPLETE.get(name, True):
            self.report.fail("page 2 failed (test)")


def source_config(source_id: str = "statec-test", organization: str = STATEC, **extra: Any) -> SourceConfig:
    """A registered source publishing to data.public.lu, harvested by ListHarvester."""
    return SourceConfig.model_validate(
        {
            "id": source_id,
            "title": {"fr": "Source de test", "en": "Test source"},
            "owner": {"name": "STATEC"},
            "harvester": {"kind": "tests.udata.records:ListHarvester", "options": {"name": source_id}},
            "mapper": ["dcat"],
            "languages": ["fr"],
            "publish": [
                {"target": "data.public.lu", "options": {"organization": organization, "api_key": "${UDATA_API_KEY}"}}
            ],
            "withdrawal": {"max_share": 0.5},
            **extra,
        }
    )


def harvest_and_map(
    cfg: SourceConfig,
    store: StateStore,
    artifacts: ArtifactStore,
    examples: list[Example],
    *,
    complete: bool = True,
    graphs: dict[str, Graph] | None = None,
) -> None:
    """Run the real harvest stage over `examples`, then store each dataset's graph as a conforming mapped record."""
    ListHarvester.LISTING[cfg.id] = list(examples)
    ListHarvester.COMPLETE[cfg.id] = complete
    pipeline = Pipeline(cfg, store, artifacts)
    run_id = store.start_run(cfg.id, "full")
    pipeline.harvest(run_id, full=True)
    for example in examples:
        graph = (graphs or {}).get(example.record_id) or dataset_graph(example)
        location = artifacts.put(
            f"mapped/{cfg.id}/{safe_key(example.record_id)}.nt", graph.serialize(format="nt", encoding="utf-8")
        )
        store.set_mapped(
            cfg.id, example.record_id, dataset_uri=example.dataset, mapped_location=location,
            conforms=True, validation={"conforms": True, "results": []},
        )  # fmt: skip


Make = Callable[..., UdataPublisher]


def run(make: Make, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, **options: Any) -> Plan:
    """One sync of the source's stored records, as `luxcat publish` runs it (plan, then apply)."""
    publisher = make(**options)
    return publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))
