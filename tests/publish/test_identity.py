"""Identity across sources: local row ids never merge two administrations' datasets; every merge names its rule."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from rdflib import RDF, Graph
from rdflib.namespace import DCAT, DCTERMS

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import run_source
from luxcat.store import StateStore
from publishers.catalogue.merge import is_global
from publishers.catalogue.storage import INDEX
from tests.publish.corpus import REPO, Loaded
from tests.publish.helpers import folder_reader, members, run


def inventory_source(source_id: str) -> SourceConfig:
    """The shipped demo-inventory source under another id: a second administration with the same row ids."""
    data = yaml.safe_load((REPO / "config" / "sources" / "demo-inventory.yaml").read_text(encoding="utf-8"))
    data["id"] = source_id
    data["base_uri"] = f"https://data.public.lu/luxcat/{source_id}/"
    data["harvester"]["options"]["location"] = str(REPO / "config" / "demo" / "inventory" / "mmtp-inventaire.csv")
    return SourceConfig.model_validate(data)


def test_two_inventories_with_the_same_row_ids_stay_six_datasets(tmp_path: Path, publish_config) -> None:  # type: ignore[no-untyped-def]
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    sources = [inventory_source("ministry-a"), inventory_source("ministry-b")]
    for cfg in sources:
        run_source(cfg, store, artifacts, full=True)
    loaded = Loaded(store, artifacts, sources, {})
    ids = {r.record_id for r in store.records()}
    assert {"MMTP-001", "MMTP-002", "MMTP-005"} <= ids
    cfg = publish_config()
    plan = run(loaded, cfg)
    root = Path(cfg.targets.catalogue.export)
    graph = Graph().parse(data=folder_reader(root)("catalogue.nt"), format="nt")
    datasets = members(graph, cfg.catalogue.uri)
    assert len(datasets) == len(set(datasets)) == 6
    per_id: dict[str, int] = {}
    for uri in graph.subjects(RDF.type, DCAT.Dataset):
        for ident in graph.objects(uri, DCTERMS.identifier):
            per_id[str(ident)] = per_id.get(str(ident), 0) + 1
    assert per_id == {"MMTP-001": 2, "MMTP-002": 2, "MMTP-005": 2}
    assert not any("merged" in e.detail for e in plan.entries)
    assert json.loads((root / INDEX).read_text())["merges"] == []
    store.close()


def test_global_identifiers_are_uris_dois_or_registered_namespaces() -> None:
    assert is_global("https://doi.org/10.5281/zenodo.123")
    assert is_global("10.5281/zenodo.123") and is_global("doi:10.5281/zenodo.123")
    assert is_global("urn:uuid:8dad9c98-0512-4845-a2bf-3ace1c93df6f")
    assert is_global("http://data.europa.eu/88u/dataset/abc")
    assert not is_global("MMTP-001") and not is_global("8dad9c98-0512-4845-a2bf-3ace1c93df6f")
    assert is_global("LU-GEO-17", ["LU-GEO-"]) and not is_global("LU-GEO-17", ["FR-"])
