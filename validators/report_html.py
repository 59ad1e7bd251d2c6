"""The validation report as one self-contained HTML page (inline CSS and SVG, no external assets).

Operators read it per run: a summary, results grouped by shape and message with counts (what to fix
first), the score distribution as a bar chart, then every record with its problems and score.
"""

from __future__ import annotations

import heapq
from collections import Counter
from html import escape
from typing import Any

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
    return _chart(_bins(scores))


def _chart(counts: list[int]) -> str:
    """The score-band chart from the band counts."""
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


LICENCE_ORIGINS = ("stated", "source-default", "none")
LICENCE_NOTE = (
    "stated: the record names its licence; source-default: the record says nothing about use and the "
    "source's default applies (marked in the graph with dct:provenance); none: no licence."
)


def licence_origins(reports: list[ValidationReport]) -> dict[str, int]:
    """Datasets per licence origin (stated / source-default / none), for the report and the run summary."""
    counts = Counter(r.licence_origin for r in reports if r.licence_origin is not None)
    return {origin: counts.get(origin, 0) for origin in LICENCE_ORIGINS}


def render_html(
    reports: list[ValidationReport],
    title: str = "luxcat validation report",
    *,
    dropped: dict[str, list[dict[str, str]]] | None = None,
) -> str:
    """The whole report as one HTML document (with the map stage's dropped values, when given)."""
    summary = ReportSummary()
    for report in reports:
        summary.add(report)
    return summary.render(title, dropped=dropped)


class ReportSummary:
    """The HTML report built from aggregates, one report at a time: memory flat in the number of records.

    Counts, score bands and result groups are kept as numbers; the per-record tables keep at most
    `limit` rows each (the worst records first; None = all, as `luxcat validate` on files does) and
    say how many were left out and where the full per-record findings are.
    """

    def __init__(self, limit: int | None = None, findings: str | None = None) -> None:
        self.limit = limit
        self.findings = findings  # where every record's findings are (named in the report)
        self.records = 0
        self.conforming = 0
        self.score_sum = 0
        self.scored = 0
        self.bins = [0] * BINS
        self.severities: Counter[str] = Counter()
        self.licences: Counter[str] = Counter()
        self.groups: Counter[tuple[str, str, str]] = Counter()
        self.group_records: Counter[tuple[str, str, str]] = Counter()
        self.with_problems = 0
        self._seq = 0
        self._overview: list[tuple[Any, str]] = []  # (sort key, row html), bounded by limit
        self._problems: list[tuple[Any, str]] = []

    def add(self, report: ValidationReport) -> None:
        """Fold one record's report into the aggregates."""
        self.records += 1
        self.conforming += bool(report.conforms)
        if report.licence_origin is not None:
            self.licences[report.licence_origin] += 1
        if report.score is not None:
            self.score_sum += report.score
            self.scored += 1
            width = -(-(MAX_SCORE + 1) // BINS)
            self.bins[min(report.score // width, BINS - 1)] += 1
        keys = set()
        for res in report.results:
            key = (res.severity, res.shape or "", res.message)
            self.groups[key] += 1
            self.severities[res.severity] += 1
            keys.add(key)
        for key in keys:
            self.group_records[key] += 1
        self._seq += 1
        order = (report.conforms, report.score if report.score is not None else -1, report.dataset, self._seq)
        self._keep(self._overview, order, _overview_row(report))
        if report.results:
            self.with_problems += 1
            self._keep(self._problems, (report.conforms, report.dataset, self._seq), _record(report))

    def _keep(self, rows: list[tuple[Any, str]], order: Any, html: str) -> None:
        """Keep the row among the `limit` first in order (a max-heap on the sort key when bounded)."""
        if self.limit is None:
            rows.append((order, html))
            return
        item = (_Reverse(order), html)
        if len(rows) < self.limit:
            heapq.heappush(rows, item)  # type: ignore[arg-type]
        elif order < rows[0][0].key:  # type: ignore[attr-defined]
            heapq.heapreplace(rows, item)  # type: ignore[arg-type]

    def _sorted(self, rows: list[tuple[Any, str]]) -> list[str]:
        if self.limit is None:
            return [html for _key, html in sorted(rows, key=lambda kv: kv[0])]
        return [html for _key, html in sorted(rows, key=lambda kv: kv[0].key)]

    def _left_out(self, shown: int, total: int) -> str:
        if shown >= total:
            return ""
        where = f" Every record's findings: <code>{escape(self.findings)}</code>." if self.findings else ""
        return f"<p>{total - shown} more record(s) not listed here (the worst {shown} are).{where}</p>"

    def licence_origins(self) -> dict[str, int]:
        """Datasets per licence origin, as `licence_origins` counts them."""
        return {origin: self.licences.get(origin, 0) for origin in LICENCE_ORIGINS}

    def render(
        self, title: str = "luxcat validation report", *, dropped: dict[str, list[dict[str, str]]] | None = None
    ) -> str:
        """The report as one HTML document (with the map stage's dropped values, when given)."""
        summary = (
            f"<p>{self.records} record(s), {self.conforming} conform, {self.records - self.conforming} do not. "
            f"Results: {self.severities.get('Violation', 0)} Violation, {self.severities.get('Warning', 0)} Warning, "
            f"{self.severities.get('Info', 0)} Info."
            + (f" Mean score {self.score_sum / self.scored:.0f}/{MAX_SCORE}." if self.scored else "")
            + "</p>"
        )
        group_rows = [
            f'<tr><td class="{escape(sev)}">{escape(sev)}</td><td><code>{escape(shape)}</code></td>'
            f"<td>{escape(msg)}</td><td>{count}</td><td>{self.group_records[(sev, shape, msg)]}</td></tr>"
            for (sev, shape, msg), count in sorted(self.groups.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        groups = (
            "<table><tr><th>severity</th><th>shape</th><th>message</th><th>results</th><th>records</th></tr>"
            + "".join(group_rows)
            + "</table>"
        )
        overview_rows = self._sorted(self._overview)
        overview = (
            "<table><tr><th>record</th><th>conforms</th><th>score</th><th>Violations</th><th>Warnings</th>"
            f"<th>Infos</th></tr>{''.join(overview_rows)}</table>"
        ) + self._left_out(len(overview_rows), self.records)
        problems = self._sorted(self._problems)
        body = [
            f"<h1>{escape(title)}</h1>",
            summary,
            _counts("Licence origin", self.licence_origins(), LICENCE_NOTE),
            *([_dropped(dropped)] if dropped else []),
            "<h2>Score distribution</h2>",
            _chart(self.bins),
            "<h2>Results by shape and message</h2>",
            groups,
            "<h2>Records</h2>",
            overview,
            f"<h2>Problems per record ({self.with_problems} record(s))</h2>",
            *problems,
            self._left_out(len(problems), self.with_problems),
        ]
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>"
        )


class _Reverse:
    """Inverts ordering so heapq (a min-heap) keeps the `limit` smallest keys at hand."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Reverse) -> bool:
        return bool(self.key > other.key)


def _overview_row(r: ValidationReport) -> str:
    counts = Counter(res.severity for res in r.results)
    status = '<span class="ok">yes</span>' if r.conforms else '<span class="Violation">no</span>'
    score = "" if r.score is None else f"{r.score} ({rating(r.score)})"
    return (
        f"<tr><td><code>{escape(r.dataset)}</code></td><td>{status}</td><td>{score}</td>"
        + "".join(f"<td>{counts.get(sev, 0)}</td>" for sev in ("Violation", "Warning", "Info"))
        + "</tr>"
    )
