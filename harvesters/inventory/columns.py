"""The column mapping of a spreadsheet inventory, as written in the source's YAML.

Ministries keep inventories with one row per dataset and their own column names; the mapping says
which column holds what. Without one, the conventional names below are used (title_fr, title_de,
description_en, distribution_1_url, distribution_1_format, ...), taking only the columns present.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

LANGUAGES = ("fr", "de", "en", "lb")
_DIST = re.compile(r"^distribution_(\d+)_(url|format|title)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class DistributionColumns(Strict):
    """Columns of one distribution (an inventory may have any number of them)."""

    url: str
    """column with the distribution's download or access URL"""
    format: str | None = None
    """column with its format (EU file-type code, extension or media type)"""
    title: str | None = None
    """column with its title"""


class ColumnMapping(Strict):
    """Which column holds which field; per-language fields map a language to a column."""

    id: str = "id"
    """column with the dataset's identifier (unique per row; rows without one are rejected)"""
    title: dict[str, str] = Field(default_factory=lambda: {lang: f"title_{lang}" for lang in LANGUAGES})
    """language -> column with the title in that language"""
    description: dict[str, str] = Field(default_factory=lambda: {lang: f"description_{lang}" for lang in LANGUAGES})
    """language -> column with the description in that language"""
    keywords: str | None = "keywords"
    """column with keywords separated by keyword_separator"""
    keyword_separator: str = Field(default=";", min_length=1)
    """separator of several values in one cell (keywords, themes)"""
    theme: str | None = "theme"
    """column with EU data themes (code, URI or label), several separated by keyword_separator"""
    licence: str | None = "licence"
    """column with the licence (EU licence code, URL or name)"""
    frequency: str | None = "frequency"
    """column with the update frequency (EU frequency code or a word in fr/de/en)"""
    publisher: str | None = "publisher"
    """column with the publishing organisation's name"""
    contact_email: str | None = "contact_email"
    """column with the contact point's e-mail address"""
    landing_page: str | None = "landing_page"
    """column with the dataset's web page"""
    issued: str | None = "issued"
    """column with the publication date"""
    modified: str | None = "modified"
    """column with the last modification date"""
    distributions: list[DistributionColumns] = Field(default_factory=list)
    """columns of each distribution, one entry per distribution"""
    strict: bool = Field(default=False, description="every named column must exist in the file")

    def single(self) -> dict[str, str]:
        """Field -> column for the one-column fields that are set."""
        names = ("keywords", "theme", "licence", "frequency", "publisher", "contact_email", "landing_page",
                 "issued", "modified")  # fmt: skip
        return {name: getattr(self, name) for name in names if getattr(self, name)}

    def resolve(self, header: list[str]) -> tuple[ColumnMapping, list[str]]:
        """This mapping fitted to a file's header: (mapping limited to present columns, missing named columns).

        With no distributions configured, distribution_<n>_url/format/title columns are detected.
        """
        present = set(header)
        missing = [c for c in self.columns() if c not in present]
        data = self.model_dump()
        data["title"] = {k: v for k, v in self.title.items() if v in present}
        data["description"] = {k: v for k, v in self.description.items() if v in present}
        for name, column in self.single().items():
            if column not in present:
                data[name] = None
        if not self.distributions:
            data["distributions"] = detect_distributions(header)
        else:
            data["distributions"] = [d.model_dump() for d in self.distributions if d.url in present]
        return ColumnMapping.model_validate(data), missing

    def columns(self) -> list[str]:
        """Every column this mapping names."""
        names = [self.id, *self.title.values(), *self.description.values(), *self.single().values()]
        for dist in self.distributions:
            names += [c for c in (dist.url, dist.format, dist.title) if c]
        return names


def detect_distributions(header: list[str]) -> list[dict[str, str]]:
    """distribution_<n>_url (+ _format, _title) columns of a header, in order of n."""
    found: dict[int, dict[str, str]] = {}
    for column in header:
        match = _DIST.match(column.strip().lower())
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = column
    return [found[n] for n in sorted(found) if "url" in found[n]]
