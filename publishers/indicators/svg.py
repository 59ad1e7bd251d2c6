"""Charts as inline SVG strings, drawn in Python: the dashboard loads no script, font or stylesheet from anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

PALETTE = ("#1b6ca8", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261", "#e76f51", "#6c757d")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def line_chart(points: Sequence[tuple[date, float]], *, title: str, unit: str, chart_id: str) -> str:
    """A time series: dates on x, values on y, every point marked and labelled with its value."""
    width, height, left, right, top, bottom = 360, 160, 44, 12, 22, 28
    if not points:
        return ""
    values = [v for _, v in points]
    hi = 100.0 if unit == "percent" else max(max(values), 1.0)
    lo = 0.0
    span_x = max(len(points) - 1, 1)
    inner_w, inner_h = width - left - right, height - top - bottom

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (inner_w * i / span_x if len(points) > 1 else inner_w / 2)
        return round(x, 1), round(top + inner_h * (1 - (v - lo) / (hi - lo or 1)), 1)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(coords))
    parts = [
        f'<svg class="chart" data-chart="{escape(chart_id)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + inner_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{_fmt(hi)}</text>',
        f'<text x="{left - 4}" y="{top + inner_h}" font-size="10" text-anchor="end">0</text>',
        f'<path d="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>',
    ]
    for (x, y), (day, value) in zip(coords, points, strict=True):
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="{PALETTE[0]}"><title>{day}: {_fmt(value)}</title></circle>'
        )
    parts.append(
        f'<text x="{coords[-1][0]}" y="{coords[-1][1] - 6}" font-size="10" text-anchor="end">{_fmt(values[-1])}</text>'
    )
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="10">{points[0][0]}</text>')
    if len(points) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 8}" font-size="10" text-anchor="end">{points[-1][0]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float], *, title: str, chart_id: str, hi: float | None = None) -> str:
    """A small trend line for a table cell."""
    width, height = 90, 22
    if not values:
        return ""
    top = hi if hi is not None else max(max(values), 1.0)
    step = (width - 4) / max(len(values) - 1, 1)
    pts = [
        (
            round(2 + (step * i if len(values) > 1 else (width - 4) / 2), 1),
            round(height - 2 - (height - 4) * v / (top or 1), 1),
        )
        for i, v in enumerate(values)
    ]
    poly = " ".join(f"{x},{y}" for x, y in pts)
    return (
        f'<svg class="spark" data-chart="{escape(chart_id)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<polyline points="{poly}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
        f'<circle cx="{pts[-1][0]}" cy="{pts[-1][1]}" r="2" fill="{PALETTE[0]}"/></svg>'
    )


def bars(items: Sequence[tuple[str, float]], *, title: str, chart_id: str, unit: str = "percent") -> str:
    """Horizontal bars, one per labelled value (shares on a 0-100 scale)."""
    width, row, label_w = 420, 22, 170
    height = row * len(items) + 8
    top = 100.0 if unit == "percent" else max([v for _, v in items] + [1.0])
    parts = [
        f'<svg class="chart" data-chart="{escape(chart_id)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = round((width - label_w - 50) * value / (top or 1), 1)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{PALETTE[i % len(PALETTE)]}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
        )
        suffix = " %" if unit == "percent" else ""
        parts.append(f'<text x="{label_w + w + 4}" y="{y + 14}" font-size="11">{_fmt(value)}{suffix}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar(parts_in: Sequence[tuple[str, float]], *, title: str, chart_id: str) -> str:
    """One 100 % bar split into labelled shares, with a legend below."""
    width, bar_h = 420, 26
    legend_rows = len(parts_in)
    height = bar_h + 10 + 16 * legend_rows
    out = [
        f'<svg class="chart" data-chart="{escape(chart_id)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    x = 0.0
    for i, (label, share) in enumerate(parts_in):
        w = round(width * max(share, 0.0) / 100, 1)
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{round(x, 1)}" y="0" width="{w}" height="{bar_h}" fill="{color}"><title>{escape(label)}: '
                   f"{_fmt(share)} %</title></rect>")  # fmt: skip
        y = bar_h + 14 + 16 * i
        out.append(f'<rect x="0" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="14" y="{y}" font-size="11">{escape(label)}: {_fmt(share)} %</text>')
        x += w
    out.append("</svg>")
    return "".join(out)
