"""Vocabulary lookups shared by all mappers, checked against the shipped EU tables."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from mappers.vocabularies import (
    HVD_LEGISLATION,
    access_right_uri,
    country_uri,
    data_theme_uri,
    data_themes_for_inspire,
    data_themes_for_topic,
    file_type,
    file_type_for_url,
    frequency_uri,
    hvd_category,
    inspire_theme_uri,
    is_hvd_regulation,
    language_tag,
    language_uri,
    licence_uri,
    vocabulary_graph,
)

EU = "http://publications.europa.eu/resource/authority/"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fre", "FRA"), ("fra", "FRA"), ("fr", "FRA"), ("fr-LU", "FRA"), ("ger", "DEU"), ("deu", "DEU"),
        ("de", "DEU"), ("ltz", "LTZ"), ("lb", "LTZ"), ("LTZ", "LTZ"), ("eng", "ENG"), ("en", "ENG"),
        ("gre", "ELL"), ("dut", "NLD"), ("cze", "CES"), ("http://id.loc.gov/vocabulary/iso639-2/fre", "FRA"),
        (EU + "language/LTZ", "LTZ"),
    ],
)  # fmt: skip
def test_language_codes_map_to_eu_language_uris(code: str, expected: str) -> None:
    assert language_uri(code) == EU + "language/" + expected


@pytest.mark.parametrize("code", ["", "xx", "zz-ZZ", "klingon", EU + "language/FRE"])
def test_unknown_languages_give_none(code: str) -> None:
    assert language_uri(code) is None


def test_language_tags_for_literals() -> None:
    assert [language_tag(c) for c in ("fre", "ger", "ltz", "eng", "fr")] == ["fr", "de", "lb", "en", "fr"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CC0", "CC0"), ("Creative Commons Zéro", "CC0"), ("cc-zero", "CC0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
        ("CC BY 4.0", "CC_BY_4_0"), ("CC-BY 4.0", "CC_BY_4_0"),
        ("Creative Commons Attribution 4.0 International", "CC_BY_4_0"),
        ("Creative Commons Namensnennung 4.0 International", "CC_BY_4_0"),
        ("Creative Commons Paternité 4.0", "CC_BY_4_0"),
        ("https://creativecommons.org/licenses/by/4.0/deed.fr", "CC_BY_4_0"),
        ("CC BY-SA 4.0", "CC_BYSA_4_0"), ("http://creativecommons.org/licenses/by-nc-sa/3.0/", "CC_BYNCSA_3_0"),
        ("Licence Ouverte version 2.0", "ETALAB_2_0"),
        ("Licence Ouverte / Open Licence Version 2.0 https://www.etalab.gouv.fr/licence-ouverte-open-licence",
         "ETALAB_2_0"),
        ("ODbL", "ODC_BL"), (EU + "licence/CC_BY_4_0", "CC_BY_4_0"),
    ],
)  # fmt: skip
def test_licences_from_urls_and_text(text: str, code: str) -> None:
    assert licence_uri(text) == EU + "licence/" + code


@pytest.mark.parametrize(
    "text",
    [
        "no conditions apply",
        "Copyright",
        "Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence.",
        "",
    ],
)
def test_unrecognised_licence_text_gives_none(text: str) -> None:
    assert licence_uri(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations", "PUBLIC"),
        ("http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1d",
         "RESTRICTED"),
        ("no limitations", "PUBLIC"), ("Pas de restriction d'accès public selon INSPIRE", "PUBLIC"),
        ("Keine Beschränkungen des öffentlichen Zugangs", "PUBLIC"),
        ("L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)", "RESTRICTED"),
    ],
)  # fmt: skip
def test_access_rights(text: str, code: str) -> None:
    assert access_right_uri(text) == EU + "access-right/" + code


@pytest.mark.parametrize(
    ("text", "code", "media"),
    [
        ("GML", "GML", "application/gml+xml"), ("GML 3.2.1", "GML", "application/gml+xml"),
        ("ESRI Shapefile", "SHP", "application/vnd.shp"), ("application/gml+xml; version=3.2", "GML", None),
        ("image/tiff", "TIFF", "image/tiff"), ("GeoTIFF", "TIFF", "image/tiff"), ("text/csv", "CSV", "text/csv"),
        ("ZIP (SHP)", "ZIP", "application/zip"), ("JPEG 2000", "JPEG2000", None), ("PDF", "PDF", "application/pdf"),
    ],
)  # fmt: skip
def test_formats(text: str, code: str, media: str | None) -> None:
    found = file_type(text)
    assert found is not None and found.uri == EU + "file-type/" + code
    if media:
        assert found.media_type == "https://www.iana.org/assignments/media-types/" + media


def test_formats_outside_the_eu_table_keep_their_media_type() -> None:
    found = file_type("GeoPackage")
    assert found is not None and found.uri is None  # GPKG is newer than the shipped file-type table
    assert found.media_type == "https://www.iana.org/assignments/media-types/application/geopackage+sqlite3"
    assert file_type("some proprietary thing") is None


def test_file_type_from_download_url() -> None:
    found = file_type_for_url("https://download.example.lu/data/roads.geojson?x=1")
    assert found is not None and found.uri == EU + "file-type/GEOJSON"
    assert file_type_for_url("https://example.lu/wms") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("continual", "UPDATE_CONT"), ("daily", "DAILY"), ("fortnightly", "BIWEEKLY"), ("biannually", "ANNUAL_2"),
        ("annually", "ANNUAL"), ("asNeeded", "AS_NEEDED"), ("irregular", "IRREG"), ("notPlanned", "NOT_PLANNED"),
        ("unknown", "UNKNOWN"), ("mensuel", "MONTHLY"), ("Täglich", "DAILY"), ("ANNUAL", "ANNUAL"),
    ],
)  # fmt: skip
def test_frequencies(text: str, code: str) -> None:
    assert frequency_uri(text) == EU + "frequency/" + code


@pytest.mark.parametrize(
    ("label", "code"),
    [("Land use", "lu"), ("Usage des sols", "lu"), ("Bodennutzung", "lu"), ("Hydrographie", "hy"),
     ("Gewässernetz", "hy"), ("Orthoimagery", "oi"), ("Höhe", "el"), ("http://inspire.ec.europa.eu/theme/ps", "ps"),
     ("https://inspire.ec.europa.eu/theme/hy/", "hy")],
)  # fmt: skip
def test_inspire_themes_by_label_in_any_language_or_uri(label: str, code: str) -> None:
    assert inspire_theme_uri(label) == "http://inspire.ec.europa.eu/theme/" + code


def test_every_inspire_theme_has_an_eu_data_theme() -> None:
    codes = "ad au rs gg cp gn hy ps el lc oi ge su bu so lu hh us ef pf af pd am nz ac mf of sr br hb sd er mr tn"
    for code in codes.split():
        themes = data_themes_for_inspire("http://inspire.ec.europa.eu/theme/" + code)
        assert themes and all(data_theme_uri(t) == t for t in themes), code


def test_topic_categories_reach_eu_data_themes() -> None:
    assert EU + "data-theme/ENVI" in data_themes_for_topic("climatologyMeteorologyAtmosphere")
    assert EU + "data-theme/TRAN" in data_themes_for_topic("transportation")
    assert EU + "data-theme/ECON" in data_themes_for_topic("economy")  # via related matches only


def test_hvd_categories_and_regulation() -> None:
    assert hvd_category("http://data.europa.eu/bna/c_dd313021") == "http://data.europa.eu/bna/c_dd313021"
    assert hvd_category("Meteorological") == "http://data.europa.eu/bna/c_164e0bf5"
    assert hvd_category("Meteorological", by_label=False) is None
    assert is_hvd_regulation(HVD_LEGISLATION) and is_hvd_regulation("High-value dataset")
    assert is_hvd_regulation("HVD") and not is_hvd_regulation("Hydrography")


@pytest.mark.parametrize("name", ["Luxembourg", "Luxemburg", "Lëtzebuerg", "Grand-Duché de Luxembourg", "LU", "LUX"])
def test_luxembourg_in_any_language_or_code(name: str) -> None:
    assert country_uri(name) == EU + "country/LUX"


def test_vocabulary_graph_has_what_the_shapes_check() -> None:
    graph = vocabulary_graph()
    for concept, scheme in (
        ("language/LTZ", "language"), ("language/FRA", "language"), ("licence/CC_BY_4_0", "licence"),
        ("licence/ETALAB_2_0", "licence"), ("file-type/GML", "file-type"), ("frequency/AS_NEEDED", "frequency"),
        ("access-right/PUBLIC", "access-right"), ("data-theme/ENVI", "data-theme"), ("country/LUX", "country"),
    ):  # fmt: skip
        assert (URIRef(EU + concept), SKOS.inScheme, URIRef(EU + scheme)) in graph, concept
        assert (URIRef(EU + concept), SKOS.prefLabel, None) in graph
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        assert (scheme, DCTERMS.title, None) in graph  # the DCAT-AP skos:ConceptScheme shape needs a title
    assert (URIRef("http://inspire.ec.europa.eu/theme/lu"), SKOS.prefLabel, None) in graph
