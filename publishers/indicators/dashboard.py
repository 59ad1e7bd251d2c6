"""The static HTML dashboard (French and English): headline figures, time series, publishers, licences, quality, HVD.

Self-contained pages: inline CSS, charts as inline SVG (svg.py), no script, font or remote resource,
so they can be served from any folder or bucket and read offline. Each publisher row links to a
page listing that publisher's validation findings (SHACL and strategy rules) per dataset.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from publishers.indicators import svg
from publishers.indicators.csvw import CSV_NAME, METADATA_NAME, number
from publishers.indicators.definitions import INDICATORS, SCOPES
from publishers.indicators.history import Row

LANGS = ("fr", "en")
PAGE = {"fr": "index.html", "en": "index.en.html"}
TEXT: dict[str, dict[str, str]] = {
    "title": {"fr": "Indicateurs des données ouvertes du Luxembourg", "en": "Luxembourg open data indicators"},
    "intro": {
        "fr": "Suivi de la stratégie nationale des données ouvertes, calculé sur le catalogue national après "
        "chaque publication.",
        "en": "Progress of the national open data strategy, computed on the national catalogue after each publication.",
    },
    "updated": {"fr": "Dernier calcul", "en": "Last computation"},
    "headline": {"fr": "Chiffres clés", "en": "Headline figures"},
    "series": {"fr": "Séries temporelles (national)", "en": "Time series (national)"},
    "publishers": {"fr": "Éditeurs", "en": "Publishers"},
    "licences": {"fr": "Répartition des licences", "en": "Licence mix"},
    "bands": {"fr": "Notes de qualité MQA", "en": "MQA rating bands"},
    "hvd": {"fr": "Données de forte valeur par catégorie", "en": "High-value datasets per category"},
    "themes": {"fr": "Thèmes prioritaires", "en": "Priority themes"},
    "trend": {"fr": "Tendance (jeux)", "en": "Trend (datasets)"},
    "findings": {"fr": "constats de validation", "en": "validation findings"},
    "data": {"fr": "Données", "en": "Data"},
    "other": {"fr": "English", "en": "Français"},
    "dataset": {"fr": "Jeu de données", "en": "Dataset"},
    "none": {"fr": "Aucun constat.", "en": "No finding."},
    "back": {"fr": "Retour au tableau de bord", "en": "Back to the dashboard"},
    "cc_other": {"fr": "Autres Creative Commons", "en": "Other Creative Commons"},
    "open_other": {"fr": "Autres licences ouvertes", "en": "Other open licences"},
    "nc": {"fr": "Non commerciale", "en": "Non-commercial"},
    "nolic": {"fr": "Sans licence", "en": "No licence"},
    "rest": {"fr": "Autres (non reconnues, restrictives)", "en": "Other (unrecognised, restrictive)"},
    "origins": {"fr": "Origine des licences", "en": "Licence origin"},
    "stated": {"fr": "Indiquée par la fiche", "en": "Stated by the record"},
    "default": {"fr": "Défaut de la source", "en": "Source default"},
}
BAND_NAMES = {
    "excellent": {"fr": "Excellente (351-405)", "en": "Excellent (351-405)"},
    "good": {"fr": "Bonne (221-350)", "en": "Good (221-350)"},
    "sufficient": {"fr": "Suffisante (121-220)", "en": "Sufficient (121-220)"},
    "bad": {"fr": "Insuffisante (0-120)", "en": "Bad (0-120)"},
}
HEADLINE = (
    "datasets.total", "licence.open_share", "licence.cc0_share", "quality.dcat_ap_share", "quality.mqa_mean",
    "hvd.datasets", "formats.machine_readable_share", "freshness.fresh_share", "multilingual.two_languages_share",
)  # fmt: skip
PUBLISHER_COLUMNS = ("datasets.total", "licence.open_share", "quality.dcat_ap_share", "quality.mqa_mean",
                     "formats.machine_readable_share")  # fmt: skip
CSS = (
    "body{font-family:sans-serif;margin:1.5rem;color:#222;max-width:1200px}h1{font-size:1.6rem}"
    "h2{margin-top:2rem;border-bottom:1px solid #ccc}.cards{display:flex;flex-wrap:wrap;gap:.8rem}"
    ".card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;min-width:9rem}.card b{font-size:1.4rem;"
    "display:block}.grid{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;width:360px}figcaption{font-size:.85rem}"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;"
    "vertical-align:middle}td.n{text-align:right}"
)


def publisher_slug(publisher_id: str) -> str:
    """A stable file name for a publisher's findings page."""
    return hashlib.sha256(publisher_id.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Findings:
    """One publisher's validation findings: dataset URI -> results (severity, message, path, shape)."""

    label: str
    datasets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    more: int = 0  # datasets with findings beyond those listed


class Series:
    """The rows indexed by (scope, scope id, indicator) -> [(date, value)]."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.points: dict[tuple[str, str, str], list[tuple[date, float]]] = defaultdict(list)
        self.labels: dict[tuple[str, str], str] = {}
        self.dates: set[date] = set()
        for r in rows:
            self.points[(r.scope, r.scope_id, r.indicator)].append((r.date, r.value))
            self.labels[(r.scope, r.scope_id)] = r.scope_label
            self.dates.add(r.date)
        self.last = max(self.dates) if self.dates else None

    def latest(self, scope: str, scope_id: str, indicator: str) -> float | None:
        pts = self.points.get((scope, scope_id, indicator))
        return pts[-1][1] if pts and pts[-1][0] == self.last else None

    def ids(self, scope: str) -> list[str]:
        return sorted(
            {sid for (s, sid) in self.labels if s == scope and self.latest(s, sid, "datasets.total") is not None}
        )


def _scope_name(series: Series, scope: str, sid: str, lang: str) -> str:
    """A theme's or HVD category's name in the page's language (tables), else the stored label."""
    from publishers.indicators.vocab import PRIORITY_THEMES, hvd_labels

    names = PRIORITY_THEMES.get(sid) if scope == "theme" else hvd_labels().get(sid) if scope == "hvd" else None
    return (names or {}).get(lang) or series.labels[(scope, sid)]


def _label(indicator: str, lang: str) -> str:
    ind = INDICATORS[indicator]
    return ind.label_fr if lang == "fr" else ind.label_en


def _value(value: float | None, indicator: str) -> str:
    if value is None:
        return "–"
    return number(value) + (" %" if INDICATORS[indicator].unit == "percent" else "")


def _page(lang: str, title: str, body: str) -> str:
    """A self-contained page: inline CSS, and an empty inline icon so browsers ask the server for nothing."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def _headline(series: Series, lang: str) -> str:
    cards = "".join(
        f'<div class="card" data-indicator="{i}"><b>{_value(series.latest("nation", "LU", i), i)}</b>'
        f"{escape(_label(i, lang))}</div>"
        for i in HEADLINE
    )
    return f'<h2>{TEXT["headline"][lang]}</h2><div class="cards">{cards}</div>'


def _timeseries(series: Series, lang: str) -> str:
    figures = []
    for indicator, ind in INDICATORS.items():
        points = series.points.get(("nation", "LU", indicator))
        if not points:
            continue
        chart = svg.line_chart(points, title=_label(indicator, lang), unit=ind.unit, chart_id=f"series-{indicator}")
        definition = ind.definition_fr if lang == "fr" else ind.definition_en
        figures.append(
            f"<figure>{chart}<figcaption><b>{escape(_label(indicator, lang))}</b><br>{escape(definition)}"
            "</figcaption></figure>"
        )
    return f'<h2>{TEXT["series"][lang]}</h2><div class="grid">{"".join(figures)}</div>'


def _licences(series: Series, lang: str) -> str:
    get = lambda i: series.latest("nation", "LU", i)  # noqa: E731
    total = get("datasets.total") or 0
    if not total:
        return ""
    cc0, cc, opn = get("licence.cc0_share") or 0, get("licence.cc_share") or 0, get("licence.open_share") or 0
    nc = 100 * (get("licence.non_commercial") or 0) / total
    none = 100 * (get("licence.none") or 0) / total
    other_cc = max(cc - cc0, 0.0)
    other_open = max(opn - cc0 - other_cc, 0.0)
    rest = max(100 - cc0 - other_cc - other_open - nc - none, 0.0)
    parts = [("CC0", cc0), (TEXT["cc_other"][lang], other_cc), (TEXT["open_other"][lang], other_open),
             (TEXT["nc"][lang], nc), (TEXT["nolic"][lang], none), (TEXT["rest"][lang], rest)]  # fmt: skip
    chart = svg.stacked_bar([(k, round(v, 2)) for k, v in parts], title=TEXT["licences"][lang], chart_id="licence-mix")
    origins = [(TEXT[key][lang], get(f"licence.origin_{name}_share")) for key, name in
               (("stated", "stated"), ("default", "source_default"), ("nolic", "none"))]  # fmt: skip
    if all(share is not None for _, share in origins):  # computations before issue 18 lack them
        chart += svg.stacked_bar(
            [(k, round(v or 0, 2)) for k, v in origins], title=TEXT["origins"][lang], chart_id="licence-origin"
        )
    return f"<h2>{TEXT['licences'][lang]}</h2>{chart}"


def _bands(series: Series, lang: str) -> str:
    items = [(BAND_NAMES[b][lang], series.latest("nation", "LU", f"quality.band_{b}_share")) for b in BAND_NAMES]
    if all(v is None for _, v in items):
        return ""
    chart = svg.bars([(k, v or 0.0) for k, v in items], title=TEXT["bands"][lang], chart_id="rating-bands")
    return f"<h2>{TEXT['bands'][lang]}</h2>{chart}"


def _hvd(series: Series, lang: str) -> str:
    ids = series.ids("hvd")
    if not ids:
        return ""
    counts = [(_scope_name(series, "hvd", i, lang), series.latest("hvd", i, "datasets.total") or 0.0) for i in ids]
    chart = svg.bars(counts, title=TEXT["hvd"][lang], chart_id="hvd-coverage", unit="count")
    cols = ("hvd.legislation_share", "hvd.api_share", "hvd.bulk_download_share")
    head = "".join(f"<th>{escape(_label(c, lang))}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{escape(_scope_name(series, 'hvd', i, lang))}</td>"
        + "".join(f'<td class="n">{_value(series.latest("hvd", i, c), c)}</td>' for c in cols)
        + "</tr>"
        for i in ids
    )
    return f"<h2>{TEXT['hvd'][lang]}</h2>{chart}<table><tr><th></th>{head}</tr>{rows}</table>"


def _themes(series: Series, lang: str) -> str:
    ids = series.ids("theme")
    if not ids:
        return ""
    items = [(_scope_name(series, "theme", i, lang), series.latest("theme", i, "datasets.total") or 0.0) for i in ids]
    return f"<h2>{TEXT['themes'][lang]}</h2>" + svg.bars(
        items, title=TEXT["themes"][lang], chart_id="themes", unit="count"
    )


def _publishers(series: Series, lang: str) -> str:
    head = "".join(f"<th>{escape(_label(c, lang))}</th>" for c in PUBLISHER_COLUMNS)
    rows = []
    for pid in series.ids("publisher"):
        label = series.labels[("publisher", pid)]
        trend = [v for _, v in series.points.get(("publisher", pid, "datasets.total"), [])]
        spark = svg.sparkline(trend, title=f"{label}: {TEXT['trend'][lang]}", chart_id=f"spark-{publisher_slug(pid)}")
        cells = "".join(
            f'<td class="n">{_value(series.latest("publisher", pid, c), c)}</td>' for c in PUBLISHER_COLUMNS
        )
        link = f'<a href="findings/{publisher_slug(pid)}.{lang}.html">{TEXT["findings"][lang]}</a>'
        rows.append(
            f'<tr data-publisher="{escape(pid)}"><td>{escape(label)}</td>{cells}<td>{spark}</td><td>{link}</td></tr>'
        )
    return (
        f"<h2>{TEXT['publishers'][lang]}</h2><table><tr><th>{SCOPES['publisher'][lang]}</th>{head}"
        f"<th>{TEXT['trend'][lang]}</th><th></th></tr>{''.join(rows)}</table>"
    )


def render(rows: list[Row], lang: str) -> str:
    """One language's dashboard page."""
    series = Series(rows)
    other = "en" if lang == "fr" else "fr"
    nav = (
        f'<p><a href="{PAGE[other]}" hreflang="{other}">{TEXT["other"][lang]}</a> · {TEXT["data"][lang]}: '
        f'<a href="{CSV_NAME}">{CSV_NAME}</a>, <a href="{METADATA_NAME}">{METADATA_NAME}</a></p>'
    )
    body = (
        f"<h1>{TEXT['title'][lang]}</h1><p>{TEXT['intro'][lang]}</p>"
        f"<p>{TEXT['updated'][lang]}: {series.last or '–'}</p>"
        + nav
        + _headline(series, lang)
        + _licences(series, lang)
        + _bands(series, lang)
        + _hvd(series, lang)
        + _themes(series, lang)
        + _publishers(series, lang)
        + _timeseries(series, lang)
    )
    return _page(lang, TEXT["title"][lang], body)


FINDINGS_PAGE_DATASETS = 300
MORE = {"fr": "et {n} autres jeux avec constats (voir le rapport de validation de chaque source)",
        "en": "and {n} more datasets with findings (see each source's validation report)"}  # fmt: skip


FINDINGS_PAGE_DATASETS = 300
MORE = {"fr": "et {n} autres jeux avec constats (voir le rapport de validation de chaque source)",
        "en": "and {n} more datasets with findings (see each source's validation report)"}  # fmt: skip


def render_findings(findings: Findings, lang: str) -> str:
    """A publisher's validation findings page (the first datasets by URI, at most 10 findings each)."""
    items = []
    listed = sorted(findings.datasets.items())
    for uri, results in listed[:FINDINGS_PAGE_DATASETS]:
        lis = "".join(
            f"<li><b>{escape(r.get('severity') or '')}</b> {escape(r.get('message') or '')}"
            f"{' (' + escape(r['path']) + ')' if r.get('path') else ''}</li>"
            for r in results
        )
        items.append(f'<h3>{TEXT["dataset"][lang]}: <a href="{escape(uri)}">{escape(uri)}</a></h3><ul>{lis}</ul>')
    if findings.more:
        items.append(f"<p>{MORE[lang].format(n=findings.more)}</p>")
    if len(listed) > FINDINGS_PAGE_DATASETS:
        items.append(f"<p>{MORE[lang].format(n=len(listed) - FINDINGS_PAGE_DATASETS)}</p>")
    body = (
        f'<p><a href="../{PAGE[lang]}">{TEXT["back"][lang]}</a></p><h1>{escape(findings.label)}: '
        f"{TEXT['findings'][lang]}</h1>" + ("".join(items) or f"<p>{TEXT['none'][lang]}</p>")
    )
    return _page(lang, f"{findings.label}: {TEXT['findings'][lang]}", body)


def pages(rows: list[Row], findings: dict[str, Findings]) -> dict[str, bytes]:
    """Every dashboard file: relative name -> bytes."""
    out = {PAGE[lang]: render(rows, lang).encode("utf-8") for lang in LANGS}
    for pid, found in findings.items():
        for lang in LANGS:
            out[f"findings/{publisher_slug(pid)}.{lang}.html"] = render_findings(found, lang).encode("utf-8")
    return out
