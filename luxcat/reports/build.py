"""The per-run report: the state of a source's findings after a run, and what the run changed.

One report per run, as HTML, JSON and CSV under runs/<source>/<run>/report.*: harvest rejects, map
rejects, dropped values and validation findings, each with the record's title, source id and a
link to the source record, grouped by rule and by publisher, with MQA score bands and the delta
against the previous report (new and fixed findings). An incremental run only re-processes what
changed, so findings of records it did not touch are carried over from the previous report (and
withdrawn records leave it). A run that changed nothing (no new, changed or withdrawn record, no
new or fixed finding) writes no report: `report-link.json` points at the last full report, and
that is the location the run hands on (XCom, asset event).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from luxcat.artifacts import ArtifactStore, safe_key
from luxcat.config import SourceConfig
from luxcat.records import utcnow
from luxcat.remap import active_records
from luxcat.reports.collect import FindingsCollector
from luxcat.store import StateStore
from validators.quality import rating

log = logging.getLogger(__name__)

BANDS = ("excellent", "good", "sufficient", "bad")
SEVERITY_ORDER = {"Rejected": 0, "Violation": 1, "Dropped": 2, "Warning": 3, "Info": 4}
CSV_COLUMNS = ("kind", "severity", "rule", "message", "record_id", "title", "publisher", "link", "focus", "path",
               "value", "new")  # fmt: skip
LINK_FILE = "report-link.json"


def run_key(source_id: str, run_id: int, name: str) -> str:
    return f"runs/{source_id}/{run_id}/{name}"


def _jsonl(artifacts: ArtifactStore, key: str) -> list[dict[str, Any]]:
    if not artifacts.exists(key):
        return []
    return [json.loads(line) for line in artifacts.get(key).decode().splitlines() if line.strip()]


def _json(artifacts: ArtifactStore, key: str) -> dict[str, Any] | None:
    return json.loads(artifacts.get(key)) if artifacts.exists(key) else None


def previous_report(store: StateStore, artifacts: ArtifactStore, source_id: str, run_id: int) -> dict[str, Any] | None:
    """The last report written before `run_id` (following report links), or None for a first report."""
    for run in store.runs(source_id, limit=50):
        if run.id >= run_id:
            continue
        data = _json(artifacts, run_key(source_id, run.id, "report.json"))
        if data is not None:
            return data
        link = _json(artifacts, run_key(source_id, run.id, LINK_FILE))
        if link is not None:
            return _json(artifacts, run_key(source_id, int(link["run_id"]), "report.json"))
    return None


def collect_rejections(collector: FindingsCollector, store: StateStore, source_id: str, run_id: int) -> None:
    """Read the run's rejects files (harvest, map) and its dropped values into the collector."""
    from luxcat.bulk import records_by_ids

    artifacts = collector.artifacts
    for name in ("rejects.jsonl", "map-rejects.jsonl"):
        for rows in _pages(_jsonl(artifacts, run_key(source_id, run_id, name))):
            known = records_by_ids(store, source_id, [row["record_id"] for row in rows])  # one query per page
            _add_rejections(collector, rows, known, source_id)
    for row in dropped_values(artifacts, source_id, run_id):
        collector.add_dropped(row)


def _pages(rows: Iterable[dict[str, Any]], size: int = 500) -> Iterator[list[dict[str, Any]]]:
    """Rows in lists of `size` (memory stays flat in the number of rejects)."""
    page: list[dict[str, Any]] = []
    for row in rows:
        page.append(row)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def _add_rejections(
    collector: FindingsCollector, rows: list[dict[str, Any]], known: dict[str, Any], source_id: str
) -> None:
    """Each rejected row into the collector, with its stored payload when there is one."""
    artifacts = collector.artifacts
    for row in rows:
        stored = known.get(row["record_id"])
        payload = None
        if stored is not None and stored.raw_location:
            raw = artifacts.get(artifacts.key_of(stored.raw_location))
            payload = (raw, _media(artifacts, source_id, row["record_id"], stored.raw_location))
        collector.add_rejection(row, payload)


