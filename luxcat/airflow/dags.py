"""Airflow DAGs built from the source files: cheap and network-free at parse time, the work at task time.

`harvest_dags()` gives one `harvest__<id>` DAG per enabled source file (a `config_error__<file>` DAG
for a file that does not validate, plugin options included, exactly as `luxcat sources check`
reports it, so one bad file never hides the others) and `publish_dag()` the
`publish_catalogue` DAG scheduled on every source asset and daily. The task callables live in
`luxcat.airflow.tasks`; only ids, counts and artifact locations travel through XCom.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset, AssetAny, AssetOrTimeSchedule, CronTriggerTimetable, Param

from luxcat.airflow.links import PublishPlanLink, ValidationReportLink
from luxcat.airflow.links import attach as attach_link
from luxcat.config import ConfigProblem, SourceConfig, check_file, source_files, sources_dir
from luxcat.sourcecheck import check_isolated

log = logging.getLogger(__name__)

START = datetime(2024, 1, 1, tzinfo=UTC)  # fixed: a value that changes per parse piles up DAG versions
DEFAULT_POOL = "default_pool"
POOL_SLOTS = 2
PUBLISH_DAG_ID = "publish_catalogue"
PUBLISH_SCHEDULE = "0 5 * * *"  # daily, after the nightly harvests
CATALOGUE_TARGET = "catalogue"
HARVEST_RETRIES = 3


@dataclass(slots=True)
class SourceScan:
    """What the source folder holds at parse time: valid enabled sources and broken files."""

    sources: list[SourceConfig] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    broken: dict[Path, list[ConfigProblem]] = field(default_factory=dict)


def scan_sources(directory: Path | None = None) -> SourceScan:
    """Validate every source file as `luxcat sources check` does (plugins imported, no network); never raises."""
    directory = directory or sources_dir()
    scan = SourceScan()
    if not directory.is_dir():
        log.error("luxcat: source folder %s does not exist: no harvest DAG built", directory)
        return scan
    seen: dict[str, Path] = {}
    paths = source_files([directory])
    try:  # the deep check (every plugin's options) runs in a child interpreter, cached per file content
        deep = check_isolated(paths)
    except Exception:  # never lose the DAGs for it: the tasks still validate the options at start
        log.exception("luxcat: the deep check of the source files failed; only their envelopes were checked")
        deep = {}
    for path in paths:
        try:
            cfg, problems = check_file(path, deep=False)
        except Exception as exc:  # a bug in validation must not take the other files down
            log.exception("luxcat: unexpected error while reading %s", path)
            cfg, problems = None, [ConfigProblem(str(path), "", f"unexpected error: {exc!r}")]
        extra = [p for p in deep.get(str(path), []) if p not in problems]
        if extra:  # same problems as `luxcat sources check`, e.g. a typo in publish[0].options
            cfg, problems = None, problems + extra
        if cfg is not None and cfg.id in seen:
            cfg, problems = None, [ConfigProblem(str(path), "id", f"{cfg.id!r} is already defined in {seen[cfg.id]}")]
        if cfg is None:
            for problem in problems:
                log.error("luxcat: %s", problem)
            scan.broken[path] = problems
        elif cfg.enabled:
            seen[cfg.id] = path
            scan.sources.append(cfg)
        else:
            seen[cfg.id] = path
            scan.disabled.append(cfg.id)
    return scan


def endpoint_host(cfg: SourceConfig) -> str | None:
    """The host the harvester talks to, from its `url` option (None when it has none)."""
    url = cfg.harvester.options.get("url")
    host = urlparse(url).hostname if isinstance(url, str) else None
    return host.lower() if host else None


def host_pool(cfg: SourceConfig) -> str:
    """The pool of the source's endpoint host (`luxcat_<host>`), whether it exists yet or not."""
    host = endpoint_host(cfg)
    return f"luxcat_{re.sub(r'[^a-z0-9_.-]', '_', host)}" if host else DEFAULT_POOL


