"""Indicators from dataset facts: one tally per scope (nation, publisher, source, priority theme, HVD category).

A share is only published when its denominator is not zero, and "new"/"withdrawn" only when a
previous computation exists: luxcat never invents a figure.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from publishers.indicators.definitions import INDICATORS
from publishers.indicators.facts import DatasetFacts
from publishers.indicators.vocab import PRIORITY_THEMES, hvd_labels, hvd_top_category
from validators.quality import rating

NATION = ("nation", "LU")
BANDS = ("excellent", "good", "sufficient", "bad")
Scope = tuple[str, str]


@dataclass(slots=True)
class Value:
    """One published figure."""

    scope: str
    scope_id: str
    scope_label: str
    indicator: str
    value: float

    @property
    def unit(self) -> str:
        return INDICATORS[self.indicator].unit


@dataclass(slots=True)
class Tally:
    """Counters of one scope."""

    label: str = ""
    total: int = 0
    new: int = 0
    withdrawn: int = 0
    open: int = 0
    cc0: int = 0
    cc: int = 0
    non_commercial: int = 0
    no_licence: int = 0
    licence_stated: int = 0
    licence_default: int = 0
    validated: int = 0
    conformant: int = 0
    scores: list[int] = field(default_factory=list)
    recommended: int = 0
    hvd: int = 0
    hvd_legislation: int = 0
    hvd_api: int = 0
    hvd_download: int = 0
    distributions: int = 0
    machine_readable: int = 0
    non_proprietary: int = 0
    periodic: int = 0
    fresh: int = 0
    two_languages: int = 0
    lb: int = 0

    def add(self, f: DatasetFacts, today: date) -> None:
        """Count one dataset."""
        self.total += 1
        if f.licences:
            self.open += all(c in ("cc0", "cc", "open") for c in f.licences)
            self.cc0 += all(c == "cc0" for c in f.licences)
            self.cc += any(c in ("cc0", "cc") for c in f.licences)
            self.non_commercial += "non-commercial" in f.licences
        else:
            self.no_licence += 1
        self.licence_stated += f.licence_origin == "stated"
        self.licence_default += f.licence_origin == "source-default"
        if f.conforms is not None:
            self.validated += 1
            self.conformant += f.conforms
        if f.score is not None:
            self.scores.append(f.score)
        self.recommended += f.recommended
        if f.hvd:
            self.hvd += 1
            self.hvd_legislation += f.legislation
            self.hvd_api += f.api
            self.hvd_download += f.download
        self.distributions += f.distributions
        self.machine_readable += f.machine_readable
        self.non_proprietary += f.non_proprietary
        if f.period_days is not None:
            self.periodic += 1
            self.fresh += f.modified is not None and (today - f.modified).days <= f.period_days
        self.two_languages += f.title_languages >= 2 and f.description_languages >= 2
        self.lb += f.lb

    def figures(self, *, history: bool) -> dict[str, float]:
        """indicator id -> value, shares only over a non-empty denominator."""
        out: dict[str, float] = {"datasets.total": self.total}
        if history:
            out["datasets.new"] = self.new
            out["datasets.withdrawn"] = self.withdrawn
        if self.total == 0:
            return out
        out.update(
            {
                "licence.open_share": _share(self.open, self.total),
                "licence.cc0_share": _share(self.cc0, self.total),
                "licence.cc_share": _share(self.cc, self.total),
                "licence.non_commercial": self.non_commercial,
                "licence.none": self.no_licence,
                "licence.origin_stated": self.licence_stated,
                "licence.origin_stated_share": _share(self.licence_stated, self.total),
                "licence.origin_source_default": self.licence_default,
                "licence.origin_source_default_share": _share(self.licence_default, self.total),
                "licence.origin_none_share": _share(self.no_licence, self.total),
                "quality.recommended_share": _share(self.recommended, self.total),
                "hvd.datasets": self.hvd,
                "formats.distributions": self.distributions,
                "multilingual.two_languages_share": _share(self.two_languages, self.total),
                "multilingual.lb_share": _share(self.lb, self.total),
            }
        )
        if self.validated:
            out["quality.dcat_ap_share"] = _share(self.conformant, self.validated)
        if self.scores:
            out["quality.mqa_mean"] = round(statistics.fmean(self.scores), 1)
            out["quality.mqa_median"] = float(statistics.median(self.scores))
            bands = {band: 0 for band in BANDS}
            for score in self.scores:
                bands[rating(score)] += 1
            for band in BANDS:
                out[f"quality.band_{band}_share"] = _share(bands[band], len(self.scores))
        if self.hvd:
            out["hvd.legislation_share"] = _share(self.hvd_legislation, self.hvd)
            out["hvd.api_share"] = _share(self.hvd_api, self.hvd)
            out["hvd.bulk_download_share"] = _share(self.hvd_download, self.hvd)
        if self.distributions:
            out["formats.machine_readable_share"] = _share(self.machine_readable, self.distributions)
            out["formats.non_proprietary_share"] = _share(self.non_proprietary, self.distributions)
        if self.periodic:
            out["freshness.fresh_share"] = _share(self.fresh, self.periodic)
            out["freshness.stale"] = self.periodic - self.fresh
        return out


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2)


def scopes_of(f: DatasetFacts) -> list[Scope]:
    """Every scope one dataset counts in."""
    out: list[Scope] = [NATION, ("publisher", f.publisher_id)]
    out += [("source", s) for s in f.sources]
    out += [("theme", t) for t in sorted(f.themes)]
    out += sorted({("hvd", hvd_top_category(c) or c) for c in f.hvd})
    return out


def scope_label(scope: Scope, publisher_names: dict[str, str]) -> str:
    """A readable name for a scope id (English where the tables give one)."""
    kind, sid = scope
    if kind == "nation":
        return "Luxembourg"
    if kind == "publisher":
        return publisher_names.get(sid) or ("(no publisher)" if sid == "none" else sid)
    if kind == "theme":
        return PRIORITY_THEMES.get(sid, {}).get("en", sid)
    if kind == "hvd":
        return hvd_labels().get(sid, {}).get("en", sid)
    return sid


@dataclass(slots=True)
class Inventory:
    """One inventory source: its rows at the last harvest and its owner (a publisher name)."""

    source_id: str
    rows: int
    owner: str


def compute(
    facts: Iterable[DatasetFacts],
    today: date,
    *,
    previous: dict[str, str] | None,
    inventories: Iterable[Inventory] = (),
) -> tuple[list[Value], dict[str, str]]:
    """(published values, uri -> scopes of this computation as JSON); `previous` is an earlier day's map."""
    tallies: dict[Scope, Tally] = {}
    names: dict[str, str] = {}
    current: dict[str, str] = {}
    keys: dict[tuple[Scope, ...], str] = {}  # datasets share few scope combinations: one JSON string each
    for f in facts:
        if f.publisher_name:
            names.setdefault(f.publisher_id, f.publisher_name)
        scopes = scopes_of(f)
        combo = tuple(scopes)
        current[f.uri] = keys.get(combo) or keys.setdefault(combo, json.dumps(scopes))
        for scope in scopes:
            tally = tallies.setdefault(scope, Tally())
            tally.add(f, today)
            if previous is not None and f.uri not in previous:
                tally.new += 1
    if previous is not None:
        for uri, scopes in previous.items():
            if uri not in current:
                for scope in json.loads(scopes):
                    tallies.setdefault(tuple(scope), Tally()).withdrawn += 1  # type: ignore[arg-type]
    tallies.setdefault(NATION, Tally())
    values: list[Value] = []
    for scope, tally in sorted(tallies.items()):
        label = scope_label(scope, names)
        for indicator, value in tally.figures(history=previous is not None).items():
            values.append(Value(scope[0], scope[1], label, indicator, value))
    values += _inventory_values(list(inventories), tallies, names)
    return values, current


