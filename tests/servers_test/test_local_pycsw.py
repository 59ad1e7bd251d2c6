"""The local pycsw really serves the demo records: capabilities, paging, MI_Metadata, CSW-T, reset, failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from lxml import etree

from luxcat.pycsw_local import LocalPycsw, PycswError, ensure_venv
from tests.servers.records import NEW_RECORD, NS, SERVICE1_NEWER, demo_records, file_identifier, with_datestamp

CSW = "http://www.opengis.net/cat/csw/2.0.2"
GMD = "http://www.isotc211.org/2005/gmd"


def get_records(url: str, **params: str | int) -> etree._Element:
    """GetRecords (GET KVP, outputSchema gmd, full, sorted by identifier); returns csw:SearchResults."""
    query = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typenames": "gmd:MD_Metadata",
        "resulttype": "results",
        "outputschema": GMD,
        "elementsetname": "full",
        "sortby": "apiso:Identifier:A",
        **params,
    }
    resp = requests.get(url, params=query, timeout=30)
    resp.raise_for_status()
    results = etree.fromstring(resp.content).find(f"{{{CSW}}}SearchResults")
    assert results is not None, resp.text[:500]
    return results


def ids_of(results: etree._Element) -> list[str]:
    return [str(rec.xpath("string(gmd:fileIdentifier/gco:CharacterString)", namespaces=NS)) for rec in results]


def record_by_id(url: str, identifier: str) -> etree._Element | None:
    query = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecordById",
        "id": identifier,
        "outputschema": GMD,
        "elementsetname": "full",
    }
    resp = requests.get(url, params=query, timeout=30)
    resp.raise_for_status()
    children = list(etree.fromstring(resp.content))
    return children[0] if children else None


def test_capabilities_name_the_server(pycsw_server: LocalPycsw) -> None:
    resp = requests.get(pycsw_server.url, params={"service": "CSW", "request": "GetCapabilities"}, timeout=30)
    assert resp.status_code == 200
    root = etree.fromstring(resp.content)
    assert etree.QName(root).localname == "Capabilities"
    assert b"luxcat test pycsw (read-only)" in resp.content


def test_paging_by_next_record_returns_every_demo_record_once(pycsw_server: LocalPycsw) -> None:
    expected = set(demo_records())
    seen: list[str] = []
    start, pages = 1, 0
    while start:
        results = get_records(pycsw_server.url, maxrecords=7, startposition=start)
        assert results.get("numberOfRecordsMatched") == str(len(expected))
        seen += ids_of(results)
        start, pages = int(results.get("nextRecord")), pages + 1
    assert pages == 4  # 7 + 7 + 7 + 4
    assert sorted(seen) == sorted(expected)
    assert seen == sorted(seen)  # sortby apiso:Identifier is byte order


def test_server_caps_the_page_size(pycsw_server: LocalPycsw) -> None:
    results = get_records(pycsw_server.url, maxrecords=50)
    assert results.get("numberOfRecordsReturned") == "10"
    assert results.get("nextRecord") == "11"


def test_mi_metadata_records_come_back_with_their_gmi_root(pycsw_server: LocalPycsw) -> None:
    by_root: dict[str, set[str]] = {}
    start = 1
    while start:
        results = get_records(pycsw_server.url, startposition=start)
        for rec, ident in zip(results, ids_of(results), strict=True):
            by_root.setdefault(etree.QName(rec).text, set()).add(ident)
        start = int(results.get("nextRecord"))
    demo_mi = {
        ident for ident, xml in demo_records().items() if etree.QName(etree.fromstring(xml)).namespace == NS["gmi"]
    }
    assert len(demo_mi) == 4
    assert by_root[f"{{{NS['gmi']}}}MI_Metadata"] == demo_mi
    assert len(by_root[f"{{{GMD}}}MD_Metadata"]) == 21


def test_modified_filter_selects_by_datestamp(pycsw_server: LocalPycsw) -> None:
    results = get_records(
        pycsw_server.url,
        constraintlanguage="CQL_TEXT",
        constraint_language_version="1.1.0",
        constraint="apiso:Modified > '2019-01-01'",
    )
    assert sorted(ids_of(results)) == sorted(
        [
            "123e4567-e89b-12d3-a456-426655440000",
            "123e4567-e89b-12d3-a456-426655440123",
            "01ef8e6a-df59-4c2d-8468-79da95046705",
            "50b921ea-935e-d605-2287-4ee364046795",
            "S2B_MSIL2A_20200902T090559_N0214_R050_T34SFG_20200902T113910.SAFE",
        ]
    )


def test_csw_t_insert_update_delete(mutable_pycsw: LocalPycsw) -> None:
    url = mutable_pycsw.url
    new_id = file_identifier(NEW_RECORD.read_bytes())
    assert record_by_id(url, new_id) is None

    mutable_pycsw.insert(NEW_RECORD.read_bytes())
    inserted = record_by_id(url, new_id)
    assert inserted is not None and file_identifier(etree.tostring(inserted)) == new_id

    mutable_pycsw.update(SERVICE1_NEWER.read_bytes())
    assert mutable_pycsw.identifiers()["test-service-1"] == "2011-09-10T00:00:01"
    updated = record_by_id(url, "test-service-1")
    assert updated is not None and b"NEWER" in etree.tostring(updated)

    mutable_pycsw.delete("test-service-1")
    assert record_by_id(url, "test-service-1") is None
    assert get_records(url).get("numberOfRecordsMatched") == "25"  # 25 + 1 inserted - 1 deleted


def test_csw_t_failures_raise(mutable_pycsw: LocalPycsw) -> None:
    with pytest.raises(PycswError, match="expected 1"):
        mutable_pycsw.delete("no-such-record")
    with pytest.raises(PycswError, match="UNIQUE constraint"):
        mutable_pycsw.insert(demo_records()["test-service-1"])
    with pytest.raises(PycswError, match="not well-formed"):
        mutable_pycsw.insert(b"<gmd:MD_Metadata")
    mutable_pycsw.set_transactions(False)
    with pytest.raises(PycswError, match="not supported"):
        mutable_pycsw.insert(NEW_RECORD.read_bytes())


def test_fresh_datestamp_makes_an_insert_visible_to_incremental_queries(mutable_pycsw: LocalPycsw) -> None:
    fresh = with_datestamp(NEW_RECORD.read_bytes(), "2031-02-03T04:05:06", identifier="luxcat-fresh-1")
    mutable_pycsw.insert(fresh)
    results = get_records(
        mutable_pycsw.url,
        constraintlanguage="CQL_TEXT",
        constraint_language_version="1.1.0",
        constraint="apiso:Modified > '2030-01-01'",
    )
    assert ids_of(results) == ["luxcat-fresh-1"]


def test_reset_restores_records_and_config(mutable_pycsw: LocalPycsw) -> None:
    mutable_pycsw.delete("test-service-1")
    mutable_pycsw.load([NEW_RECORD])
    mutable_pycsw.set_maxrecords(3)
    assert get_records(mutable_pycsw.url).get("numberOfRecordsReturned") == "3"
    mutable_pycsw.reset()
    assert set(mutable_pycsw.identifiers()) == set(demo_records())
    assert get_records(mutable_pycsw.url).get("numberOfRecordsReturned") == "10"


def test_load_refuses_files_pycsw_skips(mutable_pycsw: LocalPycsw, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'>")
    with pytest.raises(PycswError, match="not well-formed"):
        mutable_pycsw.load([broken])


def test_start_failure_reports_the_log(pycsw_python: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = LocalPycsw(tmp_path, port=taken.getsockname()[1], python=pycsw_python, startup_timeout=20)
        with pytest.raises(PycswError, match="Address already in use"):
            server.start()
    assert server.pid is None


def test_stop_ends_the_process(pycsw_python: Path, tmp_path: Path) -> None:
    with LocalPycsw(tmp_path, python=pycsw_python) as server:
        pid, port = server.pid, int(server.url.split(":")[2].split("/")[0])
        assert pid is not None
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_ensure_venv_is_idempotent(pycsw_python: Path) -> None:
    venv = pycsw_python.parent.parent
    stamp = (venv / ".luxcat-pycsw-requirements").stat().st_mtime_ns
    assert ensure_venv(venv) == pycsw_python
    assert (venv / ".luxcat-pycsw-requirements").stat().st_mtime_ns == stamp


def test_a_forgotten_server_dies_with_its_parent(pycsw_python: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from luxcat.pycsw_local import LocalPycsw\n"
        f"s = LocalPycsw(Path({str(tmp_path)!r}), python=Path({str(pycsw_python)!r})).start()\n"
        "print(s.pid)\n"  # exits without stop(): the atexit guard must end the server
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    with pytest.raises(ProcessLookupError):
        os.kill(int(done.stdout.strip()), 0)
