"""One `harvest__<source>` Airflow DAG per enabled file in the sources folder (config/sources or $LUXCAT_SOURCES).

A file that does not validate becomes a `config_error__<file>` DAG whose description names the field,
so it never hides the other sources. Parsing reads YAML only: no network, no heavy import.
"""

from luxcat.airflow import harvest_dags

globals().update(harvest_dags())
