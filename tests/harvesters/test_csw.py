"""CSW harvesting against a real pycsw on 127.0.0.1 (and a fault-injecting proxy in front of it)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harvesters.csw import CswHarvester, CswOptions
from luxcat.artifacts import LocalArtifactStore
from luxcat.config import SourceConfig
from luxcat.errors import SourceError
from luxcat.pipeline import run_source
from luxcat.records import RawRecord, Rejection, utcnow
from luxcat.store import ACTIVE, WITHDRAWN, StateStore
from tests.servers.faulty_proxy import FaultyProxy, Match
from tests.servers.records import NEW_RECORD, demo_records, file_identifier, with_datestamp

GMI_ROOT = "{http://www.isotc211.org/2005/gmi}MI_Metadata"


def harvest(url: str, **options: Any) -> tuple[list[RawRecord], list[Rejection], CswHarvester]:
    harvester = CswHarvester("test-csw", CswOptions(url=url, **options))
    items = list(harvester.harvest())
    return (
        [i for i in items if isinstance(i, RawRecord)],
        [i for i in items if isinstance(i, Rejection)],
        harvester,
    )


def source(url: str, **options: Any) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "id": "test-csw",
            "title": "test",
            "owner": {"name": "test owner"},
            "harvester": {"kind": "csw", "options": {"url": url, "page_size": 5, "retries": 0, **options}},
            "mapper": ["iso19139"],
        }
    )


@pytest.fixture
def state(tmp_path: Path) -> tuple[StateStore, LocalArtifactStore]:
    return StateStore(f"sqlite:///{tmp_path / 'state.db'}"), LocalArtifactStore(tmp_path / "artifacts")


def test_full_harvest_gets_every_record_exactly_once(pycsw_server: Any) -> None:
    expected = demo_records()
    records, rejections, harvester = harvest(pycsw_server.url, page_size=50)
    assert rejections == []
    assert sorted(r.record_id for r in records) == sorted(expected)
    assert harvester.report.complete and harvester.report.expected == len(expected)
    for record in records:
        assert file_identifier(record.payload) == record.record_id
        assert record.origin_url.startswith(pycsw_server.url) and "GetRecordById" in record.origin_url
    # gmi:MI_Metadata records are kept as they are (OWSLib's parser would drop them)
    mi = {r.record_id for r in records if etree.fromstring(r.payload).tag == GMI_ROOT}
    assert {"NS06agg", "org.maracoos:avhrr.sst"} <= mi


def test_small_pages_sorted_by_identifier(pycsw_server: Any) -> None:
    records, _, harvester = harvest(pycsw_server.url, page_size=3)
    ids = [r.record_id for r in records]
    assert len(ids) == len(set(ids)) == len(demo_records())
    assert harvester.report.pages == -(-len(ids) // 3)
    assert harvester.report.complete


def test_type_constraint_is_sent_to_the_server(pycsw_server: Any) -> None:
    records, _, harvester = harvest(pycsw_server.url, page_size=50, types=["service"])
    assert records and harvester.report.complete
    for record in records:
        scope = etree.fromstring(record.payload).find(".//{*}hierarchyLevel/{*}MD_ScopeCode")
        assert scope is not None and scope.get("codeListValue") == "service"
    assert len(records) < len(demo_records())


def test_limit_stops_early_and_is_never_complete(pycsw_server: Any) -> None:
    harvester = CswHarvester("test-csw", CswOptions(url=pycsw_server.url, page_size=5))
    items = list(harvester.harvest(limit=7))
    assert len(items) == 7 and not harvester.report.complete


def test_duplicates_across_pages_are_skipped_counted_and_make_the_run_incomplete(pycsw_server: Any) -> None:
    first_id = sorted(demo_records())[0]
    with FaultyProxy(pycsw_server.url) as proxy:

        def repeat_first_id(body: bytes) -> bytes:
            # the second page's first record comes back with page 1's first identifier (GeoNetwork does this)
            return re.sub(
                rb"(<gmd:fileIdentifier>\s*<gco:CharacterString>)[^<]+",
                rb"\g<1>" + first_id.encode(),
                body,
                count=1,
            )

        proxy.transform(repeat_first_id, when=Match.csw("GetRecords", start_position=6))
        records, _, harvester = harvest(proxy.url, page_size=5)
    ids = [r.record_id for r in records]
    assert len(ids) == len(set(ids)) == len(demo_records()) - 1
    assert harvester.report.duplicates == 1
    assert not harvester.report.complete
    assert any("unique records but the server announced" in e for e in harvester.report.errors)


def test_malformed_record_is_rejected_and_the_rest_kept(pycsw_server: Any) -> None:
    with FaultyProxy(pycsw_server.url) as proxy:

        def break_first_title(body: bytes) -> bytes:
            return body.replace(b"</gmd:title>", b"</gmd:titel>", 1)

        proxy.transform(break_first_title, when=Match.csw("GetRecords", start_position=1))
        records, rejections, harvester = harvest(proxy.url, page_size=5)
    first_id = sorted(demo_records())[0]
    assert [(r.record_id, r.reason) for r in rejections] == [(first_id, "unparsable")]
    assert "titel" in rejections[0].detail or "mismatch" in rejections[0].detail
    assert len(records) == len(demo_records()) - 1
    assert first_id not in {r.record_id for r in records}
    assert harvester.report.complete  # the record was listed: it exists, it is just broken


def test_page_500_makes_run_incomplete_and_withdraws_nothing(pycsw_server: Any, state: Any) -> None:
    store, artifacts = state
    cfg = source(pycsw_server.url)
    first = run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    assert first.complete and first.counts.new == len(demo_records())

    with FaultyProxy(pycsw_server.url) as proxy:
        proxy.fail(500, when=Match.csw("GetRecords", start_position=6))
        run = run_source(source(proxy.url), store, artifacts, full=True, stages=("harvest",))
    assert not run.complete and run.status == "success"
    assert run.counts.withdrawn == 0 and run.counts.seen == len(demo_records()) - 5
    assert "page 2 (startPosition=6): HTTP 500" in (run.error_summary or "")
    assert store.count("test-csw", WITHDRAWN) == 0
    assert store.count("test-csw", ACTIVE) == len(demo_records())


def test_transient_500_is_retried(pycsw_server: Any) -> None:
    with FaultyProxy(pycsw_server.url) as proxy:
        proxy.fail(503, when=Match.csw("GetRecords", start_position=6), times=2)
        records, _, harvester = harvest(proxy.url, page_size=5, retries=2, backoff=0)
        asked = proxy.requests_matching(Match.csw("GetRecords", start_position=6))
    assert harvester.report.complete and len(records) == len(demo_records())
    assert len(asked) == 3


def test_429_honours_retry_after(pycsw_server: Any) -> None:
    with FaultyProxy(pycsw_server.url) as proxy:
        proxy.throttle(retry_after=0, when=Match.csw("GetRecords", start_position=1), times=1)
        records, _, harvester = harvest(proxy.url, page_size=50, retries=1, backoff=30)
    assert harvester.report.complete and len(records) == len(demo_records())


def test_server_that_stops_responding_names_the_source_and_page(pycsw_server: Any) -> None:
    with FaultyProxy(pycsw_server.url) as proxy:
        proxy.hang(3)
        harvester = CswHarvester("geo-test", CswOptions(url=proxy.url, timeout=0.3, retries=1, backoff=0))
        with pytest.raises(SourceError) as info:
            list(harvester.harvest())
    message = str(info.value)
    assert message.startswith("geo-test: CSW http://127.0.0.1:")
    assert "page 1 (startPosition=1): timed out after 0.3s (2 attempts)" in message


def test_dead_endpoint_fails_the_run_and_records_it(state: Any) -> None:
    store, artifacts = state
    cfg = source("http://127.0.0.1:9/csw")  # discard port: nothing listens
    with pytest.raises(SourceError, match="connection refused"):
        run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    run = store.runs("test-csw")[0]
    assert run.status == "failed" and not run.complete and "connection refused" in (run.error_summary or "")


def test_not_a_csw_answer_is_a_clear_error(pycsw_server: Any) -> None:
    with FaultyProxy(pycsw_server.url) as proxy:
        proxy.respond(b"<html><body>Maintenance</body></html>", content_type="text/html")
        harvester = CswHarvester("geo-test", CswOptions(url=proxy.url, retries=0))
        with pytest.raises(SourceError, match="not a GetRecords response"):
            list(harvester.harvest())


def test_incremental_harvest_sees_only_changes_and_full_harvest_withdraws_deleted(
    mutable_pycsw: Any, state: Any
) -> None:
    store, artifacts = state
    cfg = source(mutable_pycsw.url)
    first = run_source(cfg, store, artifacts, stages=("harvest",))
    assert first.mode == "full" and first.complete and first.counts.new == len(demo_records())

    nothing = run_source(cfg, store, artifacts, stages=("harvest",))
    assert nothing.mode == "incremental" and nothing.counts.seen == 0 and nothing.complete

    later = (utcnow() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = demo_records()
    changed_id = "test-service-1"
    mutable_pycsw.set_transactions(True)
    mutable_pycsw.insert(with_datestamp(NEW_RECORD.read_bytes(), later))
    mutable_pycsw.update(with_datestamp(records[changed_id], later))
    deleted_id = next(rid for rid in sorted(records) if rid != changed_id)
    mutable_pycsw.delete(deleted_id)

    incremental = run_source(cfg, store, artifacts, stages=("harvest",))
    new_id = file_identifier(NEW_RECORD.read_bytes())
    assert incremental.mode == "incremental"
    assert (incremental.counts.seen, incremental.counts.new, incremental.counts.changed) == (2, 1, 1)
    assert incremental.counts.withdrawn == 0  # an incremental listing cannot tell deletions
    assert store.get_record("test-csw", new_id) is not None

    full = run_source(cfg, store, artifacts, full=True, stages=("harvest",))
    assert full.complete and full.counts.withdrawn == 1 and full.counts.unchanged == len(records)
    assert store.get_record("test-csw", deleted_id).status == WITHDRAWN  # type: ignore[union-attr]


def test_doctype_entity_in_one_record_rejects_that_record_alone(pycsw_server: Any) -> None:
    """Issue 17, F9: `&copy;` declared by the page's DOCTYPE used in one record (C14N used to kill the run)."""
    with FaultyProxy(pycsw_server.url) as proxy:

        def declare_and_use_copy(body: bytes) -> bytes:
            doctype = rb'\1<!DOCTYPE csw:GetRecordsResponse [<!ENTITY copy "(c)">]>'
            body = re.sub(rb"(<\?xml[^>]*\?>)", doctype, body, count=1)
            return body.replace(b"</gmd:title>", b"&copy;</gmd:title>", 1)

        proxy.transform(declare_and_use_copy, when=Match.csw("GetRecords", start_position=1))
        records, rejections, harvester = harvest(proxy.url, page_size=5)
    first_id = sorted(demo_records())[0]
    assert [(r.record_id, r.reason) for r in rejections] == [(first_id, "unparsable")]
    assert "&copy;" in rejections[0].detail and "entit" in rejections[0].detail
    assert len(records) == len(demo_records()) - 1
    assert harvester.report.complete
    assert all(b"<!ENTITY" not in r.payload for r in records)


