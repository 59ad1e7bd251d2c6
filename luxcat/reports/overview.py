"""The operators' overview of every source: one row each, from the state and artifact stores.

Kind, owner, last run (state, mode, complete or not), its counts and reject share, the MQA mean of
its report, the last successful full run, a trend of the last runs and the report link; broken
source files are listed in red with their problems, so a typo is not a silently missing source.
Plain HTML and inline SVG (no script): the Airflow plugin serves it inside the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from luxcat.artifacts import ArtifactStore
from luxcat.config import ConfigProblem, SourceConfig, check_paths, sources_dir
from luxcat.reports.build import report_document, report_location
from luxcat.reports.links import airflow_url
from luxcat.store import Run, StateStore

TREND_RUNS = 10
STATE_COLOURS = {"success": "#2e7d32", "failed": "#c62828", "running": "#1565c0"}


@dataclass(slots=True)
class SourceRow:
    """Everything the overview shows about one source."""

    cfg: SourceConfig
    last: Run | None = None
    last_full: Run | None = None
    trend: list[Run] = field(default_factory=list)
    mqa_mean: float | None = None
    report: str | None = None

    @property
    def reject_share(self) -> float | None:
        if self.last is None:
            return None
        c = self.last.counts  # rejected counts every stage; seen excludes what the harvest itself rejected
        harvest_rejected = int((self.last.details.get("harvest") or {}).get("rejected", 0))
        total = c.seen + harvest_rejected
        return c.rejected / total if total else None


def source_rows(
    store: StateStore, artifacts: ArtifactStore, directory: Path | None = None
) -> tuple[list[SourceRow], list[ConfigProblem]]:
    """One row per valid source file (enabled or not) and the problems of the broken ones."""
    configs, problems = check_paths([directory or sources_dir()], deep=False)
    rows = []
    for cfg in configs:
        runs = store.runs(cfg.id, limit=200)
        row = SourceRow(cfg, last=runs[0] if runs else None, trend=list(reversed(runs[:TREND_RUNS])))
        row.last_full = next((r for r in runs if r.status == "success" and r.mode == "full" and r.complete), None)
        for run in runs[:20]:  # the latest run that has (or links) a report
            location = report_location(store, artifacts, cfg.id, run.id)
            if location:
                row.report = airflow_url(location)
                document = report_document(artifacts, cfg.id, run.id)
                row.mqa_mean = document.get("mqa_mean") if document else None
                break
        rows.append(row)
    return rows, problems


def trend_svg(runs: list[Run]) -> str:
    """The last runs, oldest first: bar height = records seen, colour = state, red cap = rejected share."""
    if not runs:
        return ""
    top = max((r.counts.seen + r.counts.rejected for r in runs), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{len(runs) * 9}" height="24" role="img" '
        'aria-label="trend of the last runs">'
    ]
    for i, run in enumerate(runs):
        total = run.counts.seen + run.counts.rejected
        h = max(2, round(total / top * 22))
        rej = round(run.counts.rejected / top * 22)
        colour = STATE_COLOURS.get(run.status, "#777")
        title = escape(run.summary())
        parts.append(
            f'<rect x="{i * 9}" y="{24 - h}" width="7" height="{h}" fill="{colour}"><title>#{run.id} '
            f"{title}</title></rect>"
        )
        if rej:
            parts.append(f'<rect x="{i * 9}" y="{24 - h}" width="7" height="{rej}" fill="#ff8a80"/>')
    parts.append("</svg>")
    return "".join(parts)


def _run_cell(run: Run | None) -> str:
    if run is None:
        return '<span class="muted">never run</span>'
    state = run.status if run.status != "success" else ("complete" if run.complete else "INCOMPLETE")
    colour = STATE_COLOURS.get(run.status, "#777") if run.complete or run.status != "success" else "#a65f00"
    return (
        f'<span style="color:{colour}">{escape(run.status)}</span> #{run.id}, {escape(run.mode)}, '
        f"{escape(state)}<br><small>{run.started_at:%Y-%m-%d %H:%M} UTC</small>"
    )


def _row(row: SourceRow) -> str:
    cfg, last = row.cfg, row.last
    counts = (
        ""
        if last is None
        else (
            f"{last.counts.seen} seen, {last.counts.new} new, {last.counts.changed} changed, "
            f"{last.counts.rejected} rejected, {last.counts.withdrawn} withdrawn"
        )
    )
    share = row.reject_share
    full = "—" if row.last_full is None else f"#{row.last_full.id} {row.last_full.started_at:%Y-%m-%d %H:%M}"
    report = f'<a href="{escape(row.report)}" target="_blank">report</a>' if row.report else "—"
    enabled = "" if cfg.enabled else ' <span class="muted">(disabled)</span>'
    return (
        f'<tr id="source-{escape(cfg.id)}"><td><code>{escape(cfg.id)}</code>{enabled}<br>'
        f"<small>{escape(cfg.title_in('en'))}</small></td><td>{escape(cfg.harvester.kind)}</td>"
        f"<td>{escape(cfg.owner.name)}</td><td>{_run_cell(last)}</td><td>{counts}</td>"
        f"<td>{'—' if share is None else f'{share:.1%}'}</td>"
        f"<td>{'—' if row.mqa_mean is None else f'{row.mqa_mean:.0f}/405'}</td><td>{full}</td>"
        f"<td>{trend_svg(row.trend)}</td><td>{report}</td></tr>"
    )


CSS = """body{font-family:system-ui,sans-serif;margin:1rem;color:#222}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.85rem}
th{background:#f3f3f3}.muted{color:#777}.config-error{color:#b00020}"""


def render_overview(rows: list[SourceRow], problems: list[ConfigProblem]) -> str:
    """The whole page."""
    errors = ""
    if problems:
        by_file: dict[str, list[ConfigProblem]] = {}
        for problem in problems:
            by_file.setdefault(problem.file, []).append(problem)
        items = "".join(
            f'<li class="config-error"><code>{escape(Path(file).name)}</code>: '
            + "; ".join(escape(f"{p.path}: {p.message}" if p.path else p.message) for p in found)
            + "</li>"
            for file, found in sorted(by_file.items())
        )
        errors = f'<h2 class="config-error">Source files with errors ({len(by_file)})</h2><ul>{items}</ul>'
    head = (
        "<tr><th>source</th><th>kind</th><th>owner</th><th>last run</th><th>counts</th><th>rejected</th>"
        "<th>MQA mean</th><th>last successful full run</th><th>trend</th><th>report</th></tr>"
    )
    body = "".join(_row(r) for r in rows)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        "<title>luxcat sources</title>"
        f"<style>{CSS}</style></head><body><h1>luxcat sources</h1>{errors}"
        f"<table>{head}{body}</table></body></html>"
    )


def overview_html(store: StateStore, artifacts: ArtifactStore, directory: Path | None = None) -> str:
    """The overview page for the sources in `directory` (default: LUXCAT_SOURCES)."""
    rows, problems = source_rows(store, artifacts, directory)
    return render_overview(rows, problems)


def overview_json(store: StateStore, artifacts: ArtifactStore, directory: Path | None = None) -> dict[str, Any]:
    """The same as data (for scripts and tests)."""
    rows, problems = source_rows(store, artifacts, directory)
    return {
        "sources": [
            {
                "id": r.cfg.id,
                "kind": r.cfg.harvester.kind,
                "owner": r.cfg.owner.name,
                "enabled": r.cfg.enabled,
                "last_run": None
                if r.last is None
                else {
                    "id": r.last.id,
                    "status": r.last.status,
                    "mode": r.last.mode,
                    "complete": r.last.complete,
                    **r.last.counts.as_dict(),
                },
                "reject_share": r.reject_share,
                "mqa_mean": r.mqa_mean,
                "last_full_run": None if r.last_full is None else r.last_full.id,
                "trend": [{"id": t.id, "status": t.status, "seen": t.counts.seen} for t in r.trend],
                "report": r.report,
            }
            for r in rows
        ],
        "config_errors": [str(p) for p in problems],
    }
