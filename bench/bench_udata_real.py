"""Benchmark: sync N datasets to the real udata 17 application, this tree against a baseline revision.

The datasets are copies of the real DCAT-AP examples of tests/udata/records.py with new IRIs (the same
copies as bench_udata.py), stored through the real harvest stage. Each tree (the baseline revision,
extracted with `git archive`, then this working tree) runs in its own process against the same udata
server, emptied in between, with throttling off: first sync, no-change re-sync, and a sync where
`--changed` of the datasets changed at the source (in turn: a new title, a distribution's URL, a new
distribution, a new release: title and every distribution's URL). Printed per phase: datasets/s,
requests and writes per dataset (luxcat's own count), writes to datasets per changed dataset, the
throttle's theoretical limit (throttle / requests per dataset at the production 1 request/s), the ratio of
this tree's requests to the baseline's, and whether both trees left udata with the same datasets
(every owned field and resource, ids and dates aside) and kept the same resource ids across the change.

    .venv/bin/python bench/bench_udata_real.py [--datasets 100] [--changed 0.1] [--baseline f7c8b6c]

Measured 2026-12-06 05:35 UTC (2 shared cores under load, udata 17.18.0 on mongomock, 200 datasets of
which 40 are dataservice examples with a service each, 10% changed; baseline f7c8b6c = the sync before
the one-write change; "dataset writes" = writes to /datasets/..., contact points and dataservices aside):

    phase               requests/dataset (all writes)  dataset writes per   datasets/s   at 1 req/s
                        baseline -> now                 changed dataset     (throttle off)
    first sync          2.64 (2.61) -> 1.24 (1.21) x0.47   2.40 -> 1.00     1.91 -> 2.21   0.38 -> 0.81
    no-change re-sync   0.04 (0)    -> 0.03 (0)    x0.86   -                68.5 -> 80.4   28.6 -> 33.3
    10% changed         0.27 (0.13) -> 0.23 (0.10) x0.87   1.30 -> 1.00     13.6 -> 16.8   3.77 -> 4.35
    read-back (owned fields and resources, ids and dates aside): equal after the first and the changed
    sync; resource ids kept across the change in both; resource order differs in the 120 datasets with
    more than one resource: the baseline's one-by-one POSTs (each prepended by udata) reversed the
    mapping's order, the inline create keeps it.

Unthrottled, the local udata (mongomock, ~32 GET/s on this loaded machine) is the bottleneck, so datasets/s
moves less than the request count; at the production throttle of 1 request/s the request count is the
whole story: a first sync of 10,000 datasets goes from ~7.3 h to ~3.4 h.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BASELINE = "f7c8b6c"  # the udata sync before "one write per changed dataset"
DROP = {"id", "created_at", "last_modified", "last_update", "slug", "uri", "page", "metrics", "quality",
        "internal", "permissions", "latest", "preview_url", "urlhash", "badges", "featured"}  # fmt: skip


# -- the worker: one tree, run with that tree first on sys.path ------------------------------------------
def worker(args: argparse.Namespace) -> None:
    """Harvest, then first / no-change / changed sync with the tree on sys.path; prints one JSON line."""
    sys.path.insert(0, args.tree)
    import requests

    from bench.bench_udata import copies
    from luxcat.artifacts import LocalArtifactStore
    from luxcat.store import StateStore
    from publishers.base import publish_items
    from publishers.udata import UdataPublisher
    from tests.udata.records import harvest_and_map, source_config

    logging.getLogger("publishers").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="bench-udata-real-"))
    store = StateStore(f"sqlite:///{tmp / 'state.db'}")
    artifacts = LocalArtifactStore(tmp / "artifacts")
    cfg = source_config("bench-udata-real", organization=args.org)
    examples, graphs = copies(args.datasets)
    harvest_and_map(cfg, store, artifacts, examples, graphs=graphs)  # type: ignore[arg-type]
    session = requests.Session()
    session.headers["X-API-KEY"] = os.environ["UDATA_API_KEY"]

    from publishers.udata.client import UdataClient

    dataset_writes = [0]
    call = UdataClient.call

    def counted(self: Any, method: str, path: str, **kwargs: Any) -> Any:
        """Writes to datasets and their resources (contact points and dataservices are shared: not counted)."""
        if method != "GET" and path.startswith("/datasets/"):
            dataset_writes[0] += 1
        return call(self, method, path, **kwargs)

    UdataClient.call = counted  # type: ignore[method-assign]

    def phase(name: str, changed: int) -> dict[str, Any]:
        publisher = UdataPublisher(UdataPublisher.Options(base_url=args.api, throttle=0), store, artifacts)
        dataset_writes[0] = 0
        start = time.perf_counter()
        plan = publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))
        seconds = time.perf_counter() - start
        sent = sum(c.requests for c in publisher._clients.values())
        return {"name": name, "seconds": seconds, "requests": sent, "writes": publisher.writes(),
                "dataset_writes": dataset_writes[0], "totals": plan.totals(), "changed": changed}  # fmt: skip

    def read_back() -> list[dict[str, Any]]:
        page = session.get(f"{args.api}/datasets/", params={"organization": args.org, "page_size": 1000}).json()
        return [d for d in page["data"] if not d.get("deleted")]

    phases = [phase("first sync", args.datasets)]
    first = read_back()
    phases.append(phase("no-change re-sync", 0))
    touched = change_at_source(examples, graphs, args.changed)
    harvest_and_map(cfg, store, artifacts, examples, graphs=graphs)  # type: ignore[arg-type]
    phases.append(phase(f"{args.changed:.0%} changed", touched))
    print(json.dumps({"phases": phases, "first": first, "changed": read_back()}))
    store.close()


def change_at_source(examples: list[Any], graphs: dict[str, Any], share: float) -> int:
    """Change `share` of the datasets in turn: title, one distribution's URL, a new distribution, a new release."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    step = max(1, round(1 / share)) if share else 0
    picked = [k * step + k % 5 for k in range(len(examples) // step)] if step else []  # every example in turn
    touched = 0
    for k, i in enumerate(i for i in picked if i < len(examples)):
        example = examples[i]
        graph, subject, kind = graphs[example.record_id], URIRef(example.dataset), k % 4
        dists = sorted(graph.objects(subject, DCAT.distribution), key=str)
        if kind in (1, 3) and dists:  # a distribution's URL changed; a new release: title and every URL
            for n, dist in enumerate(dists if kind == 3 else dists[:1]):
                for prop in (DCAT.downloadURL, DCAT.accessURL):
                    graph.remove((dist, prop, None))  # (some are blank nodes pointing on through rdfs:seeAlso)
                graph.add((dist, DCAT.downloadURL, URIRef(f"{example.dataset}/files/{n}-v2.csv")))
            if kind == 3:
                graph.set((subject, DCTERMS.title, Literal(f"Dataset {i}, new release", lang="en")))
        elif kind == 2:  # a new distribution
            new = URIRef(f"{example.dataset}/distribution/added")
            graph.add((subject, DCAT.distribution, new))
            graph.add((new, DCAT.accessURL, URIRef(f"{example.dataset}/added.csv")))
            graph.add((new, DCTERMS.title, Literal("Added at the source", lang="en")))
        else:
            graph.set((subject, DCTERMS.title, Literal(f"Revised dataset {i}", lang="en")))
        touched += 1
    return touched


# -- comparing what both trees left on udata ----------------------------------------------------------------
def normalised(datasets: list[dict[str, Any]]) -> dict[str, Any]:
    """Each dataset by luxcat URI, owned content only: ids, dates, bookkeeping dropped; resources as a set."""
    out: dict[str, Any] = {}
    for dataset in datasets:
        body = {k: v for k, v in dataset.items() if k not in DROP and k not in ("organization", "owner")}
        body["contact_points"] = sorted((c.get("name"), c.get("email")) for c in dataset.get("contact_points") or [])
        body["resources"] = sorted(
            json.dumps({k: v for k, v in r.items() if k not in DROP}, sort_keys=True) for r in dataset["resources"]
        )
        out[str((dataset.get("extras") or {}).get("luxcat:dataset_uri"))] = body
    return out


def resource_ids(datasets: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {
        (str(d["extras"].get("luxcat:dataset_uri")), str(r["extras"].get("luxcat:key"))): str(r["id"])
        for d in datasets
        for r in d["resources"]
    }


def order_differs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    """Datasets whose resources come in another order (by luxcat key) in the two read-backs."""
    keys = [{str(d["extras"].get("luxcat:dataset_uri")): [r["extras"].get("luxcat:key") for r in d["resources"]]
             for d in side} for side in (a, b)]  # fmt: skip
    return sum(1 for uri, order in keys[0].items() if keys[1].get(uri) != order)


def kept_ids(result: dict[str, Any]) -> str:
    """Did every resource present before and after the change keep its id?"""
    before, after = resource_ids(result["first"]), resource_ids(result["changed"])
    moved = [k for k in before.keys() & after.keys() if before[k] != after[k]]
    return "ids kept" if not moved else f"{len(moved)} resources got a new id"


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    na, nb = normalised(a), normalised(b)
    found = [f"{uri}: only in {'baseline' if uri in na else 'this tree'}" for uri in na.keys() ^ nb.keys()]
    for uri in na.keys() & nb.keys():
        found += [
            f"{uri} {key}" for key in sorted(na[uri].keys() | nb[uri].keys()) if na[uri].get(key) != nb[uri].get(key)
        ]
    return found


def extract(revision: str) -> Path:
    """The baseline revision's files, from `git archive`, in a temporary folder."""
    target = Path(tempfile.mkdtemp(prefix="bench-udata-baseline-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--changed", type=float, default=0.1, help="share of datasets changed at the source")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of the previous sync")
    parser.add_argument("--throttle", type=float, default=1.0, help="production requests/s for the limit column")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--org", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    sys.path.insert(0, str(REPO))
    import requests

    from luxcat.udata_local import LocalUdata

    trees = {"baseline": extract(args.baseline), "this tree": REPO}
    results: dict[str, dict[str, Any]] = {}
    with LocalUdata() as udata:
        env = {**os.environ, "UDATA_API_KEY": udata.state["member"]["api_key"], "PYTHONPATH": ""}
        for name, tree in trees.items():
            udata.control("reset")
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--tree", str(tree), "--api",
                       udata.api, "--org", udata.state["organizations"]["statec"], "--datasets", str(args.datasets),
                       "--changed", str(args.changed)]  # fmt: skip
            done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tree)
            if done.returncode:
                raise SystemExit(f"{name} worker failed:\n{done.stderr[-3000:]}")
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        session = requests.Session()
        session.headers["X-API-KEY"] = udata.state["member"]["api_key"]
        some = results["this tree"]["first"][0]["id"]
        start = time.perf_counter()
        for _ in range(200):
            session.get(f"{udata.api}/datasets/{some}/", timeout=30).raise_for_status()
        baseline_rate = 200 / (time.perf_counter() - start)
    n = args.datasets
    print(f"{n} datasets into the real udata 17.18.0 (mongomock), throttle off; baseline = {args.baseline}")
    print(f"udata answers GET /datasets/<id>/ at {baseline_rate:.1f} requests/s here")
    old_phases = {p["name"]: p for p in results["baseline"]["phases"]}
    for name, result in results.items():
        for p in result["phases"]:
            per = p["requests"] / n
            old = old_phases[p["name"]]
            limit = args.throttle / per if per else float("inf")
            per_changed = f"{p['dataset_writes'] / p['changed']:.2f}" if p["changed"] else "-"
            print(
                f"{name:9} {p['name']:17} {n / p['seconds']:7.2f} datasets/s  {per:5.2f} requests/dataset "
                f"({p['writes'] / n:4.2f} writes, {per_changed} dataset writes per changed dataset)  "
                f"x{p['requests'] / old['requests']:.2f} of the baseline's requests  "
                f"limit at {args.throttle:g} req/s: {limit:.2f} datasets/s  {p['totals']}"
            )
    for when in ("first", "changed"):
        found = differences(results["baseline"][when], results["this tree"][when])
        state = "equal" if not found else f"{len(found)} differences: " + "; ".join(found[:8])
        print(f"read-back after the {when} sync, baseline vs this tree: {state}")
    unordered = order_differs(results["baseline"]["first"], results["this tree"]["first"])
    print(f"resource order after the first sync: {unordered} datasets differ (the baseline reversed the mapping's)")
    print(f"resource ids across the change: baseline {kept_ids(results['baseline'])}, "
          f"this tree {kept_ids(results['this tree'])}")  # fmt: skip


if __name__ == "__main__":
    main()
