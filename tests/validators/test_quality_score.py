"""MQA score: exact points for known datasets, the best distribution counts, ratings at their limits."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from tests.validators.helpers import VALID_LU
from validators import validate_graph
from validators.quality import MAX_SCORE, WEIGHTS, rating, score_dataset
from validators.rdfio import load_rdf

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
EX = Namespace("https://data.public.lu/luxcat/test/")
DATASET, DIST = EX.population, URIRef(EX["population-csv"])
ACCESS = "https://lustat.statec.lu/vis?df[id]=DF_B1100"
DOWNLOAD = "https://lustat.statec.lu/rest/data/LU1,DF_B1100,1.0/all"


def test_weights_are_data_europa_eu_s() -> None:
    assert MAX_SCORE == 405
    dims = {
        "findability": ("keywords", "themes", "spatial", "temporal"),
        "accessibility": ("access_url_reachable", "download_url", "download_url_reachable"),
        "interoperability": (
            "format", "media_type", "format_vocabulary", "non_proprietary", "machine_readable", "dcat_ap_compliance",
        ),
        "reusability": (
            "licence", "licence_vocabulary", "access_rights", "access_rights_vocabulary", "contact_point", "publisher",
        ),
        "contextuality": ("rights", "byte_size", "issued", "modified"),
    }  # fmt: skip
    totals = {dim: sum(WEIGHTS[i] for i in names) for dim, names in dims.items()}
    assert totals == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }


def test_complete_dataset_scores_everything_but_unchecked_urls() -> None:
    score = score_dataset(load_rdf(VALID_LU), DATASET, conforms=True)
    assert score.total == 405 - 50 - 30 == 325
    assert {k for k, v in score.points.items() if v == 0} == {"access_url_reachable", "download_url_reachable"}
    assert score.rating == "good"


def test_reachable_urls_make_it_excellent() -> None:
    score = score_dataset(load_rdf(VALID_LU), DATASET, conforms=True, reachable={ACCESS: True, DOWNLOAD: True})
    assert (score.total, score.rating) == (405, "excellent")
    half = score_dataset(load_rdf(VALID_LU), DATASET, conforms=True, reachable={ACCESS: True, DOWNLOAD: False})
    assert half.total == 375


def test_non_conforming_loses_compliance_points() -> None:
    assert score_dataset(load_rdf(VALID_LU), DATASET, conforms=False).total == 295


def test_bare_dataset_scores_only_compliance() -> None:
    graph = Graph()
    graph.add((EX.bare, RDF.type, DCAT.Dataset))
    graph.add((EX.bare, DCT.title, Literal("t")))
    graph.add((EX.bare, DCT.description, Literal("d")))
    score = score_dataset(graph, EX.bare, conforms=True)
    assert (score.total, score.rating) == (30, "bad")


def test_the_best_distribution_counts_not_the_sum() -> None:
    graph = Graph()
    ds, csv, page = EX.ds, EX.csv, EX.page
    graph.add((ds, RDF.type, DCAT.Dataset))
    for dist in (csv, page):
        graph.add((ds, DCAT.distribution, dist))
    # csv: format (20) + vocabulary (10) + non-proprietary (20) + machine-readable (20) = 70
    graph.add((csv, DCT["format"], URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")))
    # page: downloadURL (20) + licence (20) + licence vocabulary (10) + rights (5) + byte size (5) = 60
    graph.add((page, DCAT.downloadURL, URIRef("https://example.lu/x")))
    graph.add((page, DCT.license, URIRef("http://publications.europa.eu/resource/authority/licence/CC0")))
    graph.add((page, DCT.rights, EX.rights))
    graph.add((page, DCAT.byteSize, Literal(3)))
    score = score_dataset(graph, ds, conforms=False)
    assert score.total == 70
    assert score.points["licence"] == 0 and score.points["format"] == 20


@pytest.mark.parametrize(
    ("total", "expected"),
    [(405, "excellent"), (351, "excellent"), (350, "good"), (221, "good"), (220, "sufficient"), (121, "sufficient"),
     (120, "bad"), (0, "bad")],
)  # fmt: skip
def test_rating_limits(total: int, expected: str) -> None:
    assert rating(total) == expected


def test_validate_graph_stores_the_score_on_the_report() -> None:
    (report,) = validate_graph(load_rdf(VALID_LU))
    assert report.conforms and report.score == 325
