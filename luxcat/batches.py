"""One run's map and validate stages in batches of record ids, so several workers share a big source.

A source of 100,000 records was one map task and one validate task: one worker did all the work
while the others idled. With `batches: {size: N}` in its file, the run's new and changed record ids
are stored as map batches (runs/<source>/<run>/batches/00001/ids.json; only that key travels through
XCom) and each is mapped on its own (an Airflow mapped task instance, or a local process of `luxcat
run --processes N`). When every map batch is done, `combine_map` writes the run's map.json and
map-rejects.jsonl and stores the records to validate (those that mapped, in the run's order) as
validation batches (runs/<source>/<run>/validate-batches/00001/ids.json), validated on their own in
turn; `combine_validate` then writes validation.html, the run report, validate.json and
validate-rejects.jsonl. Every file is the one the single-process stages write, and the run is
recorded as always. A batch writes only its own records' rows and its own result files, so running
it again after a partial write gives the same state.

Validation reads the mapped graphs of up to VALIDATE_CHUNK records at once (the other records of the
chunk are context, e.g. for `dcat:servesDataset` links). The single-process stage of a source with
`batches:` cuts its chunks at the same batch boundaries (Pipeline.validate), so both paths validate
exactly the same chunks whatever the batch size.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from luxcat.records import Rejection, ValidationIssue, ValidationReport

if TYPE_CHECKING:
    from luxcat.artifacts import ArtifactStore
    from luxcat.pipeline import Pipeline, StageOutcome

log = logging.getLogger(__name__)

VALIDATE_CHUNK = 500  # as Pipeline.validate's default chunk
IDS, MAPPED, VALIDATED, STARTED = "ids.json", "map.json", "validate.json", "validate.started"


MAP_BATCHES, VALIDATE_BATCHES = "batches", "validate-batches"


def batch_prefix(source_id: str, run_id: int, kind: str = MAP_BATCHES) -> str:
    """Where a run's map batches (or validation batches) live in the artifact store."""
    return f"runs/{source_id}/{run_id}/{kind}/"


def batch_key(source_id: str, run_id: int, index: int, kind: str = MAP_BATCHES) -> str:
    """The artifact key of batch `index` (1-based): its record ids."""
    return f"{batch_prefix(source_id, run_id, kind)}{index:05d}/{IDS}"


def sibling(key: str, name: str) -> str:
    """Another file of the same batch (its map or validate result)."""
    return f"{key.rsplit('/', 1)[0]}/{name}"


def _json(artifacts: ArtifactStore, key: str) -> Any:
    """A JSON artifact, decoded."""
    return json.loads(artifacts.get(key))


def _put_json(artifacts: ArtifactStore, key: str, data: Any) -> str:
    """Store `data` as a JSON artifact; returns its location."""
    return artifacts.put(key, json.dumps(data, ensure_ascii=False).encode(), "application/json")


def plan(
    artifacts: ArtifactStore, source_id: str, run_id: int, record_ids: list[str], size: int, kind: str = MAP_BATCHES
) -> list[str]:
    """Store the record ids in batches of `size`; returns their keys (always one at least, maybe empty).

    One batch even when nothing is to be done: an Airflow task expanded over an empty list is skipped,
    and with it everything after it, so the run would never be recorded.
    """
    keys = []
    for index, start in enumerate(range(0, max(len(record_ids), 1), size), start=1):
        key = batch_key(source_id, run_id, index, kind)
        _put_json(artifacts, key, {"index": index, "size": size, "ids": record_ids[start : start + size]})
        keys.append(key)
    log.info("source=%s run=%d %d record(s) in %d %s of up to %d", source_id, run_id, len(record_ids), len(keys),
             kind, size)  # fmt: skip
    return keys


