"""Benchmark: `luxcat validate` whole-process time with the start-up cache cold, warm and off, and against pySHACL.

Run by hand: `.venv/bin/python bench/bench_startup.py [--datasets 2000] [--no-pyshacl]`.
Each measurement is a separate process (what an operator or an Airflow task pays), all in this run:
1. `luxcat validate` on one real DCAT-AP example (tests/data/dcat): cache off, cold (first use,
   builds the cache), warm (3 runs, median);
2. the ISO 19139 mapper's vocabulary tables (mappers.vocabularies) in a fresh process, cold vs warm;
3. `luxcat validate` on a catalogue of --datasets datasets built from the real files
   (bench_validate.build_catalogue) with a warm cache, vs a process running pySHACL on the same
   file with the EU vocabularies (whole process each, same run): the ratio is printed.

Both sides write bytecode (to a folder of the run) and pySHACL's imports are warmed once, as for
installed software; luxcat's catalogue figure is the median of 3 processes.

Measured 2026-12-06 06:48 UTC, one run, quiet 2-core machine (issue 19, after luxcat.fastgraph):
  one dataset: cache off 3.10 s CPU (3.19 s wall), cold 3.07 s CPU, warm 0.37 s CPU (0.37 s wall;
  interpreter + imports 0.16 s wall); ISO mapper tables: 2.70 s CPU cold, 1.09 s CPU warm.
  2,000 datasets (84,291 triples, N-Triples): luxcat 1.84 s CPU / 1.85 s wall (median of 3: 2.88,
  1.79, 1.84 s CPU), pySHACL 28.55 s CPU / 28.59 s wall: 15.5x wall, 15.5x CPU (target 10x met).
  Earlier runs the same morning (before the last changes, the machine loaded): 13.3x wall / 11.0x
  CPU (luxcat 2.32 s CPU, pySHACL 25.6 s) and 12.6x / 14.0x (2.36 s, 33.0 s): pySHACL's own CPU
  varies by a third from run to run here. Before this work (05:17, rdflib's Graph.add per triple):
  luxcat ~10 s CPU on this catalogue against pySHACL's 31 s, ~3x. Where luxcat's ~1.9 s go now:
  start-up 0.4, reading the N-Triples into a FastGraph 0.6-0.75, SHACL + policy + MQA score ~0.8,
  JSON 0.15.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "tests/data/dcat/semic-dcat-ap-examples/3.0.0/example-bee-population-2022-2023.ttl"
MAPPER_TABLES = (
    "from mappers.vocabularies import licences, formats, themes, languages, frequencies, places, hvd;"
    "from mappers.vocabularies import vocabulary_graph;"
    "formats.file_type('CSV'); licences.licence_uri('CC-BY-4.0'); frequencies.frequency_uri('daily');"
    "languages.language_uri('fr'); hvd.hvd_category('geospatial'); vocabulary_graph()"
)
PYSHACL = (
    "import sys, pyshacl; from rdflib import Graph;"
    "from validators.reference import union_graph, run_pyshacl;"
    "g = Graph(); g.parse(sys.argv[1]); run_pyshacl(union_graph(g))"
)


CPU: list[float] = []  # CPU seconds of each process timed, in order (wall is inflated on a shared machine)


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one process (its output discarded; exit 0/1 = conforms or not, both fine); CPU in CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({done.returncode}): {done.stderr.decode()[-800:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--no-pyshacl", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    validate = [py, "-m", "luxcat.cli", "validate"]
    with tempfile.TemporaryDirectory() as tmp:
        base = {**os.environ, "PYTHONPATH": str(ROOT), "LUXCAT_CACHE_DIR": str(Path(tmp) / "cache")}
        # Bytecode is written (to a folder of this run), as for an installed luxcat: a shell with
        # PYTHONDONTWRITEBYTECODE=1 would make every luxcat process recompile its own modules
        # (~0.1 s) while pySHACL's installed modules come compiled.
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        off = {**base, "LUXCAT_CACHE": "off"}
        print(f"luxcat validate, one dataset ({EXAMPLE.name}), whole process:")
        t_off = timed([*validate, str(EXAMPLE)], off)
        c_off = CPU[-1]
        t_cold = timed([*validate, str(EXAMPLE)], base)
        c_cold = CPU[-1]
        warm = statistics.median(timed([*validate, str(EXAMPLE)], base) for _ in range(3))
        c_warm = statistics.median(CPU[-3:])
        imports = [py, "-c", "import luxcat.cli, validators.combined"]
        t_import = statistics.median(timed(imports, base) for _ in range(3))
        print(f"  cache off {t_off:6.2f} s   cold (builds cache) {t_cold:6.2f} s   warm {warm:6.2f} s  (wall)")
        print(f"  cache off {c_off:6.2f} s   cold (builds cache) {c_cold:6.2f} s   warm {c_warm:6.2f} s  (CPU)")
        saved = f"{t_off - warm:.2f} s ({t_off / warm:.1f}x)"
        print(f"  of which interpreter + imports {t_import:.2f} s; start-up saved {saved}")

        mapper_env = {**base, "LUXCAT_CACHE_DIR": str(Path(tmp) / "cache-mapper")}
        m_cold = timed([py, "-c", MAPPER_TABLES], mapper_env)
        m_warm = statistics.median(timed([py, "-c", MAPPER_TABLES], mapper_env) for _ in range(3))
        m_cpu = f"CPU cold {CPU[-4]:.2f} s, warm {statistics.median(CPU[-3:]):.2f} s"
        print(f"ISO mapper vocabulary tables, whole process: wall cold {m_cold:.2f} s, warm {m_warm:.2f} s; {m_cpu}")

        from rdflib import Graph, URIRef

        from bench.bench_validate import build_catalogue

        logging.disable(logging.WARNING)  # rdflib's per-literal warnings about the real files

        catalogue = Path(tmp) / "catalogue.nt"
        built = build_catalogue(args.datasets)
        graph = Graph()  # one real file holds an IRI with a space: not writable as N-Triples, left out
        graph += (t for t in built if not any(isinstance(n, URIRef) and " " in n for n in t))
        graph.serialize(catalogue, format="nt", encoding="utf-8")
        print(f"catalogue of {args.datasets} datasets from real files: {len(graph)} triples")
        lux_argv = [*validate, "--format", "json", "--output", str(Path(tmp) / "r.json"), str(catalogue)]
        walls = [timed(lux_argv, base) for _ in range(3)]
        t_lux, c_lux = statistics.median(walls), statistics.median(CPU[-3:])
        samples = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in zip(walls, CPU[-3:], strict=True))
        print(f"  luxcat validate (warm cache), whole process: {t_lux:.2f} s wall, {c_lux:.2f} s CPU")
        print(f"    (median of 3 runs, wall/CPU each: {samples})")
        if not args.no_pyshacl:
            timed([py, "-c", "import pyshacl, validators.reference"], base)  # its modules compiled, as luxcat's
            t_py = timed([py, "-c", PYSHACL, str(catalogue)], base)
            c_py = CPU[-1]
            print(f"  pySHACL + vocabularies, whole process:      {t_py:.2f} s wall, {c_py:.2f} s CPU")
            print(f"  ratio: luxcat {t_py / t_lux:.1f}x (wall), {c_py / c_lux:.1f}x (CPU) faster (target >= 10x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
