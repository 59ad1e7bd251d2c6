"""The luxcat Airflow plugin: the sources view in the UI's menu, and the reports it links to.

Loaded from the plugins folder (`plugins/luxcat_plugin.py`, AIRFLOW__CORE__PLUGINS_FOLDER): mounts
the luxcat web app at /luxcat on Airflow's API server and adds a "luxcat sources" entry to the
navigation, which shows /luxcat/ inside the UI. The task buttons are declared too, so the UI knows
them by name.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from luxcat.airflow.links import PublishPlanLink, ValidationReportLink
from luxcat.airflow.webapp import create_app

URL_PREFIX = "/luxcat"


class LuxcatPlugin(AirflowPlugin):
    """fastapi_apps + external_views + operator links."""

    name = "luxcat"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "luxcat reports"}]
    external_views = [
        {
            "name": "luxcat sources",
            "href": f"{URL_PREFIX}/",
            "url_route": "luxcat",
            "destination": "nav",
            "nav_top_level": True,
        }
    ]
    operator_extra_links = [ValidationReportLink(), PublishPlanLink()]
