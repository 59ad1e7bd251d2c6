"""The strategy's rules on the hand-written LU dataset and variations of it."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from luxcat.records import ValidationIssue
from tests.validators.helpers import VALID_LU
from validators import validate_graph
from validators.policy import eu_licence, looks_personal, policy_issues
from validators.rdfio import load_rdf

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EX = Namespace("https://data.public.lu/luxcat/test/")
LIC = "http://publications.europa.eu/resource/authority/licence/"
FT = "http://publications.europa.eu/resource/authority/file-type/"
DATASET, DIST = EX.population, URIRef(EX["population-csv"])


def _graph() -> Graph:
    return load_rdf(VALID_LU)


def _rules(graph: Graph) -> dict[str, list[ValidationIssue]]:
    found: dict[str, list[ValidationIssue]] = {}
    for issue in policy_issues(graph, DATASET):
        found.setdefault(str(issue.shape).removeprefix("luxcat:policy/"), []).append(issue)
    return found


def test_cc0_dataset_with_functional_mailbox_and_csv_has_no_policy_result() -> None:
    assert _rules(_graph()) == {}


def test_no_licence_anywhere_is_a_violation() -> None:
    graph = _graph()
    graph.remove((DIST, DCT.license, None))
    rules = _rules(graph)
    assert [i.severity for i in rules["licence-stated"]] == ["Violation"]
    assert "dct:license" in rules["licence-stated"][0].message


def test_licence_on_dataset_is_enough() -> None:
    graph = _graph()
    graph.remove((DIST, DCT.license, None))
    graph.add((DATASET, DCT.license, URIRef(LIC + "CC0")))
    assert _rules(graph) == {}


def test_licence_missing_on_one_of_two_distributions_is_a_violation() -> None:
    graph = _graph()
    other = EX["population-json"]
    graph.add((DATASET, DCAT.distribution, other))
    graph.add((other, RDF.type, DCAT.Distribution))
    graph.add((other, DCAT.accessURL, URIRef("https://example.lu/x.json")))
    rules = _rules(graph)
    assert rules["licence-stated"][0].severity == "Violation"
    assert "1 distribution(s) lack one" in rules["licence-stated"][0].message


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        (LIC + "CC_BY_4_0", {"licence-cc0": "Info"}),
        ("http://creativecommons.org/licenses/by/4.0/", {"licence-cc0": "Info"}),
        ("https://creativecommons.org/publicdomain/zero/1.0/", {}),
        (LIC + "CC_BYNC_4_0", {"licence-non-commercial": "Violation"}),
        (LIC + "OGL_NC_2_0", {"licence-non-commercial": "Violation"}),
        (
            "https://creativecommons.org/licenses/by-nc-sa/3.0/lu/",
            {"licence-recognised": "Warning", "licence-non-commercial": "Violation"},
        ),
        ("https://example.lu/our-own-terms", {"licence-recognised": "Warning", "licence-cc0": "Info"}),
    ],
)
def test_licence_rules(licence: str, expected: dict[str, str]) -> None:
    graph = _graph()
    graph.set((DIST, DCT.license, URIRef(licence)))
    rules = _rules(graph)
    assert {rule: issues[0].severity for rule, issues in rules.items()} == expected
    for issues in rules.values():
        assert issues[0].focus == str(DIST) and issues[0].value == licence


def test_eu_licence_matches_creative_commons_urls() -> None:
    assert eu_licence(URIRef("https://creativecommons.org/licenses/by/4.0")) == URIRef(LIC + "CC_BY_4_0")
    assert eu_licence(URIRef("https://example.lu/licence")) is None
    assert eu_licence(Literal("CC0")) is None


@pytest.mark.parametrize(
    ("email", "personal"),
    [
        ("mailto:jean.muller@statec.etat.lu", True),
        ("marie-claire.schmit@geoportail.lu", True),
        ("mailto:info@statec.etat.lu", False),
        ("mailto:open.data@gouvernement.lu", False),
        ("mailto:support@geoportail.lu", False),
        ("mailto:anne_weber@ville.lu", True),
        ("mailto:geoportail.support@act.etat.lu", False),
    ],
)
def test_personal_email_detection(email: str, personal: bool) -> None:
    assert looks_personal(email) is personal


def test_personal_contact_email_is_a_warning() -> None:
    graph = _graph()
    graph.set((EX.contact, VCARD.hasEmail, URIRef("mailto:jean.muller@statec.etat.lu")))
    issue = _rules(graph)["personal-email"][0]
    assert (issue.severity, issue.focus, issue.path) == ("Warning", str(EX.contact), str(VCARD.hasEmail))


@pytest.mark.parametrize(
    ("formats", "warned"),
    [
        ([FT + "PDF"], True),
        ([FT + "PDF", FT + "HTML"], True),
        ([FT + "PDF", FT + "CSV"], False),
        ([], False),  # nothing known about the format: no claim either way
    ],
)
def test_documents_only_is_a_warning(formats: list[str], warned: bool) -> None:
    graph = _graph()
    graph.remove((DIST, DCT["format"], None))
    graph.remove((DIST, DCAT.mediaType, None))
    for n, fmt in enumerate(formats):
        dist = DIST if n == 0 else EX[f"extra-{n}"]
        graph.add((DATASET, DCAT.distribution, dist))
        graph.add((dist, DCT["format"], URIRef(fmt)))
        graph.add((dist, DCT.license, URIRef(LIC + "CC0")))
    assert ("machine-readable" in _rules(graph)) is warned


def test_policy_violation_makes_the_dataset_non_conforming_in_validate_graph() -> None:
    graph = _graph()
    graph.set((DIST, DCT.license, URIRef(LIC + "CC_BYNC_4_0")))
    graph.add((URIRef(LIC + "CC_BYNC_4_0"), RDF.type, DCT.LicenseDocument))
    (report,) = validate_graph(graph)
    assert not report.conforms
    assert [r.shape for r in report.results if r.severity == "Violation"] == ["luxcat:policy/licence-non-commercial"]


# The GEMINI demo records' licence URL (ckanext-spatial fixtures): no data.public.lu licence id fits it.
UNPLACEABLE = "http://www.test.gov.uk/licenseurl"


def _udata_findings(graph: Graph, *, udata: bool) -> tuple[bool, list[ValidationIssue]]:
    """Conforms, and the data.public.lu licence findings of the dataset's report."""
    (report,) = [r for r in validate_graph(graph, udata=udata) if r.dataset == str(DATASET)]
    return report.conforms, [r for r in report.results if r.shape == "luxcat:policy/licence-udata-placeable"]


def test_licence_data_public_lu_cannot_place_is_a_warning_naming_it_for_a_udata_source() -> None:
    graph = _graph()
    graph.remove((DIST, DCT.license, None))
    graph.add((DIST, DCT.license, URIRef(UNPLACEABLE)))
    graph.add((URIRef(UNPLACEABLE), RDF.type, DCT.LicenseDocument))  # DCAT-AP's range, as for CC0 above
    conforms, found = _udata_findings(graph, udata=True)
    assert [(f.severity, f.focus, f.path, f.value) for f in found] == [
        ("Warning", str(DATASET), str(DCT.license), UNPLACEABLE)
    ]
    assert UNPLACEABLE in found[0].message and "data.public.lu" in found[0].message
    assert conforms  # a Warning: the catalogue and data.europa.eu still get the dataset
    assert _udata_findings(graph, udata=False) == (conforms, [])  # a source not publishing there: no finding


def test_placeable_licence_gives_no_data_public_lu_finding() -> None:
    assert _udata_findings(_graph(), udata=True) == (True, [])  # CC0 -> cc-zero
    graph = _graph()
    graph.remove((DIST, DCT.license, None))
    graph.add((DIST, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/deed.fr")))
    assert _udata_findings(graph, udata=True)[1] == []
