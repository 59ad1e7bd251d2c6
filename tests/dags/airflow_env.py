"""The temporary AIRFLOW_HOME of the test session, set in os.environ before anything imports Airflow."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO / "dags"

if "airflow" in sys.modules:  # pragma: no cover - a guard, not a branch tests take
    raise RuntimeError("Airflow was imported before tests/dags/conftest.py could set AIRFLOW_HOME")
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="luxcat-airflow-test-"))
atexit.register(shutil.rmtree, AIRFLOW_HOME, True)
AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "socket.gethostname",  # getfqdn does a DNS lookup the net guard refuses
}
os.environ.update(AIRFLOW_ENV)

SOURCE_TEMPLATE = """\
id: {id}
title: {{en: "Test source {id}"}}
owner: {{name: luxcat tests}}
enabled: {enabled}
schedule: "{schedule}"
harvester:
  kind: csw
  options: {{url: "{url}", page_size: 10, timeout: 10, retries: 0}}
mapper: [iso19139]
languages: [en, fr]
licence: http://publications.europa.eu/resource/authority/licence/CC0
"""
# As config/sources/demo-csw.yaml: most of the 25 real demo records state use terms but no licence, or
# restrictive terms, and are rightly held back; the DAG tests are about the DAGs, not that share.
DEMO_REJECT_SHARE = "max_reject_share: 0.8\n"


def source_yaml(source_id: str, url: str, *, enabled: bool = True, schedule: str = "@daily", extra: str = "") -> str:
    """A valid CSW source file (the shape of config/sources/demo-csw.yaml) plus any extra YAML lines."""
    text = SOURCE_TEMPLATE.format(id=source_id, url=url, enabled=str(enabled).lower(), schedule=schedule)
    extra = textwrap.dedent(extra)
    return text + ("" if "max_reject_share:" in extra else DEMO_REJECT_SHARE) + extra
