"""One discipline for the forked worker pools (catalogue export, indicators, local batches).

Why: `with Pool()` calls terminate() on exit, even after success; under Airflow's task runner, whose
SIGTERM handler ignores the signal, terminate() waits forever. Here a pool that finished is closed
and joined; only a failure (or Ctrl-C) terminates the workers, then joins them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any


@contextmanager
def fork_pool(processes: int, **kwargs: Any) -> Iterator[Pool]:
    """A fork-context Pool: closed and joined when the block ends normally, terminated when it raises."""
    pool = multiprocessing.get_context("fork").Pool(processes, **kwargs)
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
