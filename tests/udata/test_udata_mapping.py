"""DCAT-AP -> udata mapping rules on real examples (and small graphs where a rule needs a specific case)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from luxcat.errors import MissingField
from publishers.udata import vocab
from publishers.udata.client import Throttle
from publishers.udata.mapping import LicenceNotAllowed, map_dataset
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
    assert spec.contacts == []  # "PNED GIE" has neither email nor URL: udata would refuse it
    assert spec.fields["extras"] == {
        "luxcat:dataset_uri": example.dataset,
        "luxcat:source_id": "s",
        "luxcat:record_id": "r",
    }


def test_hvd_tags_and_category_from_subcategory() -> None:
    g = graph(
        (DS, R5R.applicableLegislation, URIRef(vocab.HVD_LEGISLATION)),
        (DS, R5R.hvdCategory, URIRef("http://data.europa.eu/bna/c_06b1eec4")),  # Hydrography (02 01)
        (DS, R5R.hvdCategory, URIRef("http://data.europa.eu/bna/c_e1da4e07")),  # Statistics, a top category
    )
    tags = map_dataset(g, DS, source_id="s", record_id="r", languages=["fr"]).fields["tags"]
    assert tags == ["earth-observation-and-environment", "hvd", "statistics"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://publications.europa.eu/resource/authority/licence/CC0", "cc-zero"),
        ("https://publications.europa.eu/resource/authority/licence/CC_BY_4_0", "cc-by"),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0", "cc-by-sa"),
        ("http://publications.europa.eu/resource/authority/licence/ODC_BL", "odc-odbl"),
        ("https://creativecommons.org/licenses/by/4.0/", "cc-by"),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0", None),
        ("http://publications.europa.eu/resource/authority/licence/CC_BYNCSA_4_0", None),
        (None, "notspecified"),
    ],
)
def test_licences(uri: str | None, expected: str | None) -> None:
    assert vocab.licence_id(uri) == expected


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
