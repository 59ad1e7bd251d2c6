"""Licence provenance on real records: stated by the record, the source default only on silence, restrictive terms."""

from __future__ import annotations

import dataclasses

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS

from luxcat.records import RawRecord
from mappers.base import MapContext
from mappers.iso19139 import Iso19139Mapper
from mappers.licensing import SOURCE_DEFAULT_STATEMENT, licence_origin
from mappers.vocabularies.use_terms import restrictive_terms, says_nothing
from tests.mappers.corpus import ISO_DIR, SEMIC_DIR, context, raw_record
from validators.policy import eu_licence, is_non_commercial, policy_issues

EU = "http://publications.europa.eu/resource/authority/"
CC0 = EU + "licence/CC0"
BELGIAN = ISO_DIR / "csw" / "owslib" / "inspire-getrecords-response.xml"  # geo.be, en/fr/nl/de
HNAP = ISO_DIR / "hnap" / "58ea48ab-f052-48ab-9c18-4353e51b8bea-trimmed.xml"


def with_default(licence: str | None = CC0) -> MapContext:
    return dataclasses.replace(context(), licence=licence)


def map_all(raw: RawRecord, ctx: MapContext) -> list[tuple[Graph, URIRef]]:
    mapper = Iso19139Mapper(ctx)
    return [(m.graph, m.subject) for part in mapper.split(raw) for m in mapper.map(part)]


def restrictive_violations(graph: Graph, subject: URIRef) -> list[str]:
    return [
        i.message for i in policy_issues(graph, subject) if i.shape == "luxcat:policy/restrictive-terms"
    ]


def test_restrictive_terms_never_receive_the_default_licence_and_are_a_violation() -> None:
    # "Commercial use of the data under any form is strictly forbidden" / "formellement interdit" (geo.be)
    found = []
    for graph, subject in map_all(raw_record(BELGIAN), with_default()):
        texts = [str(t) for r in graph.objects(subject, DCTERMS.rights) for t in graph.objects(r, None)]
        if not any("forbidden" in t for t in texts):
            # the other record: "keine Bedingungen anwendbar" / noConditionsApply - it says something
            # about use (so no default), and nothing restrictive
            assert licence_origin(graph, subject) == "none" and not restrictive_violations(graph, subject)
            continue
        found.append(subject)
        assert not list(graph.objects(subject, DCTERMS.license))
        assert all(not list(graph.objects(d, DCTERMS.license)) for d in graph.objects(subject, DCAT.distribution))
        assert licence_origin(graph, subject) == "none"
        messages = restrictive_violations(graph, subject)
        assert messages and "strictly forbidden" in messages[0]
        labels = [t for r in graph.objects(subject, DCTERMS.rights) for t in graph.objects(r, RDFS.label)]
        assert {t.language for t in labels} >= {"en", "fr", "nl", "de"}
    assert len(found) == 1


def test_permission_required_and_all_rights_reserved_are_restrictive() -> None:
    # GEMINI (UK): "shall not be reproduced in any form whatever without the permission of The Controller..."
    path = ISO_DIR / "ckanext-spatial" / "gemini2.1__validation__12_Service_Valid.xml"
    [(graph, subject)] = map_all(raw_record(path), with_default())
    assert licence_origin(graph, subject) == "none" and (subject, DCTERMS.license, None) not in graph
    messages = restrictive_violations(graph, subject)
    assert messages and messages[0].startswith('Restrictive terms: "')


def test_inspire_article_13_restriction_is_restrictive_and_gets_no_default() -> None:
    [(graph, subject)] = map_all(raw_record(SEMIC_DIR / "basic_dataset" / "input.xml"), with_default())
    assert graph.value(subject, DCTERMS.accessRights) == URIRef(EU + "access-right/RESTRICTED")
    assert licence_origin(graph, subject) == "none"
    assert any("RESTRICTED" in m or "access rights" in m for m in restrictive_violations(graph, subject))


def test_hnap_open_government_licence_canada_is_stated_from_the_records_own_url() -> None:
    [(graph, subject)] = map_all(raw_record(HNAP), with_default())
    assert graph.value(subject, DCTERMS.license) == URIRef("http://open.canada.ca/en/open-government-licence-canada")
    assert licence_origin(graph, subject) == "stated"
    assert (subject, DCTERMS.provenance, SOURCE_DEFAULT_STATEMENT) not in graph
    assert not restrictive_violations(graph, subject)  # "should not be construed as..." restricts nothing
    # the record's use notes stay, as rights
    notes = [str(t) for r in graph.objects(subject, DCTERMS.rights) for t in graph.objects(r, RDFS.label)]
    assert any("response planning" in t for t in notes)


