"""Airflow integration: the only luxcat package that imports Airflow (the DAG files call it)."""

from luxcat.airflow.dags import build_harvest_dag, harvest_dags, pools, publish_dag, scan_sources

__all__ = ["build_harvest_dag", "harvest_dags", "pools", "publish_dag", "scan_sources"]
