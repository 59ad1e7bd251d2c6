"""The batched middle of a harvest DAG (`batches:` in the source file): Airflow dynamic task mapping.

plan_batches >> map_batch (one mapped task instance per batch) >> validate_batch (likewise) >>
combine. Every map batch ends before the first validate batch starts: a service record's served
datasets may be mapped by another batch. The callables are in `luxcat.airflow.batch_tasks`.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.python import PythonOperator

from luxcat.config import SourceConfig

BATCH_RETRIES = 2  # a batch is retried alone; its siblings keep what they did


def batch_stages(cfg: SourceConfig) -> list[Any]:
    """The four stages between harvest and record, already chained; the first and last connect to the rest."""
    from luxcat.airflow import batch_tasks

    assert cfg.batches is not None
    kwargs = {"source_id": cfg.id}
    plan = PythonOperator(
        task_id="plan_batches",
        python_callable=batch_tasks.plan_batches_task,
        op_kwargs=kwargs,
        doc_md=f"Store the run's new and changed record ids in batches of {cfg.batches.size}; XCom: their keys.",
    )
    mapped_tasks = []
    for task_id, callable_, what in (
        ("map_batch", batch_tasks.map_batch_task, "Map one batch of records"),
        ("validate_batch", batch_tasks.validate_batch_task, "Validate one batch of mapped records"),
    ):
        mapped_tasks.append(
            PythonOperator.partial(
                task_id=task_id,
                python_callable=callable_,
                retries=BATCH_RETRIES,
                max_active_tis_per_dagrun=cfg.batches.max_active,
                doc_md=f"{what} (one task instance per batch, retried alone; the run's batches share its lock).",
            ).expand(op_kwargs=plan.output)
        )
    combine = PythonOperator(
        task_id="combine",
        python_callable=batch_tasks.combine_task,
        op_kwargs=kwargs,
        doc_md="Fold the batches' outcomes into the run's map.json, validate.json, rejects and reports.",
    )
    plan >> mapped_tasks[0] >> mapped_tasks[1] >> combine
    return [plan, *mapped_tasks, combine]
