"""DCAT-AP -> udata mapping rules on real examples (and small graphs where a rule needs a specific case)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from luxcat.errors import MissingField
from publishers.udata import vocab
from publishers.udata.client import Throttle
from publishers.udata.mapping import LicenceNotAllowed, LicenceUnplaceable, map_dataset
from tests.udata.records import EXAMPLES, dataset_graph

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
R5R = Namespace("http://data.europa.eu/r5r/")
DS = URIRef("https://data.public.lu/luxcat/test/ds1")


def graph(*triples: tuple[URIRef, URIRef, object]) -> Graph:
    g = Graph()
    g.add((DS, DCT.title, Literal("Titre", lang="fr")))
    for triple in triples:
        g.add(triple)  # type: ignore[arg-type]
    return g


def test_preferred_language_first_then_fallback_and_others_kept_in_description() -> None:
    g = graph(
        (DS, DCT.title, Literal("Titel", lang="de")),
        (DS, DCT.title, Literal("Title", lang="en")),
        (DS, DCT.description, Literal("Beschreibung", lang="de")),
        (DS, DCT.description, Literal("Description en français", lang="fr")),
        (DS, DCAT.keyword, Literal("Bevölkerung", lang="de")),
        (DS, DCAT.keyword, Literal("Population", lang="fr")),
    )
    german = map_dataset(g, DS, source_id="s", record_id="r", languages=["de"])
    assert german.language == "de" and german.fields["title"] == "Titel"
    assert german.fields["description"].startswith("Beschreibung")
    assert "**Français**: Titre\n\nDescription en français" in german.fields["description"]
    assert "**English**: Title" in german.fields["description"]
    assert german.fields["tags"] == ["bevolkerung"]
    french = map_dataset(g, DS, source_id="s", record_id="r", languages=["fr"])
    assert french.fields["title"] == "Titre" and french.fields["tags"] == ["population"]
    # without a preference: fr, de, en, lb
    luxembourgish = map_dataset(g, DS, source_id="s", record_id="r", languages=["lb"])
    assert luxembourgish.language == "fr"


def test_dcat_ap_lu_dummy_through_see_also_indirections() -> None:
    example = EXAMPLES[0]
    spec = map_dataset(dataset_graph(example), URIRef(example.dataset), source_id="s", record_id="r", languages=["fr"])
    assert spec.fields["license"] == "cc-zero"  # from the distributions' SPDX CC0 licence
    assert spec.fields["frequency"] == "annual"
    assert spec.fields["spatial"] == {"zones": ["country:lt", "country:lu"], "granularity": "country"}
    assert spec.fields["temporal_coverage"] == {
        "start": "1900-01-01T00:00:00+00:00",
        "end": "2025-01-01T00:00:00+00:00",
    }
    assert {r.key for r in spec.resources} == {
        f"https://metadata.demo.lnds.tech/api/v1/distributions/{i}" for i in (1, 2, 3)
    }
    assert spec.contacts == []  # "PNED GIE" has neither email nor URL: udata would refuse it (reported)
    assert spec.warnings == ["contact point 'PNED GIE': no valid e-mail or contact form; left out"]
    assert spec.fields["extras"] == {
        "luxcat:dataset_uri": example.dataset,
        "luxcat:source_id": "s",
        "luxcat:record_id": "r",
        "luxcat:licence_uri": "http://spdx.org/licenses/CC0-1.0",  # the licence as the source stated it
    }


def test_hvd_tags_and_category_from_subcategory() -> None:
    g = graph(
        (DS, R5R.applicableLegislation, URIRef(vocab.HVD_LEGISLATION)),
        (DS, R5R.hvdCategory, URIRef("http://data.europa.eu/bna/c_06b1eec4")),  # Hydrography (02 01)
        (DS, R5R.hvdCategory, URIRef("http://data.europa.eu/bna/c_e1da4e07")),  # Statistics, a top category
    )
    tags = map_dataset(g, DS, source_id="s", record_id="r", languages=["fr"]).fields["tags"]
    # udata's own category tags (udata.rdf.TAG_TO_EU_HVD_CATEGORIES): what its HVD badge job and export read
    assert tags == ["hvd", "observation-de-la-terre-et-environnement", "statistiques"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://publications.europa.eu/resource/authority/licence/CC0", "cc-zero"),
        ("https://publications.europa.eu/resource/authority/licence/CC_BY_4_0", "cc-by"),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0", "cc-by-sa"),
        ("http://publications.europa.eu/resource/authority/licence/ODC_BL", "odc-odbl"),
        ("https://creativecommons.org/licenses/by/4.0/", "cc-by"),
        ("http://creativecommons.org/licenses/by/4.0", "cc-by"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode.de", "cc-by"),
        ("https://creativecommons.org/licenses/by/", "cc-by"),
        ("http://creativecommons.org/publicdomain/zero/1.0/deed.fr", "cc-zero"),
        ("https://creativecommons.org/licenses/by-sa/3.0/de/", "cc-by-sa"),
        ("http://dcat-ap.de/def/licenses/cc-by", "cc-by"),
        ("http://dcat-ap.de/def/licenses/cc-by/4.0", "cc-by"),
        ("http://dcat-ap.de/def/licenses/cc-zero", "cc-zero"),
        ("http://dcat-ap.de/def/licenses/dl-by-de/2.0", "other-at"),
        ("https://www.dcat-ap.de/def/licenses/dl-zero-de/2.0/", "other-pd"),
        ("http://dcat-ap.de/def/licenses/officialWork", "other-pd"),
        ("http://dcat-ap.de/def/licenses/cc-by-nc/4.0", None),
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "other-at"),
        ("https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf", "other-at"),
        ("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "other-at"),
        ("https://www.nationalarchives.gov.uk/doc/open-government-licence/", "other-at"),
        ("http://www.opendefinition.org/licenses/cc-zero", "cc-zero"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
        ("http://publications.europa.eu/resource/authority/licence/EUPL_1_2", "other-open"),
        ("http://publications.europa.eu/resource/authority/licence/CC_PDM_1_0", "other-pd"),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0", None),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYNCSA_4_0", None),
        ("Datenlizenz Deutschland Namensnennung 2.0", "other-at"),  # a name, through the shared recogniser
        (None, "notspecified"),
    ],
)
def test_licences(uri: str | None, expected: str | None) -> None:
    assert vocab.licence_id(uri) == expected


def test_licence_table_is_data_with_only_known_ids() -> None:
    from publishers.udata import licences

    ids = set(licences.table().values())
    assert ids <= licences.IDS | {licences.BARRED} and len(licences.table()) > 100
    assert licences.place("https://example.org/our-own-licence").id is None  # unplaceable, not notspecified


def test_every_eu_authority_licence_is_placed_except_the_ones_a_person_must_decide() -> None:
    from mappers.vocabularies.licences import _codes
    from publishers.udata import licences

    eu = "http://publications.europa.eu/resource/authority/licence/"
    unplaced = sorted(c for c in _codes() if licences.place(eu + c).id is None)
    assert unplaced == ["CLARIN_ACA_1_0", "OP_DATPRO", "PSEUL"]
    assert {licences.place(eu + c).id for c in ("NLOD_2_0", "IODL_2_0", "HROD", "EUROGEO_2024")} == {"other-at"}
    assert licences.place(eu + "UNLICENCE").id == "other-pd" and licences.place(eu + "MPL_2_0").id == "other-open"


def test_unplaceable_licence_is_a_record_finding_never_notspecified() -> None:
    g = graph((DS, DCT.license, URIRef("https://example.org/licences/house-rules")))
    with pytest.raises(LicenceUnplaceable, match="house-rules matches none of data.public.lu's licences"):
        map_dataset(g, DS, source_id="s", record_id="r", languages=["fr"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mailto:info@bremen.de", "info@bremen.de"),
        ("MAILTO: Info@Bremen.DE ", "info@bremen.de"),
        ("http://www.bremen.de/opendata/info@bremen.de", "info@bremen.de"),  # relative IRI, resolved by the parser
        ("https://www-genesis.destatis.de/datenbank/online/mailto:info@destatis.de", "info@destatis.de"),
        ("mailto:geodienste%40rostock.de", "geodienste@rostock.de"),
        ("mailto:info@stat.lu?subject=data", "info@stat.lu"),
    ],
)
def test_contact_emails_are_normalised(raw: str, expected: str) -> None:
    from publishers.udata.contact_points import normalise_email, valid_email

    assert normalise_email(raw) == expected and valid_email(expected)


def test_bad_contact_tag_frequency_zone_format_are_left_out_and_reported() -> None:
    from rdflib import BNode

    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    good, bad, named_url = BNode(), BNode(), BNode()
    dist = URIRef("https://data.public.lu/luxcat/test/dist1")
    g = graph(
        (DS, DCAT.contactPoint, good), (good, vcard.fn, Literal("Statistik")),
        (good, vcard.hasEmail, URIRef("http://www.statistik.bremen.de/info@statistik.bremen.de")),
        (DS, DCAT.contactPoint, bad), (bad, vcard.fn, Literal("Nobody")),
        (bad, vcard.hasEmail, URIRef("http://example.org/catalog/not-an-address")),
        (DS, DCAT.contactPoint, named_url), (named_url, vcard.fn, Literal("see https://example.org")),
        (named_url, vcard.hasEmail, URIRef("mailto:a@example.org")),
        (DS, DCAT.keyword, Literal("EU", lang="fr")), (DS, DCAT.keyword, Literal("Bevölkerung", lang="fr")),
        (DS, DCT.accrualPeriodicity, URIRef("http://example.org/freq/whenever")),
        (DS, DCT.spatial, URIRef("http://dcat-ap.de/def/politicalGeocoding/regionalKey/040110000000")),
        (DS, DCAT.distribution, dist), (dist, DCAT.downloadURL, URIRef("https://example.org/a.csv")),
        (dist, DCT["format"], Literal("see the documentation")),
    )  # fmt: skip
    spec = map_dataset(g, DS, source_id="s", record_id="r", languages=["fr"])
    assert [(c.name, c.email) for c in spec.contacts] == [("Statistik", "info@statistik.bremen.de")]
    assert spec.fields["tags"] == ["bevolkerung"] and spec.fields["frequency"] == "unknown"
    assert spec.fields["spatial"] is None and spec.resources[0].format == ""
    assert spec.warnings == [
        "keyword 'EU': shorter than udata's 3 characters as a tag; left out",
        "frequency http://example.org/freq/whenever: no udata frequency for it; left as unknown",
        "spatial http://dcat-ap.de/def/politicalGeocoding/regionalKey/040110000000: no udata zone for it; "
        "left out of the spatial coverage",
        "distribution https://example.org/a.csv: format 'see the documentation' is not a format name; left out",
        "contact point 'Nobody': e-mail 'http://example.org/catalog/not-an-address' is not a valid address "
        "(udata would refuse it); contact point 'Nobody': no valid e-mail or contact form; left out",
        "contact point 'see https://example.org': udata refuses a URL in a contact name; left out",
    ]


def test_non_commercial_licence_is_a_record_error_and_no_title_too() -> None:
    nc = graph((DS, DCT.license, URIRef("http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0")))
    with pytest.raises(LicenceNotAllowed):
        map_dataset(nc, DS, source_id="s", record_id="r", languages=["fr"])
    with pytest.raises(MissingField):
        map_dataset(Graph(), DS, source_id="s", record_id="r", languages=["fr"])


def test_tags_follow_udata_limits() -> None:
    assert vocab.normalise_tag("Qualité de l'air") == "qualite-de-l-air"
    assert vocab.normalise_tag("EU") is None
    long = vocab.normalise_tag("x" * 120)
    assert long is not None and len(long) == 96


def test_frequencies_cover_udata_codes() -> None:
    assert vocab.frequency_code("http://publications.europa.eu/resource/authority/frequency/ANNUAL_2") == "semiannual"
    assert (
        vocab.frequency_code("http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT") == "continuous"
    )
    assert vocab.frequency_code(None) == "unknown"


def test_throttle_spaces_requests() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    throttle = Throttle(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        throttle.wait()
    assert waits == [0.5, 0.5, 0.5] and now[0] == 1.5
    assert Throttle(0).wait() == 0.0


def test_registry_and_options_reject_literal_keys_and_missing_organisation() -> None:
    from pydantic import ValidationError

    from luxcat import registry
    from luxcat.errors import ConfigError
    from publishers.udata import UdataPublisher
    from publishers.udata.options import source_options
    from tests.udata.records import source_config

    assert registry.load(registry.PUBLISHERS, "data.public.lu", what="publisher") is UdataPublisher
    with pytest.raises(ValidationError, match="ENV_VAR"):
        UdataPublisher.Options.model_validate({"api_key": "abc123"})
    with pytest.raises(ConfigError, match="needs options.organization"):
        source_options(source_config(publish=[{"target": "data.public.lu", "options": {}}]))
    cfg = source_config(publish=[], owner={"name": "STATEC", "udata_organization": "56f3c3390d6ceb1b0b4030e8"})
    assert source_options(cfg).organization == "56f3c3390d6ceb1b0b4030e8"
