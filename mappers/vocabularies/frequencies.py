"""Update frequency: ISO 19115 maintenance codes and free text (en/fr/de) -> EU frequency URIs."""

from __future__ import annotations

import functools

from rdflib import URIRef
from rdflib.namespace import SKOS

from mappers.vocabularies._data import normalise, read_graph

FREQUENCY_SCHEME = "http://publications.europa.eu/resource/authority/frequency"
FREQUENCY_BASE = FREQUENCY_SCHEME + "/"
_FILES = ("eu-authority/frequencies-skos.rdf", "eu-authority/frequency-20220615-subset.ttl")

# MD_MaintenanceFrequencyCode -> EU frequency code ("continual": data updated continuously,
# UPDATE_CONT, not CONT which means "published continuously").
ISO_MAINTENANCE_CODES: dict[str, str] = {
    "continual": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "fortnightly": "BIWEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "biannually": "ANNUAL_2",
    "annually": "ANNUAL",
    "asneeded": "AS_NEEDED",
    "irregular": "IRREG",
    "notplanned": "NOT_PLANNED",
    "unknown": "UNKNOWN",
}

_TEXT: dict[str, str] = {
    # en
    "continuous": "UPDATE_CONT", "continually": "UPDATE_CONT", "hourly": "HOURLY", "biweekly": "BIWEEKLY",
    "semiannual": "ANNUAL_2", "semi annual": "ANNUAL_2", "yearly": "ANNUAL", "annual": "ANNUAL",
    "as needed": "AS_NEEDED", "never": "NEVER", "not planned": "NOT_PLANNED", "biennial": "BIENNIAL",
    # fr
    "continue": "UPDATE_CONT", "en continu": "UPDATE_CONT", "quotidien": "DAILY", "quotidienne": "DAILY",
    "journalier": "DAILY", "hebdomadaire": "WEEKLY", "bimensuel": "BIWEEKLY", "quinzaine": "BIWEEKLY",
    "mensuel": "MONTHLY", "mensuelle": "MONTHLY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY",
    "semestriel": "ANNUAL_2", "semestrielle": "ANNUAL_2", "annuel": "ANNUAL", "annuelle": "ANNUAL",
    "lorsque necessaire": "AS_NEEDED", "si necessaire": "AS_NEEDED", "au besoin": "AS_NEEDED",
    "irregulier": "IRREG", "irreguliere": "IRREG", "non planifie": "NOT_PLANNED", "pas prevu": "NOT_PLANNED",
    "inconnu": "UNKNOWN", "inconnue": "UNKNOWN", "jamais": "NEVER",
    # de
    "kontinuierlich": "UPDATE_CONT", "laufend": "UPDATE_CONT", "taglich": "DAILY", "wochentlich": "WEEKLY",
    "zweiwochentlich": "BIWEEKLY", "monatlich": "MONTHLY", "vierteljahrlich": "QUARTERLY",
    "halbjahrlich": "ANNUAL_2", "jahrlich": "ANNUAL", "bei bedarf": "AS_NEEDED", "unregelmassig": "IRREG",
    "nicht geplant": "NOT_PLANNED", "unbekannt": "UNKNOWN", "nie": "NEVER",
}  # fmt: skip

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _codes() -> dict[str, str]:
    """EU frequency code -> code, plus normalised English/French/German labels -> code."""
    index: dict[str, str] = {}
    scheme = URIRef(FREQUENCY_SCHEME)
    for relpath in _FILES:
        graph = read_graph(relpath)
        for concept in graph.subjects(SKOS.inScheme, scheme):
            code = str(concept)[len(FREQUENCY_BASE) :]
            index[code] = code
            for label in graph.objects(concept, SKOS.prefLabel):
                if getattr(label, "language", None) in ("en", "fr", "de"):
                    index.setdefault("label:" + normalise(str(label)), code)
    return index


@functools.lru_cache(maxsize=_CACHE)
def frequency_uri(code_or_text: str | None) -> str | None:
    """EU frequency URI for an ISO maintenance code ("annually"), an EU code/URI or a phrase; else None."""
    if not code_or_text:
        return None
    value = code_or_text.strip()
    index = _codes()
    if value.startswith(FREQUENCY_BASE):
        code: str | None = value[len(FREQUENCY_BASE) :]
    elif value.rstrip("/").rsplit("/", 1)[-1].lower().replace("_", "") in ISO_MAINTENANCE_CODES:
        code = ISO_MAINTENANCE_CODES[value.rstrip("/").rsplit("/", 1)[-1].lower().replace("_", "")]
    elif value.upper() in index:
        code = value.upper()
    else:
        norm = normalise(value)
        code = _TEXT.get(norm) or index.get("label:" + norm)
    return FREQUENCY_BASE + code if code and code in index else None
