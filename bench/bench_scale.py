"""Benchmark: state store and catalogue export at 10k, 100k and 2M datasets: first, no-change and 1%-changed runs.

Run by hand (it is long), e.g.
  `python bench/bench_scale.py --database postgres --sizes 10000 100000 2000000`
The inventory is built from the real rows of config/demo/inventory/mmtp-inventaire.csv (a ministry
inventory, see its SOURCES.md): rows are cycled with a new identifier, a numbered title and a
varied modification date, so every dataset is distinct and maps like the real ones (the rows that
are broken on purpose stay broken: they are the rejects; 6 of 7 rows are stored, 3 of 7 publishable).
A catalogue of N records is ceil(N / --source-size) inventory sources (100,000 rows each by default:
big catalogues are many sources, and the inventory harvester reads at most 200,000 rows per file).

For each size, in a fresh state store (SQLite file or a PostgreSQL database on a server started on
127.0.0.1 like tests/servers/postgres.py does: initdb + pg_ctl, fsync off as there) and artifact folder:
- first run: really harvested, mapped and validated for sizes up to --real-first (default 10,000);
  above, the store is SEEDED by bulk loading (COPY on PostgreSQL) the records and mapped graphs a
  first run would have stored, derived from really mapped rows with their id/title/date/row changed
  and sampled against a real map (bench/scale_seed.py says how). The seed is timed but is not a run;
- a run with nothing changed, and a run where 1% of the rows changed (new title and date: those
  are really harvested, mapped and validated), every source in turn as `luxcat run --all` does;
- after each run the catalogue publish (CataloguePublisher plan + apply into a local folder);
  above --export-apply-max datasets only the plan is run, then planned again against a served list
  of every dataset (stage `previous`). `--catalogue KEY=VALUE` sets a publish option (e.g.
  dcat_ap_2=false: a version of all formats, pages and the 2.1.1 variant is ~37 KB per dataset).
Each size runs in its own process. Per stage: wall, CPU of this process and its children (export
workers), CPU of the PostgreSQL server (its process tree), records/s and the peak RSS during the
stage (VmHWM reset before each stage). Across sizes: the growth order (exponent of CPU and of peak
memory in size; 1.0 = linear, 0 = flat).

With the catalogue's merge index on disk (publishers/catalogue/indexdb.py), measured 2026-12-06
07:47-09:01 UTC on the 2-core machine, PostgreSQL 15, `--skip-no-change --catalogue dcat_ap_2=false`
(the DCAT-AP 2.1.1 variant off: a version of 1,003,334 datasets in all four formats is 24 GB without
it, ~37 GB with it, and the run needs the served version plus the new one on a 75 GB disk; the
variant adds 2-50% of the export's CPU, bench_export_incremental.py). The 2,000,000-record store was
seeded once (`--phase seed`: 830 s wall, 491 s CPU + 61 s db, 24 sources of 100,000 rows), its
catalogue exported in full (plan 259 s wall / 165 s CPU, peak 564 MB: a first publish lists every
dataset as a create; apply 518 s wall / 897 s CPU on 2 workers), then two rounds of 1%-changed runs:
round 1 (08:31-08:45, nothing else running) in the same process as that full export, round 2
(08:46-09:01, `--round 2`, a fresh process, while the 100,000 size below ran beside it) for its own
peaks. Each run changes 20,000 rows (every 100th: new title and date), really harvested, mapped
(16,666) and validated; the changes fall in most of the 16,384 pages, so most are rendered again:

  2,000,000 records, 1,003,334 datasets     round 1 (quiet)          round 2 (fresh process)
    harvest   (2,000,001 listed)          216 s wall, 148 s CPU      237 s wall, 159 s CPU, peak 492 MB
    map       (20,000 records)             55 s wall,  48 s CPU       62 s wall,  51 s CPU, peak 319 MB
    validate  (16,666 records)             59 s wall,  51 s CPU       66 s wall,  53 s CPU, peak 338 MB
    run                                   331 s wall, 247 s + 92 db  365 s wall, 263 s + 94 db, peak 492 MB
    plan      (10,000-13,333 updates)     131 s wall, 120 s CPU      137 s wall, 126 s CPU, peak 381 MB
    apply     (export, 2 workers)         349 s wall, 561 s CPU      364 s wall, 601 s CPU, peak 388 MB
    1%-changed run + its export           810 s wall (13.5 min)      866 s wall (14.4 min)

  100,000 records, 50,166 datasets (08:46-08:52, same flags, seeded, fresh processes):
    run 27.4 s wall, 11.2 s CPU + 14.5 db, peak 413 MB; plan 6.5 s wall, 5.2 s CPU, peak 277 MB;
    apply 23.7 s wall, 29.4 s CPU, peak 304 MB.

  Growth 100,000 -> 2,000,000 (exponent in size; 1 = linear, 0 = flat): peak RSS of the run 0.06
  (413 -> 492 MB: bounded by the largest source), of the plan 0.11 (277 -> 381 MB) and of the apply
  0.08 (304 -> 388 MB): flat, the rest being SQLite's page caches (64 MB per file: the index and the
  scan cache) and a few bytes per page (16,384 page keys); CPU of the plan 1.06, of the apply 1.01
  (every dataset is read from the index once per publish). The round-1 peaks (667 MB in every
  stage) are that process's high-water mark from the full export's plan before, not the stages'.
  Target (1%-changed run + its export < 1 hour at 2,000,000 records): met, 810-866 s.
  The index file of the plan: ~1 KB per record (104 MB at 100,000, bench_export_incremental.py).

Measured earlier on 2026-12-06, before the disk index, on the shared 2-core machine (PostgreSQL 15;
load average 3.5-7 from the other engineers' work, so wall figures include waiting for a core; CPU
figures are the code's):
  2,000,000 records (24 sources of 100,000 rows; 2,333,334 rows listed; 1,003,334 publishable
  datasets), seeded: 2,059 s wall, 551 s CPU + 63 s PostgreSQL (COPY; 1,428,572 mapped graphs
  written). 1%-changed run (`--skip-no-change`, 20,000 records really harvested, mapped (16,666
  mapped, 3,334 real rejects) and validated):
    harvest  319 s wall, 158 s CPU + 79 s db  (6,263 listed records/s wall), peak RSS 492 MB
    map      220 s wall, 131 s CPU + 15 s db,  validate 115 s wall, 84 s CPU + 15 s db
    run      655 s wall, 373 s CPU + 109 s db, peak RSS 492 MB
    plan     247 s wall, 179 s CPU + 15 s db, peak RSS 2,463 MB (merge index of 1,003,334 datasets)
    previous  16 s wall (datasets.jsonl of 1,003,334 lines, as plan reads it), peak RSS 4,453 MB
             (the index still held: a plan holds both, ~2.4 KB + ~2 KB per dataset)
    apply    not run: a version of all formats and pages would not fit the disk.
  100,000 records (1 source; 50,166 publishable), before the incremental export landed:
    no-change run 40.5 s wall, 11.1 s CPU + 3.0 s db (2,471 records/s wall; harvest alone 2,995/s
    wall, 10,300/s of CPU), peak RSS 368 MB; 1% run 75 s wall, 20.5 s CPU + 3.9 s db, peak 426 MB;
    plan 34 s wall, 8.2 s CPU, peak 456 MB; apply (every file rewritten) 101 s wall, 48 s CPU.
  100,000 records after merging the incremental export (export-incr; same machine, 06:40): first
    apply 139 s wall, 62 s CPU; 1% run 74.5 s wall, 19.8 s CPU + 4.1 s db; plan 10.2 s wall, 5.5 s
    CPU, peak 385 MB; 1% apply 74 s wall, 40.8 s CPU (-15%: the 1% changes, every 100th row, fall
    in most pages, so most pages are rendered again).
  10,000 records, real first run: 554 s wall, 102 s CPU + 8.3 s db (map 64 s, validate 34 s CPU).
  Growth 100,000 -> 2,000,000 (exponent): 1% run CPU 1.00 (the changed records are 1% of the
  size), peak RSS 0.05 (426 -> 492 MB: flat, bounded by the largest source); plan CPU 1.01, peak
  RSS 0.56 (456 -> 2,463 MB: the merge index and the served datasets.jsonl are held whole: NOT flat).
  Target (1%-changed run + its export < 1 hour at 2,000,000): run + plan + previous measured 918 s
  wall; the apply is not measured at this size (extrapolated linearly from 100,000 with the
  incremental export: ~820 s CPU on 2 workers, so ~1,330-1,740 s in all, within the hour on CPU).

The first run's map and validate CPU (issue 19, the validate-speed work: luxcat.fastgraph for the
mappers' and validator's graphs, state rows read per page of 200, a raised GC threshold in the
stages, artifact folders resolved once), measured 2026-12-06 06:49 UTC in one run of this script's
previous version (SQLite, one process, sizes 2,000 and 20,000, per stage harvest/map/validate), on
the 2-core machine at a quiet moment; the 10,000-record real first run above predates this work:
  20,000 rows, first run: CPU 64.4 s (310 rows/s of CPU; harvest 8.5, map 31.6, validate 24.3),
    wall 67.3 s (297 rows/s, wall/CPU 1.04); no-change run: wall 3.50 s (5,721 rows/s), CPU 2.79 s;
    1% changed: wall 7.46 s, CPU 5.91 s; peak RSS 482 MB (process lifetime).
  2,000 rows, first run: CPU 7.74 s (258 rows/s, including the one-off cache loads): map 4.59 s,
    validate 2.07 s; peak RSS 248 MB. Growth 2,000 -> 20,000 (CPU exponent): first run 0.92 (map
    0.84, validate 1.07), no-change 0.80, 1% 0.85.
  Against the code before (f7c8b6c), 2,000 rows, run back to back at 06:20-06:27: before map
    11.59 s, validate 4.27 s, whole run 18.09 s CPU (111 rows/s of CPU), peak RSS 233 MB; after map
    3.85 s, validate 1.46 s, whole run 6.11 s CPU (327 rows/s): map 3.0x, validate 2.9x, run 3.0x
    less CPU. Under heavy load (load average 6-7, 06:00) an earlier state of this work took, on the
    20,000-row first run, 76 s of CPU but 159 s wall (126 rows/s): the wall target needs the cores.
  The run report is rebuilt over the whole source even when little changed (validate stage: 1.2 s
  CPU for no record, 3.9 s for 142, at 20,000 rows).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from luxcat.artifacts import LocalArtifactStore  # noqa: E402
from luxcat.config import SourceConfig  # noqa: E402
from luxcat.pipeline import Pipeline  # noqa: E402
from luxcat.store import StateStore  # noqa: E402

INVENTORY = ROOT / "config/demo/inventory/mmtp-inventaire.csv"
SOURCE = ROOT / "config/sources/demo-inventory.yaml"
PUBLISH = ROOT / "config/publish.yaml"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Stage:
    """One stage's measurement."""

    run: str
    name: str
    records: int
    wall: float
    cpu: float
    db_cpu: float
    peak_mb: float

    def line(self) -> str:
        rate = self.records / self.wall if self.wall else 0.0
        ratio = self.wall / (self.cpu + self.db_cpu) if self.cpu + self.db_cpu else 0.0
        return (
            f"    {self.name:<9} {self.records:>8} rec  wall {self.wall:8.1f} s  CPU {self.cpu:7.1f} s"
            f" + db {self.db_cpu:6.1f} s  wall/CPU {ratio:4.2f}  {rate:8.0f} rec/s  peak RSS {self.peak_mb:6.0f} MB"
        )


