"""The batched middle of a harvest DAG (`batches:` in the source file): Airflow dynamic task mapping.

plan_batches >> map_batch (one mapped task instance per batch) >> combine_map (the run's map.json;
the records that mapped, as validation batches) >> validate_batch (one instance per validation batch)
>> combine_validate. Every map batch ends before the first validation batch starts: a service
record's served datasets may be mapped by another batch. The callables are in
`luxcat.airflow.batch_tasks`.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.python import PythonOperator

from luxcat.config import SourceConfig

BATCH_RETRIES = 2  # a batch is retried alone; its siblings keep what they did


def _mapped(task_id: str, callable_: Any, what: str, over: Any, cfg: SourceConfig) -> Any:
    """One task instance per batch in the list `over` (an XComArg) returns."""
    assert cfg.batches is not None
    return PythonOperator.partial(
        task_id=task_id,
        python_callable=callable_,
        retries=BATCH_RETRIES,
        max_active_tis_per_dagrun=cfg.batches.max_active,
        doc_md=f"{what} (one task instance per batch, retried alone; the run's batches share its lock).",
    ).expand(op_kwargs=over)


def batch_stages(cfg: SourceConfig) -> list[Any]:
    """The five stages between harvest and record, already chained; the first and last connect to the rest."""
    from luxcat.airflow import batch_tasks

    assert cfg.batches is not None
    kwargs = {"source_id": cfg.id}
    plan = PythonOperator(
        task_id="plan_batches",
        python_callable=batch_tasks.plan_batches_task,
        op_kwargs=kwargs,
        doc_md=f"Store the run's new and changed record ids in batches of {cfg.batches.size}; XCom: their keys.",
    )
    map_batch = _mapped("map_batch", batch_tasks.map_batch_task, "Map one batch of records", plan.output, cfg)
    combine_map = PythonOperator(
        task_id="combine_map",
        python_callable=batch_tasks.combine_map_task,
        op_kwargs=kwargs,
        doc_md="Write the run's map.json and map rejects; store the records that mapped as validation batches.",
    )
    validate_batch = _mapped(
        "validate_batch", batch_tasks.validate_batch_task, "Validate one batch of records", combine_map.output, cfg
    )
    combine_validate = PythonOperator(
        task_id="combine_validate",
        python_callable=batch_tasks.combine_validate_task,
        op_kwargs=kwargs,
        doc_md="Write the run's validation report, run report, validate.json and rejects from the batches.",
    )
    plan >> map_batch >> combine_map >> validate_batch >> combine_validate
    return [plan, map_batch, combine_map, validate_batch, combine_validate]
