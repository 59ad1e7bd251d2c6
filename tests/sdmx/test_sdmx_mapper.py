"""SdmxMapper: harvested dataflows of every recorded service map to conforming StatDCAT-AP datasets."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from harvesters.sdmx import SdmxHarvester
from luxcat.errors import ConfigError, MissingIdentifier, UnparsableRecord
from luxcat.records import MappedRecord, RawRecord
from mappers.base import MapContext
from mappers.sdmx import SdmxMapper, SdmxMapperOptions
from mappers.sdmx.graph import DCAT3, DCATAP, STAT
from tests.sdmx.conftest import DATA, run, service_options
from tests.sdmx.server import SdmxServer
from tests.support.shacl import not_gaps, violations

CC0 = "http://publications.europa.eu/resource/authority/licence/CC0"
LANDING = "https://lustat.statec.lu/vis?df[ds]=release&df[ag]={agency}&df[id]={id}&df[vs]={version}"
HARVEST = {
    "ecb": {},
    "estat": {},
    "insee": {},
    "istat": {},
    "lustat": {"exclude_annotations": {}},
}


def mapper_for(service: str, **options: object) -> SdmxMapper:
    context = MapContext(
        source_id=f"test-{service}",
        base_uri=f"https://data.public.lu/luxcat/test-{service}/",
        languages=("fr", "de", "en"),
        licence=CC0,
    )
    return SdmxMapper(context, SdmxMapperOptions(**options))


LUSTAT_OPTIONS = {"landing_page": LANDING, "hvd_dataflows": ["DSD_PRIX_ESSENCE@DF_E5302"]}
INSEE_OPTIONS = {"themes": {"COMPTA-NAT": ["ECON"], "PRODUCTION-ENT": ["ECON", "TECH"]}, "default_themes": ["ECON"]}


@pytest.fixture(scope="session")
def harvested(sdmx_server: SdmxServer) -> dict[str, list[RawRecord]]:
    """Every service harvested once for the mapping tests."""
    out = {}
    import sdmx.source

    before = set(sdmx.source.sources)
    for service, overrides in HARVEST.items():
        records, rejections = run(
            SdmxHarvester(f"test-{service}", service_options(sdmx_server.url, service, **overrides))
        )
        assert rejections == []
        out[service] = records
    for name in set(sdmx.source.sources) - before:
        del sdmx.source.sources[name]
    return out


@pytest.fixture(scope="session")
def mapped(harvested: dict[str, list[RawRecord]]) -> dict[str, list[MappedRecord]]:
    options = {"lustat": LUSTAT_OPTIONS, "insee": INSEE_OPTIONS}
    return {
        service: [m for raw in records for m in mapper_for(service, **options.get(service, {})).map(raw)]
        for service, records in harvested.items()
    }


def merged(records: list[MappedRecord]) -> Graph:
    graph = Graph()
    for record in records:
        graph += record.graph
    return graph


def test_every_dataflow_maps_to_a_dcat_ap_3_conforming_dataset(mapped: dict[str, list[MappedRecord]]) -> None:
    everything = Graph()
    count = 0
    for records in mapped.values():
        everything += merged(records)
        count += len(records)
    assert count == 1 + 1 + 663 + 1 + 2
    assert len(set(everything.subjects(RDF.type, DCAT.Dataset))) == count
    # the only Violations: dataflows without a description of their own (the name is not copied into one)
    found = violations(everything)
    assert not_gaps(found) == []
    assert {v[1] for v in found} <= {str(DCTERMS.description)}
    for focus, *_ in found:
        assert not any(everything.objects(URIRef(focus), DCTERMS.description))


def test_one_dataset_per_dataflow_identified_by_its_urn(mapped: dict[str, list[MappedRecord]]) -> None:
    for records in mapped.values():
        for record in records:
            identifiers = list(record.graph.objects(record.subject, DCTERMS.identifier))
            assert len(identifiers) == 1 and str(identifiers[0]).startswith(
                "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="
            )


def test_multilingual_titles_keep_every_language(mapped: dict[str, list[MappedRecord]]) -> None:
    (estat,) = mapped["estat"]
    titles = {(t.language, str(t)) for t in estat.graph.objects(estat.subject, DCTERMS.title)}
    assert titles == {
        ("fr", "Comptes non-financiers trimestriels des administrations publiques"),
        ("de", "Vierteljährliche nichtfinanzielle Staatskonten"),
        ("en", "Quarterly non-financial accounts for general government"),
    }
    insee = next(r for r in mapped["insee"] if r.record_id == "FR1:ACT-TRIM-ANC")
    assert {t.language for t in insee.graph.objects(insee.subject, DCTERMS.title)} == {"fr", "en"}
    assert not list(insee.graph.objects(insee.subject, DCTERMS.description))  # it has none: nothing composed


def test_lustat_dataflow_statdcat_ap(mapped: dict[str, list[MappedRecord]], sdmx_server: SdmxServer) -> None:
    record = next(r for r in mapped["lustat"] if r.record_id == "LU1:DSD_PRIX_ESSENCE@DF_E5302")
    g, ds = record.graph, record.subject
    rest = f"{sdmx_server.url}/lustat"
    statec = URIRef("https://statistiques.public.lu/")
    service = URIRef("https://data.public.lu/luxcat/test-lustat/service/sdmx-rest")
    csv = URIRef(f"{ds}/distribution/sdmx-csv")
    expected = {
        (
            ds,
            DCTERMS.identifier,
            Literal("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=LU1:DSD_PRIX_ESSENCE@DF_E5302(1.0)"),
        ),
        (ds, DCTERMS.publisher, statec),
        (
            statec,
            FOAF.name,
            Literal(
                "STATEC".join(
                    ["National Institute of Statistics and Economic Studies of the Grand Duchy of Luxembourg (", ")"]
                ),
                lang="en",
            ),
        ),
        (ds, DCTERMS.accrualPeriodicity, URIRef("http://publications.europa.eu/resource/authority/frequency/IRREG")),
        (ds, STAT.statUnitMeasure, URIRef("urn:sdmx:org.sdmx.infomodel.codelist.Code=LU1:CL_UNIT_MEASURE(1.0).EUR_LI")),
        (
            ds,
            STAT.dimension,
            URIRef("urn:sdmx:org.sdmx.infomodel.datastructure.Dimension=LU1:DSD_PRIX_ESSENCE(1.0).MOTOR_ENERGY"),
        ),
        (
            ds,
            STAT.attribute,
            URIRef("urn:sdmx:org.sdmx.infomodel.datastructure.DataAttribute=LU1:DSD_PRIX_ESSENCE(1.0).OBS_STATUS"),
        ),
        (
            ds,
            DCAT.landingPage,
            URIRef(
                "https://lustat.statec.lu/vis?df%5Bds%5D=release&df%5Bag%5D=LU1&df%5Bid%5D=DSD_PRIX_ESSENCE@DF_E5302&df%5Bvs%5D=1.0"
            ),
        ),
        (ds, DCATAP.hvdCategory, URIRef("http://data.europa.eu/bna/c_e1da4e07")),
        (ds, DCATAP.applicableLegislation, URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")),
        (csv, DCAT.downloadURL, URIRef(f"{rest}/data/LU1,DSD_PRIX_ESSENCE@DF_E5302,1.0/all?format=csvfilewithlabels")),
        (csv, DCTERMS.license, URIRef(CC0)),
        # a dataflow says nothing about use: its licence is the source's default, and the graph says so
        (ds, DCTERMS.provenance, URIRef("https://data.public.lu/luxcat/def/licence-origin/source-default")),
        (csv, DCAT.accessService, service),
        (csv, DCATAP.applicableLegislation, URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")),
        (
            URIRef(f"{ds}/distribution/sdmx-ml"),
            DCAT.downloadURL,
            URIRef(f"{rest}/data/LU1,DSD_PRIX_ESSENCE@DF_E5302,1.0/all"),
        ),
        (service, DCAT.endpointURL, URIRef(rest)),
        (service, DCTERMS.conformsTo, URIRef("https://sdmx.org/?page_id=5008")),
        (service, DCAT.servesDataset, ds),
    }
    assert expected <= set(g)
    (period,) = g.objects(ds, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal(date(2026, 6, 3), datatype=XSD.date)
    assert (ds, STAT.statUnitMeasure, None) in g and len(list(g.objects(ds, STAT.statUnitMeasure))) == 1
    description = str(g.value(ds, DCTERMS.description))
    assert "<b>" not in description and "Keywords: Diesel, price maximum" in description
    other = next(r for r in mapped["lustat"] if r.record_id == "LU1:DSD_PRIX_ESSENCE@DF_E5301")
    assert (other.subject, DCATAP.hvdCategory, None) not in other.graph  # not in the HVD list


def test_topics_become_keywords_themes_and_one_shared_series(mapped: dict[str, list[MappedRecord]]) -> None:
    cna = next(r for r in mapped["insee"] if r.record_id == "FR1:CNA-2010-CONSO-SI-A17")
    g, ds = cna.graph, cna.subject
    series = URIRef(
        "https://data.public.lu/luxcat/test-insee/series/FR1/CLASSEMENT_DATAFLOWS/COMPTA-NAT.CNA.CNA-ERE.CNA-ERE-2010"
    )
    assert (ds, DCAT3.inSeries, series) in g
    assert (series, RDF.type, DCAT3.DatasetSeries) in g
    assert {str(k) for k in g.objects(ds, DCAT.keyword)} == {"Base 2010"}
    assert set(g.objects(ds, DCAT.theme)) == {
        URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON")
    }
    ipi = next(r for r in mapped["insee"] if r.record_id == "FR1:IPI-2010-A21")
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/TECH") in set(
        ipi.graph.objects(ipi.subject, DCAT.theme)
    )


def test_shared_service_node_merges_across_records(mapped: dict[str, list[MappedRecord]]) -> None:
    graph = merged(mapped["insee"])
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert services == {URIRef("https://data.public.lu/luxcat/test-insee/service/sdmx-rest")}
    (service,) = services
    assert len(set(graph.objects(service, DCAT.servesDataset))) == 663
    assert len(set(graph.objects(service, DCTERMS.title))) == 3
    assert len(set(graph.objects(service, DCTERMS.publisher))) == 1


def test_split_of_a_structure_file_gives_the_harvested_record(
    harvested: dict[str, list[RawRecord]], sdmx_server: SdmxServer
) -> None:
    mapper = mapper_for("estat", service_url=f"{sdmx_server.url}/estat")
    path = DATA / "ESTAT" / "GOV_10Q_GGNFA.xml"
    raw = RawRecord("test-estat", path.name, path.read_bytes(), "application/xml", path.as_uri())
    (record,) = mapper.split(raw)
    (harvest,) = harvested["estat"]
    assert record.record_id == harvest.record_id and record.hash == harvest.hash
    assert list(mapper.split(harvest)) == [harvest]


def test_split_of_the_insee_listing_gives_663_records(sdmx_server: SdmxServer) -> None:
    mapper = mapper_for("insee", service_url="https://www.bdm.insee.fr/series/sdmx")
    path = DATA / "INSEE" / "dataflow.xml"
    records = list(
        mapper.split(RawRecord("test-insee", path.name, path.read_bytes(), "application/xml", path.as_uri()))
    )
    assert len({r.record_id for r in records}) == 663


def test_bad_payloads_are_record_errors() -> None:
    mapper = mapper_for("x", service_url="http://127.0.0.1:1/rest")
    with pytest.raises(UnparsableRecord):
        list(mapper.map(RawRecord("x", "a", b"<not json>", "application/json", "")))
    with pytest.raises(UnparsableRecord):
        list(mapper.split(RawRecord("x", "a", b"<html>oops</html>", "application/xml", "")))
    with pytest.raises(MissingIdentifier):
        list(
            mapper.map(
                RawRecord("x", "a", b'{"schema": "luxcat-sdmx-dataflow/1", "dataflow": {}}', "application/json", "")
            )
        )
    with pytest.raises(ConfigError):
        list(mapper_for("x").split(RawRecord("x", "a", b"<x/>", "application/xml", "")))


def test_the_validation_can_fail(mapped: dict[str, list[MappedRecord]]) -> None:
    (ecb,) = mapped["ecb"]
    broken = Graph()
    broken += ecb.graph
    broken.remove((ecb.subject, DCTERMS.description, None))
    dist = URIRef(f"{ecb.subject}/distribution/sdmx-csv")
    broken.remove((dist, DCAT.accessURL, None))
    found = {(focus, path) for focus, path, _, _ in violations(broken)}
    assert found == {(str(ecb.subject), str(DCTERMS.description)), (str(dist), str(DCAT.accessURL))}


def test_frequency_comes_from_the_dataflows_own_data_never_from_its_code_list(
    harvested: dict[str, list[RawRecord]],
) -> None:
    """A FREQ code list lists what any dataflow of the DSD may use; only a content constraint says what
    this dataflow has. Code-list-only codes give no frequency and are reported as dropped."""
    from harvesters.sdmx.payload import decode
    from mappers.fidelity import collecting

    seen = {"constraint": 0, "codelist": 0}
    for service, records in harvested.items():
        mapper = mapper_for(service)
        for raw in records:
            structure = decode(raw.payload).get("structure") or {}
            components = structure.get("dimensions", []) + structure.get("attributes", [])
            freq = [c for c in components if c["id"] == "FREQ" and c.get("codes")]
            if not freq:
                continue
            with collecting() as dropped:
                [record] = list(mapper.map(raw))
            periodicity = list(record.graph.objects(record.subject, DCTERMS.accrualPeriodicity))
            source = freq[0]["codes_from"]
            seen[source] += 1
            if source == "codelist":
                assert periodicity == [], raw.record_id
                assert any(d.reason.startswith("codes of the code list") for d in dropped), raw.record_id
            elif len(freq[0]["codes"]) == 1:
                assert len(periodicity) == 1, raw.record_id
    assert seen == {"constraint": 3, "codelist": 1}
