"""The run report as one self-contained HTML page: inline CSS and SVG, no script, no external asset.

Operators read it top-down: what the run did and what changed since the previous report, a chart
of findings per rule and of MQA score bands, the findings grouped by rule (what to fix first) and
by publisher (whom to call), then every record with a problem, by title, with its source id and a
link to the source record.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

BAND_COLOURS = {"excellent": "#2e7d32", "good": "#7cb342", "sufficient": "#f9a825", "bad": "#c62828"}
SEVERITY_COLOURS = {"Rejected": "#6a1b9a", "Violation": "#b00020", "Dropped": "#ad1457", "Warning": "#a65f00",
                    "Info": "#245"}  # fmt: skip
CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:80rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top;font-size:.9rem}th{background:#f0f0f0}code{font-size:.85rem;word-break:break-all}
.Rejected{color:#6a1b9a}.Violation{color:#b00020}.Dropped{color:#ad1457}.Warning{color:#a65f00}.Info{color:#245}
.new{background:#fff3cd;font-size:.75rem;padding:0 .3rem;border-radius:.2rem}.charts{display:flex;gap:2rem;
flex-wrap:wrap}details{margin:.3rem 0}summary{cursor:pointer}.muted{color:#666}
"""
MAX_RULES_IN_CHART = 15


