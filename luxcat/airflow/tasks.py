"""Task callables of the luxcat DAGs: thin wrappers over luxcat.pipeline and the publish command.

Each task opens the state and artifact stores from the environment (LUXCAT_*), does one stage, logs
one summary line and returns a small dict (run id, counts, locations) that XCom carries. Heavy
libraries are imported here, inside the callables, never when the DAG file is parsed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException

from luxcat.errors import ConfigError

if TYPE_CHECKING:
    from luxcat.artifacts import ArtifactStore
    from luxcat.pipeline import HarvestOutcome, Pipeline, StageOutcome
    from luxcat.records import Rejection

log = logging.getLogger(__name__)

OUTCOME_FILE = "harvest-outcome.json"  # everything needed to rebuild the HarvestOutcome in a later task


def _progress(message: str) -> None:
    log.info("%s", message)


@contextmanager
def config_errors_fail() -> Iterator[None]:
    """A ConfigError cannot be fixed by retrying: turn it into AirflowFailException (no retry)."""
    try:
        yield
    except ConfigError as exc:
        raise AirflowFailException(f"configuration error (not retried): {exc}") from exc


def open_pipeline(source_id: str) -> Pipeline:
    """The source's fully validated config (plugin options too) with the stores from the environment."""
    from luxcat.artifacts import open_artifacts
    from luxcat.config import load_source
    from luxcat.pipeline import Pipeline
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    cfg = load_source(source_id)
    return Pipeline(cfg, StateStore(settings.database_url), open_artifacts(settings.artifacts_url), progress=_progress)


def report_link(location: str) -> str:
    """The report's URL in the Airflow UI (the luxcat plugin serves it), or LUXCAT_REPORTS_URL's."""
    from luxcat.reports.links import airflow_url

    return (airflow_url(location) if location else None) or location_url(location)


def _owner_hears_of_failure(pipeline: Pipeline, run: Any) -> None:
    """The owner digest on failure (operators hear through the DAG's failure notifiers, not twice)."""
    from luxcat.afterrun import after_run

    after_run(pipeline.cfg, pipeline.store, pipeline.artifacts, run, failures=False)


def location_url(location: str) -> str:
    """A link an operator can open: file:// for the local artifact folder, the s3:// location otherwise."""
    return Path(location).as_uri() if location.startswith("/") else location


def _rejection_dicts(rejections: list[Rejection]) -> list[dict[str, str]]:
    return [r.as_dict() for r in rejections]


def _rejections(rows: list[dict[str, str]]) -> list[Rejection]:
    from luxcat.records import Rejection

    return [Rejection(**row) for row in rows]


def _run_key(source_id: str, run_id: int, name: str) -> str:
    return f"runs/{source_id}/{run_id}/{name}"


def save_harvest_outcome(artifacts: ArtifactStore, source_id: str, run_id: int, outcome: HarvestOutcome) -> str:
    """Persist the whole harvest outcome (counts, completeness, errors, ids to process) for later tasks."""
    data = {
        **outcome.as_dict(),
        "counts": outcome.counts.as_dict(),
        "complete": outcome.complete,
        "expected": outcome.expected,
        "errors": outcome.errors,
        "to_process": outcome.to_process,
        "rejections": _rejection_dicts(outcome.rejections),
    }
    return artifacts.put(_run_key(source_id, run_id, OUTCOME_FILE), json.dumps(data).encode(), "application/json")


def load_harvest_outcome(artifacts: ArtifactStore, source_id: str, run_id: int) -> HarvestOutcome:
    """Rebuild the HarvestOutcome the harvest task saved."""
    from luxcat.pipeline import HarvestOutcome
    from luxcat.store import RunCounts

    data = json.loads(artifacts.get(_run_key(source_id, run_id, OUTCOME_FILE)))
    return HarvestOutcome(
        stage="harvest",
        ok=data["ok"],
        rejections=_rejections(data["rejections"]),
        extra=data["extra"],
        counts=RunCounts(**data["counts"]),
        complete=data["complete"],
        expected=data["expected"],
        errors=data["errors"],
        to_process=data["to_process"],
    )


