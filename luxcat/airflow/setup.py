"""`python -m luxcat.airflow.setup pools`: create the Airflow pools the harvest DAGs use.

A task assigned to a pool that does not exist waits forever with only a scheduler-log warning, so
the set-up command (scripts/airflow, or once per deployment after `airflow db migrate`) creates one
pool per endpoint host found in the source files, plus the shared pool of hosts not set up yet, and
records them (luxcat.airflow.pool_registry) so a DAG never names a pool that does not exist. Needs the
Airflow metadata database.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

DEFAULT_SLOTS = 2  # concurrent harvests per host: polite to the public servers luxcat harvests


def ensure_pools(pools: dict[str, str], slots: int | None = None) -> None:
    """Create or update each pool (name -> description) with `slots` slots (LUXCAT_POOL_SLOTS, default 2)."""
    from airflow.models.pool import Pool

    from luxcat.airflow.pool_registry import SHARED_DESCRIPTION, SHARED_POOL, record_pools

    slots = slots or int(os.environ.get("LUXCAT_POOL_SLOTS", DEFAULT_SLOTS))
    pools = {**pools, SHARED_POOL: SHARED_DESCRIPTION}
    for name, description in sorted(pools.items()):
        Pool.create_or_update_pool(name, slots, description, include_deferred=False)
    record_pools(set(pools))  # the DAG processor now puts each host's tasks in its own pool


def main(argv: Sequence[str] | None = None) -> int:
    """Create the pools of every enabled source and print them."""
    from luxcat.airflow.dags import pools

    parser = argparse.ArgumentParser(prog="python -m luxcat.airflow.setup", description=__doc__)
    parser.add_argument("command", choices=["pools"])
    parser.add_argument("--slots", type=int, default=None, help="slots per pool (default LUXCAT_POOL_SLOTS or 2)")
    args = parser.parse_args(argv)
    wanted = pools()
    ensure_pools(wanted, args.slots)
    for name, description in sorted(wanted.items()):
        print(f"pool {name}: {description}")
    print(f"{len(wanted)} pool(s) ready", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
