"""DCAT harvester against a local HTTP server serving the real files of tests/data/dcat."""

from __future__ import annotations

import pytest
from rdflib import Graph

from harvesters.dcat import DcatHarvester, DcatOptions
from luxcat.errors import SourceError
from luxcat.records import RawRecord, Rejection
from tests.feeds.helpers import DATA, UDATA_TESTS, Sandbox, localised, source, with_next
from tests.feeds.server import Answer, FeedServer

JSONLD = "application/ld+json"
KIND = "harvesters.dcat:DcatHarvester"
MAPPER = "mappers.dcat:DcatMapper"


def harvest(url: str, **options: object) -> tuple[DcatHarvester, list[RawRecord], list[Rejection]]:
    harvester = DcatHarvester("t", DcatOptions.model_validate({"url": url, "retries": 0, "timeout": 10, **options}))
    items = list(harvester.harvest())
    return harvester, [i for i in items if isinstance(i, RawRecord)], [i for i in items if isinstance(i, Rejection)]


def serve_pages(server: FeedServer, prefix: str, stem: str) -> str:
    """Serve udata's real two-page collection `<stem>-1/2.jsonld` with its links made local."""
    base = server.url + prefix
    for n in (1, 2):
        server.add(f"{prefix}/page{n}.jsonld", Answer(localised(f"{stem}-{n}.jsonld", base), JSONLD))
    return f"{base}/page1.jsonld"


@pytest.mark.parametrize("stem", ["partial-collection", "paged-collection"])
def test_hydra_paging_reads_every_page(feed_server: FeedServer, prefix: str, stem: str) -> None:
    harvester, records, rejected = harvest(serve_pages(feed_server, prefix, stem))
    assert sorted(r.record_id for r in records) == [f"http://data.test.org/datasets/{n}" for n in (1, 2, 3, 4)]
    assert not rejected
    assert harvester.report.complete, harvester.report.errors
    assert (harvester.report.pages, harvester.report.expected) == (2, 4)


# (file, Content-Type sent, path served): a specific type, a generic one with a telling extension,
# a generic one with no extension (sniffed), and no type at all.
NEGOTIATION = [
    ("ckanext-dcat-examples/catalog.rdf", "application/rdf+xml", "/catalog"),
    ("ckanext-dcat-examples/dataset_afs.ttl", "text/plain", "/data"),
    ("ckanext-dcat-examples/dataset_deri.ttl", "application/octet-stream", "/x.ttl"),
    ("udata-harvest-tests/flat.jsonld", JSONLD, "/flat"),
    ("udata-harvest-tests/catalog.xml", "application/xml", "/catalog.xml"),
    ("semic-dcat-ap-examples/3.0.0-hvd/example-ms_catalogue.ttl", None, "/semic"),
    ("geonetwork-ui-fixtures/sextant.dcat.bathymetry.xml", "text/xml; charset=utf-8", "/sextant"),
]


@pytest.mark.parametrize(("name", "content_type", "path"), NEGOTIATION)
def test_content_negotiation(
    feed_server: FeedServer, prefix: str, name: str, content_type: str | None, path: str
) -> None:
    body = (DATA / name).read_bytes()
    harvester, records, _ = harvest(feed_server.add(prefix + path, Answer(body, content_type)))
    assert records and harvester.report.complete
    assert all(r.media_type == "application/n-triples" for r in records)
    Graph().parse(data=records[0].payload, format="nt")  # payloads are valid N-Triples


def test_n_triples_and_stable_payloads(feed_server: FeedServer, prefix: str) -> None:
    """The same catalogue in two syntaxes gives byte-identical records (so unchanged records stay unchanged)."""
    graph = Graph().parse(DATA / "ckanext-dcat-examples/catalog.rdf")
    nt = feed_server.add(
        prefix + "/c.nt", Answer(graph.serialize(format="nt", encoding="utf-8"), "application/n-triples")
    )
    xml = feed_server.add(prefix + "/c", Answer((DATA / "ckanext-dcat-examples/catalog.rdf").read_bytes(), None))
    _, from_nt, _ = harvest(nt)
    _, from_xml, _ = harvest(xml)
    assert {r.record_id: r.payload for r in from_nt} == {r.record_id: r.payload for r in from_xml}