def _bar_chart(rows: list[tuple[str, int, str]], label: str, width: int = 520) -> str:
    """Horizontal bars: (label, value, colour) per row, labels left, values right."""
    top = max((v for _l, v, _c in rows), default=0) or 1
    height = 22 * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(label)}"><title>{escape(label)}</title>']  # fmt: skip
    for i, (text, value, colour) in enumerate(rows):
        y = 5 + i * 22
        bar = round(value / top * (width - 290))
        short = text if len(text) <= 38 else text[:37] + "…"
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="11">{escape(short)}</text>'
            f'<rect x="240" y="{y + 2}" width="{bar}" height="16" fill="{colour}"><title>{escape(text)}: {value}'
            f'</title></rect><text x="{244 + bar}" y="{y + 14}" font-size="11">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def rules_chart(document: dict[str, Any]) -> str:
    """Findings per rule (the messages of one rule added up), the most frequent first."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for group in document["groups"]["by_rule"]:
        totals[(group["severity"], group["rule"])] += group["count"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0][1]))[:MAX_RULES_IN_CHART]
    rows = [(rule, n, SEVERITY_COLOURS.get(severity, "#555")) for (severity, rule), n in ranked]
    return _bar_chart(rows, "findings per rule") if rows else "<p>No findings.</p>"


def bands_chart(document: dict[str, Any]) -> str:
    """Records per MQA rating band (excellent 351-405, good 221-350, sufficient 121-220, bad 0-120)."""
    rows = [(band, n, BAND_COLOURS[band]) for band, n in document["bands"].items()]
    return _bar_chart(rows, "records per MQA score band", width=420)


def _record_cell(document: dict[str, Any], record_id: str) -> str:
    record = document["records"].get(record_id, {})
    title = record.get("title")
    name = f"<strong>{escape(title)}</strong>" if title else '<span class="muted">(no title)</span>'
    link = record.get("link")
    origin = record.get("origin")
    source = f'<a href="{escape(link)}">source record</a>' if link else (escape(origin) if origin else "")
    return f"{name}<br><code>{escape(record_id)}</code>{' · ' + source if source else ''}"


def _summary(document: dict[str, Any]) -> str:
    c = document["counts"]
    delta = document["delta"]
    previous = delta["previous_run"]
    changes = (
        f"Compared with the report of run {previous}: <strong>{delta['new']} new</strong> finding(s), "
        f"<strong>{len(delta['fixed'])} fixed</strong>."
        if previous is not None
        else "First report of this source."
    )
    mean = document["mqa_mean"]
    return (
        f"<p>Source <code>{escape(document['source'])}</code> ({escape(document['owner'])}), run "
        f"{document['run_id']} ({escape(document['mode'])}, {'complete' if document['complete'] else 'INCOMPLETE'}), "
        f"generated {escape(document['generated_at'])}. Titles in <code>{escape(document['language'])}</code> "
        "where the record has it.</p>"
        f"<p>{c.get('seen', 0)} seen, {c.get('new', 0)} new, {c.get('changed', 0)} changed, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('rejected', 0)} rejected at harvest, "
        f"{c.get('withdrawn', 0)} withdrawn; {document['processed']} processed by map and validate. "
        f"{len(document['entries'])} finding(s) on {len({e['record_id'] for e in document['entries']})} record(s)"
        + (f"; MQA mean {mean}/405" if mean is not None else "")
        + f".</p><p>{changes}</p>"
    )


def _by_rule(document: dict[str, Any]) -> str:
    per_rule: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in document["entries"]:
        per_rule[(entry["severity"], entry["rule"], entry["message"])].append(entry)
    rows = []
    for group in document["groups"]["by_rule"]:
        entries = per_rule[(group["severity"], group["rule"], group["message"])]
        items = "".join(
            f"<li>{_record_cell(document, e['record_id'])}"
            + (f" — {escape(e['focus'])}" if e.get("focus") and e["focus"] != "dataset" else "")
            + (f": <code>{escape(e['value'])}</code>" if e.get("value") else "")
            + (' <span class="new">new</span>' if e.get("new") else "")
            + "</li>"
            for e in entries
        )
        sev = escape(group["severity"])
        rows.append(
            f'<tr><td class="{sev}">{sev}</td><td><code>{escape(group["rule"])}</code></td>'
            f"<td>{escape(group['message'])}<details><summary>{group['records']} record(s)</summary><ul>{items}</ul>"
            f"</details></td><td>{group['count']}</td></tr>"
        )
    return (
        "<table><tr><th>severity</th><th>rule</th><th>message and records</th><th>findings</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _by_publisher(document: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(g['publisher'])}</td><td>{g['records']}</td><td>{g['count']}</td><td>"
        + ", ".join(f'<span class="{escape(s)}">{n} {escape(s)}</span>' for s, n in sorted(g["by_severity"].items()))
        + "</td></tr>"
        for g in document["groups"]["by_publisher"]
    )
    return f"<table><tr><th>publisher</th><th>records</th><th>findings</th><th>by severity</th></tr>{rows}</table>"


def _fixed(document: dict[str, Any]) -> str:
    fixed = document["delta"]["fixed"]
    if not fixed:
        return "<p>None.</p>"
    items = "".join(
        f'<li><code>{escape(e["record_id"])}</code>: <span class="{escape(e["severity"])}">'
        f"{escape(e['severity'])}</span> <code>{escape(e['rule'])}</code> {escape(e['message'])}</li>"
        for e in fixed
    )
    return f"<ul>{items}</ul>"


def _records(document: dict[str, Any]) -> str:
    per_record: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in document["entries"]:
        per_record[entry["record_id"]].append(entry)
    rows = []
    for record_id, entries in sorted(per_record.items(), key=lambda kv: (document["records"].get(kv[0], {}).get(
            "title") or "~", kv[0])):  # fmt: skip
        record = document["records"].get(record_id, {})
        score = record.get("score")
        problems = "".join(
            f'<li><span class="{escape(e["severity"])}">{escape(e["severity"])}</span> {escape(e["message"])}'
            + (f" ({escape(e['focus'])})" if e.get("focus") and e["focus"] != "dataset" else "")
            + (f" <code>{escape(e['value'])}</code>" if e.get("value") else "")
            + (' <span class="new">new</span>' if e.get("new") else "")
            + "</li>"
            for e in entries
        )
        rows.append(
            f"<tr><td>{_record_cell(document, record_id)}</td><td>{escape(record.get('publisher') or '')}</td>"
            f"<td>{'' if score is None else score}</td><td><ul>{problems}</ul></td></tr>"
        )
    return "<table><tr><th>record</th><th>publisher</th><th>MQA</th><th>findings</th></tr>" + "".join(rows) + "</table>"


def render_report(document: dict[str, Any]) -> str:
    """The whole report as one HTML document."""
    title = f"{document['source']}: run {document['run_id']} report"
    body = [
        f"<h1>{escape(document['source_title'])} — run {document['run_id']}</h1>",
        _summary(document),
        '<p>Also as <a href="report.json">JSON</a> and <a href="report.csv">CSV</a>.</p>',
        '<div class="charts"><section><h2>Findings per rule</h2>',
        rules_chart(document),
        "</section><section><h2>MQA score bands</h2>",
        bands_chart(document),
        "</section></div><h2>By rule</h2>",
        _by_rule(document),
        "<h2>By publisher</h2>",
        _by_publisher(document),
        f"<h2>Fixed since run {document['delta']['previous_run']}</h2>" if document["delta"]["previous_run"] else "",
        _fixed(document) if document["delta"]["previous_run"] else "",
        "<h2>Records with findings</h2>",
        _records(document),
    ]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    )
