"""Known-valid inputs conform, known-invalid ones (upstream and hand-broken) give the expected violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, XSD

from luxcat.errors import ConfigError
from luxcat.records import ValidationReport
from tests.validators.helpers import LU_TESTS, VALID_LU
from validators.index import Index
from validators.ownership import SHARED, assign_owners, report_subjects
from validators.rdfio import load_rdf
from validators.shacl import PROFILES, Profile, Validator, get_profile
from validators.shapes_graph import SHAPES_DIR, load_shapes
from validators.vocabularies import vocabulary_graph

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
EX = Namespace("https://data.public.lu/luxcat/test/")
DATASET = EX.population
DIST = URIRef(EX["population-csv"])
V300 = "https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/"


def _valid() -> Graph:
    return load_rdf(VALID_LU)


def _report(graph: Graph, profile: str = "dcat-ap-3.0.0", dataset: URIRef = DATASET) -> ValidationReport:
    reports = {r.dataset: r for r in Validator(profile).validate(graph)}
    return reports[str(dataset)]


def _violations(report: ValidationReport) -> set[tuple[str, str | None, str | None]]:
    return {(r.focus, r.path, r.shape) for r in report.results if r.severity == "Violation"}


def test_hand_written_lu_dataset_conforms() -> None:
    report = _report(_valid())
    assert report.conforms
    assert _violations(report) == set()


def test_upstream_full_dummy_conforms_except_its_one_broken_dataset() -> None:
    reports = Validator().validate(load_rdf(LU_TESTS / "dcat-ap-full-dummy.ttl"))
    assert len(reports) == 5
    assert sum(r.conforms for r in reports) == 4


def test_dcat_ap_lu_invalid_file_adds_exactly_the_missing_title() -> None:
    """dcat-ap-lu_dummy_invalid.ttl is the valid file with the dataset's dct:title commented out."""
    valid = Validator("dcat-ap-lu").validate(load_rdf(LU_TESTS / "dcat-ap-lu_dummy_valid.ttl"))
    invalid = Validator("dcat-ap-lu").validate(load_rdf(LU_TESTS / "dcat-ap-lu_dummy_invalid.ttl"))
    before = {(r.focus, r.path, r.severity) for rep in valid for r in rep.results}
    after = {(r.focus, r.path, r.severity) for rep in invalid for r in rep.results}
    dataset = "https://metadata.demo.lnds.tech/api/v1/datasets/1"
    assert after - before == {(dataset, str(DCT.title), "Violation")}
    assert before <= after


def test_dcat_ap_300_flags_the_missing_title_too() -> None:
    report = _report(
        load_rdf(LU_TESTS / "dcat-ap-lu_dummy_invalid.ttl"),
        dataset=URIRef("https://metadata.demo.lnds.tech/api/v1/datasets/1"),
    )
    assert (report.dataset, str(DCT.title), V300 + "shapes.ttl#Dataset_Shape/dct:title") in _violations(report)


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        pytest.param(
            lambda g: g.remove((DATASET, DCT.description, None)),
            {(str(DATASET), str(DCT.description), V300 + "shapes.ttl#Dataset_Shape/dct:description")},
            id="missing-description",
        ),
        pytest.param(
            lambda g: g.remove((DIST, DCAT.accessURL, None)),
            {(str(DIST), str(DCAT.accessURL), V300 + "shapes.ttl#Distribution_Shape/dcat:accessURL")},
            id="distribution-without-accessURL-counts-for-its-dataset",
        ),
        pytest.param(
            lambda g: g.set((DIST, DCAT.byteSize, Literal("about 48 kB", datatype=XSD.decimal))),
            {(str(DIST), str(DCAT.byteSize), V300 + "shapes.ttl#Distribution_Shape/dcat:byteSize")},
            id="ill-typed-decimal",
        ),
        pytest.param(
            lambda g: g.set((DATASET, DCT.accrualPeriodicity, URIRef("https://example.org/freq/whenever"))),
            {
                (
                    str(DATASET),
                    str(DCT.accrualPeriodicity),
                    "http://data.europa.eu/r5r#Dataset_ShapeCV/dct:accrualPeriodicity",
                ),
                (str(DATASET), str(DCT.accrualPeriodicity), V300 + "range.ttl#Dataset_Shape/dct:accrualPeriodicity"),
            },
            id="frequency-outside-EU-vocabulary",
        ),
        pytest.param(
            lambda g: g.set((DIST, DCT["format"], Literal("CSV"))),
            {
                (str(DIST), str(DCT["format"]), "http://data.europa.eu/r5r#Distribution_ShapeCV/dct:format"),
                (str(DIST), str(DCT["format"]), V300 + "range.ttl#Distribution_Shape/dct:format"),
                (str(DIST), str(DCT["format"]), V300 + "shapes.ttl#Distribution_Shape/dct:format"),
            },
            id="format-as-literal",
        ),
    ],
)
def test_hand_broken_copies_give_the_expected_violations(break_it: object, expected: set[tuple[str, str, str]]) -> None:
    graph = _valid()
    break_it(graph)  # type: ignore[operator]
    report = _report(graph)
    assert not report.conforms
    assert _violations(report) == expected


def test_ill_typed_issued_date_passes_300_because_of_its_sh_shape_typo() -> None:
    """DCAT-AP 3.0.0 writes `sh:shape :DateOrDateTimeDataType_Shape` (not SHACL): pySHACL and luxcat ignore it."""
    graph = _valid()
    graph.set((DATASET, DCT.issued, Literal("last spring", datatype=XSD.date)))
    assert _report(graph).conforms


