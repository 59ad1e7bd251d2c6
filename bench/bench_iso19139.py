"""Benchmark: ISO 19139 -> DCAT-AP mapping speed on the shared corpus, against plain lxml parsing.

Run by hand: .venv/bin/python bench/bench_iso19139.py [--rounds N]
Prints records/s for luxcat (split + map, i.e. parse + graph) and for a baseline measured in the
same run (lxml parse of the same payloads), and the ratio. Target: >= 800 records/s on one core.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from lxml import etree

from luxcat.errors import RecordError
from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.iso19139 import Iso19139Mapper

ISO_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "iso19139"


def load() -> list[RawRecord]:
    """One RawRecord per single ISO record of the corpus (CSW responses split once, up front)."""
    mapper = Iso19139Mapper(MapContext(source_id="bench", base_uri="https://data.public.lu/luxcat/bench/"))
    records: list[RawRecord] = []
    for path in sorted(ISO_DIR.rglob("*.xml")):
        raw = RawRecord("bench", path.name, path.read_bytes(), "application/xml", path.as_uri())
        try:
            records.extend(r for r in mapper.split(raw))
        except RecordError:
            continue
    # Copy payloads so no parsed tree is cached from split(): every round parses from bytes.
    return [
        RawRecord(r.source_id, r.record_id, bytes(bytearray(r.payload)), r.media_type, r.origin_url) for r in records
    ]


def run_luxcat(records: list[RawRecord], rounds: int) -> tuple[float, int]:
    mapper = Iso19139Mapper(MapContext(source_id="bench", base_uri="https://data.public.lu/luxcat/bench/"))
    done = 0
    start = time.process_time()
    for _ in range(rounds):
        for raw in records:
            try:
                for single in mapper.split(raw):
                    for _mapped in mapper.map(single):
                        done += 1
            except RecordError:
                continue
    return time.process_time() - start, done


def run_baseline(records: list[RawRecord], rounds: int) -> tuple[float, int]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    done = 0
    start = time.process_time()
    for _ in range(rounds):
        for raw in records:
            etree.fromstring(raw.payload, parser)
            done += 1
    return time.process_time() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    records = load()
    run_luxcat(records, 1)  # warm-up: vocabulary tables load once per process
    gc.collect()
    lux_time, lux_count = run_luxcat(records, args.rounds)
    base_time, base_count = run_baseline(records, args.rounds)
    lux_rate, base_rate = lux_count / lux_time, base_count / base_time
    print(f"records in corpus: {len(records)}, rounds: {args.rounds}")
    print(f"luxcat split+map : {lux_rate:8.0f} records/s ({lux_count} mapped in {lux_time:.2f} s)")
    print(f"baseline lxml    : {base_rate:8.0f} records/s ({base_count} parsed in {base_time:.2f} s)")
    print(f"ratio luxcat/baseline: {lux_rate / base_rate:.3f}  (target: >= 800 records/s for luxcat)")


if __name__ == "__main__":
    main()
