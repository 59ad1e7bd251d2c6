"""The tables indicators classify with: priority themes, open licences, file-type flags, update periods.

The six priority themes are those of Luxembourg's open data strategy, which are also the six HVD
categories of Implementing Regulation (EU) 2023/138. Which EU data theme, HVD category or INSPIRE
theme counts toward which priority theme is data (`data/priority-themes.csv`, one row per concept
with the basis of the choice); HVD sub-categories reach their theme through the EU HVD table's own
`skos:broader` links.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from mappers.vocabularies import file_type
from mappers.vocabularies._data import read_graph
from mappers.vocabularies.format_flags import machine_readable_codes, non_proprietary_codes

DATA = Path(__file__).resolve().parent / "data"
THEMES_TABLE = DATA / "priority-themes.csv"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
LICENCE_BASE = "http://publications.europa.eu/resource/authority/licence/"
FREQ_BASE = "http://publications.europa.eu/resource/authority/frequency/"
HVD_SCHEME = "http://data.europa.eu/bna/asd487ae75"

# id -> labels; the order is the strategy's.
PRIORITY_THEMES: dict[str, dict[str, str]] = {
    "geospatial": {"en": "Geospatial", "fr": "Géospatial"},
    "earth-observation-environment": {"en": "Earth observation and environment",
                                      "fr": "Observation de la Terre et environnement"},
    "meteorological": {"en": "Meteorological", "fr": "Météorologie"},
    "statistical": {"en": "Statistical", "fr": "Statistiques"},
    "mobility": {"en": "Mobility", "fr": "Mobilité"},
    "companies": {"en": "Companies and company ownership", "fr": "Entreprises et propriété des entreprises"},
}  # fmt: skip

# Longest time a dataset may go without an update and still be "within its declared periodicity",
# in days, per EU frequency code (the code's own meaning; months and years at their longest).
# Codes without a period (IRREG, UNKNOWN, AS_NEEDED, NEVER, CONT, UPDATE_CONT, OTHER...) are not measured.
FREQUENCY_DAYS: dict[str, int] = {
    "1MIN": 1, "5MIN": 1, "10MIN": 1, "15MIN": 1, "30MIN": 1, "HOURLY": 1, "BIHOURLY": 1, "TRIHOURLY": 1,
    "12HRS": 1, "DAILY": 1, "DAILY_2": 1, "DAILY_3": 1, "WEEKLY": 7, "WEEKLY_2": 7, "WEEKLY_3": 7,
    "BIWEEKLY": 14, "MONTHLY": 31, "MONTHLY_2": 31, "MONTHLY_3": 31, "BIMONTHLY": 62, "QUARTERLY": 92,
    "ANNUAL_2": 184, "ANNUAL_3": 122, "ANNUAL": 366, "BIENNIAL": 731, "TRIENNIAL": 1096,
    "QUADRENNIAL": 1461, "QUINQUENNIAL": 1827, "DECENNIAL": 3653, "BIDECENNIAL": 7305, "TRIDECENNIAL": 10958,
}  # fmt: skip


@functools.cache
def theme_table() -> dict[str, str]:
    """Concept URI (EU data theme, HVD category or sub-category, INSPIRE theme) -> priority theme id."""
    table: dict[str, str] = {}
    with THEMES_TABLE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["priority_theme"] not in PRIORITY_THEMES:
                raise ValueError(f"{THEMES_TABLE.name}: {row['concept']}: unknown theme {row['priority_theme']!r}")
            table[row["concept"]] = row["priority_theme"]
    for concept, top in _hvd_tops().items():
        if top in table and concept not in table:
            table[concept] = table[top]
    return table


@functools.cache
def hvd_top_category(uri: str) -> str | None:
    """The top HVD category (one of the six) of a category or sub-category URI; None if not in the table."""
    return _hvd_tops().get(uri)


@functools.cache
def _hvd_graph() -> Graph:
    return read_graph("eu-authority/high-value-dataset-category.rdf")


@functools.cache
def _hvd_tops() -> dict[str, str]:
    """HVD concept URI -> its top category URI (through skos:broader)."""
    hvd = _hvd_graph()
    tops: dict[str, str] = {}
    for concept in hvd.subjects(SKOS.inScheme, URIRef(HVD_SCHEME)):
        top, seen = concept, {concept}
        while (parent := hvd.value(top, SKOS.broader)) is not None and parent not in seen:
            seen.add(parent)
            top = parent
        tops[str(concept)] = str(top)
    return tops


@functools.cache
def hvd_labels() -> dict[str, dict[str, str]]:
    """Top HVD category URI -> {en, fr} labels from the EU table."""
    hvd = _hvd_graph()
    out: dict[str, dict[str, str]] = {}
    for top in set(_hvd_tops().values()):
        for label in hvd.objects(URIRef(top), SKOS.prefLabel):
            lang = getattr(label, "language", None)
            if lang in ("en", "fr"):
                out.setdefault(top, {})[lang] = str(label)
    return out


@functools.lru_cache(maxsize=8192)
def file_type_code(term: str) -> str | None:
    """EU file-type code of a dct:format / dcat:mediaType value (URI or text), or None."""
    if term.startswith(FILE_TYPE_BASE):
        return term[len(FILE_TYPE_BASE) :]
    found = file_type(term)
    if found is not None and found.uri is not None:
        return found.uri[len(FILE_TYPE_BASE) :]
    if found is not None and found.media_type:  # a media type the EU table's MIME list lacks (application/json)
        return _media_to_code().get(found.media_type.rsplit("/media-types/", 1)[-1])
    return None


@functools.cache
def _media_to_code() -> dict[str, str]:
    """IANA media type -> EU file-type code, from the package's curated file type -> media type facts."""
    from mappers.vocabularies.formats import _CURATED_MEDIA

    return {media: code for code, media in _CURATED_MEDIA.items()}


