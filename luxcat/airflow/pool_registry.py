"""Which Airflow pools exist, as the set-up step recorded them, so no task is ever put in a missing pool.

Airflow queues a task whose pool does not exist forever, with only a scheduler-log warning. The
set-up step (`python -m luxcat.airflow.setup pools`, run by scripts/airflow before the scheduler
and DAG processor start, and once per deployment) creates one pool per endpoint host plus the
shared pool `luxcat_shared`, and records their names in a small JSON file. At parse time a source
on a host whose pool is not recorded yet runs in `luxcat_shared`; before any set-up, in Airflow's
own `default_pool`. Reading one local file keeps parsing network-free.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SHARED_POOL = "luxcat_shared"
DEFAULT_POOL = "default_pool"
SHARED_DESCRIPTION = "luxcat harvests of hosts whose own pool the set-up step has not created yet"


def pools_file() -> Path:
    """$LUXCAT_POOLS_FILE, else luxcat-pools.json in AIRFLOW_HOME (where the set-up step writes it)."""
    env = os.environ.get("LUXCAT_POOLS_FILE")
    if env:
        return Path(env)
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "luxcat-pools.json"


def known_pools() -> set[str]:
    """Pool names the set-up step created (empty before it ever ran)."""
    path = pools_file()
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError) as exc:
        log.error("luxcat: cannot read the pools file %s (%s): new hosts use %s", path, exc, DEFAULT_POOL)
        return set()


def fallback_pool() -> str:
    """The pool of a host without its own: the shared one once set-up created it, else default_pool."""
    return SHARED_POOL if SHARED_POOL in known_pools() else DEFAULT_POOL


def record_pools(names: set[str]) -> Path:
    """Remember the pools that now exist (the set-up step calls this after creating them)."""
    path = pools_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    names = names | known_pools()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(names)), encoding="utf-8")
    tmp.replace(path)
    return path
