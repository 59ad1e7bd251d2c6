"""Themes: INSPIRE themes (label in en/fr/de, URI), ISO topic categories -> EU data themes (SEMIC)."""

from __future__ import annotations

import functools
import re

from rdflib import URIRef
from rdflib.namespace import SKOS

from mappers.vocabularies._data import normalise, read_graph

INSPIRE_THEME_BASE = "http://inspire.ec.europa.eu/theme/"
DATA_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
DATA_THEME_BASE = DATA_THEME_SCHEME + "/"
TOPIC_CATEGORY_BASE = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"

# INSPIRE theme names in French and German (Directive 2007/2/EC Annexes I-III, as published in
# those languages); the shipped register copy has English only.
INSPIRE_THEME_LABELS_FR_DE: dict[str, tuple[str, ...]] = {
    "rs": ("Référentiels de coordonnées", "Koordinatenreferenzsysteme"),
    "gg": ("Systèmes de maillage géographique", "Geografische Gittersysteme"),
    "gn": ("Dénominations géographiques", "Geografische Bezeichnungen"),
    "au": ("Unités administratives", "Verwaltungseinheiten"),
    "ad": ("Adresses", "Adressen"),
    "cp": ("Parcelles cadastrales", "Flurstücke/Grundstücke", "Flurstücke", "Katasterparzellen"),
    "tn": ("Réseaux de transport", "Verkehrsnetze"),
    "hy": ("Hydrographie", "Gewässernetz"),
    "ps": ("Sites protégés", "Schutzgebiete"),
    "el": ("Altitude", "Höhe"),
    "lc": ("Occupation des terres", "Bodenbedeckung"),
    "oi": ("Ortho-imagerie", "Orthoimagerie", "Orthofotografie"),
    "ge": ("Géologie", "Geologie"),
    "su": ("Unités statistiques", "Statistische Einheiten"),
    "bu": ("Bâtiments", "Gebäude"),
    "so": ("Sols", "Boden"),
    "lu": ("Usage des sols", "Bodennutzung"),
    "hh": ("Santé et sécurité des personnes", "Gesundheit und Sicherheit"),
    "us": ("Services d'utilité publique et services publics", "Versorgungswirtschaft und staatliche Dienste"),
    "ef": ("Installations de suivi environnemental", "Umweltüberwachung"),
    "pf": ("Lieux de production et sites industriels", "Produktions- und Industrieanlagen"),
    "af": ("Installations agricoles et aquacoles", "Landwirtschaftliche Anlagen und Aquakulturanlagen"),
    "pd": ("Répartition de la population — démographie", "Verteilung der Bevölkerung — Demografie"),
    "am": (
        "Zones de gestion, de restriction ou de réglementation et unités de déclaration",
        "Bewirtschaftungsgebiete/Schutzgebiete/geregelte Gebiete und Berichterstattungseinheiten",
    ),
    "nz": ("Zones à risque naturel", "Gebiete mit naturbedingten Risiken"),
    "ac": ("Conditions atmosphériques", "Atmosphärische Bedingungen"),
    "mf": ("Caractéristiques géographiques météorologiques", "Meteorologisch-geografische Kennwerte"),
    "of": ("Caractéristiques géographiques océanographiques", "Ozeanografisch-geografische Kennwerte"),
    "sr": ("Régions maritimes", "Meeresregionen"),
    "br": ("Régions biogéographiques", "Biogeografische Regionen"),
    "hb": ("Habitats et biotopes", "Lebensräume und Biotope"),
    "sd": ("Répartition des espèces", "Verteilung der Arten"),
    "er": ("Sources d'énergie", "Energiequellen"),
    "mr": ("Ressources minérales", "Mineralische Bodenschätze"),
}

_THEME_URI = re.compile(r"^https?://inspire\.ec\.europa\.eu/theme/([a-z]{2})(?:[/.#].*)?$")
_DATA_THEME_CODES = re.compile(r"^[A-Z]{4}$")

# Lookups are pure; records of one catalogue repeat the same texts, so results are memoised.
_CACHE = 4096


@functools.cache
def _inspire() -> tuple[dict[str, str], dict[str, str]]:
    """(normalised label -> theme code, theme code -> English label) for the 34 INSPIRE themes."""
    graph = read_graph("inspire/inspire-theme.en.rdf")
    labels: dict[str, str] = {}
    english: dict[str, str] = {}
    for concept, label in graph.subject_objects(SKOS.prefLabel):
        match = _THEME_URI.match(str(concept))
        if match and str(concept).count("/") == 4:
            code = match.group(1)
            english[code] = str(label)
            labels[normalise(str(label))] = code
    for code, names in INSPIRE_THEME_LABELS_FR_DE.items():
        for name in names:
            labels.setdefault(normalise(name), code)
    return labels, english