def pool_name(cfg: SourceConfig) -> str:
    """One pool per endpoint host once the set-up step created it; until then a pool that exists.

    A task in a pool that does not exist waits forever, so a new host's source runs in the shared
    pool (`luxcat_shared`, created by the same set-up step) or, before any set-up, `default_pool`.
    """
    from luxcat.airflow.pool_registry import fallback_pool, known_pools

    wanted = host_pool(cfg)
    if wanted == DEFAULT_POOL or wanted in known_pools():
        return wanted
    return fallback_pool()


def pools(directory: Path | None = None) -> dict[str, str]:
    """Every pool the harvest DAGs use (name -> description); the set-up command creates them."""
    result: dict[str, str] = {}
    for cfg in scan_sources(directory).sources:
        name = host_pool(cfg)
        if name != DEFAULT_POOL:
            result[name] = f"luxcat harvests of {endpoint_host(cfg)}"
    return result


def source_asset(source_id: str) -> Asset:
    """The asset a successful harvest run updates; the publish DAG is scheduled on these."""
    return Asset(name=f"luxcat_source__{source_id}", uri=f"luxcat://sources/{source_id}", group="luxcat")


def indicators_asset() -> Asset:
    """The asset the indicators task updates after each export (its event carries the headline figures)."""
    return Asset(name="luxcat_indicators", uri="luxcat://catalogue/indicators", group="luxcat")


def _failure_callbacks() -> list[Any]:
    """Notifiers from LUXCAT_NOTIFY (comma-separated `mailto:a@b` and/or `https://hook`); empty when unset."""
    from luxcat.airflow.notify import notifiers_from_env

    return notifiers_from_env(os.environ.get("LUXCAT_NOTIFY", ""))


def _harvest_params() -> dict[str, Param]:
    return {
        "mode": Param(
            "incremental",
            type="string",
            enum=["incremental", "full"],
            description="incremental fetches what changed since the last complete run; full lists everything "
            "(and withdraws what the source no longer has)",
        ),
        "limit": Param(None, type=["null", "integer"], minimum=1, description="harvest at most this many records"),
        "remap": Param(
            False,
            type="boolean",
            description="map every stored record again (records whose mapping changed are re-mapped anyway)",
        ),
    }


def _doc(cfg: SourceConfig) -> str:
    url = cfg.harvester.options.get("url", "-")
    return (
        f"### {cfg.title_in('en')}\n\n"
        f"Source `{cfg.id}` ({cfg.owner.name}): `{cfg.harvester.kind}` harvester on `{url}`, "
        f"mappers `{', '.join(r.kind for r in cfg.mapper_refs())}`, validation `{cfg.validation.profile}`.\n\n"
        + (
            "harvest → plan_batches → map_batch × N → validate_batch × N → combine → record (batches of "
            f"{cfg.batches.size} records). "
            if cfg.batches
            else "harvest → map → validate → record. "
        )
        + "Payloads stay in the artifact store; XCom carries the luxcat "
        "run id, counts and locations. A successful run updates the asset "
        f"`{source_asset(cfg.id).name}` with its counts, which schedules `{PUBLISH_DAG_ID}`."
    )


