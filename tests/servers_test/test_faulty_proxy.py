"""The fault-injecting proxy forwards untouched and fires each programmed fault exactly where asked."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from lxml import etree

from luxcat.pycsw_local import LocalPycsw
from tests.servers.faulty_proxy import FaultyProxy, Match

GMD = "http://www.isotc211.org/2005/gmd"
PAGE = {
    "service": "CSW",
    "version": "2.0.2",
    "request": "GetRecords",
    "typenames": "gmd:MD_Metadata",
    "resulttype": "results",
    "outputschema": GMD,
    "elementsetname": "full",
    "sortby": "apiso:Identifier:A",
    "maxrecords": "5",
}
POST_PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"
    resultType="results" startPosition="%d" maxRecords="5" outputSchema="http://www.isotc211.org/2005/gmd">
  <csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName></csw:Query>
</csw:GetRecords>"""


def page(url: str, start: int, timeout: float = 30) -> requests.Response:
    return requests.get(url, params={**PAGE, "startPosition": str(start)}, timeout=timeout)


def by_id(url: str) -> requests.Response:
    params = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecordById",
        "id": "test-service-1",
        "outputschema": GMD,
        "elementsetname": "full",
    }
    return requests.get(url, params=params, timeout=30)


def test_pass_through_is_byte_for_byte(faulty_proxy: FaultyProxy, pycsw_server: LocalPycsw) -> None:
    direct, proxied = by_id(pycsw_server.url), by_id(faulty_proxy.url)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.content == direct.content
    assert proxied.headers["Content-Type"] == direct.headers["Content-Type"]
    assert [(e.request.method, e.rule, e.status) for e in faulty_proxy.log] == [("GET", None, 200)]


def test_post_bodies_are_forwarded(faulty_proxy: FaultyProxy) -> None:
    resp = requests.post(faulty_proxy.url, data=POST_PAGE % 6, headers={"Content-Type": "application/xml"}, timeout=30)
    results = etree.fromstring(resp.content).find("{http://www.opengis.net/cat/csw/2.0.2}SearchResults")
    assert results is not None and results.get("nextRecord") == "11"
    assert faulty_proxy.log[0].request.body == POST_PAGE % 6


def test_fail_fires_only_on_the_matching_page_then_passes(faulty_proxy: FaultyProxy) -> None:
    rule = faulty_proxy.fail(500, when=Match.csw("GetRecords", start_position=6), times=2)
    assert page(faulty_proxy.url, 1).status_code == 200
    assert [page(faulty_proxy.url, 6).status_code for _ in range(3)] == [500, 500, 200]
    assert rule.hits == 2
    assert [e.status for e in faulty_proxy.requests_matching(Match.csw(start_position=6))] == [500, 500, 200]


def test_csw_match_reads_post_documents_too(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.fail(502, when=Match.csw("GetRecords", start_position=6))
    post = {"headers": {"Content-Type": "application/xml"}, "timeout": 30}
    assert requests.post(faulty_proxy.url, data=POST_PAGE % 1, **post).status_code == 200
    assert requests.post(faulty_proxy.url, data=POST_PAGE % 6, **post).status_code == 502


def test_start_position_defaults_to_one(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.fail(503, when=Match.csw("GetRecords", start_position=1))
    assert requests.get(faulty_proxy.url, params=PAGE, timeout=30).status_code == 503
    assert page(faulty_proxy.url, 6).status_code == 200


def test_throttle_sends_retry_after(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.throttle(retry_after=7, times=1)
    first, second = page(faulty_proxy.url, 1), page(faulty_proxy.url, 1)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 200


def test_hang_makes_the_client_time_out(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.hang(2, when=Match(query={"request": "GetRecords"}))
    began = time.monotonic()
    with pytest.raises(requests.Timeout):
        page(faulty_proxy.url, 1, timeout=0.3)
    assert time.monotonic() - began < 1.5
    assert by_id(faulty_proxy.url).status_code == 200  # other requests are not held up


def test_hang_then_forward_answers_late(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.hang(0.5, then_forward=True)
    began = time.monotonic()
    assert page(faulty_proxy.url, 1).status_code == 200
    assert time.monotonic() - began >= 0.5


def test_drop_closes_without_an_answer(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.drop(times=1)
    with pytest.raises(requests.ConnectionError):
        page(faulty_proxy.url, 1)
    assert faulty_proxy.log[0].status is None
    assert page(faulty_proxy.url, 1).status_code == 200


def test_respond_and_transform(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.respond(b"<html>maintenance</html>", status=503, content_type="text/html", times=1)
    canned = page(faulty_proxy.url, 1)
    assert (canned.status_code, canned.content, canned.headers["Content-Type"]) == (
        503,
        b"<html>maintenance</html>",
        "text/html",
    )
    faulty_proxy.transform(lambda body: body.replace(b"</gmd:title>", b"</gmd:titel>", 1), times=1)
    broken = page(faulty_proxy.url, 1)
    assert broken.status_code == 200 and b"</gmd:titel>" in broken.content
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(broken.content)
    assert b"</gmd:titel>" not in page(faulty_proxy.url, 1).content


def test_query_and_method_match(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.fail(404, when=Match(method="GET", query={"startposition": "11"}))
    faulty_proxy.fail(418, when=Match(body_contains=b'startPosition="11"'))
    assert page(faulty_proxy.url, 11).status_code == 404
    resp = requests.post(faulty_proxy.url, data=POST_PAGE % 11, headers={"Content-Type": "application/xml"}, timeout=30)
    assert resp.status_code == 418


def test_upstream_down_is_a_502() -> None:
    with socket.socket() as bound_not_listening:  # connections to it are refused
        bound_not_listening.bind(("127.0.0.1", 0))
        with FaultyProxy(f"http://127.0.0.1:{bound_not_listening.getsockname()[1]}/csw") as proxy:
            resp = requests.get(proxy.url, params=PAGE, timeout=30)
    assert resp.status_code == 502 and b"upstream failed" in resp.content
