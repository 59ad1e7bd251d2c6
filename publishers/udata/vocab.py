"""EU vocabulary URIs -> the codes udata (data.public.lu) expects: licences, frequencies, zones, HVD tags.

Facts, not code, taken from udata 17 (`UpdateFrequency`, geozone ids such as `country:lu`, the HVD
category tags of `udata.rdf`) and from the EU authority tables. Licences are a table of their own
(mappers/vocabularies/data/udata/licences.csv, read by mappers/vocabularies/udata_licences.py).
"""

from __future__ import annotations

import re
import unicodedata

EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA = ("https://www.iana.org/assignments/media-types/", "http://www.iana.org/assignments/media-types/")
HVD_BASE = "http://data.europa.eu/bna/"
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"

TAG_MIN, TAG_MAX = 3, 96  # udata's TAG_MIN_LENGTH / TAG_MAX_LENGTH
TITLE_MAX = 350  # udata's TITLE_SIZE_LIMIT
UNSPECIFIED_LICENCE = "notspecified"

# EU frequency code -> udata UpdateFrequency value (udata 17 enum, swagger Dataset.frequency).
FREQUENCIES: dict[str, str] = {
    "UPDATE_CONT": "continuous", "CONT": "continuous", "1MIN": "oneMinute", "5MIN": "fiveMinutes",
    "10MIN": "tenMinutes", "15MIN": "fifteenMinutes", "30MIN": "thirtyMinutes", "HOURLY": "hourly",
    "BIHOURLY": "bihourly", "TRIHOURLY": "trihourly", "12HRS": "twelveHours", "DAILY_3": "threeTimesADay",
    "DAILY_2": "semidaily", "DAILY": "daily", "WEEKLY_5": "fiveTimesAWeek", "WEEKLY_3": "threeTimesAWeek",
    "WEEKLY_2": "semiweekly", "WEEKLY": "weekly", "BIWEEKLY": "biweekly", "MONTHLY_3": "threeTimesAMonth",
    "MONTHLY_2": "semimonthly", "MONTHLY": "monthly", "BIMONTHLY": "bimonthly", "QUARTERLY": "quarterly",
    "ANNUAL_3": "threeTimesAYear", "ANNUAL_2": "semiannual", "ANNUAL": "annual", "BIENNIAL": "biennial",
    "TRIENNIAL": "triennial", "QUADRENNIAL": "quadrennial", "QUINQUENNIAL": "quinquennial",
    "DECENNIAL": "decennial", "BIDECENNIAL": "bidecennial", "TRIDECENNIAL": "tridecennial",
    "IRREG": "irregular", "AS_NEEDED": "irregular", "NEVER": "never", "NOT_PLANNED": "notPlanned",
    "OTHER": "other", "UNKNOWN": "unknown", "OP_DATPRO": "unknown",
}  # fmt: skip

# EU country code (ISO 3166 alpha-3) -> udata country zone suffix (alpha-2): Europe and neighbours.
_COUNTRIES: dict[str, str] = {
    "LUX": "lu", "BEL": "be", "DEU": "de", "FRA": "fr", "NLD": "nl", "AUT": "at", "BGR": "bg", "HRV": "hr",
    "CYP": "cy", "CZE": "cz", "DNK": "dk", "EST": "ee", "FIN": "fi", "GRC": "gr", "HUN": "hu", "IRL": "ie",
    "ITA": "it", "LVA": "lv", "LTU": "lt", "MLT": "mt", "POL": "pl", "PRT": "pt", "ROU": "ro", "SVK": "sk",
    "SVN": "si", "ESP": "es", "SWE": "se", "ISL": "is", "LIE": "li", "NOR": "no", "CHE": "ch", "GBR": "gb",
}  # fmt: skip

# The six HVD thematic categories (Regulation (EU) 2023/138 annex) -> the tag udata gives them: udata 17's
# `udata.rdf.EU_HVD_CATEGORIES` labels slugified by its own `slugify_tag` (TAG_TO_EU_HVD_CATEGORIES). With
# the `hvd` tag, these are what udata's HVD badge job and its DCAT export (dcatap:hvdCategory) read.
HVD_TAG = "hvd"
HVD_CATEGORIES: dict[str, str] = {
    "c_ac64a52d": "geospatiales",
    "c_dd313021": "observation-de-la-terre-et-environnement",
    "c_164e0bf5": "meteorologiques",
    "c_e1da4e07": "statistiques",
    "c_a9135398": "entreprises-et-propriete-dentreprises",
    "c_b79e35eb": "mobilite",
}

# EU file-type codes whose udata format name differs from the lower-cased code.
_FORMATS: dict[str, str] = {
    "RDF_TURTLE": "ttl", "RDF_XML": "rdf", "JSON_LD": "jsonld", "RDF_N_TRIPLES": "nt", "WMS_SRVC": "wms",
    "WFS_SRVC": "wfs", "WCS_SRVC": "wcs", "WMTS_SRVC": "wmts", "GRID_ASCII": "asc", "TIFF": "tiff",
    "JPEG2000": "jp2", "MAP_PRVW": "png", "XLSX": "xlsx", "GDB": "gdb",
}  # fmt: skip
SERVICE_FORMATS = frozenset({"WMS_SRVC", "WFS_SRVC", "WCS_SRVC", "WMTS_SRVC", "WPS", "SPARQLQ", "REST", "SOAP"})