def test_vocabulary_shapes_need_the_vocabularies() -> None:
    """Without the EU vocabularies the same valid dataset fails every vocabulary restriction."""
    without = Profile("no-vocab", get_profile().files, vocabularies=False)
    report = _report(_valid(), profile=without)  # type: ignore[arg-type]
    shapes = {shape for _, _, shape in _violations(report)}
    assert "http://data.europa.eu/r5r#Dataset_ShapeCV/dct:accrualPeriodicity" in shapes
    assert "http://data.europa.eu/r5r#Distribution_ShapeCV/dct:format" in shapes


def test_vocabularies_are_loaded_once_per_process() -> None:
    Validator("dcat-ap-3.0.0").validate(_valid())
    Validator("dcat-ap-2.1.1").validate(_valid())
    assert vocabulary_graph() is vocabulary_graph()
    assert vocabulary_graph.cache_info().misses <= 1


def test_301_consolidated_file_trap_is_handled() -> None:
    """pySHACL aborts on the raw 3.0.1 file (undefined shapes); the loader prunes those references."""
    import pyshacl

    raw = Graph().parse(SHAPES_DIR / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl")
    data = _valid()
    data.add((EX.api, RDF.type, DCAT.DataService))  # the undefined shapes hang off DataServiceShape
    with pytest.raises(Exception, match="(?i)shape"):
        pyshacl.validate(data, shacl_graph=raw)
    pruned = load_shapes([SHAPES_DIR / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"])
    original = len(Graph().parse(SHAPES_DIR / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"))
    assert len(pruned) == original - 2  # the two dangling sh:property triples are gone
    reports = {r.dataset: r for r in Validator("dcat-ap-3.0.1").validate(data)}
    assert set(reports) == {str(DATASET), str(EX.api)}
    assert not reports[str(EX.api)].conforms  # still validated: it lacks endpointURL and title


def test_every_profile_loads_and_validates() -> None:
    for name in PROFILES:
        reports = Validator(name).validate(_valid())
        assert [r.dataset for r in reports] == [str(DATASET)]


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="dcat-ap-3.0.0"):
        get_profile("dcat-ap-9")


def test_shared_nodes_belong_to_no_dataset_and_blank_nodes_are_ids() -> None:
    """A publisher shared by two datasets is nobody's; a blank-node distribution is its dataset's."""
    graph = Graph()
    one, two, agent, dist = EX.one, EX.two, EX.agent, BNode()
    for ds in (one, two):
        graph.add((ds, DCT.publisher, agent))
        graph.add((ds, DCT.title, Literal("t")))
        graph.add((ds, DCT.description, Literal("d")))
        graph.add((ds, URIRef(str(DCAT) + "dummy"), Literal("x")))
    graph.add((one, RDF.type, DCAT.Dataset))
    graph.add((two, RDF.type, DCAT.Dataset))
    graph.add((agent, RDF.type, FOAF.Agent))  # no foaf:name: a Violation on the shared agent
    graph.add((one, DCAT.distribution, dist))
    graph.add((dist, RDF.type, DCAT.Distribution))  # no accessURL: a Violation on the blank node
    owners = assign_owners(Index(graph), report_subjects(Index(graph)))
    assert owners[agent] is SHARED and owners[dist] == one
    outcome = Validator().validate_detailed(graph)
    by_dataset = {r.dataset: r for r in outcome.reports}
    assert any(r.focus == f"_:{dist}" for r in by_dataset[str(one)].results)
    assert not any(r.focus == str(agent) for rep in outcome.reports for r in rep.results)
    assert any(r.focus == str(agent) for r in outcome.unassigned)
    assert by_dataset[str(two)].conforms and not by_dataset[str(one)].conforms


def test_shape_names_are_stable_across_loads(tmp_path: Path) -> None:
    files = [SHAPES_DIR / f for f in get_profile().files]
    first = {str(s) for s in load_shapes(files).subjects() if "Dataset_Shape/" in str(s)}
    second = {str(s) for s in load_shapes(files).subjects() if "Dataset_Shape/" in str(s)}
    assert first == second and V300 + "shapes.ttl#Dataset_Shape/dct:title" in first


def test_recommended_shapes_only_warn() -> None:
    graph = _valid()
    graph.remove((DATASET, DCAT.keyword, None))  # recommended, not mandatory
    report = _report(graph, profile="dcat-ap-3.0.0-recommended")
    base = {(r.focus, r.path, r.shape) for r in _report(graph).results}
    recommended = [r for r in report.results if (r.focus, r.path, r.shape) not in base]
    assert recommended and {r.severity for r in recommended} == {"Warning"}
    assert any(r.path == str(DCAT.keyword) for r in recommended)
    assert report.conforms


def test_graphs_sharing_a_store_use_the_generic_index() -> None:
    """A named graph in an rdflib Dataset shares its store: results must not leak from other graphs."""
    from rdflib import Dataset

    store = Dataset()
    named = store.graph(URIRef("urn:graph:lu"))
    named += load_rdf(LU_TESTS / "dcat-ap-lu_dummy_invalid.ttl")
    other = store.graph(URIRef("urn:graph:other"))
    other += _valid()
    plain = load_rdf(LU_TESTS / "dcat-ap-lu_dummy_invalid.ttl")

    def keys(graph: Graph) -> set[tuple[str, str, str | None, str | None]]:
        return {(rep.dataset, r.severity, r.path, r.shape) for rep in Validator().validate(graph) for r in rep.results}

    assert keys(named) == keys(plain)
    assert str(DATASET) not in {rep.dataset for rep in Validator().validate(named)}