def build_harvest_dag(cfg: SourceConfig) -> DAG:
    """harvest -> map -> validate -> record for one source (map and validate in mapped batches with `batches:`)."""
    from luxcat.airflow import tasks

    callbacks = _failure_callbacks()
    default_args: dict[str, Any] = {
        "owner": "luxcat",
        "retries": 1,
        "retry_delay": timedelta(minutes=1),
        "on_failure_callback": callbacks or None,
    }
    with DAG(
        dag_id=cfg.dag_id,
        description=cfg.title_in("en"),
        schedule=cfg.schedule,
        start_date=START,
        catchup=False,
        auto_register=False,  # only what the factory returns is a DAG: a half-built one must not leak
        max_active_runs=1,
        params=_harvest_params(),
        default_args=default_args,
        tags=["luxcat", "harvest", cfg.harvester.kind],
        doc_md=_doc(cfg),
    ) as dag:
        kwargs = {"source_id": cfg.id}
        harvest = PythonOperator(
            task_id="harvest",
            python_callable=tasks.harvest_task,
            op_kwargs=kwargs,
            pool=pool_name(cfg),
            retries=HARVEST_RETRIES,
            retry_delay=timedelta(minutes=2),
            retry_exponential_backoff=2.0,  # a multiplier in Airflow 3.3: 2, 4, 8 minutes
            max_retry_delay=timedelta(hours=1),
            doc_md="Fetch the source; SourceError retries with exponential backoff, ConfigError fails at once.",
        )
        if cfg.batches is not None:  # one mapped task instance per batch of records (luxcat.airflow.batch_dag)
            from luxcat.airflow.batch_dag import batch_stages

            first, *_middle, last = batch_stages(cfg)
        else:
            first = PythonOperator(task_id="map", python_callable=tasks.map_task, op_kwargs=kwargs)
            last = PythonOperator(task_id="validate", python_callable=tasks.validate_task, op_kwargs=kwargs)
            first >> last
        record = PythonOperator(
            task_id="record",
            python_callable=tasks.record_task,
            op_kwargs=kwargs,
            outlets=[source_asset(cfg.id)],
            retries=0,
        )
        harvest >> first
        last >> record
    attach_link(dag, ValidationReportLink())  # "Validation report" on every task of the run
    dag.timetable.validate()  # what DagBag checks after import: refuse here so only this source fails
    dag.validate()
    return dag


def dag_id_for_file(path: Path) -> str:
    """`config_error__<file>` with characters Airflow refuses in a DAG id replaced."""
    return "config_error__" + re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)


CONFIG_ERROR_SCHEDULE = "@daily"  # when the broken file's own schedule cannot be read


def broken_file_schedule(path: Path) -> str:
    """The schedule the broken file asks for, when it is a valid one; else daily."""
    from luxcat.config import CRON_PRESETS, read_yaml

    data, _problems = read_yaml(path)
    value = data.get("schedule", "0 2 * * *") if isinstance(data, dict) else None  # SourceConfig's default
    if value in CRON_PRESETS - {"@once"}:
        return str(value)
    if isinstance(value, str) and len(value.split()) == 5:
        try:
            CronTriggerTimetable(value, timezone="UTC").validate()
            return value
        except Exception:  # an unreadable schedule is one of the file's problems, already reported
            log.info("luxcat: %s: schedule %r unusable, the config-error DAG runs daily", path, value)
    return CONFIG_ERROR_SCHEDULE


def build_config_error_dag(path: Path, problems: list[ConfigProblem], schedule: str | None = None) -> DAG:
    """A visible stand-in for a broken source file: it runs on the source's schedule and fails, so notifiers fire.

    The source is frozen meanwhile: publishing goes on with its last validated configuration.
    """
    from luxcat.airflow import tasks

    message = "\n".join(str(p) for p in problems)
    with DAG(
        dag_id=dag_id_for_file(path),
        description=f"CONFIG ERROR {message.splitlines()[0]}"[:1000],
        schedule=schedule or broken_file_schedule(path),
        start_date=START,
        catchup=False,
        auto_register=False,  # only what the factory returns is a DAG: a half-built one must not leak
        max_active_runs=1,
        default_args={"owner": "luxcat", "retries": 0, "on_failure_callback": _failure_callbacks() or None},
        tags=["luxcat", "config-error"],
        doc_md=f"### Source file `{path.name}` does not validate\n\n```\n{message}\n```\n\n"
        "Its source is frozen: its datasets stay published as last validated and its harvests stop. "
        "This DAG runs on the source's schedule and fails every time, so failure notifiers fire. "
        "Fix the file (`luxcat sources check` shows the same errors); its harvest DAG then replaces this one.",
    ) as dag:
        PythonOperator(
            task_id="explain",
            python_callable=tasks.config_error_task,
            op_kwargs={"message": message},
            retries=0,
        )
    return dag


