"""Fewer garbage-collector passes while a stage builds and drops many small graphs.

The map and validate stages allocate millions of small containers (rdflib terms, dicts of a graph's
indexes) and keep some alive across records (the graphs handed from map to validate). Measured on
bench_scale's 6,000-row inventory (issue 19), GC CPU and peak RSS of the whole run by first-
generation threshold: 700 (CPython's default) 5,675 passes, 23 of them full, 5.3 s, 425 MB;
3,000: 1,522 passes, 7 full, 2.6 s, 439 MB; 10,000: 609 passes, 2 full, 3.1 s, 506 MB. Cyclic
garbage (each record's graphs reference their store and back) is still collected, a little later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

STAGE_THRESHOLD = 3_000


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
