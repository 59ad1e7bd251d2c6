"""Every well-formed ISO record of the shared corpus maps, and its graph passes DCAT-AP 3.0.0 SHACL."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCAT, RDF

from tests.mappers.corpus import SOURCE_GAP_PATHS, corpus_validation, mapped_corpus

SERVES_DATASET = "http://www.w3.org/ns/dcat#servesDataset"


def test_every_well_formed_record_maps_or_is_rejected_for_a_mandatory_reason() -> None:
    corpus = mapped_corpus()
    assert len(corpus.mapped) >= 85
    # The only record without title-or-identity problems that is refused: no identifier at all.
    assert corpus.rejected == [
        (
            "ckanext-spatial/gemini2.1__validation__09_Service_Invalid_No_Such_Element.xml",
            "gemini2.1__validation__09_Service_Invalid_No_Such_Element.xml",
            "missing_identifier",
        )
    ]
    # Files without any ISO record: capabilities, DescribeRecord, DCAT/GeoDCAT-AP output pages.
    assert all("GetCapabilities" in f or "DescribeRecord" in f or "dcat" in f for f in corpus.not_iso)


def test_all_resource_kinds_are_present() -> None:
    types = {t for _, rec in mapped_corpus().mapped for t in rec.graph.objects(rec.subject, RDF.type)}
    assert {DCAT.Dataset, DCAT.DataService, URIRef("http://www.w3.org/ns/dcat#DatasetSeries")} <= types


def test_mapped_datasets_conform_to_dcat_ap_3() -> None:
    corpus = mapped_corpus()
    violations = corpus_validation()
    assert violations.get(-1, []) == []  # nothing wrong in the vocabulary triples themselves
    failing = {}
    for index, (name, record) in enumerate(corpus.mapped):
        found = violations.get(index, [])
        if (record.subject, RDF.type, DCAT.DataService) in record.graph:
            # A service's srv:operatesOn points at a dataset described by another record; only when that
            # record is in the same graph does the target carry rdf:type dcat:Dataset (range shape).
            found = [v for v in found if v.path != SERVES_DATASET]
        # a mandatory value the source record lacks is left out (never invented) and reported here
        allowed = {SOURCE_GAP_PATHS[g] for g in corpus.gaps[index]}
        found = [v for v in found if not (v.path in allowed and v.value == "None")]
        if found:
            failing[f"{name} {record.record_id}"] = found[:3]
    assert failing == {}


def test_served_dataset_violations_only_name_datasets_outside_the_corpus() -> None:
    corpus = mapped_corpus()
    subjects = {str(rec.subject) for _, rec in corpus.mapped}
    served = [v for vs in corpus_validation().values() for v in vs if v.path == SERVES_DATASET]
    assert all(v.value not in subjects for v in served)


def test_every_dataset_with_an_inspire_theme_or_topic_category_gets_an_eu_data_theme() -> None:
    data_theme = "http://publications.europa.eu/resource/authority/data-theme/"
    topic = URIRef("http://data.europa.eu/930/topicCategory")
    checked = 0
    for _, record in mapped_corpus().mapped:
        graph, subject = record.graph, record.subject
        themes = {str(t) for t in graph.objects(subject, DCAT.theme)}
        topics = {str(t).rsplit("/", 1)[-1] for t in graph.objects(subject, topic)}
        inspire = any(t.startswith("http://inspire.ec.europa.eu/theme/") for t in themes)
        alignable = topics - {"intelligenceMilitary", "disaster", "extraTerrestrial"}
        if inspire or alignable:
            checked += 1
            assert any(t.startswith(data_theme) for t in themes), record.record_id
    assert checked >= 50