def harvest_dags(directory: Path | None = None) -> dict[str, DAG]:
    """Every harvest DAG and config-error DAG of the source folder, by DAG id."""
    scan = scan_sources(directory)
    dags: dict[str, DAG] = {}
    for cfg in scan.sources:
        try:
            dags[cfg.dag_id] = build_harvest_dag(cfg)
        except Exception as exc:  # e.g. a schedule Airflow refuses: isolate it like a config error
            log.exception("luxcat: cannot build the DAG of source %s", cfg.id)
            path = (directory or sources_dir()) / f"{cfg.id}.yaml"
            scan.broken[path] = [ConfigProblem(str(path), "", f"cannot build its DAG: {exc}")]
    for path, problems in scan.broken.items():
        try:
            dag = build_config_error_dag(path, problems)
        except Exception:  # its schedule: the stand-in must exist whatever the file says
            log.exception("luxcat: config-error DAG of %s on its own schedule failed; daily instead", path)
            dag = build_config_error_dag(path, problems, CONFIG_ERROR_SCHEDULE)
        dags[dag.dag_id] = dag
    return dags


def publish_targets(sources: list[SourceConfig]) -> list[str]:
    """Remote targets any enabled source publishes to (the catalogue export is its own task)."""
    return sorted({t.target for cfg in sources for t in cfg.publish if t.target != CATALOGUE_TARGET})


def publish_dag(directory: Path | None = None) -> DAG:
    """merge -> export -> push to each configured target -> report, on any source asset and daily."""
    from luxcat.airflow import tasks
    from luxcat.airflow.withdrawals_dag import WITHDRAWALS_ASSET

    sources = scan_sources(directory).sources
    daily = CronTriggerTimetable(PUBLISH_SCHEDULE, timezone="UTC")
    # an approved withdrawal is a change too: it triggers publishing like a harvest does
    assets = [*(source_asset(c.id) for c in sources), WITHDRAWALS_ASSET]
    schedule: Any = AssetOrTimeSchedule(timetable=daily, assets=AssetAny(*assets))
    targets = publish_targets(sources)
    with DAG(
        dag_id=PUBLISH_DAG_ID,
        description="Merge every source's valid records, export the catalogue, push it to the targets",
        schedule=schedule,
        start_date=START,
        catchup=False,
        auto_register=False,  # only what the factory returns is a DAG: a half-built one must not leak
        max_active_runs=1,
        params={"dry_run": Param(False, type="boolean", description="plan and report, change nothing")},
        default_args={
            "owner": "luxcat",
            "retries": 1,
            "retry_delay": timedelta(minutes=2),
            "on_failure_callback": _failure_callbacks() or None,
        },
        tags=["luxcat", "publish"],
        doc_md="Runs when any source's harvest succeeds (its asset event carries the counts) and daily at "
        f"{PUBLISH_SCHEDULE} UTC. Targets: {', '.join([CATALOGUE_TARGET, *targets])}.",
    ) as dag:
        merge = PythonOperator(task_id="merge", python_callable=tasks.merge_task)
        export = PythonOperator(task_id="export", python_callable=tasks.export_task)
        indicators = PythonOperator(
            task_id="indicators", python_callable=tasks.indicators_task, outlets=[indicators_asset()]
        )
        export >> indicators
        pushes = [
            PythonOperator(
                task_id=tasks.push_task_id(target),
                python_callable=tasks.push_task,
                op_kwargs={"target": target},
                retries=HARVEST_RETRIES,
                retry_exponential_backoff=2.0,
                max_retry_delay=timedelta(hours=1),
            )
            for target in targets
        ]
        report = PythonOperator(
            task_id="report",
            python_callable=tasks.report_task,
            op_kwargs={"targets": targets},
            trigger_rule="all_done",
        )
        merge >> export >> (pushes or report)
        if pushes:
            pushes >> report
        for push, target in zip(pushes, targets, strict=True):
            if target == "data.public.lu":  # read-back proof after every sync, stored with the run
                verify = PythonOperator(
                    task_id=tasks.verify_task_id(target),
                    python_callable=tasks.verify_task,
                    op_kwargs={"target": target},
                )
                push >> verify >> report
    attach_link(dag, PublishPlanLink())  # "Publish plan" on every publish task
    return dag
