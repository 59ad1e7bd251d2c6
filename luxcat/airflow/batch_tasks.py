"""Task callables of a batched harvest DAG: plan the batches, map and validate each, combine (luxcat.batches).

harvest >> plan_batches >> map_batch[i] >> combine_map >> validate_batch[j] >> combine_validate >>
record. The batch tasks are Airflow mapped task instances (dynamic task mapping over the list the
task before returns), so CeleryExecutor workers share one source's work; XCom carries the run id and
each batch's artifact key, never record ids.
Every batch task of a run works under the run's shared source lock (luxcat.runlock): its sibling
batches run beside it, any other run of the source is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from luxcat.airflow.tasks import (
    _fail_run_on_error,
    _harvest_xcom,
    _owner_hears_of_failure,
    config_errors_fail,
    load_harvest_outcome,
    open_pipeline,
    report_link,
)

if TYPE_CHECKING:
    from luxcat.pipeline import Pipeline

log = logging.getLogger(__name__)


def plan_batches_task(source_id: str, ti: Any, **_context: Any) -> list[dict[str, Any]]:
    """Store the run's record ids as batches; the list (one small dict per batch) is what the batch tasks map over."""
    from luxcat.batches import plan
    from luxcat.config import Batches

    run_id = int(_harvest_xcom(ti)["run_id"])
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        with _fail_run_on_error(pipeline, run_id):
            ids = load_harvest_outcome(pipeline.artifacts, source_id, run_id).to_process
            size = (pipeline.cfg.batches or Batches()).size
            keys = plan(pipeline.artifacts, source_id, run_id, ids, size)
    return [{"source_id": source_id, "run_id": run_id, "batch": key} for key in keys]


@contextmanager
def _close_run_when_out_of_retries(pipeline: Pipeline, run_id: int, ti: Any) -> Iterator[None]:
    """A batch that fails for good fails the luxcat run; one that will be retried leaves it open for its retry."""
    try:
        yield
    except Exception as exc:
        if int(getattr(ti, "try_number", 1) or 1) > int(getattr(ti, "max_tries", 0) or 0):
            harvest = load_harvest_outcome(pipeline.artifacts, pipeline.cfg.id, run_id)
            run = pipeline.finish(run_id, harvest, failed=f"batch failed: {type(exc).__name__}: {exc}")
            _owner_hears_of_failure(pipeline, run)
        raise


def _batch(stage: str, source_id: str, run_id: int, batch: str, ti: Any) -> dict[str, Any]:
    from luxcat.batches import map_batch, validate_batch
    from luxcat.runlock import run_lock

    work = map_batch if stage == "map" else validate_batch
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        with run_lock(pipeline.store, source_id, run_id), _close_run_when_out_of_retries(pipeline, run_id, ti):
            result = work(pipeline, run_id, batch)
    log.info("source=%s run=%d stage=%s batch=%s ok=%d rejected=%d", source_id, run_id, stage, batch,
             result["ok"], result["rejected"])  # fmt: skip
    return result


def map_batch_task(source_id: str, run_id: int, batch: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Map one batch of the run's records (alone: retried alone)."""
    return _batch("map", source_id, int(run_id), batch, ti)


def validate_batch_task(source_id: str, run_id: int, batch: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Validate one batch of the run's mapped records (every map batch is done: links across batches resolve)."""
    return _batch("validate", source_id, int(run_id), batch, ti)


def combine_map_task(source_id: str, ti: Any, **_context: Any) -> list[dict[str, Any]]:
    """Write the run's map.json and map rejects from the map batches; store the records that mapped as validation
    batches, whose list the validate_batch tasks map over."""
    from luxcat.batches import combine_map
    from luxcat.runlock import run_lock

    run_id = int(_harvest_xcom(ti)["run_id"])
    keys = [str(item["batch"]) for item in ti.xcom_pull(task_ids="plan_batches") or []]
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        with run_lock(pipeline.store, source_id, run_id), _fail_run_on_error(pipeline, run_id):
            mapped, validation = combine_map(pipeline, run_id, keys)
    log.info("%s batches=%d validation batches=%d", mapped.log_line(source_id), len(keys), len(validation))
    return [{"source_id": source_id, "run_id": run_id, "batch": key} for key in validation]


def combine_validate_task(source_id: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Write the run's validation HTML, run report, validate.json and rejects from the validation batches."""
    from luxcat.airflow.tasks import load_stage_outcome
    from luxcat.batches import combine_validate
    from luxcat.runlock import run_lock

    run_id = int(_harvest_xcom(ti)["run_id"])
    keys = [str(item["batch"]) for item in ti.xcom_pull(task_ids="combine_map") or []]
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        mapped = load_stage_outcome(pipeline.artifacts, source_id, run_id, "map")
        with run_lock(pipeline.store, source_id, run_id), _fail_run_on_error(pipeline, run_id, mapped):
            validated = combine_validate(pipeline, run_id, keys)
    report = str(validated.extra.get("report", ""))
    log.info("source=%s validation report: %s", source_id, report_link(report))
    return {
        "source": source_id,
        "run_id": run_id,
        "batches": len(keys),
        "ok": validated.ok,
        "rejected": validated.rejected,
        "reasons": validated.reasons(),
        "report": report,
        "report_url": report_link(report),
    }
