"""The `publish_catalogue` Airflow DAG: merge -> export -> push to each target -> report.

Scheduled on any source's asset (a successful harvest run) and daily.
"""

from luxcat.airflow import publish_dag

dag = publish_dag()
