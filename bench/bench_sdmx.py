"""Benchmark: INSEE's 663 dataflows with their structures harvested from a local SDMX service and mapped.

Run by hand: `.venv/bin/python bench/bench_sdmx.py`. Prints dataflows/s and requests made, and the
ratio to a baseline measured in the same run: sdmx1 alone fetching and parsing the same listing and
the same structure queries (what any sdmx1 client pays; everything above it is luxcat's cost).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sdmx  # noqa: E402
import sdmx.source  # noqa: E402

from harvesters.sdmx import SdmxHarvester  # noqa: E402
from luxcat.records import RawRecord  # noqa: E402
from mappers.base import MapContext  # noqa: E402
from mappers.sdmx import SdmxMapper, SdmxMapperOptions  # noqa: E402
from tests.sdmx.conftest import install_routes, service_options  # noqa: E402
from tests.sdmx.server import SdmxServer  # noqa: E402


def baseline(url: str, ids: list[tuple[str, str]]) -> tuple[float, int]:
    """sdmx1 alone: the listing plus one datastructure query per DSD (404s included)."""
    client = sdmx.Client("INSEE")
    client.source = sdmx.source.sources["INSEE"].__class__(**{**vars(sdmx.source.sources["INSEE"]), "url": url})
    start = time.perf_counter()
    client.get("dataflow", agency_id="FR1")
    requests = 1
    for agency, ident in ids:
        requests += 1
        try:
            client.get(
                "datastructure", agency_id=agency, resource_id=ident, version="1.0", params={"references": "children"}
            )
        except Exception:  # noqa: BLE001 (404 for unrecorded structures, as in the harvest)
            pass
    return time.perf_counter() - start, requests


def main() -> None:
    logging.disable(logging.WARNING)
    server = SdmxServer()
    install_routes(server)
    server.start()
    try:
        harvester = SdmxHarvester("bench-insee", service_options(server.url, "insee", retries=0))
        start = time.perf_counter()
        records = [r for r in harvester.harvest() if isinstance(r, RawRecord)]
        harvested = time.perf_counter()
        context = MapContext("bench-insee", "https://data.public.lu/luxcat/bench-insee/", licence="CC0")
        mapper = SdmxMapper(context, SdmxMapperOptions())
        triples = sum(len(m.graph) for raw in records for m in mapper.map(raw))
        mapped = time.perf_counter()
        dsds = [tuple(r.record_id.split(":", 1)) for r in records]
        base_seconds, base_requests = baseline(f"{server.url}/insee", dsds)
    finally:
        server.stop()
    total = mapped - start
    n = len(records)
    print(f"dataflows: {n}  requests: {harvester.report.requests}  complete: {harvester.report.complete}")
    print(f"harvest: {harvested - start:.2f} s ({n / (harvested - start):.0f} dataflows/s)")
    print(f"map:     {mapped - harvested:.2f} s ({n / (mapped - harvested):.0f} dataflows/s, {triples} triples)")
    print(f"total:   {total:.2f} s ({n / total:.0f} dataflows/s)")
    print(f"baseline sdmx1 only (same {base_requests} requests): {base_seconds:.2f} s")
    print(
        f"ratio harvest/baseline: {(harvested - start) / base_seconds:.2f}  total/baseline: {total / base_seconds:.2f}"
    )


if __name__ == "__main__":
    main()
