"""How long Airflow takes to parse the DAG folder with 200 generated source files (target: under 10 s).

Run by hand: `.venv/bin/python bench/bench_dag_parse.py [--sources 200]`. Each measurement is a fresh
interpreter running `DagBag(dags/)` (what the dag-processor does per file), so import time counts.
The baseline, measured in the same run, is the same parse with a single source; the ratio shows
how parse time grows with the number of sources.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0

SOURCE = """\
id: {id}
title: {{en: "Generated source {n}", fr: "Source générée {n}"}}
owner: {{name: "Benchmark owner {n}"}}
schedule: "{minute} {hour} * * *"
harvester:
  kind: csw
  options: {{url: "https://csw{host}.example.lu/csw", page_size: 50}}
mapper: [iso19139]
languages: [fr, de, en]
publish:
  - target: catalogue
  - target: data.public.lu
    options: {{organization: "585b9f70111e9b70fda95c09", api_key: "${{UDATA_API_KEY}}"}}
"""

PARSE = """
import json, sys, time
t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "parse": t2 - t1, "dags": len(bag.dags), "errors": len(bag.import_errors),
                  "stats": [[s.file, s.duration.total_seconds()] for s in bag.dagbag_stats]}))
"""


def write_sources(folder: Path, count: int) -> None:
    for n in range(count):
        source_id = f"bench-{n:04d}"
        text = SOURCE.format(id=source_id, n=n, minute=n % 60, hour=n % 24, host=n % 37)
        (folder / f"{source_id}.yaml").write_text(text, encoding="utf-8")


def measure(count: int, home: Path) -> dict[str, float]:
    """Parse the real dags/ folder in a fresh interpreter with `count` generated sources."""
    sources = home / f"sources-{count}"
    sources.mkdir()
    write_sources(sources, count)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "LUXCAT_SOURCES": str(sources),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PARSE, str(REPO / "dags")], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="luxcat-bench-dags-"))
    try:
        base = measure(1, home)
        big = measure(args.sources, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    for label, data in (("1 source", base), (f"{args.sources} sources", big)):
        files = ", ".join(f"{Path(f).name} {s:.2f}s" for f, s in data["stats"])
        print(
            f"{label:>12}: {data['dags']:4d} DAGs, {data['errors']} import errors; import airflow "
            f"{data['import']:.2f}s, DagBag parse {data['parse']:.2f}s ({files}); process wall {data['wall']:.2f}s"
        )
    expected = args.sources + 1  # one harvest DAG per source + publish_catalogue
    ratio = big["parse"] / base["parse"] if base["parse"] else float("inf")
    print(f"parse ratio {args.sources} sources / 1 source: {ratio:.1f}x")
    ok = big["dags"] == expected and big["errors"] == 0 and big["wall"] < TARGET_SECONDS
    verdict = "OK" if ok else "NOT OK"
    print(f"{verdict}: {args.sources} sources parsed in {big['wall']:.2f}s wall (target < {TARGET_SECONDS:.0f}s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