def test_datasets_and_data_services(feed_server: FeedServer, prefix: str) -> None:
    body = (DATA / "semic-dcat-ap-examples/3.0.0-hvd/example-ms_catalogue_hvd.ttl").read_bytes()
    _, records, _ = harvest(feed_server.add(prefix + "/hvd.ttl", Answer(body, "text/turtle")))
    kinds = set()
    for record in records:
        graph = Graph().parse(data=record.payload, format="nt")
        kinds |= {str(t).rsplit("#", 1)[1] for t in graph.objects(None, None) if "ns/dcat#Data" in str(t)}
    assert {"Dataset", "DataService"} <= kinds


def test_blank_node_datasets_identified_by_dct_identifier(feed_server: FeedServer, prefix: str) -> None:
    """udata's bnodes.xml: blank-node datasets with dct:identifier keep it as id; without, rejected by name."""
    _, records, rejected = harvest(
        feed_server.add(prefix + "/b.rdf", Answer((UDATA_TESTS / "bnodes.xml").read_bytes(), None))
    )
    ids = {r.record_id for r in records}
    assert ids and not any(i.startswith("_:") or i.startswith("n") and len(i) > 30 for i in ids)
    for rejection in rejected:
        assert rejection.reason == "missing_identifier" and "dct:identifier" in rejection.detail


def test_page_cap_stops_incomplete(feed_server: FeedServer, prefix: str) -> None:
    harvester, records, _ = harvest(serve_pages(feed_server, prefix, "partial-collection"), max_pages=1)
    assert len(records) == 3
    assert not harvester.report.complete
    assert "page cap (1 pages)" in harvester.report.errors[0]


def test_short_listing_against_total_items_is_incomplete(feed_server: FeedServer, prefix: str) -> None:
    """Page 1 alone (its next link dropped) announces 4 datasets but carries 3: incomplete."""
    body = localised("partial-collection-1.jsonld", "http://nowhere.invalid").replace(
        b'"http://www.w3.org/ns/hydra/core#next"', b'"http://example.org/not-next"'
    )
    harvester, records, _ = harvest(feed_server.add(prefix + "/only.jsonld", Answer(body, JSONLD)))
    assert len(records) == 3
    assert not harvester.report.complete
    assert "announced hydra:totalItems 4" in harvester.report.errors[0]


# -- failures during a real pipeline run: incomplete, clear message, nothing withdrawn ----------------
def three_pages(server: FeedServer, prefix: str, page2: Answer | None = None, next_of_2: str = "page3") -> str:
    """udata's real pages 1-2, page 2 extended with a link to `next_of_2` (a third page)."""
    base = server.url + prefix
    server.add(f"{prefix}/page1.jsonld", Answer(localised("partial-collection-1.jsonld", base), JSONLD))
    body2 = with_next(
        localised("partial-collection-2.jsonld", base), f"{base}/page2.jsonld", f"{base}/{next_of_2}.jsonld"
    )
    server.add(f"{prefix}/page2.jsonld", page2 or Answer(body2, JSONLD))
    return f"{base}/page1.jsonld"


def complete_first(sandbox: Sandbox, server: FeedServer, prefix: str, source_id: str) -> None:
    """A first, complete run (pages 1 and 2, page 3 present) that stores the 4 datasets."""
    url = three_pages(server, prefix)
    server.add(f"{prefix}/page3.jsonld", Answer(b"[]", JSONLD))
    run = sandbox.harvest(source(source_id, KIND, {"url": url, "retries": 0}, MAPPER, withdrawal={"max_share": 1.0}))
    assert run.complete and run.counts.new == 4, run.summary()


