"""The `luxcat_deadlines` Airflow DAG: hourly check that every source succeeded within its alert_after."""

from luxcat.airflow.watch import deadlines_dag

dag = deadlines_dag()
