"""Benchmark: ISO 19139 -> DCAT-AP mapping speed on the shared corpus, against plain lxml parsing.

Run by hand: .venv/bin/python bench/bench_iso19139.py [--rounds N]
Prints records/s for luxcat (split + map, i.e. parse + graph) and for a baseline measured in the
same run (lxml parse of the same payloads), and the ratios. Target: >= 800 records/s on one core.
Times are CPU time of this process (time.process_time), so other load on the machine distorts them
less than wall time would. Two numbers for luxcat:
- warm: the corpus repeats every round, so lookups memoised per text (licences, keywords,
  literals) are warm after round one;
- cold: memos cleared before every record (as a fresh worker meeting only new texts), timed per
  record, over --cold-rounds passes. This is the fair number.
Both include what the map stage adds per record: the dropped-values collector and the licence-origin
and dropped-values bookkeeping (mappers.fidelity.MapFindings), as luxcat.pipeline runs them.
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
from mappers.fidelity import MapFindings, collecting
from mappers.iso19139 import Iso19139Mapper

ISO_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "iso19139"


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
    findings = MapFindings()
    done = 0
    start = time.process_time()
    for _ in range(rounds):
        for raw in records:
            try:
                for single in mapper.split(raw):
                    with collecting() as dropped:
                        mapped = list(mapper.map(single))
                    findings.add(single.record_id, mapped, dropped)
                    done += len(mapped)
            except RecordError:
                continue
    return time.process_time() - start, done


def clear_memos() -> None:
    """Forget memoised lookups and literals, as in a fresh worker that has loaded its tables."""
    import mappers.vocabularies as vocabularies
    from mappers.iso19139 import rdf

    for name in dir(vocabularies):
        clear = getattr(getattr(vocabularies, name), "cache_clear", None)
        if clear is not None and name not in ("vocabulary_graph",):
            clear()
    from mappers.vocabularies import use_terms

    rdf.date_literal.cache_clear()
    rdf._LITERALS.clear()
    use_terms.restrictive_terms.cache_clear()
    use_terms.says_nothing.cache_clear()


def run_cold(records: list[RawRecord], rounds: int = 1) -> tuple[float, int]:
    """Passes over the corpus with empty memos before each record (no help from repetition)."""
    mapper = Iso19139Mapper(MapContext(source_id="bench", base_uri="https://data.public.lu/luxcat/bench/"))
    findings = MapFindings()
    total, done = 0.0, 0
    for raw in [r for _ in range(rounds) for r in records]:
        clear_memos()
        start = time.process_time()
        try:
            for single in mapper.split(raw):
                with collecting() as dropped:
                    mapped = list(mapper.map(single))
                findings.add(single.record_id, mapped, dropped)
                done += len(mapped)
        except RecordError:
            pass
        total += time.process_time() - start
    return total, done


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
    parser.add_argument("--cold-rounds", type=int, default=5)
    args = parser.parse_args()
    records = load()
    run_luxcat(records, 1)  # warm-up: vocabulary tables load once per process
    gc.collect()
    lux_time, lux_count = run_luxcat(records, args.rounds)
    base_time, base_count = run_baseline(records, args.rounds)
    cold_time, cold_count = run_cold(records, args.cold_rounds)
    lux_rate, base_rate, cold_rate = lux_count / lux_time, base_count / base_time, cold_count / cold_time
    print(f"records in corpus: {len(records)}, rounds: {args.rounds} warm, {args.cold_rounds} cold; CPU time, one core")
    print(f"luxcat warm (memos kept)      : {lux_rate:8.0f} records/s ({lux_count} mapped in {lux_time:.2f} s)")
    print(f"luxcat cold (memos cleared)   : {cold_rate:8.0f} records/s ({cold_count} mapped in {cold_time:.2f} s)")
    print(f"baseline lxml parse only      : {base_rate:8.0f} records/s ({base_count} parsed in {base_time:.2f} s)")
    print(f"ratio to baseline: warm {lux_rate / base_rate:.3f}, cold {cold_rate / base_rate:.3f}")
    print("target: >= 800 records/s for luxcat (cold)")


if __name__ == "__main__":
    main()