def failing_run(sandbox: Sandbox, server: FeedServer, prefix: str, source_id: str, case: str) -> str:
    base = server.url + prefix
    if case == "loop":
        url = three_pages(server, prefix, next_of_2="page1")
    elif case == "truncated":
        body = localised("partial-collection-2.jsonld", base)
        url = three_pages(server, prefix, page2=Answer(body[: len(body) // 2], JSONLD))
    elif case == "cut-connection":
        body = localised("partial-collection-2.jsonld", base)
        url = three_pages(server, prefix, page2=Answer(body[: len(body) // 2], JSONLD, short_by=len(body) // 2))
    elif case == "404-page-3":
        url = three_pages(server, prefix)
        server.routes.pop(f"{prefix}/page3.jsonld", None)
    else:  # non-RDF page 2: an HTML error page with status 200
        url = three_pages(
            server, prefix, page2=Answer(b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html")
        )
    cfg = source(source_id, KIND, {"url": url, "retries": 0}, MAPPER, withdrawal={"max_share": 1.0})
    run = sandbox.harvest(cfg)
    assert run.status == "success" and not run.complete, run.summary()
    assert run.counts.withdrawn == 0
    assert sandbox.active(source_id) == {f"http://data.test.org/datasets/{n}" for n in (1, 2, 3, 4)}
    return run.error_summary or ""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("loop", "paging loop: page 3"),
        ("truncated", "page 2: unparsable application/ld+json"),
        ("cut-connection", "page 2: reading the answer failed"),
        ("404-page-3", "page 3: HTTP 404"),
        ("non-rdf", "page 2: not RDF: Content-Type 'text/html'"),
    ],
)
def test_failed_listing_is_incomplete_and_withdraws_nothing(
    feed_server: FeedServer, prefix: str, tmp_path: object, case: str, expected: str
) -> None:
    sandbox = Sandbox(tmp_path)  # type: ignore[arg-type]
    complete_first(sandbox, feed_server, prefix, "dcat-fail")
    message = failing_run(sandbox, feed_server, prefix, "dcat-fail", case)
    assert expected in message
    assert feed_server.url + prefix in message  # the message names the page URL


def test_complete_listing_does_withdraw(feed_server: FeedServer, prefix: str, tmp_path: object) -> None:
    """Control for the test above: a complete listing that lost a dataset withdraws it."""
    sandbox = Sandbox(tmp_path)  # type: ignore[arg-type]
    complete_first(sandbox, feed_server, prefix, "dcat-ok")
    base = feed_server.url + prefix
    page1 = (
        localised("partial-collection-1.jsonld", base)
        .replace(b'"@value": "4"', b'"@value": "3"')  # hydra:totalItems
        .replace(b'"http://www.w3.org/ns/hydra/core#next"', b'"http://example.org/no-next"')
    )
    url = feed_server.add(f"{prefix}/last.jsonld", Answer(page1, JSONLD))
    cfg = source("dcat-ok", KIND, {"url": url, "retries": 0}, MAPPER, withdrawal={"max_share": 1.0})
    run = sandbox.harvest(cfg)
    assert run.complete and run.counts.withdrawn == 1, run.summary()


def test_non_rdf_first_page_fails_the_run(feed_server: FeedServer, prefix: str, tmp_path: object) -> None:
    url = feed_server.add(prefix + "/cat", Answer(b"<html><body>Bad gateway</body></html>", "text/html"))
    sandbox = Sandbox(tmp_path)  # type: ignore[arg-type]
    with pytest.raises(SourceError, match=r"page 1: not RDF"):
        sandbox.harvest(source("dcat-html", KIND, {"url": url, "retries": 0}, MAPPER))
    run = sandbox.store.runs("dcat-html")[0]
    assert run.status == "failed" and not run.complete and run.counts.withdrawn == 0