def load_stage_outcome(artifacts: ArtifactStore, source_id: str, run_id: int, stage: str) -> StageOutcome:
    """Rebuild a map/validate StageOutcome from its summary JSON and rejects file."""
    from luxcat.pipeline import StageOutcome

    data = json.loads(artifacts.get(_run_key(source_id, run_id, f"{stage}.json")))
    rejects_key = _run_key(source_id, run_id, f"{stage}-rejects.jsonl")
    rows = []
    if artifacts.exists(rejects_key):
        rows = [json.loads(line) for line in artifacts.get(rejects_key).decode().splitlines() if line.strip()]
    return StageOutcome(stage=stage, ok=data["ok"], rejections=_rejections(rows), extra=data.get("extra", {}))


def _guard_message(source_id: str, outcome: HarvestOutcome) -> str | None:
    blocked = outcome.extra.get("withdrawal_blocked")
    if not blocked:
        return None
    digest = str(outcome.extra.get("withdrawal_pending", ""))[:12]
    return (
        f"source={source_id} withdrawal guard hit: {blocked} record(s) NOT withdrawn; pending withdrawal {digest}. "
        f"If the source really dropped them, approve exactly that list: trigger luxcat_withdrawals with "
        f"digest={digest} (or `luxcat withdrawals approve {digest}`)."
    )


def harvest_task(source_id: str, params: dict[str, Any], **_context: Any) -> dict[str, Any]:
    """Open a luxcat run and harvest; the run is closed as failed if the harvest raises."""
    from luxcat.pipeline import HarvestOutcome
    from luxcat.policy import full_due

    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        store = pipeline.store
        with stage_lock(pipeline):  # a CLI run of this source holds it: this task fails with "already running"
            due = full_due(store, pipeline.cfg)  # first run, or the last complete full run is older than full_every
            full = params.get("mode") == "full" or bool(due)
            if due and params.get("mode") != "full":
                log.info("source=%s this run is full: %s", source_id, due)
            run_id = store.start_run(source_id, "full" if full else "incremental")
            try:
                outcome = pipeline.harvest(
                    run_id, full=full, limit=params.get("limit"), remap=bool(params.get("remap"))
                )
            except Exception as exc:
                run = pipeline.finish(run_id, HarvestOutcome(stage="harvest"), failed=str(exc))
                _owner_hears_of_failure(pipeline, run)
                raise
    location = save_harvest_outcome(pipeline.artifacts, source_id, run_id, outcome)
    guard = _guard_message(source_id, outcome)
    if guard:
        log.warning("%s", guard)
    log.info(
        "%s run=%d mode=%s counts=%s",
        outcome.log_line(source_id),
        run_id,
        "full" if full else "incremental",
        outcome.counts.as_dict(),
    )
    return {
        "source": source_id,
        "run_id": run_id,
        "mode": "full" if full else "incremental",
        "counts": outcome.counts.as_dict(),
        "to_process": len(outcome.to_process),
        "complete": outcome.complete,
        "outcome": location,
    }


@contextmanager
def stage_lock(pipeline: Pipeline) -> Iterator[None]:
    """The source's lock while one task works (issue 17, F16); the luxcat run stays open for the next task."""
    from luxcat.locks import source_lock

    with source_lock(pipeline.store, pipeline.cfg.id, close_open_runs=False):
        yield


def _harvest_xcom(ti: Any) -> dict[str, Any]:
    value = ti.xcom_pull(task_ids="harvest")
    if not value:
        raise AirflowFailException("the harvest task left no result in XCom; re-run the whole DAG")
    return dict(value)


@contextmanager
def _fail_run_on_error(pipeline: Pipeline, run_id: int, *done: StageOutcome) -> Iterator[None]:
    """Record the luxcat run as failed when a later stage raises, then let Airflow see the error."""
    try:
        yield
    except Exception as exc:
        harvest = load_harvest_outcome(pipeline.artifacts, pipeline.cfg.id, run_id)
        run = pipeline.finish(run_id, harvest, *done, failed=f"{type(exc).__name__}: {exc}")
        _owner_hears_of_failure(pipeline, run)
        raise


