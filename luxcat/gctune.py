"""Fewer garbage-collector passes while a stage builds and drops many small graphs.

The map and validate stages allocate millions of small containers (rdflib terms, dicts of a graph's
indexes) and keep some alive across records (the graphs handed from map to validate). With
CPython's default first-generation threshold (700 allocations) the collector ran ~3,700 times on a
4,000-row inventory, 17 of them full passes over the growing heap: 15-20% of the stages' CPU.
At 10,000 the same run had 260 passes and one full one (bench_scale, issue 19). Cyclic garbage
(each record's graphs reference their store and back) is still collected, a little later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

STAGE_THRESHOLD = 10_000


@contextmanager
def fewer_collections(threshold: int = STAGE_THRESHOLD) -> Iterator[None]:
    """Raise the collector's first-generation threshold for the block (or decorated call), then restore it."""
    old = gc.get_threshold()
    if old[0] >= threshold:  # already raised (a nested stage, or the operator's own tuning)
        yield
        return
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
