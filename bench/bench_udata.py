"""Benchmark: sync N datasets to the real udata (luxcat.udata_local): first sync, no-change re-run, lost id map.

The datasets are copies of the real DCAT-AP examples of tests/udata/records.py with new IRIs, stored
through the real harvest stage (bench_udata_real.py reports datasets/s against the throttle's limit).
Throttling is off (the production default of 1 request/s would make
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
from luxcat.udata_local import LocalUdata  # noqa: E402
from publishers.base import publish_items  # noqa: E402
from publishers.udata import UdataPublisher  # noqa: E402
from tests.udata.records import EXAMPLES, Example, dataset_graph, harvest_and_map, source_config  # noqa: E402

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
    publisher: UdataPublisher,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: object,
) -> tuple[float, int, dict[str, int]]:
    """Plan + apply once; seconds, requests luxcat sent, plan totals."""
    start = time.perf_counter()
    plan = publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))  # type: ignore[list-item]
    sent = sum(c.requests for c in publisher._clients.values())
    return time.perf_counter() - start, sent, plan.totals()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-udata-"))
    with LocalUdata() as server:
        os.environ["UDATA_API_KEY"] = server.state["member"]["api_key"]
        store = StateStore(f"sqlite:///{tmp / 'state.db'}")
        artifacts = LocalArtifactStore(tmp / "artifacts")
        cfg = source_config("bench-udata", organization=server.state["organizations"]["statec"])
        examples, graphs = copies(args.datasets)
        harvest_and_map(cfg, store, artifacts, examples, graphs=graphs)  # type: ignore[arg-type]

        def publisher() -> UdataPublisher:
            opts = UdataPublisher.Options(base_url=server.api, throttle=0, page_size=args.page_size)
            return UdataPublisher(opts, store, artifacts)

        results = {"first sync": phase(publisher(), store, artifacts, cfg)}
        results["no-change re-run"] = phase(publisher(), store, artifacts, cfg)
        for record in store.records(cfg.id):
            store.set_publish_id(cfg.id, record.record_id, "data.public.lu", None)
        results["id map lost"] = phase(publisher(), store, artifacts, cfg)
    base_seconds, base_requests, _ = results["first sync"]
    print(f"{args.datasets} datasets, page size {args.page_size}, throttle off")
    for name, (seconds, requests, totals) in results.items():
        print(
            f"{name:17} {seconds:7.2f}s {requests:6d} requests  x{seconds / base_seconds:.2f} time "
            f"x{requests / base_requests:.2f} requests  {totals}"
        )


if __name__ == "__main__":
    main()
