"""The `luxcat_withdrawals` Airflow DAG: approve or reject a pending withdrawal by digest (a form shows the lists)."""

from luxcat.airflow.withdrawals_dag import withdrawals_dag

dag = withdrawals_dag()