# -- inventory -----------------------------------------------------------------------------------
def real_rows() -> tuple[list[str], list[list[str]]]:
    """Header and rows of the real inventory (cp1252 CSV, `;`-separated)."""
    text = INVENTORY.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return rows[0], [r for r in rows[1:] if any(r)]


def write_inventory(
    path: Path, size: int, changed: frozenset[int] = frozenset(), start: int = 0, revision: int = 1
) -> None:
    """Rows start..start+size-1 cycled from the real ones: new id, numbered title, varied date; `changed` edited
    (each `revision` edits them differently, so another round of runs on a kept store changes them again)."""
    header, rows = real_rows()
    col = {name: i for i, name in enumerate(header)}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for n in range(start, start + size):
        row = list(rows[n % len(rows)])
        if row[col["Identifiant"]]:  # rows without id stay broken on purpose (real rejects)
            row[col["Identifiant"]] = f"{row[col['Identifiant']]}-{n:07d}"
        title = row[col["Titre (FR)"]]
        row[col["Titre (FR)"]] = f"{title} ({n})" if title else title
        day = 1 + n % 28
        row[col["Dernière mise à jour"]] = (
            f"2024-{1 + n % 12:02d}-{day:02d}" if row[col["Dernière mise à jour"]] else ""
        )
        if n in changed:
            again = f" {revision}" if revision > 1 else ""
            row[col["Titre (FR)"]] = f"{row[col['Titre (FR)']]} (révisé{again})"
            row[col["Dernière mise à jour"]] = "2025-06-30" if revision == 1 else f"2025-07-{min(revision, 28):02d}"
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode("cp1252", errors="replace"))


