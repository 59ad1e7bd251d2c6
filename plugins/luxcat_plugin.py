"""Airflow plugins folder entry: the luxcat plugin (sources view, reports, task buttons)."""

from luxcat.airflow.plugin import LuxcatPlugin

__all__ = ["LuxcatPlugin"]
