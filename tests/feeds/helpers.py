"""Shared helpers of the feed tests: real files, Hydra page rewriting, pipeline runs on a throwaway store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.pipeline import run_source
from luxcat.store import ACTIVE, Run, StateStore

DATA = Path(__file__).resolve().parents[1] / "data" / "dcat"
HERE = Path(__file__).resolve().parent
UDATA_TESTS = DATA / "udata-harvest-tests"
ORIGINAL_PAGE = "http://data.test.org/catalog.jsonld?page={n}"


def localised(name: str, base: str) -> bytes:
    """A real udata paged-collection file with its page links pointing at the local server."""
    text = (UDATA_TESTS / name).read_text(encoding="utf-8")
    for n in (1, 2, 3):
        text = text.replace(ORIGINAL_PAGE.format(n=n), f"{base}/page{n}.jsonld")
    return text.encode()


def with_next(body: bytes, page_url: str, next_url: str) -> bytes:
    """Add a hydra:PartialCollectionView with hydra:next to a JSON-LD page (to build longer collections)."""
    nodes: list[Any] = json.loads(body)
    nodes.append({
        "@id": page_url,
        "@type": ["http://www.w3.org/ns/hydra/core#PartialCollectionView"],
        "http://www.w3.org/ns/hydra/core#next": [{"@value": next_url}],
    })  # fmt: skip
    return json.dumps(nodes).encode()


def source(source_id: str, kind: str, options: dict[str, Any], mapper: str, **extra: Any) -> SourceConfig:
    """A SourceConfig naming plugins by "module:Class" (works whether or not the registry lists them)."""
    return SourceConfig.model_validate({
        "id": source_id,
        "title": source_id,
        "owner": {"name": "Test owner"},
        "harvester": {"kind": kind, "options": options},
        "mapper": [mapper],
        **extra,
    })  # fmt: skip


class Sandbox:
    """A SQLite state store and a local artifact store in a temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.store = StateStore(f"sqlite:///{tmp / 'state.db'}")
        self.artifacts = LocalArtifactStore(tmp / "artifacts")

    def harvest(self, cfg: SourceConfig, *, full: bool = True) -> Run:
        return run_source(cfg, self.store, self.artifacts, full=full, stages=("harvest",))

    def active(self, source_id: str) -> set[str]:
        return {r.record_id for r in self.store.records(source_id, status=ACTIVE)}
