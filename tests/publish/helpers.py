"""Shared steps of the publishing tests: run the catalogue publisher, read an export back as graphs."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, Graph, Namespace, URIRef

from publishers.base import Plan, publish_items
from publishers.catalogue import CatalogueOptions, CataloguePublisher
from publishers.serialise import RDFLIB_FORMATS
from publishers.targets import PublishConfig, check_publish_config, target_options
from tests.publish.corpus import DCAT, REPO, Loaded

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def catalogue_publisher(loaded: Loaded, cfg: PublishConfig, **kwargs: Any) -> CataloguePublisher:
    """The publisher exactly as `luxcat publish` builds it from publish.yaml."""
    options = target_options(cfg, "catalogue", CatalogueOptions)
    return CataloguePublisher(options, loaded.store, loaded.artifacts, **kwargs)


def run(loaded: Loaded, cfg: PublishConfig, **kwargs: Any) -> Plan:
    """Plan then apply, as a non-dry run does."""
    publisher = catalogue_publisher(loaded, cfg, **kwargs)
    return publisher.apply(publisher.plan(publish_items(loaded.store, loaded.artifacts, loaded.sources)))


def parse(data: bytes, ext: str) -> Graph:
    graph = Graph()
    graph.parse(data=data, format=RDFLIB_FORMATS[ext])
    return graph


def without_hydra(graph: Graph) -> Graph:
    """The graph minus the paging triples (hydra namespace)."""
    out = Graph()
    for s, p, o in graph:
        if str(p).startswith(str(HYDRA)) or (p == RDF.type and str(o).startswith(str(HYDRA))):
            continue
        if str(s).startswith("http") and (s, RDF.type, HYDRA.PartialCollectionView) in graph:
            continue
        out.add((s, p, o))
    return out


def follow_pages(read: Callable[[str], bytes], base_url: str, ext: str, prefix: str = "") -> list[Graph]:
    """Every page reached from page 1 by hydra:next, in order."""
    url = f"{base_url}{prefix}pages/00001.{ext}"
    pages: list[Graph] = []
    seen: set[str] = set()
    while url:
        assert url not in seen, f"hydra:next loops back to {url}"
        seen.add(url)
        graph = parse(read(url.removeprefix(base_url)), ext)
        pages.append(graph)
        nexts = list(graph.objects(URIRef(url), HYDRA.next))
        assert len(nexts) <= 1
        url = str(nexts[0]) if nexts else ""
    return pages


def members(graph: Graph, catalogue_uri: str) -> list[str]:
    """Datasets and services the catalogue lists (one entry per link)."""
    cat = URIRef(catalogue_uri)
    return [str(o) for o in graph.objects(cat, DCAT.dataset)] + [str(o) for o in graph.objects(cat, DCAT.service)]


def folder_reader(root: Path) -> Callable[[str], bytes]:
    """Read a key of the served version of a folder export (through the `current` pointer).

    A whole dump (`catalogue.<ext>`) is read from the `catalogue.<ext>.gz` every export writes when
    the uncompressed one is not there (it is optional, off by default).
    """
    return lambda key: dump_bytes(lambda k: (root / "current" / k).read_bytes(), key)


def dump_bytes(read: Callable[[str], bytes], key: str) -> bytes:
    """`read(key)`, or the decompressed `key.gz` when `key` is a whole dump written compressed only."""
    try:
        return read(key)
    except (FileNotFoundError, KeyError):
        if key.rsplit("/", 1)[-1].startswith("catalogue.") and not key.endswith(".gz"):
            return gzip.decompress(read(key + ".gz"))
        raise


def config_problems(tmp_path: Path, change: dict[str, object]) -> list[str]:
    """The problems `check_publish_config` reports for the shipped publish.yaml with `change` applied
    (keys are slash-separated paths, e.g. "targets/catalogue/formats"); the config must be refused."""
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split("/")
        for key in parents:
            node = node[key]
        node[last] = value
    path = tmp_path / "publish.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cfg, problems = check_publish_config(path)
    assert cfg is None
    return [f"{p.path}: {p.message}" for p in problems]