def _worker() -> str:
    """Which process did a batch (host:pid): shows how the work was shared."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _rows(rejections: list[Rejection]) -> list[dict[str, str]]:
    """Rejections as JSON rows (rejects.jsonl's shape)."""
    return [r.as_dict() for r in rejections]


def map_batch(pipeline: Pipeline, run_id: int, key: str) -> dict[str, Any]:
    """Map one batch's records (state rows and graphs of those records only) and store the batch's outcome."""
    batch = _json(pipeline.artifacts, key)
    outcome = pipeline.map(run_id, batch["ids"], write=False)
    result = {"ok": outcome.ok, "rejections": _rows(outcome.rejections), "extra": outcome.extra, "worker": _worker()}
    _put_json(pipeline.artifacts, sibling(key, MAPPED), result)
    return {"batch": key, "ok": outcome.ok, "rejected": outcome.rejected, "worker": result["worker"]}


class ReportRecorder:
    """Stands in for the HTML report's ReportSummary in a batch: keeps each report so `combine` folds them in order."""

    def __init__(self) -> None:
        self.reports: list[dict[str, Any]] = []

    def add(self, report: ValidationReport) -> None:
        """Keep one record's report as data."""
        self.reports.append(report.as_dict())


def report_from_dict(data: dict[str, Any]) -> ValidationReport:
    """Rebuild a ValidationReport from its as_dict() form."""
    return ValidationReport(
        dataset=data["dataset"],
        conforms=bool(data["conforms"]),
        score=data.get("score"),
        results=[ValidationIssue(**r) for r in data.get("results", [])],
        licence_origin=data.get("licence_origin"),
    )


def _first_part(batch: dict[str, Any]) -> int:
    """The batch's first findings file: batches never share one, numbered as the single-process stage numbers them."""
    parts = -(-int(batch["size"]) // VALIDATE_CHUNK)
    return (int(batch["index"]) - 1) * parts + 1


def validate_batch(pipeline: Pipeline, run_id: int, key: str) -> dict[str, Any]:
    """Validate one validation batch (records that mapped, from `combine_map`) and store the batch's outcome.

    Validation may rewrite a record's stored graph (a dangling served-dataset link is dropped, with a
    Warning). A second attempt would not see the link again and lose the Warning, so an attempt that
    finds an earlier one started maps the batch's records again first: the same state either way.
    """
    from luxcat.pipeline import StageOutcome

    artifacts = pipeline.artifacts
    batch = _json(artifacts, key)
    ids = batch["ids"]
    started = sibling(key, STARTED)
    if artifacts.exists(started):
        log.info("source=%s run=%d batch %s: an earlier attempt started; mapping its records again first",
                 pipeline.cfg.id, run_id, batch["index"])  # fmt: skip
        pipeline.map(run_id, ids, write=False)
    artifacts.put(started, b"", "text/plain")
    outcome = StageOutcome(stage="validate")
    recorder, collector = ReportRecorder(), pipeline.findings_collector()
    pipeline.validate_records(
        run_id, ids, outcome, recorder, collector, batch=VALIDATE_CHUNK, first_part=_first_part(batch)
    )
    result = {
        "ok": outcome.ok,
        "rejections": _rows(outcome.rejections),
        "reports": recorder.reports,
        "records": collector.records,
        "entries": collector.entries,
        "worker": _worker(),
    }
    _put_json(artifacts, sibling(key, VALIDATED), result)
    return {"batch": key, "ok": outcome.ok, "rejected": outcome.rejected, "worker": result["worker"]}


def _rejections(rows: list[dict[str, str]]) -> list[Rejection]:
    """JSON rows back into Rejections."""
    return [Rejection(**row) for row in rows]


def combine_map(pipeline: Pipeline, run_id: int, keys: list[str]) -> tuple[StageOutcome, list[str]]:
    """Fold the map batches' outcomes into the run's map.json and map-rejects.jsonl, in record order; store the
    records that mapped as validation batches. Returns the map outcome and the validation batches' keys."""
    from collections import Counter

    from luxcat.pipeline import StageOutcome
    from mappers.fidelity import MapFindings

    outcome = StageOutcome(stage="map")
    findings = MapFindings()
    to_validate: list[str] = []
    size = 0
    for key in keys:
        batch = _json(pipeline.artifacts, key)
        part = _json(pipeline.artifacts, sibling(key, MAPPED))
        failed = {row["record_id"] for row in part["rejections"]}
        to_validate += [rid for rid in batch["ids"] if rid not in failed]  # as the single-process run validates
        size = int(batch["size"])
        outcome.ok += int(part["ok"])
        outcome.rejections += _rejections(part["rejections"])
        extra = part.get("extra") or {}
        findings.dropped.update(extra.get("dropped") or {})
        findings.licence_origin.update(Counter(extra.get("licence_origin") or {}))
    outcome.extra.update(findings.as_extra())
    pipeline.write_map_files(run_id, outcome)
    log.info("%s batches=%d", outcome.log_line(pipeline.cfg.id), len(keys))
    validation = plan(pipeline.artifacts, pipeline.cfg.id, run_id, to_validate, size or 1, VALIDATE_BATCHES)
    return outcome, validation


def combine_validate(pipeline: Pipeline, run_id: int, keys: list[str]) -> StageOutcome:
    """Fold the batches' validation outcomes into the run's HTML report, run report, validate.json and rejects."""
    from luxcat.pipeline import REPORT_ROWS, StageOutcome
    from validators.report_html import ReportSummary

    outcome = StageOutcome(stage="validate")
    summary = ReportSummary(limit=REPORT_ROWS, findings=pipeline.findings_prefix(run_id))
    collector = pipeline.findings_collector()
    for key in keys:
        part = _json(pipeline.artifacts, sibling(key, VALIDATED))
        outcome.ok += int(part["ok"])
        outcome.rejections += _rejections(part["rejections"])
        for report in part["reports"]:
            summary.add(report_from_dict(report))
        collector.records.update(part["records"])
        collector.entries.extend(part["entries"])
    return pipeline.close_validate(run_id, outcome, summary, collector)  # type: ignore[no-any-return]


def batch_keys(artifacts: ArtifactStore, source_id: str, run_id: int, kind: str = MAP_BATCHES) -> list[str]:
    """The keys of a run's planned map (or validation) batches, in order."""
    prefix = batch_prefix(source_id, run_id, kind)
    return sorted(k for k in artifacts.keys(prefix) if k.endswith(f"/{IDS}"))


# -- local processes (`luxcat run --processes N`) ---------------------------------------------------
_WORKER: dict[str, Any] = {}


def _start_worker(cfg: Any, database_url: str, artifacts: ArtifactStore, inherited: Any) -> None:
    """Each process opens its own state store connections (a connection never crosses a fork)."""
    from luxcat.store import StateStore

    inherited.dispose(close=False)  # the parent's pooled connections: forgotten here, never closed from here
    _WORKER.update(cfg=cfg, store=StateStore(database_url), artifacts=artifacts)


def _work(job: tuple[str, int, str]) -> dict[str, Any]:
    """One batch's map or validate in a worker process, with the very functions Airflow's batch tasks call."""
    from luxcat.pipeline import Pipeline

    stage, run_id, key = job
    pipeline = Pipeline(_WORKER["cfg"], _WORKER["store"], _WORKER["artifacts"])  # fresh: no graphs kept between
    return (map_batch if stage == "map" else validate_batch)(pipeline, run_id, key)


def map_validate_local(
    pipeline: Pipeline, run_id: int, record_ids: list[str], *, processes: int, validate: bool = True
) -> list[StageOutcome]:
    """Map (then validate) a run's records in batches over `processes` local processes; combine as Airflow does.

    Every map batch ends before the first validation batch starts, as in the DAG: a record's served
    datasets may be mapped by another batch. The caller holds the source lock for the whole run.
    """
    from luxcat.config import Batches
    from luxcat.forkpool import fork_pool

    size = (pipeline.cfg.batches or Batches()).size
    keys = plan(pipeline.artifacts, pipeline.cfg.id, run_id, list(record_ids), size)
    initargs = (pipeline.cfg, pipeline.store.url, pipeline.artifacts, pipeline.store.engine)
    # a batch that fails (or Ctrl-C) stops the others; the run is closed as failed
    with fork_pool(min(processes, len(keys)), initializer=_start_worker, initargs=initargs) as pool:
        _run_jobs(pool, pipeline, "map", run_id, keys, processes)
        mapped, validation = combine_map(pipeline, run_id, keys)
        if validate:
            _run_jobs(pool, pipeline, "validate", run_id, validation, processes)
    return [mapped, combine_validate(pipeline, run_id, validation)] if validate else [mapped]


def _run_jobs(pool: Any, pipeline: Pipeline, stage: str, run_id: int, keys: list[str], processes: int) -> None:
    """One stage's batches over the pool; returns when all are done (a failed batch raises here)."""
    jobs = [(stage, run_id, key) for key in keys]
    for n, _result in enumerate(pool.imap(_work, jobs), start=1):
        pipeline.progress(f"{pipeline.cfg.id}: {stage} batch {n}/{len(keys)} done ({processes} processes)")
