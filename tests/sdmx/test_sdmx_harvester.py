"""SdmxHarvester against a local SDMX REST service answering with real recorded messages."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sdmx.source
from lxml import etree

from harvesters.sdmx.payload import decode
from luxcat.errors import SourceError
from tests.sdmx.conftest import DATA, service_options
from tests.sdmx.server import SdmxServer

Harvest = Callable[..., tuple]

LISTED = {"ecb": 1, "estat": 1, "insee": 663, "istat": 1}


@pytest.mark.parametrize("service", sorted(LISTED))
def test_every_listed_dataflow_becomes_one_record(harvest: Harvest, service: str) -> None:
    harvester, records, rejections = harvest(service)
    assert rejections == []
    assert len(records) == LISTED[service] == harvester.report.expected
    assert len({r.record_id for r in records}) == len(records)
    assert harvester.report.complete and harvester.report.errors == []
    for record in records:
        doc = decode(record.payload)
        assert record.record_id == f"{doc['dataflow']['agency']}:{doc['dataflow']['id']}"
        assert doc["dataflow"]["urn"].startswith("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=")


def test_bulk_listing_needs_no_request_per_structure(harvest: Harvest, server: SdmxServer) -> None:
    before = server.count("/ecb/")
    harvester, records, _ = harvest("ecb")
    doc = decode(records[0].payload)
    # listing (references=all) + category schemes + constraints; the DSD and 11 codelists came with the listing
    assert harvester.report.requests == 3 == server.count("/ecb/") - before
    assert len(doc["structure"]["dimensions"]) == 6
    freq = next(d for d in doc["structure"]["dimensions"] if d["id"] == "FREQ")
    assert [c["id"] for c in freq["codes"]] == ["A", "D", "H", "M", "Q"]  # the dataflow's allowed constraint


def test_insee_requests_one_per_structure_never_per_codelist(harvest: Harvest, server: SdmxServer) -> None:
    before = server.count("/insee/datastructure/")
    harvester, records, _ = harvest("insee")
    dsd_requests = server.count("/insee/datastructure/") - before
    # every INSEE dataflow has its own DSD; CNA-2010-CONSO-SI-A17's came with the category answer
    assert dsd_requests == 662
    assert harvester.report.requests == 3 + dsd_requests
    assert server.count("/insee/codelist/") == 0
    by_id = {r.record_id: decode(r.payload) for r in records}
    cna = by_id["FR1:CNA-2010-CONSO-SI-A17"]
    assert {d["id"] for d in cna["structure"]["dimensions"]} >= {"SECT-INST", "OPERATION", "TIME_PERIOD"}
    assert [step["id"] for step in cna["categories"][0]["path"]] == ["COMPTA-NAT", "CNA", "CNA-ERE", "CNA-ERE-2010"]
    assert cna["categories"][0]["path"][0]["name"] == {
        "en": "National accounts (GDP, consumption...)",
        "fr": "Comptabilité nationale (PIB, consommation...)",
    }
    # 661 DSDs are not recorded (404): their dataflows are still harvested, without structure
    assert sum(1 for d in by_id.values() if d["structure"] is None) == 661
    assert len(harvester.missing_structures) == 661


def test_shared_structure_is_fetched_once(harvest: Harvest, server: SdmxServer) -> None:
    before = server.count("/lustat/datastructure/")
    harvester, records, _ = harvest("lustat", exclude_annotations={})
    assert len(records) == 2
    assert server.count("/lustat/datastructure/") - before == 1
    docs = [decode(r.payload) for r in records]
    assert {d["structure"]["urn"] for d in docs} == {
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=LU1:DSD_PRIX_ESSENCE(1.0)"
    }
    assert {d["time_coverage"]["start"] for d in docs} == {"2026-06-03T00:00:00", "2026-06-05T00:00:00"}


def test_custom_source_is_registered_through_sdmx1(harvest: Harvest, server: SdmxServer) -> None:
    assert "LUSTAT" not in sdmx.source.sources
    harvest("lustat", exclude_annotations={})
    assert sdmx.source.sources["LUSTAT"].url == f"{server.url}/lustat"


def test_non_production_dataflows_are_excluded_by_default(harvest: Harvest) -> None:
    harvester, records, _ = harvest("lustat")
    assert records == []
    assert harvester.skipped == {"NonProductionDataflow": 2}
    assert harvester.report.complete


def test_id_pattern_and_category_filters(harvest: Harvest) -> None:
    listing = etree.parse(str(DATA / "INSEE" / "dataflow.xml"))
    ids = listing.xpath("//*[local-name()='Dataflow']/@id")
    _, by_pattern, _ = harvest("insee", id_pattern=r"IPI-.*")
    assert sorted(r.record_id for r in by_pattern) == sorted(f"FR1:{i}" for i in ids if i.startswith("IPI-"))
    # the filter uses the category-scheme answer, which files CNA-2010-CONSO-SI-A17 under COMPTA-NAT.CNA...
    harvester, by_category, _ = harvest("insee", include_categories=["COMPTA-NAT"])
    assert [r.record_id for r in by_category] == ["FR1:CNA-2010-CONSO-SI-A17"]
    assert harvester.skipped == {"category": 662}


def test_languages_are_all_kept_or_restricted(harvest: Harvest) -> None:
    _, records, _ = harvest("estat")
    assert set(decode(records[0].payload)["dataflow"]["name"]) == {"de", "en", "fr"}
    _, records, _ = harvest("estat", languages=["fr"])
    assert set(decode(records[0].payload)["dataflow"]["name"]) == {"fr"}


def test_listing_failure_raises_source_error_naming_the_request(harvest: Harvest) -> None:
    with pytest.raises(
        SourceError,
        match=r"test-broken: .*listing failed.*GET http://127\.0\.0\.1:\d+/broken/dataflow/LU1/all/latest.*HTTP 500",
    ):
        harvest("broken")


def test_category_failure_stops_the_run(harvest: Harvest, server: SdmxServer) -> None:
    server.fail("/insee/categoryscheme/FR1/all/latest", 503)
    with pytest.raises(SourceError, match="categoryscheme/FR1/all/latest"):
        harvest("insee")


def test_structure_failure_rejects_that_dataflow_and_leaves_the_run_incomplete(
    harvest: Harvest, server: SdmxServer
) -> None:
    server.fail("/insee/datastructure/FR1/IPI-2010-A21/1.0", 500)
    harvester, records, rejections = harvest("insee")
    assert [r.record_id for r in rejections] == ["FR1:IPI-2010-A21"]
    assert len(records) == 662
    assert not harvester.report.complete
    assert any("IPI-2010-A21/1.0" in e and "HTTP 500" in e for e in harvester.report.errors)


def test_changed_new_and_removed_dataflows_are_noticed_by_hash(harvest: Harvest, server: SdmxServer) -> None:
    _, first, _ = harvest("insee")
    _, again, _ = harvest("insee")
    hashes = {r.record_id: r.hash for r in first}
    assert {r.record_id: r.hash for r in again} == hashes  # deterministic payloads

    tree = etree.parse(str(DATA / "INSEE" / "dataflow.xml"))
    flows = tree.xpath("//*[local-name()='Dataflow']")
    flows[0].getparent().remove(flows[0])  # ACT-TRIM-ANC disappears
    name = tree.xpath("//*[local-name()='Dataflow'][@id='BPM6-CCAPITAL']/*[local-name()='Name'][@xml:lang='fr']")[0]
    name.text += " (révisé)"
    new = etree.fromstring(etree.tostring(flows[1]))
    new.set("id", "NOUVEAU-FLUX")
    new.set("urn", "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=FR1:NOUVEAU-FLUX(1.0)")
    flows[1].getparent().append(new)
    server.serve("/insee/dataflow/FR1/all/latest", etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    harvester, second, _ = harvest("insee")
    now = {r.record_id: r.hash for r in second}
    assert harvester.report.complete
    assert set(hashes) - set(now) == {"FR1:ACT-TRIM-ANC"}
    assert set(now) - set(hashes) == {"FR1:NOUVEAU-FLUX"}
    assert {k for k in hashes.keys() & now.keys() if hashes[k] != now[k]} == {"FR1:BPM6-CCAPITAL"}


def test_options_reject_unknown_keys_and_missing_url() -> None:
    with pytest.raises(ValueError, match="extra"):
        service_options("http://127.0.0.1:1", "ecb", page_size=3)
    with pytest.raises(ValueError, match="not built into sdmx1"):
        service_options("http://127.0.0.1:1", "lustat", url=None)
    with pytest.raises(ValueError):
        service_options("http://127.0.0.1:1", "ecb", id_pattern="([")


def test_modified_stamp_comes_from_the_update_annotation(harvest: Harvest) -> None:
    _, records, _ = harvest("estat")
    assert records[0].modified == "2023-01-23T11:00:00+0100"
    assert json.loads(records[0].payload)["dataflow"]["version"] == "1.0"