def config(location: Path, source_id: str) -> SourceConfig:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    data["harvester"]["options"]["location"] = str(location)
    data["id"] = source_id
    return SourceConfig.model_validate(data)


def sources(folder: Path, size: int, per_source: int) -> list[tuple[SourceConfig, Path, int, int]]:
    """(config, csv path, first row, rows) of each source of a catalogue of `size` stored records."""
    rows = math.ceil(size * 7 / 6)  # 1 row in 7 has no identifier: a harvest reject, never stored
    out = []
    for i, first in enumerate(range(0, rows, per_source)):
        path = folder / f"inventory-{i:03d}.csv"
        out.append((config(path, f"bench-inv-{i:03d}"), path, first, min(per_source, rows - first)))
    return out


# -- measurement ---------------------------------------------------------------------------------
def reset_peak() -> None:
    """Reset this process's peak RSS (VmHWM) so the next reading is the stage's own peak."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own = int(line.split()[1]) / 1024
            return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return 0.0


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def tree_cpu(pid: int | None) -> float:
    """CPU seconds of a process, its reaped children and its live children (the PostgreSQL server)."""
    if not pid:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ppid, utime, stime, cutime, cstime = int(fields[1]), *map(int, fields[11:15])
        if int(entry.name) == pid:
            total += utime + stime + cutime + cstime
        elif ppid == pid:
            total += utime + stime
    return total / TICK


def measure(run: str, name: str, records: int, fn: Callable[[], Any], db_pid: int | None) -> tuple[Stage, Any]:
    reset_peak()
    c0, d0, start = cpu(), tree_cpu(db_pid), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    stage = Stage(run, name, records, wall, cpu() - c0, tree_cpu(db_pid) - d0, peak_mb())
    print(stage.line(), flush=True)
    return stage, result


# -- database ------------------------------------------------------------------------------------
class BenchPostgres:
    """A PostgreSQL cluster kept in one folder across the bench's processes (started like the tests' one)."""

    def __init__(self, root: Path) -> None:
        from tests.servers.postgres import TempPostgres

        self.server = TempPostgres()
        shutil.rmtree(self.server.root, ignore_errors=True)  # its mkdtemp: we keep ours
        self.server.root = root
        self.server.datadir = root / "data"
        self.server.logfile = root / "server.log"

    def start(self) -> str:
        if not self.server.datadir.exists():
            self.server.root.mkdir(parents=True, exist_ok=True)
            self.server.start()  # initdb, start, createdb
        else:
            from tests.servers.postgres import free_port

            self.server.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.server.port} -k {self.server.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            self.server._pg(
                "pg_ctl", "-D", str(self.server.datadir), "-l", str(self.server.logfile), "-o", options, "-w", "start"
            )
            self.server._started = True
        return self.server.url

    def pid(self) -> int:
        return int((self.server.datadir / "postmaster.pid").read_text().split()[0])

    def stop(self, *, delete: bool) -> None:
        if delete:
            self.server.stop()
        elif self.server._started:
            self.server._pg("pg_ctl", "-D", str(self.server.datadir), "-m", "fast", "-w", "stop")
            self.server._started = False


def pg_root(workdir: Path, size: int) -> Path:
    """The cluster lives under /tmp: the `postgres` user (we may be root) must be able to enter it."""
    return Path(f"/tmp/luxcat-bench-pg-{workdir.resolve().as_posix().replace('/', '_')}-{size}")


# -- one size ------------------------------------------------------------------------------------
def run_sources(
    plan: list[tuple[SourceConfig, Path, int, int]], store: StateStore, artifacts: LocalArtifactStore, label: str,
    db_pid: int | None,
) -> list[Stage]:
    """harvest, map, validate of every source as `luxcat run` does them; stages summed over sources."""
    totals: dict[str, list[float]] = {}
    records: dict[str, int] = {}
    print(f"  {label}:", flush=True)

    def one_source(cfg: SourceConfig) -> dict[str, tuple[int, float, float, float, float]]:
        pipeline = Pipeline(cfg, store, artifacts)
        run_id = store.start_run(cfg.id, "full")
        out: dict[str, tuple[int, float, float, float, float]] = {}

        def timed(name: str, n: int, fn: Callable[[], Any]) -> Any:
            reset_peak()
            c0, d0, t0 = cpu(), tree_cpu(db_pid), time.perf_counter()
            result = fn()
            out[name] = (n, time.perf_counter() - t0, cpu() - c0, tree_cpu(db_pid) - d0, peak_mb())
            return result

        harvest = timed("harvest", 0, lambda: pipeline.harvest(run_id, full=True))
        out["harvest"] = (harvest.counts.seen, *out["harvest"][1:])
        todo = harvest.to_process
        mapped = timed("map", len(todo), lambda: pipeline.map(run_id, todo))
        failed = {r.record_id for r in mapped.rejections}
        valid = [r for r in todo if r not in failed]
        validated = timed("validate", len(valid), lambda: pipeline.validate(run_id, valid))
        pipeline.finish(run_id, harvest, mapped, validated)
        return out

    for cfg, _path, _first, _rows in plan:
        for name, (n, wall, c, d, peak) in one_source(cfg).items():
            acc = totals.setdefault(name, [0.0, 0.0, 0.0, 0.0])
            acc[0], acc[1], acc[2], acc[3] = acc[0] + wall, acc[1] + c, acc[2] + d, max(acc[3], peak)
            records[name] = records.get(name, 0) + n
    stages = [Stage(label, name, records[name], *totals[name]) for name in ("harvest", "map", "validate")]
    sums = [sum(getattr(s, k) for s in stages) for k in ("wall", "cpu", "db_cpu")]
    stages.append(Stage(label, "run", records["harvest"], *sums, max(s.peak_mb for s in stages)))
    for stage in stages:
        print(stage.line(), flush=True)
    return stages


OVERRIDES: dict[str, Any] = {}  # targets.catalogue options from --catalogue KEY=VALUE


def publisher(store: StateStore, artifacts: LocalArtifactStore, export: Path) -> Any:
    from publishers.catalogue import CatalogueOptions, CataloguePublisher
    from publishers.targets import load_publish_config, target_options

    data = yaml.safe_load(PUBLISH.read_text(encoding="utf-8"))
    data["targets"]["catalogue"].update(export=str(export.resolve()), workers=2)  # relative: under LUXCAT_HOME
    data["targets"]["catalogue"].update(OVERRIDES)
    path = export.parent / "publish.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    options = target_options(load_publish_config(path), "catalogue", CatalogueOptions)
    return CataloguePublisher(options, store, artifacts)


def export_stages(
    plan: list[tuple[SourceConfig, Path, int, int]], store: StateStore, artifacts: LocalArtifactStore, folder: Path,
    label: str, apply: bool, db_pid: int | None,
) -> list[Stage]:
    """The catalogue publish after a run: plan (merge index, compare) then apply (write and switch)."""
    from publishers.base import publish_items

    pub = publisher(store, artifacts, folder / "export")
    cfgs = [cfg for cfg, *_ in plan]
    stage_plan, result = measure(label, "plan", 0, lambda: pub.plan(publish_items(store, artifacts, cfgs)), db_pid)
    stage_plan.records = result.data["stats"]["records"]
    totals = result.totals()
    print(f"      plan: {json.dumps(totals, sort_keys=True)}", flush=True)
    stages = [stage_plan]
    if apply:
        stage_apply, _ = measure(label, "apply", stage_plan.records, lambda: pub.apply(result), db_pid)
        stages.append(stage_apply)
    else:
        print("      apply: not run at this size (see --export-apply-max)", flush=True)
        replan = lambda: pub.plan(publish_items(store, artifacts, cfgs))  # noqa: E731
        stages.append(previous_version_read(pub, result, label, db_pid, replan))
    return stages


def previous_version_read(pub: Any, result: Any, label: str, db_pid: int | None, replan: Callable[[], Any]) -> Stage:
    """When the version is not written: a plan against a served version listing every dataset.

    A datasets.jsonl and datasets.tsv with this plan's entries (the lines write_version would write,
    page and byte range numbered as it would) are installed as the served version; then the plan is
    made again (`replan`), reading that list as every plan after the first does (streamed into the
    index file, compared there): its time and memory are measured as stage `previous`.
    """
    merged = result.data["index"]
    page_size = pub.opts.export.page_size
    version = f"index-only-{label.replace('%', 'pct')}"
    staging = pub.target.staging_dir(version)  # a FolderTarget: beside the versions
    with (staging / "datasets.jsonl").open("w", encoding="utf-8") as out, \
            (staging / "datasets.tsv").open("w", encoding="utf-8") as tsv:  # fmt: skip
        for n, entry in enumerate(merged.entries):
            line = {"uri": entry.uri, "identifier": entry.identifier, "kind": entry.kind, "hash": entry.hash,
                    "datestamp": entry.datestamp, "sets": entry.sources,
                    "records": [[m.source_id, m.record_id] for m in entry.members],
                    "page": n // page_size + 1, "file": f"pages/{n // page_size + 1:05d}.nt",
                    "offset": 4096 * n, "length": 4096}  # fmt: skip
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            tsv.write("\t".join(str(line[k]) for k in ("uri", "hash", "datestamp", "file", "offset", "length")) + "\n")
    pub.target.install(staging, version)
    pointer = {"version": version, "config": pub.config_hash(), "history": [version], "index_only": True}
    pub.target.switch(pointer)
    count = merged.count
    del result, merged
    stage, again = measure(label, "previous", count, replan, db_pid)
    print(f"      previous: plan again against a served list of {count} datasets: {again.totals()}", flush=True)
    return stage


def one_size(args: argparse.Namespace) -> int:
    """Measure one size (in its own process); results as JSON into --out."""
    logging.disable(logging.WARNING)
    size, workdir = args.one_size, Path(args.workdir)
    folder = workdir / str(size)
    pg = BenchPostgres(pg_root(workdir, size)) if args.database == "postgres" else None
    url = pg.start() if pg else f"sqlite:///{folder / 'state.db'}"
    db_pid = pg.pid() if pg else None
    results: list[Stage] = []
    try:
        store = StateStore(url)
        artifacts = LocalArtifactStore(folder / "artifacts")
        plan = sources(folder, size, args.source_size)
        apply = size <= args.export_apply_max
        if args.phase == "seed":
            for _cfg, path, first, rows in plan:
                write_inventory(path, rows, start=first)
            if size <= args.real_first:
                results += run_sources(plan, store, artifacts, "first", db_pid)
            else:
                from bench.scale_seed import seed_source

                def seed() -> int:
                    return sum(seed_source(cfg, store, artifacts, folder / "seed" / cfg.id, first, write_inventory)
                               for cfg, _p, first, _r in plan)  # fmt: skip

                print("  first run replaced by the seed (bulk load of derived records):", flush=True)
                stage, count = measure("first", "seed", 0, seed, db_pid)
                stage.records = count
                results.append(stage)
            results += export_stages(plan, store, artifacts, folder, "first", apply, db_pid)
        else:
            served = folder / "export" / "index.json"
            if apply and (not served.exists() or json.loads(served.read_text()).get("index_only")):
                print("  the seed's catalogue, exported in full before the runs:", flush=True)
                results += export_stages(plan, store, artifacts, folder, "first", apply, db_pid)
            if not args.skip_no_change:
                results += run_sources(plan, store, artifacts, "no-change", db_pid)
                results += export_stages(plan, store, artifacts, folder, "no-change", apply, db_pid)
            for _cfg, path, first, rows in plan:
                changed = frozenset(range(first, first + rows, 100))
                write_inventory(path, rows, changed=changed, start=first, revision=args.round)
            results += run_sources(plan, store, artifacts, "1%", db_pid)
            results += export_stages(plan, store, artifacts, folder, "1%", apply, db_pid)
        store.close()
    finally:
        if pg:
            pg.stop(delete=False)
    out = Path(args.out)
    previous = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps(previous + [asdict(s) for s in results]))
    return 0


def growth(results: dict[int, list[Stage]]) -> None:
    """Exponent of CPU and peak memory in size between consecutive sizes (1.0 linear, 0 flat)."""
    sizes = sorted(results)
    for small, big in zip(sizes, sizes[1:], strict=False):
        print(f"growth order {small} -> {big} records (exponent in size: 1.0 = linear, 0 = flat):")
        keyed = {b: {(s.run, s.name): s for s in results[b]} for b in (small, big)}
        for key in keyed[big]:
            a, b = keyed[small].get(key), keyed[big][key]
            if a is None or key[0] == "first":
                continue

            def order(x: float, y: float, ratio: float = big / small) -> str:
                return f"{math.log(y / x) / math.log(ratio):5.2f}" if x > 0 and y > 0 else "  n/a"

            print(
                f"  {key[0]:<9} {key[1]:<9} CPU {order(a.cpu + a.db_cpu, b.cpu + b.db_cpu)}"
                f"  wall {order(a.wall, b.wall)}  peak RSS {order(a.peak_mb, b.peak_mb)}"
                f"  ({a.peak_mb:.0f} -> {b.peak_mb:.0f} MB)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 2_000_000])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench-scale"))
    parser.add_argument("--source-size", type=int, default=100_000, help="inventory rows per source")
    parser.add_argument("--real-first", type=int, default=10_000, help="largest size whose first run is real")
    parser.add_argument("--export-apply-max", type=int, default=200_000, help="largest size whose export is written")
    parser.add_argument("--keep", action="store_true", help="keep the stores, artifacts and exports")
    parser.add_argument("--skip-no-change", action="store_true", help="only the 1%%-changed run after the first")
    parser.add_argument("--catalogue", action="append", default=[], metavar="KEY=VALUE",
                        help="a targets.catalogue option (YAML value), e.g. dcat_ap_2=false")  # fmt: skip
    parser.add_argument("--round", type=int, default=1, help="which edit of the 1%% rows (a kept store: 2, 3, ...)")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("seed", "runs"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OVERRIDES.update({k: yaml.safe_load(v) for k, v in (x.split("=", 1) for x in args.catalogue)})
    if args.one_size:
        return one_size(args)
    workdir = Path(args.workdir)
    results: dict[int, list[Stage]] = {}
    load = os.getloadavg()
    print(f"bench_scale: {args.database}, sizes {args.sizes}, load average {load[0]:.1f} on {os.cpu_count()} CPUs")
    for size in args.sizes:
        folder = workdir / str(size)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(pg_root(workdir, size), ignore_errors=True)
        folder.mkdir(parents=True)
        out = folder / "results.json"
        print(f"{size} records in the state store ({args.database}):", flush=True)
        for phase in ("seed", "runs"):  # each in a fresh process: its peak memory is its own
            cmd = [sys.executable, __file__, "--one-size", str(size), "--phase", phase, "--out", str(out)]
            cmd += ["--database", args.database, "--workdir", str(workdir), "--source-size", str(args.source_size)]
            cmd += ["--real-first", str(args.real_first), "--export-apply-max", str(args.export_apply_max)]
            cmd += ["--skip-no-change"] if args.skip_no_change else []
            cmd += [f"--catalogue={x}" for x in args.catalogue] + ["--round", str(args.round)]
            subprocess.run(cmd, check=True)
        results[size] = [Stage(**s) for s in json.loads(out.read_text())]
        shutil.copy(out, workdir / f"results-{size}.json")  # kept when the size's data is deleted
        if not args.keep:
            BenchPostgres(pg_root(workdir, size)).server.cleanup()
            shutil.rmtree(pg_root(workdir, size), ignore_errors=True)
            shutil.rmtree(folder, ignore_errors=True)
    growth(results)
    for size, stages in results.items():
        incr = [s for s in stages if s.run == "1%"]
        wall = sum(s.wall for s in incr if s.name in ("run", "plan", "apply", "previous"))
        peak = max((s.peak_mb for s in stages if s.run != "first"), default=0.0)
        print(f"{size}: 1%-changed run + export {wall:.0f} s wall (target < 3600 s at 2,000,000), peak {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
