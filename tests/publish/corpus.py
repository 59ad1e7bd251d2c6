"""Real DCAT documents cut into per-dataset "mapped records", and a state + artifact store holding them.

The mapped artifacts the pipeline stores are one N-Triples graph per record: a dataset (or data
service) with everything it owns. Here that is the dataset's closure in a real document (SEMIC
DCAT-AP examples, DCAT-AP-LU tests, ckanext-dcat and udata fixtures), stopping at other datasets,
services and catalogues, so the records are real data with the shape the mappers produce.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import RDF, BNode, Graph, Namespace, URIRef

from luxcat.artifacts import LocalArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.records import utcnow
from luxcat.store import StateStore

DCAT = Namespace("http://www.w3.org/ns/dcat#")

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "dcat"
MAIN_TYPES = {DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService}
STOP_TYPES = MAIN_TYPES | {DCAT.Catalog, URIRef("http://www.w3.org/ns/dcat#Catalogue")}

# (source id, files): small real documents, chosen so that both sources describe the SEMIC
# "population of bees" dataset (same URI, different content) - a real two-source merge.
SOURCE_FILES: dict[str, list[str]] = {
    "semic-hvd": [
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset.ttl",
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_data_service.ttl",
        "dcat-ap-lu-tests/dcat-ap-lu_dummy_valid.ttl",
        "ckanext-dcat-examples/dataset_health_multilingual.ttl",
    ],
    "portal-mix": [
        "semic-dcat-ap-examples/3.0.0-hvd/example-ms_dataset_2_licenses.ttl",
        "ckanext-dcat-examples/catalog.rdf",
        "udata-harvest-tests/catalog.xml",
        "geonetwork-ui-fixtures/vlaanderen.dcat-ap.dataset.xml",
        "semic-dcat-ap-examples/3.0.0/example-bee-population-dataset-series.ttl",
    ],
}


def closure(graph: Graph, root: URIRef) -> Graph:
    """The root's triples and those of every node it reaches, without entering other datasets/catalogues."""
    out = Graph()
    todo, seen = [root], {root}
    while todo:
        node = todo.pop()
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if p == RDF.type or o in seen or not isinstance(o, URIRef | BNode):
                continue
            if set(graph.objects(o, RDF.type)) & STOP_TYPES:
                continue
            seen.add(o)
            todo.append(o)
    return out


def records_of(relative: str) -> list[tuple[str, URIRef, Graph]]:
    """(record id, dataset URI, graph) for each dataset/service with a URI in one real document."""
    graph = Graph()
    graph.parse(DATA / relative)
    roots = sorted({s for t in MAIN_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)})
    return [(f"{Path(relative).stem}#{root}", root, closure(graph, root)) for root in roots]


def source_config(source_id: str, **extra: object) -> SourceConfig:
    """A valid source config as a YAML file would give it."""
    return SourceConfig.model_validate(
        {
            "id": source_id,
            "title": {"en": f"Test source {source_id}", "fr": f"Source de test {source_id}"},
            "owner": {"name": "Test owner"},
            "harvester": {"kind": "dcat", "options": {}},
            "mapper": ["dcat"],
            "publish": [{"target": "catalogue"}, {"target": "data.europa.eu"}],
            **extra,
        }
    )


@dataclass
class Loaded:
    """A filled state store and artifact store, with the graphs that went in."""

    store: StateStore
    artifacts: LocalArtifactStore
    sources: list[SourceConfig]
    graphs: dict[tuple[str, str], Graph]  # (source, record) -> graph

    def add(self, source_id: str, record_id: str, uri: str, graph: Graph, when: datetime | None = None) -> None:
        """Store one mapped, conforming record (as harvest + map + validate would)."""
        when = when or utcnow()
        existing = self.store.record_hashes(source_id)
        nt = graph.serialize(format="nt", encoding="utf-8")
        import hashlib

        row = {"record_id": record_id, "content_hash": hashlib.sha256(nt).hexdigest()}
        self.store.upsert_seen(source_id, [row], existing, when)
        location = self.artifacts.put(f"mapped/{source_id}/{safe_key(record_id)}.nt", nt, "application/n-triples")
        self.store.set_mapped(
            source_id,
            record_id,
            dataset_uri=uri,
            mapped_location=location,
            conforms=True,
            validation={"conforms": True},
        )
        self.graphs[(source_id, record_id)] = graph


def load(tmp: Path, files: dict[str, list[str]] | None = None, extra: Iterable[SourceConfig] = ()) -> Loaded:
    """A state store (SQLite) and a local artifact store in `tmp`, filled with real records per source."""
    files = SOURCE_FILES if files is None else files
    tmp.mkdir(parents=True, exist_ok=True)
    loaded = Loaded(
        StateStore(f"sqlite:///{tmp / 'state.db'}"),
        LocalArtifactStore(tmp / "artifacts"),
        [source_config(sid) for sid in files] + list(extra),
        {},
    )
    for source_id, relatives in files.items():
        for relative in relatives:
            for record_id, uri, graph in records_of(relative):
                loaded.add(source_id, record_id, str(uri), graph)
    return loaded