# ISO 639-2 codes found in language tags (`@eng`, `@fra`) -> the ISO 639-1 tag.
_LANGUAGE_TAGS: dict[str, str] = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "ltz": "lb", "nld": "nl", "dut": "nl",
    "ita": "it", "spa": "es", "por": "pt", "cat": "ca",
}  # fmt: skip
LANGUAGE_NAMES: dict[str, str] = {"fr": "Français", "de": "Deutsch", "en": "English", "lb": "Lëtzebuergesch"}

_NON_TAG = re.compile(r"[^a-z0-9]+")


def eu_uri(uri: str) -> str:
    """EU authority URIs are http://; records sometimes write https://."""
    return "http://" + uri[len("https://") :] if uri.startswith("https://publications.europa.eu/") else uri


def licence_id(uri: str | None) -> str | None:
    """data.public.lu licence id of a licence URI (table: mappers/vocabularies/data/udata/licences.csv).

    None: barred (non-commercial / no-derivatives) or unplaceable (see licences.place for which);
    no licence at all is `notspecified`.
    """
    if not uri:
        return UNSPECIFIED_LICENCE
    from publishers.udata.licences import place

    placed = place(uri)
    return None if placed.barred else placed.id


def frequency_code(uri: str | None) -> str:
    """udata frequency for an EU frequency URI (`unknown` when absent or not in the table)."""
    if not uri:
        return "unknown"
    uri = eu_uri(uri)
    return FREQUENCIES.get(uri.rstrip("/").rsplit("/", 1)[-1], "unknown")


def country_zone(uri: str) -> str | None:
    """udata zone id (`country:lu`) for an EU country URI; None for anything else."""
    uri = eu_uri(uri)
    if not uri.startswith(EU_COUNTRY):
        return None
    code = _COUNTRIES.get(uri[len(EU_COUNTRY) :].strip("/"))
    return f"country:{code}" if code else None


def hvd_category_tag(uri: str) -> str | None:
    """The category tag of an HVD category URI; sub-categories climb skos:broader to their top category."""
    if not uri.startswith(HVD_BASE):
        return None
    code = uri.rstrip("/").rsplit("/", 1)[-1]
    if code in HVD_CATEGORIES:
        return HVD_CATEGORIES[code]
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from mappers.vocabularies._data import load_graph  # full HVD table, with the skos:broader links

    graph = load_graph("eu-authority/high-value-dataset-category.rdf")
    node = URIRef(HVD_BASE + code)
    for _ in range(4):
        parent = graph.value(node, SKOS.broader)
        if parent is None:
            return None
        parent_code = str(parent).rsplit("/", 1)[-1]
        if parent_code in HVD_CATEGORIES:
            return HVD_CATEGORIES[parent_code]
        node = parent
    return None


def format_name(value: str | None) -> str | None:
    """udata resource format for an EU file-type URI, an IANA media type or a free-text format."""
    if not value:
        return None
    value = eu_uri(value)
    if value.startswith(EU_FILE_TYPE):
        code = value[len(EU_FILE_TYPE) :].strip("/")
        return _FORMATS.get(code, code.lower())
    for base in IANA_MEDIA:
        if value.startswith(base):
            value = value[len(base) :]
    if "/" in value:  # a media type: text/csv -> csv, application/vnd.geo+json -> json
        value = value.rsplit("/", 1)[-1].rsplit("+", 1)[-1].removeprefix("x-")
    return value.strip().lower() or None


_FORMAT = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,31}$")


def is_format(value: str) -> bool:
    """A plausible format name (csv, geojson, shp.zip): lower-case, no spaces, at most 32 characters."""
    return bool(_FORMAT.match(value))


def media_type(value: str | None) -> str | None:
    """Bare IANA media type (`text/csv`) from an IANA URI or a literal."""
    if not value:
        return None
    for base in IANA_MEDIA:
        if value.startswith(base):
            return value[len(base) :]
    return value if "/" in value and not value.startswith("http") else None


def language_of(tag: str | None) -> str:
    """Primary ISO 639-1 language of an RDF language tag (`fr-LU` -> fr, `eng` -> en); "" when untagged."""
    if not tag:
        return ""
    primary = tag.split("-", 1)[0].lower()
    return _LANGUAGE_TAGS.get(primary, primary)


def slug(text: str) -> str:
    """Lower-case ASCII slug of a keyword (accents folded, anything else a dash)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_TAG.sub("-", folded).strip("-")


def normalise_tag(text: str) -> str | None:
    """A keyword as a udata tag: lower-case ASCII slug, 3 to 96 characters; None when too short."""
    tag = slug(text)
    if len(tag) > TAG_MAX:
        tag = tag[:TAG_MAX].rstrip("-")
    return tag if len(tag) >= TAG_MIN else None