def is_machine_readable(code: str | None) -> bool:
    """data.europa.eu's machine-readable flag for an EU file-type code."""
    return code is not None and code in machine_readable_codes()


def is_non_proprietary(code: str | None) -> bool:
    """data.europa.eu's non-proprietary flag for an EU file-type code."""
    return code is not None and code in non_proprietary_codes()


# Concepts of the EU licence table that name no licence terms (placeholders).
NOT_LICENCES = frozenset({"OP_DATPRO"})
_NC = re.compile(r"(^|_)(BY)?NC(_|$|ND|SA)")
_ND = re.compile(r"(^|_)(BY)?(NC)?ND(_|$)")


@functools.lru_cache(maxsize=4096)
def licence_class(uri: str) -> str:
    """cc0 | cc | open | non-commercial | restricted | unrecognised, for one licence URI.

    Recognised means an EU licence concept or a URL the shared licence lookup resolves to one
    (creativecommons.org, etalab, ...); open means recognised and free of non-commercial and
    no-derivatives clauses.
    """
    from rdflib import URIRef as _U

    from mappers.vocabularies.licences import licence_uri
    from validators.policy import is_non_commercial

    concept = licence_uri(uri) if uri.startswith(("http://", "https://")) else None
    if is_non_commercial(_U(uri), _U(concept) if concept else None):
        return "non-commercial"
    if concept is None:
        return "unrecognised"
    code = concept[len(LICENCE_BASE) :]
    if code in NOT_LICENCES:
        return "unrecognised"
    if _ND.search(code):
        return "restricted"
    if code == "CC0":
        return "cc0"
    if code.startswith("CC"):
        return "cc"
    return "open"


def frequency_days(uri: str | None) -> int | None:
    """Days a dataset may go without an update under its declared EU frequency; None when not periodic."""
    if not uri or not uri.startswith(FREQ_BASE):
        return None
    return FREQUENCY_DAYS.get(uri[len(FREQ_BASE) :])
