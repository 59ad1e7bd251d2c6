"""Benchmark: sync N datasets to the real udata 17 application (its own venv, mongomock driver).

The datasets are copies of the real DCAT-AP examples of tests/udata/records.py with new IRIs (the same
copies as bench_udata.py), stored through the real harvest stage. Measured with throttling off:
datasets per second of a first sync and of a no-change re-sync, and requests per dataset (luxcat's own
count). Printed next to them: the throttle's theoretical limit (throttle / requests per dataset, at the
production default of 1 request/s unless --throttle says otherwise), and, as the baseline measured in
the same run, udata's raw rate for the cheapest request luxcat sends (GET one dataset), so the sync's
requests/s can be read as a share of what the server can answer at all.

    .venv/bin/python bench/bench_udata_real.py [--datasets 100] [--throttle 1.0]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.bench_udata import copies  # noqa: E402
from luxcat.artifacts import LocalArtifactStore  # noqa: E402
from luxcat.store import StateStore  # noqa: E402
from luxcat.udata_local import LocalUdata  # noqa: E402
from publishers.base import publish_items  # noqa: E402
from publishers.udata import UdataPublisher  # noqa: E402
from tests.udata.records import harvest_and_map, source_config  # noqa: E402


def phase(publisher: UdataPublisher, store: StateStore, artifacts: LocalArtifactStore, cfg: object) -> tuple:
    """Plan + apply once: seconds, requests luxcat sent, writes, plan totals."""
    start = time.perf_counter()
    plan = publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))  # type: ignore[list-item]
    seconds = time.perf_counter() - start
    sent = sum(c.requests for c in publisher._clients.values())
    return seconds, sent, publisher.writes(), plan.totals()


def raw_rate(udata: LocalUdata, dataset_id: str, n: int = 200) -> float:
    """Baseline: GET one dataset n times (keep-alive session), answers per second."""
    session = requests.Session()
    session.headers["X-API-KEY"] = udata.state["member"]["api_key"]
    start = time.perf_counter()
    for _ in range(n):
        session.get(f"{udata.api}/datasets/{dataset_id}/", timeout=30).raise_for_status()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--throttle", type=float, default=1.0, help="production requests/s for the limit column")
    args = parser.parse_args()
    logging.getLogger("publishers").setLevel(logging.ERROR)  # per-dataset warnings are not what is measured
    tmp = Path(tempfile.mkdtemp(prefix="bench-udata-real-"))
    with LocalUdata() as udata:
        os.environ["UDATA_API_KEY"] = udata.state["member"]["api_key"]
        store = StateStore(f"sqlite:///{tmp / 'state.db'}")
        artifacts = LocalArtifactStore(tmp / "artifacts")
        cfg = source_config("bench-udata-real", organization=udata.state["organizations"]["statec"])
        examples, graphs = copies(args.datasets)
        harvest_and_map(cfg, store, artifacts, examples, graphs=graphs)  # type: ignore[arg-type]

        def publisher() -> UdataPublisher:
            opts = UdataPublisher.Options(base_url=udata.api, throttle=0)
            return UdataPublisher(opts, store, artifacts)

        results = {"first sync": phase(publisher(), store, artifacts, cfg)}
        results["no-change re-sync"] = phase(publisher(), store, artifacts, cfg)
        some_id = next(r.publish_ids["data.public.lu"]["dataset"] for r in store.records(cfg.id) if r.publish_ids)
        baseline = raw_rate(udata, some_id)
        store.close()
    n = args.datasets
    print(f"{n} datasets into the real udata 17.18.0 (mongomock), throttle off while measuring")
    print(f"baseline: udata answers GET /datasets/<id>/ at {baseline:.1f} requests/s")
    for name, (seconds, sent, writes, totals) in results.items():
        per_dataset = sent / n
        limit = args.throttle / per_dataset if per_dataset else float("inf")
        print(
            f"{name:18} {n / seconds:7.2f} datasets/s  {seconds:7.2f}s  {per_dataset:5.2f} requests/dataset "
            f"({writes} writes)  {sent / seconds:6.1f} requests/s = x{sent / seconds / baseline:.2f} of the baseline  "
            f"throttle limit at {args.throttle:g} req/s: {limit:.3f} datasets/s  {totals}"
        )


if __name__ == "__main__":
    main()