def map_task(source_id: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Map the new and changed records the harvest stored."""
    run_id = int(_harvest_xcom(ti)["run_id"])
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        with stage_lock(pipeline), _fail_run_on_error(pipeline, run_id):
            ids = load_harvest_outcome(pipeline.artifacts, source_id, run_id).to_process
            outcome = pipeline.map(run_id, ids)
    return {
        "source": source_id,
        "run_id": run_id,
        "ok": outcome.ok,
        "rejected": outcome.rejected,
        "reasons": outcome.reasons(),
        "summary": pipeline.artifacts.location(_run_key(source_id, run_id, "map.json")),
    }


def validate_task(source_id: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Validate what mapped; the HTML report's location is logged as a link and returned."""
    run_id = int(_harvest_xcom(ti)["run_id"])
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
        artifacts = pipeline.artifacts
        mapped = load_stage_outcome(artifacts, source_id, run_id, "map")
        with stage_lock(pipeline), _fail_run_on_error(pipeline, run_id, mapped):
            failed = {r.record_id for r in mapped.rejections}
            ids = [i for i in load_harvest_outcome(artifacts, source_id, run_id).to_process if i not in failed]
            outcome = pipeline.validate(run_id, ids)
    report = str(outcome.extra.get("report", ""))
    log.info("source=%s validation report: %s", source_id, report_link(report))
    return {
        "source": source_id,
        "run_id": run_id,
        "ok": outcome.ok,
        "rejected": outcome.rejected,
        "reasons": outcome.reasons(),
        "report": report,
        "report_url": report_link(report),
    }


def record_task(source_id: str, outlet_events: Any, **_context: Any) -> dict[str, Any]:
    """Close the luxcat run and put its counts on the source's asset event (none when the run fails)."""
    from luxcat.airflow.dags import source_asset

    ti = _context["ti"]
    run_id = int(_harvest_xcom(ti)["run_id"])
    with config_errors_fail():
        pipeline = open_pipeline(source_id)
    artifacts = pipeline.artifacts
    harvest = load_harvest_outcome(artifacts, source_id, run_id)
    later = [load_stage_outcome(artifacts, source_id, run_id, stage) for stage in ("map", "validate")]
    run = pipeline.finish(run_id, harvest, *later)
    summary = run.summary()  # luxcat.summary: the same line as the console, `luxcat status` and harvest.json
    log.info("%s", summary)
    report = str(later[1].extra.get("report", ""))
    result = {
        "source": source_id,
        "run_id": run_id,
        "summary": summary,
        "status": run.status,
        "complete": run.complete,
        "counts": run.counts.as_dict(),
        "mapped": later[0].ok,
        "valid": later[1].ok,
        "report": report,
        "report_url": report_link(report),
    }
    from luxcat.afterrun import after_run

    after_run(pipeline.cfg, pipeline.store, artifacts, run, failures=False)  # recovery/first run; owner digest
    guard = _guard_message(source_id, harvest)
    if guard:
        raise AirflowFailException(guard)
    if run.status == "failed":  # red means red: a rule of luxcat.policy fired (the summary names it)
        raise AirflowFailException(f"{run.summary()}; see {report}")
    if not run.complete:
        log.warning("source=%s run %d is INCOMPLETE: %s", source_id, run_id, run.error_summary or "limit set")
    outlet_events[source_asset(source_id)].extra = result
    return result


def config_error_task(message: str) -> None:
    """The only task of a config-error DAG: fail with the validation problems."""
    for line in message.splitlines():
        log.error("%s", line)
    raise AirflowFailException(f"this source file does not validate:\n{message}")


# -- publish --------------------------------------------------------------------------------------------
@contextmanager
def forked_children_obey_sigterm() -> Iterator[None]:
    """Let processes forked by the task (the catalogue export's pool) die on SIGTERM again.

    Airflow 3.3's task runner installs a SIGTERM handler that does nothing in a forked child, so
    `multiprocessing.Pool.terminate()` (what `with Pool()` does on exit) would wait forever for its
    workers. In the task's own process the runner's handler still runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    parent = os.getpid()
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != parent:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        elif callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _publish(targets: list[str] | None, dry_run: bool) -> dict[str, Any]:
    try:
        from publishers.command import publish
    except ImportError as exc:
        raise AirflowFailException(f"publishers.command is not available: {exc}") from exc
    with config_errors_fail(), forked_children_obey_sigterm():
        return dict(publish(targets, dry_run=dry_run, progress=_progress))


def _publish_artifacts() -> ArtifactStore:
    from luxcat.artifacts import open_artifacts
    from luxcat.settings import load_settings

    return open_artifacts(load_settings().artifacts_url)


def _plans_result(plans: dict[str, Any], key_prefix: str, dry_run: bool) -> dict[str, Any]:
    """Store each rendered plan in the artifact store; return totals and locations only."""
    artifacts = _publish_artifacts()
    result: dict[str, Any] = {"dry_run": dry_run, "targets": {}}
    for target, plan in plans.items():
        # the changes and the totals; unchanged datasets are counted, not listed (a listing of a million
        # would be rebuilt in memory; `luxcat publish --dry-run --all` lists them)
        location = artifacts.put(f"{key_prefix}/{target}.txt", plan.render(verbose=False).encode(), "text/plain")
        totals = plan.totals()
        errors = totals.get("error", 0)
        from luxcat.summary import publish_line

        log.info("%s plan=%s", publish_line(plan, dry_run=dry_run), location_url(location))
        for note in plan.notes:  # frozen sources, held removals: in every publish summary
            log.warning("publish target=%s %s", target, note)
        result["targets"][target] = {"totals": totals, "errors": errors, "plan": location, "warnings": plan.notes}
    return result


def push_task_id(target: str) -> str:
    """`push__data_public_lu`: one push task per target, named so the UI shows which."""
    return "push__" + re.sub(r"[^A-Za-z0-9_-]", "_", target)


def _publish_prefix(run_id: str) -> str:
    from luxcat.artifacts import safe_key

    return f"runs/_publish/{safe_key(run_id)}"


def merge_task(run_id: str, params: dict[str, Any], **context: Any) -> dict[str, Any]:
    """Plan the merged catalogue (read-only), or skip every target when no source changed since the last
    successful publish (the triggering asset events carry each harvest's change counts)."""
    from luxcat.airflow.publish_skip import change_counts, mark_attempt, previous_publish_succeeded

    events = context.get("triggering_asset_events") or {}
    for asset, asset_events in events.items():
        for event in asset_events:
            log.info("triggered by %s: %s", getattr(asset, "name", asset), json.dumps(event.extra, default=str))
    artifacts = _publish_artifacts()
    succeeded = previous_publish_succeeded(artifacts)
    mark_attempt(artifacts, run_id)
    changes = change_counts(events)
    if changes is not None and not any(changes.values()) and succeeded and not params.get("dry_run"):
        reason = (
            f"no source changed since the last successful publish ({', '.join(sorted(changes))}: 0 new, 0 changed, "
            "0 withdrawn): every target skipped"
        )
        log.info("publish: %s", reason)
        return {"skipped": True, "reason": reason, "changes": changes}
    plans = _publish(["catalogue"], dry_run=True)
    return _plans_result(plans, f"{_publish_prefix(run_id)}/merge", bool(params.get("dry_run")))


def _skip_if_merge_skipped(context: dict[str, Any]) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    merged = context["ti"].xcom_pull(task_ids="merge") or {}
    if merged.get("skipped"):
        raise AirflowSkipException(merged["reason"])


def export_task(run_id: str, params: dict[str, Any], **_context: Any) -> dict[str, Any]:
    """Write the merged catalogue (the catalogue target) unless this is a dry run."""
    _skip_if_merge_skipped(_context)
    dry_run = bool(params.get("dry_run"))
    result = _plans_result(_publish(["catalogue"], dry_run=dry_run), f"{_publish_prefix(run_id)}/export", dry_run)
    _fail_on_errors(result)
    return result


def indicators_task(params: dict[str, Any], outlet_events: Any, **_context: Any) -> dict[str, Any]:
    """Compute the open data indicators over the exported catalogue; summary in the log and on the asset event."""
    from luxcat.airflow.dags import indicators_asset
    from publishers.indicators.command import run_indicators

    if params.get("dry_run"):
        log.info("dry run: indicators not computed")
        return {"dry_run": True}
    with config_errors_fail():
        comp = run_indicators()
    log.info("%s", comp.summary())
    event = comp.event()
    outlet_events[indicators_asset()].extra = event
    return event


def push_task(target: str, run_id: str, params: dict[str, Any], **_context: Any) -> dict[str, Any]:
    """Push to one remote target (data.public.lu, data.europa.eu); errors fail the task, which retries."""
    _skip_if_merge_skipped(_context)
    dry_run = bool(params.get("dry_run"))
    result = _plans_result(_publish([target], dry_run=dry_run), f"{_publish_prefix(run_id)}/push", dry_run)
    _fail_on_errors(result)
    return result


def verify_task_id(target: str) -> str:
    """`verify__data_public_lu`: the read-back check that follows the push to data.public.lu."""
    return "verify__" + re.sub(r"[^A-Za-z0-9_-]", "_", target)


def verify_task(target: str, run_id: str, params: dict[str, Any], **_context: Any) -> dict[str, Any]:
    """Read every managed dataset back from data.public.lu; store the result with the run; fail on a difference."""
    from publishers.udata.verify import verify_configured

    if params.get("dry_run"):
        return {"dry_run": True, "targets": {target: {"skipped": "dry run"}}}
    with config_errors_fail():
        result = verify_configured(_progress)
    location = _publish_artifacts().put(
        f"{_publish_prefix(run_id)}/verify/{target}.json", result.as_json(), "application/json"
    )
    log.info("verify target=%s %s report=%s", target, result.render().splitlines()[-1], location_url(location))
    summary = {"fidelity": result.ratio, "differences": len(result.differences), "report": location}
    if not result.ok:
        from airflow.sdk.exceptions import AirflowException

        for line in result.render().splitlines()[:50]:
            log.error("%s", line)
        raise AirflowException(f"{target}: {len(result.differences)} field(s) differ on the portal; see {location}")
    return {"dry_run": False, "targets": {target: summary}}


def _fail_on_errors(result: dict[str, Any]) -> None:
    failed = {t: r["errors"] for t, r in result["targets"].items() if r["errors"]}
    if failed:
        from airflow.sdk.exceptions import AirflowException

        plans = [r["plan"] for r in result["targets"].values()]
        raise AirflowException(f"publish errors: {failed}; see the plans {plans}")


def report_task(targets: list[str], run_id: str, ti: Any, **_context: Any) -> dict[str, Any]:
    """Gather every publish task's totals into one run report in the artifact store."""
    from luxcat.airflow.publish_skip import mark_success

    task_ids = ["merge", "export", *(push_task_id(t) for t in targets)]
    task_ids += [verify_task_id(t) for t in targets if t == "data.public.lu"]
    report: dict[str, Any] = {"run_id": run_id, "tasks": {}}
    merged = ti.xcom_pull(task_ids="merge") or {}
    if merged.get("skipped"):
        report["skipped"] = merged["reason"]
        location = _publish_artifacts().put(
            f"{_publish_prefix(run_id)}/report.json", json.dumps(report, indent=2).encode(), "application/json"
        )
        mark_success(_publish_artifacts(), run_id)
        log.info("publish report: %s (%s)", location_url(location), merged["reason"])
        return {"report": location, "report_url": location_url(location), "skipped": merged["reason"]}
    for task_id in task_ids:
        value = ti.xcom_pull(task_ids=task_id)
        report["tasks"][task_id] = value if value else {"status": "no result (failed or skipped)"}
    location = _publish_artifacts().put(
        f"{_publish_prefix(run_id)}/report.json", json.dumps(report, indent=2).encode(), "application/json"
    )
    missing = [t for t, v in report["tasks"].items() if "targets" not in v]
    log.info("publish report: %s (%d task(s) without result: %s)", location_url(location), len(missing), missing)
    if missing:
        raise AirflowFailException(f"publish run incomplete: {', '.join(missing)} failed; report {location}")
    mark_success(_publish_artifacts(), run_id)
    return {"report": location, "report_url": report_link(location)}


# -- withdrawals ----------------------------------------------------------------------------------------
def decide_withdrawal_task(params: dict[str, Any], outlet_events: Any, **_context: Any) -> dict[str, Any]:
    """Approve or reject one pending withdrawal by digest; a stale or unknown digest fails the run."""
    from luxcat import withdrawals
    from luxcat.airflow.withdrawals_dag import WITHDRAWALS_ASSET
    from luxcat.config import sources_dir
    from luxcat.freeze import source_check
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    digest = str(params.get("digest") or "").strip()
    if not digest:
        raise AirflowFailException("no digest given: pick one of the pending withdrawals the form lists")
    store = StateStore(load_settings().database_url)
    try:
        with config_errors_fail():
            if params.get("decision") == "reject":
                done = withdrawals.reject(store, digest, by="airflow")
            else:
                done = withdrawals.approve(store, digest, by="airflow", source_check=source_check(sources_dir()))
    finally:
        store.close()
    log.info("withdrawal %s %s: %d dataset(s) of %s", done.short, done.status, len(done.items), done.source_id)
    for uri in done.dataset_uris:
        log.info("  %s %s", done.status, uri)
    result = {**done.as_dict(), "withdrawn": len(done.items) if done.status == withdrawals.APPROVED else 0}
    outlet_events[WITHDRAWALS_ASSET].extra = {"withdrawal": done.digest, "withdrawn": result["withdrawn"]}
    return result
