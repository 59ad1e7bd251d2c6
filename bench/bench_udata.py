"""Benchmark: sync N datasets to the udata contract server: first sync, no-change re-run, lost id map.

The datasets are copies of the real DCAT-AP examples of tests/udata/records.py with new IRIs, stored
through the real harvest stage. Throttling is off (the production default of 1 request/s would make
the request count, printed here, the whole story: seconds >= requests). Prints seconds and requests
per phase and the ratio of each phase to the first sync, measured in the same run.

    .venv/bin/python bench/bench_udata.py [--datasets 200] [--page-size 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rdflib import Graph, URIRef  # noqa: E402

from luxcat.artifacts import LocalArtifactStore  # noqa: E402
from luxcat.store import StateStore  # noqa: E402
from publishers.base import publish_items  # noqa: E402
from publishers.udata import UdataPublisher  # noqa: E402
from tests.udata.contract_server import UdataContractServer  # noqa: E402
from tests.udata.records import EXAMPLES, STATEC, Example, dataset_graph, harvest_and_map, source_config  # noqa: E402

OWN = ("https://data.", "https://metadata.", "https://example.org/dataset")  # dataset/distribution IRIs


def _rename(term: object, i: int) -> object:
    return URIRef(f"{term}-{i}") if isinstance(term, URIRef) and str(term).startswith(OWN) else term


def copies(n: int) -> tuple[list[Example], dict[str, object]]:
    """n examples with distinct dataset and distribution IRIs (same content otherwise)."""
    examples: list[Example] = []
    graphs: dict[str, object] = {}
    for i in range(n):
        base = EXAMPLES[i % len(EXAMPLES)]
        graph = dataset_graph(base)
        renamed = Graph()
        for triple in graph:
            renamed.add(tuple(_rename(t, i) for t in triple))  # type: ignore[arg-type]
        example = Example(f"{base.record_id}-{i}", base.file, f"{base.dataset}-{i}")
        examples.append(example)
        graphs[example.record_id] = renamed
    return examples, graphs


def phase(
    server: UdataContractServer,
    publisher: UdataPublisher,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: object,
) -> tuple[float, int, dict[str, int]]:
    """Plan + apply once; seconds, requests the server saw, plan totals."""
    before = len(server.state.log)
    start = time.perf_counter()
    plan = publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))  # type: ignore[list-item]
    return time.perf_counter() - start, len(server.state.log) - before, plan.totals()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-udata-"))
    with UdataContractServer() as server:
        server.add_organization(STATEC, "STATEC")
        server.add_key("bench-key", {STATEC})
        os.environ["UDATA_API_KEY"] = "bench-key"
        store = StateStore(f"sqlite:///{tmp / 'state.db'}")
        artifacts = LocalArtifactStore(tmp / "artifacts")
        cfg = source_config("bench-udata")
        examples, graphs = copies(args.datasets)
        harvest_and_map(cfg, store, artifacts, examples, graphs=graphs)  # type: ignore[arg-type]

        def publisher() -> UdataPublisher:
            opts = UdataPublisher.Options(base_url=server.url, throttle=0, page_size=args.page_size)
            return UdataPublisher(opts, store, artifacts)

        results = {"first sync": phase(server, publisher(), store, artifacts, cfg)}
        results["no-change re-run"] = phase(server, publisher(), store, artifacts, cfg)
        for record in store.records(cfg.id):
            store.set_publish_id(cfg.id, record.record_id, "data.public.lu", None)
        results["id map lost"] = phase(server, publisher(), store, artifacts, cfg)
    base_seconds, base_requests, _ = results["first sync"]
    print(f"{args.datasets} datasets, page size {args.page_size}, throttle off")
    for name, (seconds, requests, totals) in results.items():
        print(
            f"{name:17} {seconds:7.2f}s {requests:6d} requests  x{seconds / base_seconds:.2f} time "
            f"x{requests / base_requests:.2f} requests  {totals}"
        )


if __name__ == "__main__":
    main()
