"""A luxcat home as production has it: source files, publish.yaml, state store, artifacts, catalogue export.

Sources are harvested by the real pipeline through `tests.udata.records.ListHarvester` (real DCAT-AP
examples from tests/data/dcat); they publish to the catalogue (a folder export) and to the udata
contract server.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers import command
from tests.udata.records import EXAMPLES, STATEC, Example, harvest_and_map

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = URIRef("https://data.public.lu/luxcat/catalogue")


def source_data(source_id: str, *, enabled: bool = True, **extra: Any) -> dict[str, Any]:
    """A source file's content: ListHarvester listing `source_id`, publishing to the catalogue and udata."""
    return {
        "id": source_id,
        "title": {"fr": f"Source {source_id}", "en": f"Source {source_id}"},
        "owner": {"name": "STATEC"},
        "enabled": enabled,
        "harvester": {"kind": "tests.udata.records:ListHarvester", "options": {"name": source_id}},
        "mapper": ["dcat"],
        "languages": ["fr"],
        "publish": [
            {"target": "catalogue"},
            {"target": "data.public.lu", "options": {"organization": STATEC, "api_key": "${UDATA_API_KEY}"}},
        ],
        "withdrawal": {"max_share": 0.5},
        **extra,
    }


@dataclass
class Home:
    """Paths of one test's luxcat home."""

    root: Path
    sources: Path
    export: Path

    def write_source(self, source_id: str, file: str | None = None, **extra: Any) -> Path:
        path = self.sources / (file or f"{source_id}.yaml")
        path.write_text(yaml.safe_dump(source_data(source_id, **extra), allow_unicode=True), encoding="utf-8")
        return path

    def store(self) -> StateStore:
        return StateStore(f"sqlite:///{self.root / 'var' / 'luxcat.db'}")

    def artifacts(self) -> LocalArtifactStore:
        return LocalArtifactStore(self.root / "var" / "artifacts")

    def harvest(self, source_id: str, examples: list[Example]) -> None:
        """A real, complete, full harvest of `examples`, stored as mapped conforming records."""
        from luxcat.config import load_source

        store = self.store()
        try:
            harvest_and_map(load_source(source_id, self.sources), store, self.artifacts(), examples)
        finally:
            store.close()

    def publish(self, dry_run: bool = False) -> dict[str, Any]:
        return command.publish(None, dry_run=dry_run)

    def catalogue_datasets(self) -> set[str]:
        """Datasets the served catalogue version lists."""
        pointer = json.loads((self.export / "index.json").read_text())
        dump = self.export / "versions" / pointer["version"] / "catalogue.ttl.gz"  # whole dumps are gzip'd
        graph = Graph().parse(data=gzip.decompress(dump.read_bytes()), format="turtle")
        return {str(o) for o in graph.objects(CATALOGUE, DCAT.dataset)}

    def served_files(self) -> dict[str, bytes]:
        """Every file of the export folder, for byte comparisons."""
        return {str(p.relative_to(self.export)): p.read_bytes() for p in sorted(self.export.rglob("*")) if p.is_file()}


def make_home(root: Path, udata_url: str, monkeypatch: Any) -> Home:
    """Environment and publish.yaml of a home whose catalogue export and udata target are local."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"]["export"] = str(root / "export")
    data["targets"]["catalogue"]["workers"] = 1
    data["targets"]["data.public.lu"].update({"base_url": udata_url, "throttle": 0})
    (root / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LUXCAT_HOME", str(root / "var"))
    monkeypatch.delenv("LUXCAT_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUXCAT_ARTIFACTS", raising=False)
    monkeypatch.setenv("LUXCAT_SOURCES", str(sources))
    monkeypatch.setenv("LUXCAT_PUBLISH_CONFIG", str(root / "publish.yaml"))
    (root / "var").mkdir()
    return Home(root, sources, root / "export")


A_EXAMPLES = list(EXAMPLES[:3])
B_EXAMPLES = list(EXAMPLES[3:])