def dropped_values(artifacts: ArtifactStore, source_id: str, run_id: int) -> list[dict[str, Any]]:
    """Values the map stage left out, with their reasons: map.json's `extra.dropped` ({record: [...]})
    as the mappers report them, and any `dropped.jsonl` rows (one value per line, with its record_id)."""
    rows = list(_jsonl(artifacts, run_key(source_id, run_id, "dropped.jsonl")))
    summary = _json(artifacts, run_key(source_id, run_id, "map.json")) or {}
    per_record = (summary.get("extra") or {}).get("dropped") or {}
    for record_id, items in per_record.items():
        rows += [{"record_id": record_id, **item} for item in items]
    return rows


def _media(artifacts: ArtifactStore, source_id: str, record_id: str, location: str) -> str:
    """The stored payload's media type (from its meta file, else its extension)."""
    meta = _json(artifacts, f"raw/{source_id}/{safe_key(record_id)}.meta.json") or {}
    ext = location.rsplit(".", 1)[-1]
    guess = {"xml": "application/xml", "ttl": "text/turtle", "csv": "text/csv", "json": "application/json"}
    return str(meta.get("media_type") or guess.get(ext, "application/octet-stream"))


def _carry_over(
    previous: dict[str, Any] | None, collector: FindingsCollector, processed: set[str], active: set[str], full: bool
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """This run's records and entries plus the previous report's for records this run did not touch."""
    records = dict(collector.records)
    entries = list(collector.entries)
    if previous is None:
        return records, entries
    seen = {e["key"] for e in entries}
    for entry in previous["entries"]:
        rid = entry["record_id"]
        if entry["key"] in seen or rid in processed:
            continue
        if entry["kind"] == "harvest-reject":
            if full:  # a complete full listing says anew which rows are broken
                continue
        elif rid not in active:  # withdrawn since
            continue
        entries.append(entry)
        seen.add(entry["key"])
        if rid not in records and rid in previous["records"]:
            records[rid] = previous["records"][rid]
    for rid, record in previous["records"].items():
        if rid not in records and rid in active and rid not in processed:
            records[rid] = record
    return records, entries


def _groups(entries: list[dict[str, Any]], records: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Counts by (severity, rule, message) and by publisher, worst first."""
    by_rule: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    rule_count: Counter[tuple[str, str, str]] = Counter()
    by_publisher: dict[str, Counter[str]] = defaultdict(Counter)
    publisher_records: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        key = (entry["severity"], entry["rule"], entry["message"])
        rule_count[key] += 1
        by_rule[key].add(entry["record_id"])
        publisher = (records.get(entry["record_id"]) or {}).get("publisher") or "(publisher not stated)"
        by_publisher[publisher][entry["severity"]] += 1
        publisher_records[publisher].add(entry["record_id"])
    rules = [
        {"severity": sev, "rule": rule, "message": msg, "count": n, "records": len(by_rule[(sev, rule, msg)])}
        for (sev, rule, msg), n in rule_count.items()
    ]
    rules.sort(key=lambda g: (SEVERITY_ORDER.get(g["severity"], 9), -g["count"], g["rule"], g["message"]))
    publishers = [
        {"publisher": name, "count": sum(c.values()), "records": len(publisher_records[name]), "by_severity": dict(c)}
        for name, c in by_publisher.items()
    ]
    publishers.sort(key=lambda g: (-g["count"], g["publisher"]))
    return {"by_rule": rules, "by_publisher": publishers}


def _bands(records: dict[str, dict[str, Any]]) -> dict[str, int]:
    counts = Counter(rating(r["score"]) for r in records.values() if r.get("score") is not None)
    return {band: counts.get(band, 0) for band in BANDS}


def build_report(
    cfg: SourceConfig, store: StateStore, collector: FindingsCollector, run_id: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The report document of run `run_id` and the previous report it is compared with."""
    artifacts = collector.artifacts
    collect_rejections(collector, store, cfg.id, run_id)
    harvest = _json(artifacts, run_key(cfg.id, run_id, "harvest.json")) or {}
    run = store.get_run(run_id)
    mode = run.mode if run else "full"
    previous = previous_report(store, artifacts, cfg.id, run_id)
    active = set(active_records(store, cfg.id))  # ids only: not every record's stored report parsed
    processed = set(harvest.get("to_process", []))
    full = mode == "full" and bool(harvest.get("complete"))
    records, entries = _carry_over(previous, collector, processed, active, full)
    entries.sort(key=lambda e: (SEVERITY_ORDER.get(e["severity"], 9), e["rule"], e["record_id"], e["message"]))
    previous_keys = {e["key"] for e in previous["entries"]} if previous else set()
    current_keys = {e["key"] for e in entries}
    for entry in entries:
        entry["new"] = previous is not None and entry["key"] not in previous_keys
    fixed = [e for e in previous["entries"] if e["key"] not in current_keys] if previous else []
    scores = [r["score"] for r in records.values() if r.get("score") is not None]
    document = {
        "source": cfg.id,
        "source_title": cfg.title_in(collector.languages[0]),
        "owner": cfg.owner.name,
        "run_id": run_id,
        "mode": mode,
        "complete": bool(harvest.get("complete")),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "language": collector.languages[0],
        "counts": harvest.get("counts", {}),
        "processed": len(processed),
        "records": records,
        "entries": entries,
        "groups": _groups(entries, records),
        "bands": _bands(records),
        "mqa_mean": round(sum(scores) / len(scores), 1) if scores else None,
        "delta": {
            "previous_run": previous["run_id"] if previous else None,
            "new": sum(1 for e in entries if e["new"]),
            "fixed": fixed,
        },
    }
    return document, previous


def unchanged(document: dict[str, Any], previous: dict[str, Any] | None) -> bool:
    """Nothing new to say: no record new, changed or withdrawn, and no finding new or fixed."""
    if previous is None:
        return False
    counts = document["counts"]
    moved = any(counts.get(k, 0) for k in ("new", "changed", "withdrawn"))
    return not moved and not document["delta"]["new"] and not document["delta"]["fixed"]


def to_csv(document: dict[str, Any]) -> str:
    """One row per finding, with the record's title, publisher and link (spreadsheet-friendly)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for entry in document["entries"]:
        record = document["records"].get(entry["record_id"], {})
        writer.writerow({**entry, "title": record.get("title"), "publisher": record.get("publisher"),
                         "link": record.get("link") or record.get("origin")})  # fmt: skip
    return out.getvalue()


def write_run_report(
    cfg: SourceConfig, store: StateStore, artifacts: ArtifactStore, run_id: int, collector: FindingsCollector
) -> str:
    """Write report.{html,json,csv} for the run, or a link to the last full report; return the HTML location."""
    from luxcat.reports.html import render_report

    document, previous = build_report(cfg, store, collector, run_id)
    if previous is not None and unchanged(document, previous):
        target = int(previous["run_id"])
        link = {"run_id": target, "report": artifacts.location(run_key(cfg.id, target, "report.html"))}
        artifacts.put(run_key(cfg.id, run_id, LINK_FILE), json.dumps(link).encode(), "application/json")
        log.info("source=%s run=%d nothing changed: report of run %d stands", cfg.id, run_id, target)
        return str(link["report"])
    artifacts.put(run_key(cfg.id, run_id, "report.json"), json.dumps(document, indent=1, ensure_ascii=False).encode(),
                  "application/json")  # fmt: skip
    artifacts.put(run_key(cfg.id, run_id, "report.csv"), to_csv(document).encode("utf-8"), "text/csv")
    html = render_report(document).encode()
    return artifacts.put(run_key(cfg.id, run_id, "report.html"), html, "text/html; charset=utf-8")


def report_location(store: StateStore, artifacts: ArtifactStore, source_id: str, run_id: int) -> str | None:
    """Where run `run_id`'s report is (its own, or the one its report link names); None when it has none."""
    if artifacts.exists(run_key(source_id, run_id, "report.html")):
        return artifacts.location(run_key(source_id, run_id, "report.html"))
    link = _json(artifacts, run_key(source_id, run_id, LINK_FILE))
    return str(link["report"]) if link else None


def report_document(artifacts: ArtifactStore, source_id: str, run_id: int) -> dict[str, Any] | None:
    """Run `run_id`'s report document (its own, or the one its report link names)."""
    data = _json(artifacts, run_key(source_id, run_id, "report.json"))
    if data is not None:
        return data
    link = _json(artifacts, run_key(source_id, run_id, LINK_FILE))
    return _json(artifacts, run_key(source_id, int(link["run_id"]), "report.json")) if link else None