CHE_ROOT = "{http://www.geocat.ch/2008/che}CHE_MD_Metadata"
CHE_RECORD = Path(__file__).resolve().parents[1] / "data" / "iso19139" / "owslib" / "iso_che.xml"


def test_gmd_gmi_and_che_profile_records_all_harvest_and_the_listing_is_complete(mutable_pycsw: Any) -> None:
    """geocat.ch's che:CHE_MD_Metadata (gco:isoType gmd:MD_Metadata) was skipped: the unique count never
    matched numberOfRecordsMatched, so such a catalogue was always incomplete and never incremental."""
    from mappers.base import MapContext
    from mappers.iso19139 import Iso19139Mapper

    mutable_pycsw.load([CHE_RECORD])
    records, rejections, harvester = harvest(mutable_pycsw.url, page_size=10)
    assert rejections == []
    assert harvester.report.complete and harvester.report.expected == len(demo_records()) + 1
    roots = {etree.fromstring(r.payload).tag for r in records}
    assert {GMI_ROOT, CHE_ROOT, "{http://www.isotc211.org/2005/gmd}MD_Metadata"} <= roots
    [che] = [r for r in records if etree.fromstring(r.payload).tag == CHE_ROOT]
    assert che.record_id == "3d2981af-d5db-4122-8db6-1ea41ed44b3f"
    mapper = Iso19139Mapper(MapContext("test-csw", "https://data.public.lu/luxcat/test-csw/"))
    [mapped] = list(mapper.map(che))
    assert mapped.subject and len(mapped.graph) > 10
