"""`luxcat serve` over a real export: content negotiation, Hydra paging over HTTP, OAI-PMH validated by XSD."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import yaml
from lxml import etree
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from publishers.catalogue.storage import FolderTarget
from publishers.serve import CatalogueServer, negotiate
from publishers.targets import OaiOptions, PublishConfig, load_publish_config
from tests.publish.corpus import REPO, closure, load
from tests.publish.helpers import HYDRA, folder_reader, members, parse, run

SCHEMA = Path(__file__).resolve().parents[2] / "publishers" / "schemas" / "oai-pmh-dcat-ap.xsd"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
T1 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CatalogueServer]:
    """The shared server for read-only tests (those using `served`), else a fresh one on an empty folder."""
    if "served" in request.fixturenames:
        yield request.getfixturevalue("shared")[0]
        return
    with CatalogueServer(FolderTarget(tmp_path / "export"), OaiOptions(page_size=3), port=0) as srv:
        yield srv


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CatalogueServer, PublishConfig]]:
    """One export of the real records at T1, served read-only to every test that only reads it."""
    tmp = tmp_path_factory.mktemp("served")
    loaded = load(tmp / "state")
    with CatalogueServer(FolderTarget(tmp / "export"), OaiOptions(page_size=3), port=0) as srv:
        data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
        data["targets"]["catalogue"].update(export=str(tmp / "export"), base_url=srv.url, page_size=4)
        (tmp / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        cfg = load_publish_config(tmp / "publish.yaml")
        run(loaded, cfg, clock=lambda: T1)
        yield srv, cfg
    loaded.store.close()


@pytest.fixture
def served(shared: tuple[CatalogueServer, PublishConfig]) -> PublishConfig:
    return shared[1]


def oai(server: CatalogueServer, schema: etree.XMLSchema, **params: str) -> etree._Element:
    response = requests.get(server.url + "oai", params=params, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    doc = etree.fromstring(response.content)
    schema.assertValid(doc)
    return doc


def error_code(doc: etree._Element) -> str | None:
    error = doc.find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_negotiate() -> None:
    assert negotiate("application/rdf+xml;q=0.5, text/turtle") == "ttl"
    assert negotiate("application/ld+json") == "jsonld"
    assert negotiate("text/turtle;q=0.2, application/n-triples;q=0.9") == "nt"
    assert negotiate("*/*") == "ttl" and negotiate(None) == "ttl"
    assert negotiate("image/png") is None


def test_content_negotiation_serves_the_same_page_in_every_format(served, server) -> None:  # type: ignore[no-untyped-def]
    first = parse((server.target.root / "current" / "pages" / "00001.nt").read_bytes(), "nt")
    for accept, ext in (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf")):
        response = requests.get(server.url + "catalogue", headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(accept)
        assert response.headers["Vary"] == "Accept"
        graph = parse(response.content, ext)
        renamed = Graph()
        for s, p, o in graph:
            fix = [URIRef(str(t).replace(f".{ext}", ".nt")) if isinstance(t, URIRef) else t for t in (s, o)]
            renamed.add((fix[0], p, fix[1]))
        assert isomorphic(renamed, first)
    assert requests.get(server.url + "catalogue", headers={"Accept": "image/png"}, timeout=10).status_code == 406
    assert requests.get(server.url + "catalogue?page=99", timeout=10).status_code == 404
    v2 = requests.get(
        server.url + "catalogue?page=2&profile=dcat-ap-2.1.1", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert isomorphic(
        parse(v2.content, "ttl"),
        parse((server.target.root / "current" / "dcat-ap-2.1.1" / "pages" / "00002.ttl").read_bytes(), "ttl"),
    )


def test_following_hydra_next_over_http_visits_every_dataset_once(served, server) -> None:  # type: ignore[no-untyped-def]
    whole = parse(requests.get(server.url + "catalogue.nt", timeout=10).content, "nt")
    expected = members(whole, served.catalogue.uri)
    url, seen, pages = server.url + "catalogue", Counter(), 0
    while url:
        response = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=10)
        assert response.status_code == 200
        graph = parse(response.content, "nt")
        seen.update(members(graph, served.catalogue.uri))
        views = list(graph.objects(URIRef(served.catalogue.uri), HYDRA.view))
        nexts = [str(n) for v in views for n in graph.objects(v, HYDRA.next)]
        url = nexts[0] if nexts else ""
        pages += 1
    assert pages == -(-len(expected) // 4)
    assert set(seen) == set(expected) and set(seen.values()) == {1}


def test_oai_identify_formats_sets_validate(served, server, schema) -> None:  # type: ignore[no-untyped-def]
    identify = oai(server, schema, verb="Identify")
    assert identify.findtext(f"{OAI}Identify/{OAI}earliestDatestamp") == "2026-03-01T10:00:00Z"
    assert identify.findtext(f"{OAI}Identify/{OAI}baseURL") == server.url + "oai"
    formats = oai(server, schema, verb="ListMetadataFormats")
    assert formats.findtext(f".//{OAI}metadataPrefix") == "dcat_ap"
    sets = oai(server, schema, verb="ListSets")
    assert sorted(x.text for x in sets.iter(f"{OAI}setSpec")) == ["portal-mix", "semic-hvd"]


def test_oai_list_records_with_resumption_covers_every_dataset(served, server, schema) -> None:  # type: ignore[no-untyped-def]
    whole = parse(folder_reader(server.target.root)("catalogue.nt"), "nt")
    expected = set(members(whole, served.catalogue.uri))
    seen: list[str] = []
    doc = oai(server, schema, verb="ListRecords", metadataPrefix="dcat_ap")
    responses = 1
    while True:
        for record in doc.iter(f"{OAI}record"):
            uri = record.findtext(f"{OAI}header/{OAI}identifier")
            seen.append(uri)
            rdf = record.find(f"{OAI}metadata/{{http://www.w3.org/1999/02/22-rdf-syntax-ns#}}RDF")
            graph = Graph().parse(data=etree.tostring(rdf), format="xml")
            assert (URIRef(uri), RDF.type, None) in graph  # the dataset itself ...
            assert (URIRef(served.catalogue.uri), None, None) not in graph  # ... without the catalogue
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        assert int(token.get("completeListSize")) == len(expected)
        doc = oai(server, schema, verb="ListRecords", resumptionToken=token.text)
        responses += 1
    assert responses == -(-len(expected) // 3)
    assert sorted(seen) == sorted(expected)


def test_oai_get_record_is_the_exported_dataset(served, server, schema) -> None:  # type: ignore[no-untyped-def]
    whole = parse(folder_reader(server.target.root)("catalogue.nt"), "nt")
    uri = "https://data.some.org/catalog/datasets/1"
    doc = oai(server, schema, verb="GetRecord", identifier=uri, metadataPrefix="dcat_ap")
    rdf = doc.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF")
    graph = Graph().parse(data=etree.tostring(rdf), format="xml")
    assert isomorphic(closure(graph, URIRef(uri)), closure(whole, URIRef(uri)))
    assert len(closure(graph, URIRef(uri))) > 20


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": "Harvest"}, "badVerb"),
        ({}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "dcat_ap", "from": "2026-03"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "dcat_ap", "from": "2026-03-02", "until": "2026-03-01"},
            "badArgument",
        ),  # noqa: E501
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "dcat_ap", "identifier": "https://nowhere/x"}, "idDoesNotExist"),
        ({"verb": "ListIdentifiers", "resumptionToken": "garbage!"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "from": "2030-01-01"}, "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "set": "no-such-source"}, "noRecordsMatch"),
    ],
)
def test_oai_errors_are_schema_valid(served, server, schema, params, code) -> None:  # type: ignore[no-untyped-def]
    doc = oai(server, schema, **params)
    assert error_code(doc) == code
    if code in ("badVerb", "badArgument"):
        assert not doc.find(f"{OAI}request").attrib


def test_oai_from_until_and_deleted_records(loaded, publish_config, server, schema) -> None:  # type: ignore[no-untyped-def]
    cfg = publish_config(export=str(server.target.root), base_url=server.url)
    run(loaded, cfg, clock=lambda: T1)
    before = {h.findtext(f"{OAI}identifier") for h in _all_headers(server, schema)}
    # at T2: one record changes at its source, one is withdrawn after a complete harvest
    (changed_src, changed_id), graph = next((k, g) for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    changed_uri = loaded.store.get_record(changed_src, changed_id).dataset_uri
    graph.add((URIRef(changed_uri), DCTERMS.title, Literal("Nouveau titre", lang="fr")))
    loaded.add(changed_src, changed_id, changed_uri, graph)
    gone_src, gone_id = next(k for k in loaded.graphs if k[1].startswith("dataset_health_multilingual#"))
    gone_uri = loaded.store.get_record(gone_src, gone_id).dataset_uri
    loaded.store.withdraw(gone_src, [gone_id])
    run(loaded, cfg, clock=lambda: T2)

    recent = _all_headers(server, schema, **{"from": "2026-03-02"})
    assert {h.findtext(f"{OAI}identifier"): h.get("status") for h in recent} == {changed_uri: None, gone_uri: "deleted"}
    older = _all_headers(server, schema, until="2026-03-01T23:59:59Z")
    assert {h.findtext(f"{OAI}identifier") for h in older} == before - {changed_uri, gone_uri}
    doc = oai(server, schema, verb="GetRecord", identifier=gone_uri, metadataPrefix="dcat_ap")
    record = doc.find(f".//{OAI}record")
    assert record.find(f"{OAI}header").get("status") == "deleted" and record.find(f"{OAI}metadata") is None
    by_set = _all_headers(server, schema, set=gone_src, **{"from": "2026-03-02T00:00:00Z"})
    assert [h.findtext(f"{OAI}identifier") for h in by_set] == [gone_uri]


def _all_headers(server: CatalogueServer, schema: etree.XMLSchema, **params: str) -> list[etree._Element]:
    headers: list[etree._Element] = []
    doc = oai(server, schema, verb="ListIdentifiers", metadataPrefix="dcat_ap", **params)
    while True:
        headers += list(doc.iter(f"{OAI}header"))
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return headers
        doc = oai(server, schema, verb="ListIdentifiers", resumptionToken=token.text)


def test_serving_before_any_export_says_so(server, schema) -> None:  # type: ignore[no-untyped-def]
    assert requests.get(server.url + "catalogue", timeout=10).status_code == 503
    assert error_code(oai(server, schema, verb="ListRecords", metadataPrefix="dcat_ap")) == "noRecordsMatch"
    assert error_code(oai(server, schema, verb="ListSets")) == "noSetHierarchy"
    assert oai(server, schema, verb="Identify").find(f"{OAI}Identify") is not None


def test_oai_post_form_is_answered(served, server, schema) -> None:  # type: ignore[no-untyped-def]
    response = requests.post(server.url + "oai", data={"verb": "Identify"}, timeout=10)
    doc = etree.fromstring(response.content)
    schema.assertValid(doc)
    assert doc.find(f"{OAI}Identify") is not None


# -- issue 17, F21/F22/F24: malformed OAI-PMH requests and misbehaving connections -----------------
def _token(query: object) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        _token({"o": 0}),  # issued tokens always carry f, u, s and o
        _token({"f": None, "u": None, "s": None, "o": "3"}),
        _token({"f": None, "u": None, "s": None, "o": -1}),
        _token({"f": None, "u": None, "s": None, "o": True}),
        _token({"f": 20200101, "u": None, "s": None, "o": 0}),
        _token({"f": "2020-13-45T00:00:00Z", "u": None, "s": [], "o": 0}),
        _token([1, 2, 3]),
        _token({"f": None, "u": None, "s": None, "o": 10**30}),
        "w6k=",  # base64 of non-JSON bytes
        "é",
    ],
)
def test_forged_resumption_tokens_are_bad_resumption_tokens(served, server, schema, token) -> None:  # type: ignore[no-untyped-def]
    doc = oai(server, schema, verb="ListRecords", resumptionToken=token)
    assert error_code(doc) == "badResumptionToken"


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "from": "2020-13-45"},
        {"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "until": "2021-02-30"},
        {"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "from": "2020-01-01T25:61:00Z"},
        {"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap", "from": "2020-01-01\n"},
        {"verb": "GetRecord", "metadataPrefix": "dcat_ap", "identifier": "https://x/\x00"},
        {"verb": "ListRecords", "metadataPrefix": "dcat_ap\x00"},
        {"verb": "ListRecords", "resumptionToken": "abc\x00"},
        {"verb": "Identify", "x\x00": "1"},
        {"verb": "GetRecord", "metadataPrefix": "dcat_ap", "identifier": "https://x/" + "a" * 5000},
    ],
)
def test_nul_bytes_and_impossible_dates_are_bad_arguments(served, server, schema, params) -> None:  # type: ignore[no-untyped-def]
    doc = oai(server, schema, **params)
    assert error_code(doc) == "badArgument"
    assert not doc.find(f"{OAI}request").attrib


def _raw(server: CatalogueServer, data: bytes, *, wait: float = 10) -> bytes:
    """Send raw bytes, return everything the server answers until it closes the connection."""
    import socket

    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def test_lying_content_length_and_idle_connections_time_out_without_traceback(tmp_path, capfd) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    with CatalogueServer(FolderTarget(tmp_path / "export"), OaiOptions(), port=0, idle_timeout=1.0) as srv:
        before = set(threading.enumerate())
        post = "POST /oai HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        answer = _raw(srv, (post + "Content-Length: -1\r\n\r\nverb=Identify").encode())
        assert answer.startswith(b"HTTP/1.1 400")
        answer = _raw(srv, (post + "Content-Length: 10737418240\r\n\r\nverb=Identify").encode())
        assert answer.startswith(b"HTTP/1.1 413")
        start = time.monotonic()
        assert _raw(srv, (post + "Content-Length: 100\r\n\r\nverb=Identify").encode()) == b""  # then silence
        assert _raw(srv, b"") == b""  # connects, never speaks
        assert _raw(srv, b"GET /oai?verb=Identify HTTP/1.1\r\nHost: x\r\n") == b""  # headers never end
        assert time.monotonic() - start < 15
        assert requests.get(srv.url + "oai", params={"verb": "Identify"}, timeout=10).status_code == 200

        def pinned() -> list[threading.Thread]:  # handler threads this test started, still alive
            return [t for t in threading.enumerate() if t not in before and "process_request" in t.name]

        deadline = time.monotonic() + 5
        while pinned() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not pinned()
    captured = capfd.readouterr()
    output = captured.err + captured.out
    # what socketserver prints for a request that raised (a stale logging handler left by another test
    # may print "--- Logging error ---" for our access log line: that is not the server failing)
    assert "Exception occurred during processing of request" not in output
    assert "request failed" not in output