@functools.lru_cache(maxsize=_CACHE)
def inspire_theme_uri(label_or_uri: str | None) -> str | None:
    """INSPIRE theme URI for a theme URI (any language variant) or a label in en/fr/de; else None."""
    if not label_or_uri:
        return None
    value = label_or_uri.strip()
    labels, english = _inspire()
    match = _THEME_URI.match(value)
    if match:
        return INSPIRE_THEME_BASE + match.group(1) if match.group(1) in english else None
    code = labels.get(normalise(value))
    return INSPIRE_THEME_BASE + code if code else None


def inspire_theme_label(uri: str) -> str | None:
    """English label of an INSPIRE theme URI."""
    match = _THEME_URI.match(uri)
    return _inspire()[1].get(match.group(1)) if match else None


@functools.cache
def _inspire_to_data_themes() -> dict[str, tuple[str, ...]]:
    """INSPIRE theme URI -> EU data-theme URIs (SEMIC alignment, skos:broadMatch)."""
    graph = read_graph("alignments/inspire-themes-to-mdr-data-themes.rdf")
    table: dict[str, list[str]] = {}
    for subject, target in graph.subject_objects(SKOS.broadMatch):
        table.setdefault(str(subject), []).append(str(target))
    return {k: tuple(sorted(v)) for k, v in table.items()}


@functools.lru_cache(maxsize=_CACHE)
def data_themes_for_inspire(theme: str) -> tuple[str, ...]:
    """EU data-theme URIs for an INSPIRE theme (URI or label); empty when it has none."""
    uri = inspire_theme_uri(theme)
    return _inspire_to_data_themes().get(uri, ()) if uri else ()


@functools.cache
def _topic_table() -> dict[str, tuple[str, ...]]:
    """ISO topic category -> INSPIRE theme URIs (SEMIC alignment).

    Exact, close, broad and narrow matches are used; related matches only for a category that has
    nothing else (economy), so that every category with an alignment yields a data theme.
    """
    graph = read_graph("alignments/iso-topic-categories-to-inspire-themes.rdf")
    strong: dict[str, list[str]] = {}
    related: dict[str, list[str]] = {}
    for pred, table in (
        (SKOS.exactMatch, strong),
        (SKOS.closeMatch, strong),
        (SKOS.broadMatch, strong),
        (SKOS.narrowMatch, strong),
        (SKOS.relatedMatch, related),
    ):
        for subject, target in graph.subject_objects(pred):
            if str(target).startswith(INSPIRE_THEME_BASE):
                table.setdefault(str(subject).rstrip("/").rsplit("/", 1)[-1], []).append(str(target))
    topics = set(strong) | set(related)
    return {t: tuple(sorted(strong.get(t) or related.get(t, []))) for t in topics}


def inspire_themes_for_topic(topic: str) -> tuple[str, ...]:
    """INSPIRE theme URIs aligned with an ISO topic category code ("planningCadastre") or URI."""
    return _topic_table().get(topic.strip().rstrip("/").rsplit("/", 1)[-1], ())


@functools.lru_cache(maxsize=_CACHE)
def data_themes_for_topic(topic: str) -> tuple[str, ...]:
    """EU data-theme URIs for an ISO topic category, through its INSPIRE themes."""
    table = _inspire_to_data_themes()
    return tuple(sorted({d for theme in inspire_themes_for_topic(topic) for d in table.get(theme, ())}))


@functools.cache
def _data_themes() -> dict[str, str]:
    """EU data-theme URI -> English label."""
    graph = read_graph("eu-authority/data-theme.rdf")
    out: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, URIRef(DATA_THEME_SCHEME)):
        for label in graph.objects(concept, SKOS.prefLabel):
            if getattr(label, "language", None) == "en":
                out[str(concept)] = str(label)
    return out


def data_theme_uri(code_or_uri: str | None) -> str | None:
    """EU data-theme URI for a code ("ENVI") or URI; None if not in the table."""
    if not code_or_uri:
        return None
    value = code_or_uri.strip()
    uri = value if value.startswith(DATA_THEME_BASE) else DATA_THEME_BASE + value.upper()
    return uri if uri in _data_themes() else None


def data_theme_label(uri: str) -> str | None:
    """English label of an EU data theme."""
    return _data_themes().get(uri)
