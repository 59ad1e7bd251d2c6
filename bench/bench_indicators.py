"""Benchmark: the open data indicators over an exported catalogue of N datasets (default 100,000).

Setup (not timed): bench_catalogue's copies of real records, each with the validation outcome its
real template gets from luxcat's validator (SHACL + policy + MQA score), exported by the catalogue
publisher. Timed, in a fresh process so its peak memory is its own: one indicators computation
(read the served N-Triples dump, facts, tallies per scope, history in SQLite, CSV + CSVW + dataset +
dashboard written), then a second one (a two-day history). Baseline in the same run: rdflib parsing a
slice of the same dump, extrapolated to the whole.

    .venv/bin/python bench/bench_indicators.py [--datasets 100000] [--baseline 5000]
Target: < 30 s and < 1 GB for 100,000 datasets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_catalogue import build, config, templates  # noqa: E402


def add_validation(root: Path) -> None:
    """Give every stored record the validation outcome of its real template (as the validate stage stores it)."""
    from rdflib import Graph
    from sqlalchemy import update

    from luxcat.store import StateStore, records_table
    from validators.combined import validate_graph

    outcomes = []
    for uri, nt in templates():
        graph = Graph().parse(data=nt, format="nt")
        reports = [r for r in validate_graph(graph) if r.dataset == uri]
        outcomes.append(reports[0].as_dict() if reports else {"conforms": False, "score": None, "results": []})
    store = StateStore(f"sqlite:///{root / 'state.db'}")
    with store.engine.begin() as conn:
        ids = conn.execute(records_table.select().with_only_columns(records_table.c.record_id)).scalars().all()
        for k, outcome in enumerate(outcomes):
            chosen = [rid for rid in ids if int(rid) % len(outcomes) == k]
            for start in range(0, len(chosen), 5000):
                conn.execute(
                    update(records_table)
                    .where(records_table.c.record_id.in_(chosen[start : start + 5000]))
                    .values(validation=outcome, conforms=outcome["conforms"])
                )
    store.close()


def setup(root: Path, n: int) -> None:
    """Store N records, add validation outcomes, export the catalogue (2 workers, no 2.1.1 variant)."""
    from publishers.base import publish_items
    from publishers.catalogue import CatalogueOptions, CataloguePublisher
    from publishers.targets import target_options
    from tests.publish.corpus import source_config

    store, artifacts = build(root, n)
    store.close()
    add_validation(root)
    from luxcat.store import StateStore

    store = StateStore(f"sqlite:///{root / 'state.db'}")
    cfg = config(root, 100)
    options = target_options(cfg, "catalogue", CatalogueOptions)
    options = options.model_copy(
        update={"export": options.export.model_copy(update={"workers": 2, "dcat_ap_2": False})}
    )
    publisher = CataloguePublisher(options, store, artifacts)
    bench = source_config("bench", validation={"on_violation": "publish-with-warning"})
    publisher.apply(publisher.plan(publish_items(store, artifacts, [bench])))
    store.close()


def compute(root: Path) -> None:
    """The timed part (run in its own process): two computations, one day apart; prints JSON."""
    from luxcat.store import StateStore
    from publishers.catalogue.storage import FolderTarget
    from publishers.indicators.run import compute_indicators
    from publishers.targets import load_publish_config

    cfg = load_publish_config(root / "publish.yaml")
    store = StateStore(f"sqlite:///{root / 'state.db'}")
    target = FolderTarget(root / "export")
    times, cpu = [], []
    for day in (1, 2):
        start, cpu0 = time.perf_counter(), _cpu()
        comp = compute_indicators(
            store, target, cfg.catalogue, cfg.targets.catalogue.base_url,
            clock=lambda d=day: datetime(2026, 12, d, 3, 0, tzinfo=UTC), workers=2,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - cpu0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"times": times, "cpu": cpu, "peak_mb": peak, "worker_peak_mb": children,
                      "values": len(comp.values), "rows": len(comp.rows),
                      "datasets": comp.figure("datasets.total"), "summary": comp.summary()}))  # fmt: skip
    store.close()


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the forked readers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(root: Path, k: int) -> tuple[float, int]:
    """Seconds rdflib takes to parse the first k datasets of the dump, and how many datasets the dump holds."""
    from rdflib import Graph

    current = root / "export" / "current"
    lines = [json.loads(x) for x in (current / "datasets.jsonl").read_text().splitlines()]
    live = sorted((x for x in lines if not x.get("deleted")), key=lambda x: x["offset"])
    end = live[min(k, len(live)) - 1]
    with (current / "catalogue.nt").open("rb") as fh:
        fh.seek(live[0]["offset"])
        data = fh.read(end["offset"] + end["length"] - live[0]["offset"])
    start = time.perf_counter()
    Graph().parse(data=data, format="nt")
    return time.perf_counter() - start, len(live)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000)
    parser.add_argument("--root", help="keep the built catalogue in this folder and reuse it on the next run")
    parser.add_argument("--compute", help=argparse.SUPPRESS)  # internal: the timed child process
    args = parser.parse_args()
    if args.compute:
        compute(Path(args.compute))
        return
    with tempfile.TemporaryDirectory(prefix="luxcat-bench-indicators-") as tmp:
        root = Path(args.root or tmp)
        if (root / "export" / "index.json").exists() and (root / "built").read_text() == str(args.datasets):
            print(f"setup: reusing the catalogue of {args.datasets} records in {root}")
            for name in ("indicator_runs", "indicator_values", "indicator_datasets"):  # a fresh history
                import sqlite3

                with sqlite3.connect(root / "state.db") as db:
                    db.execute(f"DROP TABLE IF EXISTS {name}")
        else:
            root.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            setup(root, args.datasets)
            (root / "built").write_text(str(args.datasets))
            print(f"setup: {args.datasets} records stored, validated and exported in {time.perf_counter() - t0:.0f}s")
        child = subprocess.run(
            [sys.executable, __file__, "--compute", str(root)], capture_output=True, text=True, check=True
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        first, second = result["times"]
        cpu1, cpu2 = result["cpu"]
        print(f"indicators, first computation: {first:.1f}s wall, {cpu1:.1f}s CPU incl. workers "
              f"({args.datasets / first:.0f} datasets/s)")  # fmt: skip
        print(f"indicators, second computation (day 2, new/withdrawn): {second:.1f}s wall, {cpu2:.1f}s CPU")
        print(
            f"peak memory: computing process {result['peak_mb']:.0f} MB, "
            f"largest worker {result['worker_peak_mb']:.0f} MB"
        )
        print(f"{result['values']} values a day, {result['rows']} rows in the series; {result['summary']}")
        took, live = baseline(root, args.baseline)
        print(
            f"baseline: rdflib parses {args.baseline} datasets of the same dump in {took:.1f}s -> "
            f"{took * live / args.baseline:.0f}s extrapolated to {live}; ratio rdflib parse only / luxcat "
            f"whole computation = {took * live / args.baseline / first:.1f}x"
        )
        print(
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (2 reading processes + 1 for validations)"
        )
        memory = max(result["peak_mb"], result["worker_peak_mb"])
        print(
            f"CPU-bound estimate for an idle machine: {max(cpu1, cpu2) / min(2, os.cpu_count() or 1):.1f}s "
            "(CPU seconds over the 2 reading processes; the wall time above is what this machine gave)"
        )
        verdict = "PASS" if max(first, second) < 30 and memory < 1024 else "FAIL"
        print(f"target < 30 s and < 1024 MB: {verdict}")


if __name__ == "__main__":
    main()