def _inventory_values(inventories: list[Inventory], tallies: dict[Scope, Tally], names: dict[str, str]) -> list[Value]:
    """Inventory rows versus datasets published from them, per source, per owning publisher and nationally."""
    if not inventories:
        return []
    by_name = {" ".join(n.lower().split()): pid for pid, n in names.items()}
    groups: dict[Scope, tuple[str, int, int]] = {}
    for inv in inventories:
        published = tallies.get(("source", inv.source_id), Tally()).total
        pid = by_name.get(" ".join(inv.owner.lower().split()), "name:" + " ".join(inv.owner.lower().split()))
        scopes = (
            (("source", inv.source_id), inv.source_id),
            (("publisher", pid), names.get(pid, inv.owner)),
            (NATION, "Luxembourg"),
        )
        for scope, label in scopes:
            _, rows, pub = groups.get(scope, (label, 0, 0))
            groups[scope] = (label, rows + inv.rows, pub + published)
    out: list[Value] = []
    for (kind, sid), (label, rows, published) in sorted(groups.items()):
        out.append(Value(kind, sid, label, "inventory.rows", rows))
        out.append(Value(kind, sid, label, "inventory.published", published))
        if rows:
            out.append(Value(kind, sid, label, "inventory.published_share", _share(published, rows)))
    return out
