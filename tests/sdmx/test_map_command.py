"""`luxcat map --from sdmx` on the recorded ESTAT, ECB and LUSTAT structure messages, from the command line.

A structure message does not carry its service's URL, so the mapper needs `--option service_url=...`
(or a source file's options with `--source`); the output must conform to DCAT-AP 3.0.0.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sdmx
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from luxcat.cli import main
from tests.sdmx.lustat import messages as lustat_messages
from validators.combined import validate_full

DATA = Path(__file__).resolve().parents[1] / "data" / "sdmx"
REPO = Path(__file__).resolve().parents[2]
ESTAT = DATA / "ESTAT" / "GOV_10Q_GGNFA.xml"
ECB = DATA / "ECB_EXR" / "structure-full.xml"
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


@pytest.fixture(scope="module")
def lustat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LUSTAT's dataflows, DSD, codelists and constraints (derived as tests/sdmx/lustat.py does) in one message."""
    derived = lustat_messages(DATA / "LUSTAT-STATEC")
    combined = sdmx.message.StructureMessage()
    for name in ("constraints", "structure", "listing"):
        for obj in sdmx.read_sdmx(io.BytesIO(derived[name])).iter_objects():
            if not getattr(obj, "is_external_reference", False):  # the full definitions, not the references
                combined.add(obj)
    path = tmp_path_factory.mktemp("lustat") / "lustat-structure.xml"
    path.write_bytes(sdmx.to_xml(combined))
    return path


def mapped(capsys: pytest.CaptureFixture[str], out: Path, *args: str) -> Graph:
    assert main(["map", *args, "-o", str(out)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().err.strip().endswith("0 failed")
    return Graph().parse(out, format="turtle")


def shacl_conforms(graph: Graph) -> None:
    """Every dataset, service and catalogue conforms to the DCAT-AP 3.0.0 shapes (SHACL alone)."""
    full = validate_full(graph, "dcat-ap-3.0.0", policy=False)
    bad = [(r.dataset, r.results) for r in [*full.reports, *full.catalogues] if not r.conforms]
    assert bad == [] and not [r for r in full.other if r.severity == "Violation"]


CORPORATE = "http://publications.europa.eu/resource/authority/corporate-body/"
DESCRIPTION = "http://purl.org/dc/terms/description"


def only_missing_description(graph: Graph) -> None:
    """SHACL: the one Violation left is the dataset's missing dct:description.

    The recorded ESTAT and ECB dataflows carry a name but no description, and luxcat invents none
    (a title is never copied into a description), so DCAT-AP's mandatory description stays missing.
    """
    full = validate_full(graph, "dcat-ap-3.0.0", policy=False)
    found = {
        (r.focus, r.path) for rep in [*full.reports, *full.catalogues] for r in rep.results if r.severity == "Violation"
    }
    datasets = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert found == {(d, DESCRIPTION) for d in datasets}
    assert not [r for r in full.other if r.severity == "Violation"]
    assert not any((d, DCTERMS.description, None) in graph for d in graph.subjects(RDF.type, DCAT.Dataset))


def test_estat_with_service_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
    options = [
        "--option", f"service_url={url}", "--option", f"licence={CC_BY}",
        "--option", f"publishers.ESTAT.uri={CORPORATE}ESTAT", "--option", "publishers.ESTAT.name.en=Eurostat",
    ]  # fmt: skip
    graph = mapped(capsys, tmp_path / "estat.ttl", "--from", "sdmx", *options, str(ESTAT))
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    (dataset,) = datasets
    assert (dataset, DCTERMS.publisher, URIRef(f"{CORPORATE}ESTAT")) in graph
    assert any(str(o).startswith(url) for o in graph.objects(None, DCAT.endpointURL))
    only_missing_description(graph)
    assert main(["validate", str(tmp_path / "estat.ttl")]) == 1  # bad data: the description is missing
    assert "1 data service(s): 1 conform, 0 do not" in capsys.readouterr().out


def test_ecb_with_service_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://data-api.ecb.europa.eu/service"
    options = ["--option", f"service_url={url}", "--option", f"publishers.ECB.uri={CORPORATE}ECB"]
    options += ["--option", "publishers.ECB.name.en=European Central Bank"]
    graph = mapped(capsys, tmp_path / "ecb.ttl", "--from", "sdmx", *options, str(ECB))
    assert (None, RDF.type, DCAT.Dataset) in graph and any(
        str(o).startswith(url) for o in graph.objects(None, DCAT.endpointURL)
    )
    only_missing_description(graph)
    # no licence is invented either: the ECB message states none, so the policy rule says so
    assert main(["validate", str(tmp_path / "ecb.ttl")]) == 1
    assert "No licence stated" in capsys.readouterr().out


def test_lustat_with_service_url_and_with_its_source_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lustat_file: Path
) -> None:
    url = "https://lustat.statec.lu/rest"
    plain = mapped(capsys, tmp_path / "plain.ttl", "--from", "sdmx", "--option", f"service_url={url}", str(lustat_file))
    shacl_conforms(plain)
    titles = {str(t) for t in plain.objects(None, DCTERMS.title) if isinstance(t, Literal) and t.language == "fr"}
    assert len(set(plain.subjects(RDF.type, DCAT.Dataset))) == 2 and len(titles) >= 2

    source = REPO / "config" / "sources" / "lustat-statec.yaml"
    configured = mapped(
        capsys, tmp_path / "lustat.ttl", "--source", str(source), "--option", f"service_url={url}", str(lustat_file)
    )
    subjects = {str(s) for s in configured.subjects(RDF.type, DCAT.Dataset)}
    assert subjects and all(s.startswith("https://data.public.lu/luxcat/lustat-statec/") for s in subjects)
    landing = {str(o) for o in configured.objects(None, DCAT.landingPage)}
    assert any(u.startswith("https://lustat.statec.lu/vis?df%5Bds%5D=release&df%5Bag%5D=LU1") for u in landing)
    shacl_conforms(configured)
    assert main(["validate", str(tmp_path / "lustat.ttl")]) == 0  # the source's licence (CC0) satisfies the policy
    assert "2 dataset(s): 2 conform, 0 do not" in capsys.readouterr().out


def test_without_service_url_it_says_which_option_and_how(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lustat_file: Path
) -> None:
    for path in (ESTAT, ECB, lustat_file):
        assert main(["map", "--from", "sdmx", str(path), "-o", str(tmp_path / "x.ttl")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "mapper option service_url is needed" in err[0]
        assert "(hint: pass it as --option service_url=VALUE" in err[0]
    assert not (tmp_path / "x.ttl").exists()
