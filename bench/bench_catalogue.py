"""Benchmark: merge and export a catalogue of N datasets (default 100,000) in every format, whole and paged.

The datasets are copies of real records (the DCAT documents under tests/data/dcat, cut per
dataset as tests/publish/corpus.py does) with new URIs and identifiers, stored as the pipeline
stores them (SQLite state store + one N-Triples artifact per record). Prints seconds and peak memory
(ru_maxrss) for planning (index + merge) and for the export (4 formats x whole + pages, plus the
DCAT-AP 2.1.1 variant), and a baseline measured in the same run: rdflib serialising a subset.

    .venv/bin/python bench/bench_catalogue.py [--datasets 100000] [--baseline 10000] [--page-size 100]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rdflib import Graph  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from luxcat.artifacts import LocalArtifactStore  # noqa: E402
from luxcat.records import utcnow  # noqa: E402
from luxcat.store import ACTIVE, StateStore, records_table  # noqa: E402
from publishers.base import publish_items  # noqa: E402
from publishers.catalogue import CatalogueOptions, CataloguePublisher  # noqa: E402
from publishers.serialise import RDFLIB_FORMATS  # noqa: E402
from publishers.targets import PublishConfig, load_publish_config, target_options  # noqa: E402
from tests.publish.corpus import SOURCE_FILES, records_of, source_config  # noqa: E402

DCT_ID = "<http://purl.org/dc/terms/identifier>"


def peak_mb() -> float:
    """Peak resident set size so far of this process and (separately) of its largest export worker, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def cpu() -> float:
    """CPU seconds used by this process and its finished children (the export workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def templates() -> list[tuple[str, str]]:
    """(dataset URI, N-Triples) of every real record, identifiers removed (each copy gets its own)."""
    out = []
    for files in SOURCE_FILES.values():
        for relative in files:
            for _rid, uri, graph in records_of(relative):
                nt = graph.serialize(format="nt")
                lines = [x for x in nt.splitlines() if x and not (x.startswith(f"<{uri}> ") and DCT_ID in x)]
                out.append((str(uri), "\n".join(lines) + "\n"))
    return out


def build(root: Path, n: int) -> tuple[StateStore, LocalArtifactStore]:
    """N copies of the real records, written as the map stage writes them, rows inserted in bulk."""
    store = StateStore(f"sqlite:///{root / 'state.db'}")
    artifacts = LocalArtifactStore(root / "artifacts")
    now = utcnow()
    rows = []
    base = templates()
    for i in range(n):
        uri, nt = base[i % len(base)]
        new = f"https://bench.example.lu/dataset/{i:06d}"
        body = nt.replace(f"<{uri}>", f"<{new}>") + f'<{new}> {DCT_ID} "bench-{i:06d}" .\n'
        data = body.encode()
        location = artifacts.put(f"mapped/bench/{i:06d}.nt", data)
        rows.append(
            {
                "source_id": "bench",
                "record_id": f"{i:06d}",
                "content_hash": hashlib.sha256(data).hexdigest(),
                "first_seen": now,
                "last_seen": now,
                "last_changed": now,
                "status": ACTIVE,
                "dataset_uri": new,
                "mapped_location": location,
                "conforms": True,
                "publish_ids": {},
            }
        )
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(records_table), rows[start : start + 5000])
    return store, artifacts


def config(root: Path, page_size: int) -> PublishConfig:
    import yaml

    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"].update(export=str(root / "export"), page_size=page_size)
    path = root / "publish.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_publish_config(path)


def baseline(artifacts: LocalArtifactStore, store: StateStore, k: int) -> dict[str, float]:
    """rdflib: parse k records into one graph, then serialise it in each format (seconds per format)."""
    graph = Graph()
    for record in list(store.records("bench"))[:k]:
        graph.parse(data=artifacts.get(artifacts.key_of(record.mapped_location or "")), format="nt")
    out = {"triples": float(len(graph))}
    for ext, fmt in RDFLIB_FORMATS.items():
        start = time.perf_counter()
        graph.serialize(format=fmt)
        out[ext] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--no-variant", action="store_true", help="skip the DCAT-AP 2.1.1 variant")
    parser.add_argument("--workers", type=int, default=2, help="export processes (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luxcat-bench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        store, artifacts = build(root, args.datasets)
        print(f"setup: {args.datasets} records stored in {time.perf_counter() - t0:.1f}s, peak {peak_mb():.0f} MB")

        cfg = config(root, args.page_size)
        options = target_options(cfg, "catalogue", CatalogueOptions)
        export = {"workers": args.workers} | ({"dcat_ap_2": False} if args.no_variant else {})
        options = options.model_copy(update={"export": options.export.model_copy(update=export)})
        publisher = CataloguePublisher(options, store, artifacts)
        t1, c1 = time.perf_counter(), cpu()
        plan = publisher.plan(publish_items(store, artifacts, [source_config("bench")]))
        t_plan, c_plan = time.perf_counter() - t1, cpu() - c1
        print(
            f"plan (index + group {len(plan.entries)} datasets): {t_plan:.1f}s wall, {c_plan:.1f}s CPU, "
            f"peak {peak_mb():.0f} MB"
        )
        t2, c2 = time.perf_counter(), cpu()
        publisher.apply(plan)
        t_export, c_export = time.perf_counter() - t2, cpu() - c2
        files = list((root / "export" / "current").rglob("*"))
        size = sum(p.stat().st_size for p in files if p.is_file()) / 1e6
        variants = "4 formats x (whole + pages)" + ("" if args.no_variant else " x (DCAT-AP 3 + 2.1.1)")
        variants += f", {args.workers} worker(s)"
        print(
            f"export ({variants}, {len(files)} files, {size:.0f} MB): {t_export:.1f}s wall, {c_export:.1f}s CPU, "
            f"{args.datasets / t_export:.0f} datasets/s, peak {peak_mb():.0f} MB"
        )
        print(
            f"plan + export: {t_plan + t_export:.1f}s wall, {c_plan + c_export:.1f}s CPU incl. workers "
            f"(target < 120 s, < 1024 MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )

        k = min(args.baseline, args.datasets)
        base = baseline(artifacts, store, k)
        ours_per_dataset = t_export / args.datasets
        print(f"baseline: rdflib on {k} datasets ({base['triples']:.0f} triples), one format each:")
        for ext in RDFLIB_FORMATS:
            per = base[ext] / k
            print(f"  {ext:7} {base[ext]:7.2f}s  -> {per * args.datasets:8.1f}s extrapolated to {args.datasets}")
        rdflib_all = sum(base[ext] for ext in RDFLIB_FORMATS) / k
        print(
            f"ratio: rdflib all 4 formats once / luxcat all files = "
            f"{rdflib_all / ours_per_dataset:.1f}x per dataset (luxcat writes each format "
            f"{2 if args.no_variant else 4} times: whole + pages{'' if args.no_variant else ', two variants'})"
        )
        print(f"final peak {peak_mb():.0f} MB")
        store.close()


if __name__ == "__main__":
    main()
