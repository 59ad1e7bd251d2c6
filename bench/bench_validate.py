"""Benchmark: luxcat's SHACL validation vs plain pySHACL on a >= 5,000-dataset catalogue built from real files.

Run by hand: `.venv/bin/python bench/bench_validate.py [--datasets 5000] [--pyshacl-datasets N]`.
The catalogue is made of copies of the real DCAT files in tests/data/dcat (new URIs and blank
nodes per copy, EU vocabulary URIs kept). pySHACL validates the catalogue graph + vocabularies as
one graph, by default the whole catalogue (several minutes); with --pyshacl-datasets N it runs on
a catalogue of N datasets only and its rate is extrapolated (printed as such; pySHACL's rate falls
as the graph grows, so this flatters pySHACL).
Results are compared per dataset (conforms flag and set of (focus, path, shape, severity)).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from itertools import cycle
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from validators.combined import validate_graph  # noqa: E402
from validators.index import Index  # noqa: E402
from validators.ownership import report_subjects  # noqa: E402
from validators.rdfio import load_rdf  # noqa: E402
from validators.reference import issues_from_report, run_pyshacl, union_graph  # noqa: E402
from validators.shacl import Outcome, Validator, partition  # noqa: E402

DATA = ROOT / "tests" / "data" / "dcat"
SUFFIXES = {".ttl", ".rdf", ".xml", ".jsonld"}


def source_graphs() -> list[Graph]:
    """Every parseable real DCAT file that describes at least one dataset."""
    graphs = []
    for path in sorted(DATA.rglob("*")):
        if path.suffix not in SUFFIXES:
            continue
        try:
            graph = load_rdf(path)
        except Exception:  # noqa: BLE001 - a file rdflib cannot read is just not used
            continue
        if report_subjects(Index(graph)):
            graphs.append(graph)
    return graphs


VOCABULARY_PREFIXES = (
    "http://publications.europa.eu/resource/authority/",
    "http://data.europa.eu/",
    "http://www.iana.org/assignments/",
    "http://purl.org/adms/",
    "http://inspire.ec.europa.eu/",
)


def copy_into(target: Graph, source: Graph, n: int) -> None:
    """Add a copy of `source` to `target` with fresh blank nodes and `#copy-n` subject URIs.

    EU vocabulary URIs are kept, so the copies use the same concepts as the originals.
    """
    renamed: dict[Node, Node] = {}

    def rename(node: Node) -> Node:
        if isinstance(node, BNode):
            return renamed.setdefault(node, BNode())
        if isinstance(node, URIRef) and node in local and not node.startswith(VOCABULARY_PREFIXES):
            return renamed.setdefault(node, URIRef(f"{node}{'-' if '#' in node else '#'}copy-{n}"))
        return node

    local = set(source.subjects())
    for s, p, o in source:
        target.add((rename(s), p, rename(o)))


def build_catalogue(datasets: int) -> Graph:
    """A graph with at least `datasets` datasets/series/services, from copies of the real files."""
    graph = Graph()
    count = 0
    sources = source_graphs()
    sizes = [len(report_subjects(Index(g))) for g in sources]
    for n, (source, size) in enumerate(cycle(zip(sources, sizes, strict=True))):
        if count >= datasets:
            break
        copy_into(graph, source, n)
        count += size
    return graph


def per_dataset(outcome: Outcome) -> dict[str, tuple[bool, frozenset[tuple[str, str | None, str | None, str]]]]:
    """The comparison key: conforms flag and set of (focus, path, shape, severity), per dataset."""
    return {
        r.dataset: (r.conforms, frozenset((i.focus, i.path, i.shape, i.severity) for i in r.results))
        for r in outcome.reports
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--pyshacl-datasets", type=int, default=0, help="0 = whole catalogue (slow)")
    parser.add_argument("--profile", default="dcat-ap-3.0.0")
    args = parser.parse_args()
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # odd URIs/dates in the real files

    t0 = time.perf_counter()
    catalogue = build_catalogue(args.datasets)
    small = build_catalogue(args.pyshacl_datasets) if args.pyshacl_datasets else catalogue
    print(f"built catalogue: {len(catalogue)} triples in {time.perf_counter() - t0:.1f}s", flush=True)

    t0 = time.perf_counter()
    validator = Validator(args.profile)  # shapes compiled, vocabularies loaded and indexed: once per process
    setup = time.perf_counter() - t0
    print(f"luxcat setup (once per process: compile shapes, load + index vocabularies): {setup:.2f}s", flush=True)
    t0 = time.perf_counter()
    outcome = validator.validate_detailed(catalogue)
    lux_time = time.perf_counter() - t0
    lux_n = len(outcome.reports)
    lux_rate = lux_n / lux_time
    print(f"luxcat : {lux_n} datasets in {lux_time:.2f}s = {lux_rate:.0f} datasets/s", flush=True)
    t0 = time.perf_counter()
    validate_graph(catalogue, args.profile)
    full = time.perf_counter() - t0
    print(f"luxcat validate_graph (SHACL + policy + MQA score): {lux_n / full:.0f} datasets/s", flush=True)

    data = union_graph(small, args.profile)
    t0 = time.perf_counter()
    report = run_pyshacl(data, args.profile)
    py_time = time.perf_counter() - t0
    reference = partition(issues_from_report(report), Index(small))
    py_n = len(reference.reports)
    py_rate = py_n / py_time
    scope = "whole catalogue" if small is catalogue else f"first {py_n} datasets, rate extrapolated"
    print(f"pySHACL: {py_n} datasets in {py_time:.2f}s = {py_rate:.1f} datasets/s ({scope})", flush=True)
    print(f"ratio  : luxcat / pySHACL = {lux_rate / py_rate:.1f}x", flush=True)
    with_setup = lux_n / (lux_time + setup)
    print(f"ratio counting luxcat's one-off setup in its time: {with_setup / py_rate:.1f}x", flush=True)

    mine = per_dataset(outcome if small is catalogue else validator.validate_detailed(small))
    theirs = per_dataset(reference)
    same = mine == theirs
    differing = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
    conforming = sum(1 for c, _ in mine.values() if c)
    print(f"identical per-dataset results on {len(theirs)} datasets: {same} ({conforming} conform)", flush=True)
    for key in differing[:5]:
        print("  differs:", key)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
