"""luxcat's SHACL engine must give pySHACL's results: same conforms flag and (focus, path, shape, severity) per dataset.

pySHACL runs on the data graph with the profile's vocabularies added (what it needs for the
vocabulary shapes); luxcat on the data graph with its shared vocabulary index. Real catalogues
from tests/data/dcat are merged into one graph per run, to keep pySHACL's cost to one run.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

from luxcat.records import RawRecord
from tests.validators.helpers import LU_TESTS, SHARED, merged, per_dataset, real_dcat_files
from validators.index import Index
from validators.reference import pyshacl_issues
from validators.shacl import PROFILES, Validator, partition

DCT = Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def real_files() -> list[Path]:
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # real files carry malformed dates
    files = real_dcat_files()
    assert len(files) >= 60, "the shared DCAT data should hold ~70 RDF files"
    return files


@pytest.fixture(scope="module")
def real_catalogue(real_files: list[Path]) -> Graph:
    return merged(real_files)


@pytest.fixture(scope="module")
def some_catalogues(real_files: list[Path]) -> Graph:
    """Every fourth real file: the other profiles' cross-check at a quarter of pySHACL's cost."""
    return merged(real_files[::4])


def _compare(graph: Graph, profile: str) -> tuple[int, int]:
    validator = Validator(profile)
    mine = validator.validate_detailed(graph)
    theirs = partition(pyshacl_issues(graph, profile), Index(graph))
    a, b = per_dataset(mine), per_dataset(theirs)
    differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    assert not differing, f"{profile}: {len(differing)} datasets differ, e.g. {differing[:3]}"
    # results on nodes of no single dataset: luxcat skips vocabulary-only nodes, so it reports a subset
    mine_rest = {(i.focus, i.path, i.shape, i.severity) for i in mine.unassigned}
    theirs_rest = {(i.focus, i.path, i.shape, i.severity) for i in theirs.unassigned}
    assert mine_rest <= theirs_rest
    return len(a), sum(len(r.results) for r in mine.reports)


def test_default_profile_equals_pyshacl_on_all_real_catalogues(real_catalogue: Graph) -> None:
    datasets, results = _compare(real_catalogue, "dcat-ap-3.0.0")
    assert datasets >= 60 and results >= 1000  # a real, non-trivial comparison


@pytest.mark.parametrize("profile", sorted(set(PROFILES) - {"dcat-ap-3.0.0", "dcat-ap-lu"}))
def test_other_profiles_equal_pyshacl(profile: str, some_catalogues: Graph) -> None:
    datasets, results = _compare(some_catalogues, profile)
    assert datasets >= 10 and results > 0


def test_dcat_ap_lu_profile_equals_pyshacl_on_its_test_files() -> None:
    """DCAT-AP-LU (SPARQL constraints, slow in pySHACL) on the profile's own test data."""
    datasets, results = _compare(merged(sorted(LU_TESTS.glob("*.ttl"))), "dcat-ap-lu")
    assert datasets >= 5 and results > 0


def test_mapped_iso_records_equal_pyshacl() -> None:
    """Graphs made by the ISO 19139 mapper (mappers.iso19139) from the shared ISO records."""
    mapper_module = pytest.importorskip("mappers.iso19139.mapper")
    from mappers.base import MapContext

    mapper = mapper_module.Iso19139Mapper(MapContext(source_id="t", base_uri="https://data.public.lu/luxcat/t/"))
    graph = Graph()
    mapped = 0
    for path in sorted((SHARED / "iso19139").rglob("*.xml"))[::4]:
        raw = RawRecord("t", path.name, path.read_bytes(), "application/xml", str(path))
        try:
            for one in mapper.split(raw):
                for record in mapper.map(one):
                    graph += record.graph
                    mapped += 1
        except Exception:  # noqa: BLE001, S112 - records the mapper rejects are not this test's subject
            continue
    assert mapped >= 15
    datasets, results = _compare(graph, "dcat-ap-3.0.0")
    assert datasets >= 15 and results > 0


def test_sparql_constraints_equal_pyshacl() -> None:
    """DCAT-AP-LU's SPARQL constraints (two nodes pointing at each other) fire alike in both engines."""
    graph = merged([LU_TESTS / "dcat-ap-lu_dummy_valid.ttl"])
    dataset = URIRef("https://metadata.demo.lnds.tech/api/v1/datasets/1")
    publisher = next(graph.objects(dataset, DCT.publisher))
    graph.add((publisher, DCT.publisher, dataset))
    graph.add((dataset, DCT.provenance, dataset))
    _compare(graph, "dcat-ap-lu")
    report = next(r for r in Validator("dcat-ap-lu").validate(graph) if r.dataset == str(dataset))
    assert {r.path for r in report.results if "Sparql" in r.message or "SPARQL" in r.message} >= {
        str(DCT.publisher),
        str(DCT.provenance),
    }
