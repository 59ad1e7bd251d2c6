"""The validation report as one self-contained HTML page (inline CSS and SVG, no external assets).

Operators read it per run: a summary, results grouped by shape and message with counts (what to fix
first), the score distribution as a bar chart, then every record with its problems and score.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from luxcat.records import ValidationReport
from validators.quality import MAX_SCORE, rating

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:75rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top;font-size:.9rem}th{background:#f0f0f0}.Violation{color:#b00020}
.Warning{color:#a65f00}.Info{color:#245}.ok{color:#1b5e20}details{margin:.4rem 0}summary{cursor:pointer}
code{font-size:.85rem;word-break:break-all}
"""
BINS = 9  # 45-point bars over 0..405


def _bins(scores: list[int]) -> list[int]:
    width = -(-(MAX_SCORE + 1) // BINS)
    counts = [0] * BINS
    for score in scores:
        counts[min(score // width, BINS - 1)] += 1
    return counts


def score_chart(scores: list[int]) -> str:
    """An inline SVG bar chart of how many records fall in each score band."""
    counts = _bins(scores)
    width = -(-(MAX_SCORE + 1) // BINS)
    top = max(counts, default=0) or 1
    bar_w, height = 60, 160
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{BINS * bar_w + 20}" height="{height + 62}" '
        'role="img" aria-label="score distribution">'
    ]
    for i, count in enumerate(counts):
        h = round(count / top * height)
        x = 10 + i * bar_w
        low, high = i * width, min((i + 1) * width - 1, MAX_SCORE)
        colour = {"excellent": "#2e7d32", "good": "#7cb342", "sufficient": "#f9a825"}.get(rating(low), "#c62828")
        parts.append(
            f'<rect x="{x}" y="{22 + height - h}" width="{bar_w - 6}" height="{h}" fill="{colour}">'
            f"<title>{low}-{high}: {count}</title></rect>"
            f'<text x="{x + (bar_w - 6) / 2}" y="{height + 37}" font-size="10" text-anchor="middle">'
            f"{low}-{high}</text>"
            f'<text x="{x + (bar_w - 6) / 2}" y="{17 + height - h}" font-size="10" text-anchor="middle">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _groups(reports: list[ValidationReport]) -> str:
    groups: Counter[tuple[str, str, str]] = Counter()
    records: dict[tuple[str, str, str], set[str]] = {}
    for report in reports:
        for res in report.results:
            key = (res.severity, res.shape or "", res.message)
            groups[key] += 1
            records.setdefault(key, set()).add(report.dataset)
    rows = [
        f'<tr><td class="{escape(sev)}">{escape(sev)}</td><td><code>{escape(shape)}</code></td>'
        f"<td>{escape(msg)}</td><td>{count}</td><td>{len(records[(sev, shape, msg)])}</td></tr>"
        for (sev, shape, msg), count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return (
        "<table><tr><th>severity</th><th>shape</th><th>message</th><th>results</th><th>records</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _record(report: ValidationReport) -> str:
    status = (
        '<span class="ok">conforms</span>' if report.conforms else '<span class="Violation">does not conform</span>'
    )
    score = "n/a" if report.score is None else f"{report.score}/{MAX_SCORE} ({rating(report.score)})"
    rows = "".join(
        f'<tr><td class="{escape(r.severity)}">{escape(r.severity)}</td><td><code>{escape(r.focus)}</code></td>'
        f"<td><code>{escape(r.path or '')}</code></td><td><code>{escape(r.value or '')}</code></td>"
        f"<td>{escape(r.message)}</td><td><code>{escape(r.shape or '')}</code></td></tr>"
        for r in report.results
    )
    table = (
        "<table><tr><th>severity</th><th>focus</th><th>path</th><th>value</th><th>message</th><th>shape</th></tr>"
        f"{rows}</table>"
        if rows
        else ""
    )
    return (
        f"<details{' open' if not report.conforms else ''}><summary><code>{escape(report.dataset)}</code>: "
        f"{status}, score {score}, {len(report.results)} result(s)</summary>{table}</details>"
    )


def _overview(reports: list[ValidationReport]) -> str:
    rows = []
    for r in sorted(reports, key=lambda r: (r.conforms, r.score if r.score is not None else -1, r.dataset)):
        counts = Counter(res.severity for res in r.results)
        status = '<span class="ok">yes</span>' if r.conforms else '<span class="Violation">no</span>'
        score = "" if r.score is None else f"{r.score} ({rating(r.score)})"
        rows.append(
            f"<tr><td><code>{escape(r.dataset)}</code></td><td>{status}</td><td>{score}</td>"
            + "".join(f"<td>{counts.get(sev, 0)}</td>" for sev in ("Violation", "Warning", "Info"))
            + "</tr>"
        )
    return (
        "<table><tr><th>record</th><th>conforms</th><th>score</th><th>Violations</th><th>Warnings</th>"
        f"<th>Infos</th></tr>{''.join(rows)}</table>"
    )


def _counts(title: str, counts: dict[str, int], note: str) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in counts.items())
    return f"<h2>{escape(title)}</h2><p>{escape(note)}</p><table><tr><th></th><th>datasets</th></tr>{rows}</table>"


def _dropped(dropped: dict[str, list[dict[str, str]]]) -> str:
    """Every value a mapper left out, per record, with its reason (mappers.fidelity)."""
    total = sum(len(v) for v in dropped.values())
    rows = "".join(
        f"<tr><td><code>{escape(rid)}</code></td><td>{escape(d['property'])}</td>"
        f"<td><code>{escape(d['value'])}</code></td><td>{escape(d['reason'])}</td></tr>"
        for rid, items in sorted(dropped.items())
        for d in items
    )
    return (
        f"<h2>Dropped values ({total} in {len(dropped)} record(s))</h2>"
        "<p>Source values the mapping could not carry into DCAT-AP, with the reason.</p>"
        f"<table><tr><th>record</th><th>property</th><th>value</th><th>reason</th></tr>{rows}</table>"
    )


def licence_origins(reports: list[ValidationReport]) -> dict[str, int]:
    """Datasets per licence origin (stated / source-default / none), for the report and the run summary."""
    counts = Counter(r.licence_origin for r in reports if r.licence_origin is not None)
    return {origin: counts.get(origin, 0) for origin in ("stated", "source-default", "none")}


def render_html(
    reports: list[ValidationReport],
    title: str = "luxcat validation report",
    *,
    dropped: dict[str, list[dict[str, str]]] | None = None,
) -> str:
    """The whole report as one HTML document (with the map stage's dropped values, when given)."""
    scores = [r.score for r in reports if r.score is not None]
    conforming = sum(1 for r in reports if r.conforms)
    severities = Counter(res.severity for r in reports for res in r.results)
    with_problems = [r for r in reports if r.results]
    summary = (
        f"<p>{len(reports)} record(s), {conforming} conform, {len(reports) - conforming} do not. "
        f"Results: {severities.get('Violation', 0)} Violation, {severities.get('Warning', 0)} Warning, "
        f"{severities.get('Info', 0)} Info."
        + (f" Mean score {sum(scores) / len(scores):.0f}/{MAX_SCORE}." if scores else "")
        + "</p>"
    )
    body = [
        f"<h1>{escape(title)}</h1>",
        summary,
        _counts(
            "Licence origin",
            licence_origins(reports),
            "stated: the record names its licence; source-default: the record says nothing about use and the "
            "source's default applies (marked in the graph with dct:provenance); none: no licence.",
        ),
        *([_dropped(dropped)] if dropped else []),
        "<h2>Score distribution</h2>",
        score_chart(scores),
        "<h2>Results by shape and message</h2>",
        _groups(reports),
        "<h2>Records</h2>",
        _overview(reports),
        f"<h2>Problems per record ({len(with_problems)} record(s))</h2>",
        *(_record(r) for r in sorted(with_problems, key=lambda r: (r.conforms, r.dataset))),
    ]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    )
