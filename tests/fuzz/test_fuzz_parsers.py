"""Property-based fuzzing of every parser (issue 17): any input ends in a mapped record or a clear
rejection (the project's own error types) within a time bound, never a traceback or a hang.

Inputs are real files of tests/data mutated by tests/fuzz/strategies.py. The run is derandomised
with a small budget in CI; docs/fuzzing.md describes the long run.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from harvesters.atom import AtomHarvester, AtomOptions
from harvesters.atom.feed import NotAFeed
from harvesters.atom.feed import parse as parse_feed
from harvesters.csw import CswHarvester, CswOptions
from harvesters.csw import PageError as CswPageError
from harvesters.inventory.table import TableError, read_table
from luxcat.config import check_file
from luxcat.errors import RecordError
from luxcat.records import MappedRecord, RawRecord, Rejection
from mappers.atom import AtomMapper
from mappers.base import MapContext, Mapper
from mappers.dcat import DcatMapper
from mappers.iso19139 import Iso19139Mapper
from mappers.sdmx import SdmxMapper
from mappers.sdmx.options import SdmxMapperOptions
from tests.fuzz.strategies import FUZZ, mutated, seed, sheet_of, xlsx_with_sheet

CONTEXT = MapContext("fuzz", "https://data.public.lu/luxcat/fuzz/", ("fr", "de", "en"))


def map_all(mapper: Mapper, raw: RawRecord) -> list[MappedRecord | RecordError]:
    """split() then map() as the pipeline does: every record maps or is rejected with a RecordError."""
    out: list[MappedRecord | RecordError] = []
    try:
        pieces = list(mapper.split(raw))
    except RecordError as exc:
        return [exc]
    for piece in pieces:
        try:
            out.extend(mapper.map(piece))
        except RecordError as exc:
            out.append(exc)
    return out


def check_graphs(results: list[MappedRecord | RecordError]) -> None:
    """A mapped record serialises (N-Triples is what the pipeline stores) and every rejection says why."""
    for result in results:
        if isinstance(result, MappedRecord):
            result.graph.serialize(format="nt", encoding="utf-8")
        else:
            assert str(result) and result.reason


@pytest.fixture(scope="module", autouse=True)
def warm_vocabularies() -> None:
    """Load the EU vocabulary tables once (seconds, on first use) so the per-input deadline measures parsing."""
    raw = RawRecord("fuzz", "page", seed("tests/data/dcat/ckanext-dcat-examples/dataset_deri.ttl"), "text/turtle", "")
    map_all(DcatMapper(CONTEXT), raw)
    map_all(Iso19139Mapper(CONTEXT), RawRecord("fuzz", "r", ISO_SEEDS[0], "application/xml", ""))


# -- CSW page and ISO 19139 records ---------------------------------------------------------------
CSW_SEEDS = [seed("tests/data/iso19139/csw/pycsw/apiso_post_GetRecords-all.xml")]
ISO_SEEDS = [
    seed("tests/data/iso19139/pycsw-apiso/3e9a8c05.xml"),
    seed("tests/data/iso19139/ckanext-spatial/gemini2.1__service1.xml"),
    seed("tests/data/iso19139/owslib/17bd184a-7e7d-4f81-95a5-041449a7212b_iso.xml"),
]


@FUZZ
@given(mutated(CSW_SEEDS, xml=True))
def test_csw_page(body: bytes) -> None:
    harvester = CswHarvester("fuzz", CswOptions(url="http://127.0.0.1:9/csw"))
    try:
        results, *_counts = harvester.read_page(body)
    except CswPageError as exc:
        assert str(exc)
        return
    for item in harvester._records(results):
        assert isinstance(item, RawRecord | Rejection)
        if isinstance(item, RawRecord):
            check_graphs(map_all(Iso19139Mapper(CONTEXT), item))


@FUZZ
@given(mutated(ISO_SEEDS, xml=True))
def test_iso_record(body: bytes) -> None:
    check_graphs(map_all(Iso19139Mapper(CONTEXT), RawRecord("fuzz", "r", body, "application/xml", "")))


# -- DCAT in four syntaxes ------------------------------------------------------------------------
def _nt_seed() -> bytes:
    from rdflib import Graph

    graph = Graph().parse(Path(__file__).parents[1] / "data/dcat/ckanext-dcat-examples/dataset_deri.ttl")
    return graph.serialize(format="nt", encoding="utf-8")


DCAT_SEEDS = {
    "text/turtle": [seed("tests/data/dcat/ckanext-dcat-examples/dataset_deri.ttl")],
    "application/rdf+xml": [seed("tests/data/dcat/ckanext-dcat-examples/dataset_sweden.rdf")],
    "application/ld+json": [seed("tests/data/dcat/ckanext-dcat-examples/catalog_with_at_graph.jsonld")],
    "application/n-triples": [_nt_seed()],
}


@pytest.mark.parametrize("media_type", sorted(DCAT_SEEDS))
def test_dcat(media_type: str) -> None:
    @FUZZ
    @given(mutated(DCAT_SEEDS[media_type], xml=media_type.endswith("xml")))
    def run(body: bytes) -> None:
        raw = RawRecord("fuzz", "page", body, media_type, "http://127.0.0.1:9/page")
        check_graphs(map_all(DcatMapper(CONTEXT), raw))

    run()


# -- Atom / RSS ----------------------------------------------------------------------------------
ATOM = Path(__file__).parents[1] / "feeds" / "data" / "atom"
ATOM_SEEDS = [p.read_bytes() for p in sorted(ATOM.iterdir())]


def atom_items(body: bytes) -> Iterator[RawRecord | Rejection]:
    """What the Atom harvester makes of one page (dataset feeds not followed: no network)."""
    feed = parse_feed(body)
    harvester = AtomHarvester("fuzz", AtomOptions(url="http://127.0.0.1:9/feed", dataset_feeds=False))
    yield from harvester._records(None, None, feed, "http://127.0.0.1:9/feed", set())  # type: ignore[arg-type]


@FUZZ
@given(mutated(ATOM_SEEDS, xml=True))
def test_atom_feed(body: bytes) -> None:
    try:
        items = list(atom_items(body))
    except NotAFeed as exc:
        assert str(exc)
        return
    for item in items:
        if isinstance(item, RawRecord):
            check_graphs(map_all(AtomMapper(CONTEXT), item))


# -- SDMX-ML -------------------------------------------------------------------------------------
SDMX_SEEDS = [
    seed("tests/data/sdmx/INSEE/gh-205.xml"),
    seed("tests/data/sdmx/ISTAT-NSI/ISTAT_47_850_dataflow_with_datastructure.xml"),
]
SDMX_OPTIONS = SdmxMapperOptions(service_url="https://lustat.statec.lu/rest")


@FUZZ
@given(mutated(SDMX_SEEDS, xml=True))
def test_sdmx_ml(body: bytes) -> None:
    mapper = SdmxMapper(CONTEXT, SDMX_OPTIONS)
    check_graphs(map_all(mapper, RawRecord("fuzz", "structure", body, "application/xml", "")))


def _sdmx_payloads() -> list[bytes]:
    mapper = SdmxMapper(CONTEXT, SDMX_OPTIONS)
    return [r.payload for s in SDMX_SEEDS for r in mapper.split(RawRecord("fuzz", "s", s, "application/xml", ""))]


@FUZZ
@given(mutated(_sdmx_payloads()))
def test_sdmx_harvested_payload(body: bytes) -> None:
    mapper = SdmxMapper(CONTEXT, SDMX_OPTIONS)
    check_graphs(map_all(mapper, RawRecord("fuzz", "flow", body, "application/json", "")))


# -- CSV / XLSX inventories ----------------------------------------------------------------------
CSV_SEEDS = [seed("config/demo/inventory/mmtp-inventaire.csv")]


def _xlsx_template() -> bytes:
    from openpyxl import Workbook

    table = read_table(CSV_SEEDS[0], "inventaire.csv")
    book = Workbook()
    book.active.append(table.header)
    for _, values in table.rows:
        book.active.append([values.get(h) for h in table.header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX = _xlsx_template()
TABLE_ERRORS = (TableError, UnicodeDecodeError, LookupError)  # what the harvester reports as a SourceError


def _read(data: bytes, name: str) -> None:
    try:
        table = read_table(data, name)
    except TABLE_ERRORS as exc:
        assert str(exc)
        return
    assert all(isinstance(n, int) and isinstance(v, dict) for n, v in table.rows)


@FUZZ
@given(mutated(CSV_SEEDS))
def test_csv_inventory(body: bytes) -> None:
    _read(body, "inventaire.csv")


@FUZZ
@given(mutated([sheet_of(XLSX)], xml=True))
def test_xlsx_inventory(sheet: bytes) -> None:
    _read(xlsx_with_sheet(XLSX, sheet), "inventaire.xlsx")


# -- YAML source files ---------------------------------------------------------------------------
YAML_SEEDS = [seed("config/sources/demo-inventory.yaml"), seed("config/sources/demo-csw.yaml")]


@FUZZ
@given(mutated(YAML_SEEDS), st.sampled_from(["demo-inventory", "demo-csw"]))
def test_yaml_source_file(body: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_bytes(body)
        cfg, problems = check_file(path)
    assert (cfg is None) == bool(problems) or problems  # a config, or problems that say why
    for problem in problems:
        assert problem.message


# -- OAI-PMH arguments ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from publishers.catalogue.storage import FolderTarget
    from publishers.oaipmh import OaiRepository
    from publishers.targets import OaiOptions
    from tests.publish.corpus import load
    from tests.publish.test_serve import SCHEMA

    tmp = tmp_path_factory.mktemp("oai")
    import yaml

    from publishers.targets import load_publish_config
    from tests.publish.corpus import REPO
    from tests.publish.helpers import run

    loaded = load(tmp / "state", {"portal-mix": ["ckanext-dcat-examples/catalog.rdf"]})
    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["catalogue"].update(export=str(tmp / "export"), page_size=2, workers=1)
    (tmp / "publish.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    run(loaded, load_publish_config(tmp / "publish.yaml"))
    loaded.store.close()
    repo = OaiRepository(FolderTarget(tmp / "export"), OaiOptions(page_size=2), "http://127.0.0.1/oai")
    return repo, etree.XMLSchema(etree.parse(str(SCHEMA)))


OAI_KEYS = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "x"]
OAI_VALUES = st.sampled_from(
    ["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets", "ListMetadataFormats", "dcat_ap",
     "2020-01-01", "2020-13-45", "2026-12-31T23:59:59Z", "portal-mix", "\x00", "eyJvIjowfQ==", "", "é"]
) | st.text(max_size=40)  # fmt: skip


def test_oai_pmh_arguments(repository: Any) -> None:
    repo, schema = repository

    @FUZZ
    @given(st.dictionaries(st.sampled_from(OAI_KEYS) | st.text(max_size=8), st.lists(OAI_VALUES, min_size=1, max_size=2)))  # noqa: E501
    def run(params: dict[str, list[str]]) -> None:
        doc = etree.fromstring(repo.handle(params))
        schema.assertValid(doc)

    run()



# -- inputs the long run found (docs/fuzzing.md), kept as fixed regression examples ---------------
FOUND_DCAT = [
    # a predicate IRI rdflib reads but cannot write back ("^ttp://"): the harvest stopped with a bare Exception
    ("application/n-triples", b"<http://example.org/d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
     b"<http://www.w3.org/ns/dcat#Dataset> .\n<http://example.org/d> <^ttp://purl.org/dc/terms/title> \"t\" .\n"),
    ("text/turtle", b"@prefix rdfs:<    <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix dcat: "
     b"<http://www.w3.org/ns/dcat#> .\n<http://example.org/d> a dcat:Dataset ; rdfs:label \"x\" .\n"),
]  # fmt: skip


@pytest.mark.parametrize(("media_type", "body"), FOUND_DCAT)
def test_found_dcat_inputs_end_in_records_or_rejections(media_type: str, body: bytes) -> None:
    check_graphs(map_all(DcatMapper(CONTEXT), RawRecord("fuzz", "page", body, media_type, "")))


def test_found_csv_with_a_lone_carriage_return_is_a_table_error() -> None:
    _read(b'id;title\r\nA;"x"\rB;y\n', "inventaire.csv")
    _read(b"id;title\nA;x\ry\n", "inventaire.csv")


def test_found_sdmx_payload_missing_parts_is_rejected() -> None:
    import json

    payload = json.loads(_sdmx_payloads()[0])
    for key in ("service", "structure"):
        broken = dict(payload)
        broken.pop(key, None)
        check_graphs(map_all(SdmxMapper(CONTEXT), RawRecord("fuzz", "flow", json.dumps(broken).encode(), "", "")))
    broken = json.loads(json.dumps(payload))
    broken["dataflow"].pop("agency")
    with pytest.raises(RecordError):
        list(SdmxMapper(CONTEXT, SDMX_OPTIONS).map(RawRecord("fuzz", "flow", json.dumps(broken).encode(), "", "")))


def test_found_iso_topic_category_with_a_backslash_is_written() -> None:
    """A topic category code with a character no syntax can write in an IRI stopped the map stage."""
    body = ISO_SEEDS[2].replace(b"<gmd:MD_TopicCategoryCode>", b"<gmd:MD_TopicCategoryCode>\\", 1)
    assert b"MD_TopicCategoryCode>\\" in body
    results = map_all(Iso19139Mapper(CONTEXT), RawRecord("fuzz", "r", body, "application/xml", ""))
    assert any(isinstance(r, MappedRecord) for r in results)
    check_graphs(results)


def test_found_sdmx_urn_with_markup_is_written() -> None:
    """A dimension URN carrying `<!ENTITY ...>` gave an IRI rdflib cannot write (third long run)."""
    import json

    payload = json.loads(_sdmx_payloads()[0])
    urn = '"urn:sdmx:org.sdmx.infomodel.datastructure.Dimension='
    text = json.dumps(payload).replace(urn, urn[0] + "<!ENTITY x 'y'>" + urn[1:], 1)
    assert "<!ENTITY" in text
    results = map_all(SdmxMapper(CONTEXT, SDMX_OPTIONS), RawRecord("fuzz", "flow", text.encode(), "", ""))
    assert any(isinstance(r, MappedRecord) for r in results)
    check_graphs(results)


def test_found_csw_page_with_an_unbound_prefix_is_a_page_error() -> None:
    """External DTD, undeclared entity, `x-lns:csw=`: lxml keeps the tag `csw:GetRecordsResponse` (4th long run)."""
    body = CSW_SEEDS[0].replace(b'xmlns:csw="', b'x-lns:csw="', 1)
    body = body.replace(b"?>", b'?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">', 1)
    body = body.replace(b"</gmd:title>", b"&copy;</gmd:title>", 1)  # an entity only the (unread) DTD declares
    with pytest.raises(CswPageError, match="not a GetRecords response"):
        CswHarvester("fuzz", CswOptions(url="http://127.0.0.1:9/csw")).read_page(body)