def test_silent_record_gets_the_source_default_marked_as_derived() -> None:
    path = ISO_DIR / "pycsw-misc" / "auscope-iso19139-geoprovinces.xml"  # no resourceConstraints at all
    [(graph, subject)] = map_all(raw_record(path), with_default())
    assert graph.value(subject, DCTERMS.license) == URIRef(CC0)
    assert licence_origin(graph, subject) == "source-default"
    assert (SOURCE_DEFAULT_STATEMENT, None, None) in graph
    assert graph.value(SOURCE_DEFAULT_STATEMENT, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")) == (
        DCTERMS.ProvenanceStatement
    )
    [(bare, bare_subject)] = map_all(raw_record(path), with_default(None))
    assert licence_origin(bare, bare_subject) == "none"


def test_eu_licence_named_in_text_is_stated_in_any_language() -> None:
    path = ISO_DIR / "geodcat-ap-pilot" / "19139metadata-50b921ea-935e-d605-2287-4ee364046795.xml"
    [(graph, subject)] = map_all(raw_record(path), with_default())
    assert licence_origin(graph, subject) == "stated"
    assert graph.value(subject, DCTERMS.license) == URIRef(EU + "licence/CC_BY_4_0")


def test_use_term_wordings() -> None:
    for text in (
        "Reproduction and commercial re-use prohibited without prior written permission",
        "L'usage des données à des fins commerciales, sous quelque forme que ce soit, est formellement interdit.",
        "Die Daten dürfen nicht an Dritte weitergegeben werden.",
        "Nutzung nur mit Genehmigung des Herausgebers",
        "Creative Commons BY-NC 4.0",
        "© Crown copyright. All rights reserved.",
    ):
        assert restrictive_terms(text), text
    for text in (
        "No conditions apply to access and use",
        "Open Government Licence - Canada (http://open.canada.ca/en/open-government-licence-canada)",
        "Öffentliche Zugang nicht beschränkt",
        "Keine Einschränkungen",
    ):
        assert not restrictive_terms(text), text
    assert says_nothing("Conditions unknown") and says_nothing(
        "http://inspire.ec.europa.eu/metadata-codelist/ConditionsApplyingToAccessAndUse/conditionsUnknown"
    )
    assert not says_nothing("No conditions apply to access and use")


def test_non_commercial_licences_in_any_uri_form() -> None:
    for uri in (
        EU + "licence/CC_BYNC_4_0",
        EU + "licence/CC_BYNCSA_4_0",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "http://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
        "https://creativecommons.org/licenses/by-nc-nd/3.0/legalcode",
        "http://spdx.org/licenses/CC-BY-NC-4.0",
        "https://www.govdata.de/dl-de/by-nc-1-0",
    ):
        assert is_non_commercial(URIRef(uri), eu_licence(URIRef(uri))), uri
    for uri in (CC0, "https://creativecommons.org/licenses/by/4.0/", "https://creativecommons.org/licenses/by-sa/4.0/"):
        assert not is_non_commercial(URIRef(uri), eu_licence(URIRef(uri))), uri


def test_german_licence_stated_in_a_translation_only_is_found() -> None:
    """A GDI-DE-style use limitation: the licence named in the German version of the text (with its URL)."""
    from lxml import etree

    gmd, gco = "http://www.isotc211.org/2005/gmd", "http://www.isotc211.org/2005/gco"
    root = etree.fromstring(HNAP.read_bytes())
    limitation = root.find(f".//{{{gmd}}}useLimitation")
    limitation.find(f"{{{gco}}}CharacterString").text = "Terms of use: see the German version."
    limitation.find(f".//{{{gmd}}}LocalisedCharacterString").text = (
        "Nutzungsbedingungen: Datenlizenz Deutschland Namensnennung 2.0 (https://www.govdata.de/dl-de/by-2-0)"
    )
    raw = dataclasses.replace(raw_record(HNAP), payload=etree.tostring(root))
    [(graph, subject)] = map_all(raw, with_default())
    assert graph.value(subject, DCTERMS.license) == URIRef(EU + "licence/DLDE_BY_2_0")
    assert licence_origin(graph, subject) == "stated"
