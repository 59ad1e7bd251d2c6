"""CKAN, udata, Atom and inventory harvesters against the local server (real CKAN/udata JSON, written feeds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harvesters.atom import AtomHarvester, AtomOptions
from harvesters.ckan import CkanHarvester, CkanOptions
from harvesters.inventory import InventoryHarvester, InventoryOptions
from harvesters.udata import UdataHarvester, UdataOptions
from luxcat.records import RawRecord, Rejection
from mappers.udata import datasets
from tests.feeds.helpers import DATA, HERE, Sandbox, source
from tests.feeds.server import Answer, FeedServer
from tests.feeds.test_mappers import INVENTORY, demo_columns, write_xlsx


def ckan_packages() -> list[dict[str, Any]]:
    """Every real CKAN package dict of the shared data, each with an id (name when the example has none)."""
    found = []
    for path in sorted((DATA / "ckan-api").rglob("*.json")):
        doc = json.loads(path.read_bytes())
        doc = doc.get("result", doc) if isinstance(doc, dict) else doc
        for package in doc if isinstance(doc, list) else [doc]:
            if isinstance(package, dict) and "resources" in package:
                found.append({**package, "id": package.get("id") or package.get("name")})
    unique = {p["id"]: p for p in reversed(found)}  # several examples share a name: keep the first
    return list(unique.values())


def package_search(packages: list[dict[str, Any]], log: list[dict[str, list[str]]]) -> Callable[..., Answer]:
    """A CKAN package_search over `packages`: rows/start paging, sort id asc, fq on metadata_modified."""
    ordered = sorted(packages, key=lambda p: p["id"])

    def handler(_path: str, query: dict[str, list[str]]) -> Answer:
        log.append(query)
        rows, start = int(query["rows"][0]), int(query["start"][0])
        selected = ordered
        if "fq" in query and "metadata_modified:[" in query["fq"][0]:
            since = query["fq"][0].split("[", 1)[1].split(" TO", 1)[0]
            selected = [p for p in ordered if (p.get("metadata_modified") or "") >= since.rstrip("Z")]
        body = {"success": True, "result": {"count": len(selected), "results": selected[start : start + rows]}}
        return Answer(json.dumps(body).encode(), "application/json")

    return handler


def items(harvester: Any, **kwargs: Any) -> tuple[list[RawRecord], list[Rejection]]:
    found = list(harvester.harvest(**kwargs))
    return [i for i in found if isinstance(i, RawRecord)], [i for i in found if isinstance(i, Rejection)]


def test_ckan_pages_sorted_by_id(feed_server: FeedServer, prefix: str) -> None:
    packages, log = ckan_packages(), []
    feed_server.add(f"{prefix}/api/3/action/package_search", package_search(packages, log))
    harvester = CkanHarvester("c", CkanOptions(url=feed_server.url + prefix, rows=3, retries=0))
    records, rejected = items(harvester)
    assert [r.record_id for r in records] == sorted(p["id"] for p in packages) and not rejected
    assert harvester.report.complete and harvester.report.pages == -(-len(packages) // 3)
    assert {q["sort"][0] for q in log} == {"id asc"}
    assert [int(q["start"][0]) for q in log] == list(range(0, len(packages), 3))


def test_ckan_incremental_asks_for_metadata_modified(feed_server: FeedServer, prefix: str) -> None:
    from datetime import UTC, datetime

    packages, log = ckan_packages(), []
    feed_server.add(f"{prefix}/api/3/action/package_search", package_search(packages, log))
    harvester = CkanHarvester("c", CkanOptions(url=feed_server.url + prefix, organization="act", retries=0))
    records, _ = items(harvester, since=datetime(2020, 1, 1, tzinfo=UTC))
    assert log[0]["fq"] == ["organization:act AND metadata_modified:[2020-01-01T00:00:00Z TO *]"]
    assert {r.record_id for r in records} == {
        p["id"] for p in packages if (p.get("metadata_modified") or "") >= "2020-01-01T00:00:00"
    }


def test_ckan_failed_page_is_incomplete(feed_server: FeedServer, prefix: str, tmp_path: Path) -> None:
    packages, log = ckan_packages(), []
    good = package_search(packages, log)

    def flaky(path: str, query: dict[str, list[str]]) -> Answer:
        return Answer(b"upstream error", "text/plain", 404) if query["start"] == ["6"] else good(path, query)

    feed_server.add(f"{prefix}/api/3/action/package_search", flaky)
    sandbox = Sandbox(tmp_path)
    cfg = source("ckan-x", "harvesters.ckan:CkanHarvester", {"url": feed_server.url + prefix, "rows": 3, "retries": 0},
                  "mappers.ckan:CkanMapper")  # fmt: skip
    run = sandbox.harvest(cfg)
    assert not run.complete and run.counts.seen == 6
    assert "page 3 (start=6): HTTP 404" in (run.error_summary or "")


def udata_api(server: FeedServer, prefix: str, page_size: int, *, loop: bool = False) -> list[dict[str, Any]]:
    """udata's API v1 list over the real data.gouv.fr fixture datasets, paged with next_page."""
    real = datasets(json.loads((DATA / "udata-api" / "data.gouv.fr-fixtures-results.json").read_bytes()))

    def handler(_path: str, query: dict[str, list[str]]) -> Answer:
        page, size = int(query.get("page", ["1"])[0]), int(query.get("page_size", [str(page_size)])[0])
        selected = (
            [d for d in real if d.get("organization", {}).get("id") == query["organization"][0]]
            if "organization" in query
            else real
        )
        chunk = selected[(page - 1) * size : page * size]
        more = page * size < len(selected)
        following = 1 if loop and more and page == 2 else page + 1
        extra = "&organization=" + query["organization"][0] if "organization" in query else ""
        link = f"{server.url}{prefix}/api/1/datasets/?page={following}&page_size={size}{extra}"
        body = {
            "data": chunk,
            "page": page,
            "page_size": size,
            "total": len(selected),
            "next_page": link if more else None,
        }
        return Answer(json.dumps(body).encode(), "application/json")

    server.add(f"{prefix}/api/1/datasets/", handler)
    return real


def test_udata_follows_next_page(feed_server: FeedServer, prefix: str) -> None:
    real = udata_api(feed_server, prefix, 4)
    harvester = UdataHarvester("u", UdataOptions(url=feed_server.url + prefix, page_size=4, retries=0))
    records, _ = items(harvester)
    assert [r.record_id for r in records] == [d["id"] for d in real]
    assert harvester.report.complete and harvester.report.pages == 4 and harvester.report.expected == 15


def test_udata_organisation_filter(feed_server: FeedServer, prefix: str) -> None:
    real = udata_api(feed_server, prefix, 2)
    org = real[0]["organization"]["id"]
    harvester = UdataHarvester("u", UdataOptions(url=feed_server.url + prefix, organization=org, page_size=2))
    records, _ = items(harvester)
    assert {r.record_id for r in records} == {d["id"] for d in real if d["organization"]["id"] == org}
    assert harvester.report.complete


def test_udata_paging_loop_is_incomplete(feed_server: FeedServer, prefix: str) -> None:
    udata_api(feed_server, prefix, 4, loop=True)
    harvester = UdataHarvester("u", UdataOptions(url=feed_server.url + prefix, page_size=4, retries=0))
    records, _ = items(harvester)
    assert len(records) == 8 and not harvester.report.complete
    assert "paging loop: page 3" in harvester.report.errors[0]


def test_inspire_atom_service_and_dataset_feeds(feed_server: FeedServer, prefix: str) -> None:
    for path in (HERE / "data" / "atom").glob("*.xml"):
        feed_server.add(f"{prefix}/{path.name}", Answer(path.read_bytes(), "application/atom+xml"))
    harvester = AtomHarvester("a", AtomOptions(url=f"{feed_server.url}{prefix}/service.xml", retries=0))
    records, rejected = items(harvester)
    assert len(records) == 2 and harvester.report.complete
    assert [(r.reason, "HTTP 404" in r.detail) for r in rejected] == [("dataset_feed_unavailable", True)]
    from mappers.atom import AtomMapper
    from mappers.base import MapContext

    mapper = AtomMapper(MapContext("a", "https://data.public.lu/luxcat/a/", ("fr",)))
    parcels = next(r for r in records if "4c1d7e21" in r.payload.decode())
    (mapped,) = list(mapper.map(parcels))
    from rdflib.namespace import DCAT

    assert len(list(mapped.graph.objects(mapped.subject, DCAT.distribution))) == 3  # the three GML parts


@pytest.mark.parametrize("where", ["path", "http", "s3"])
def test_inventory_from_path_http_and_s3(
    feed_server: FeedServer, prefix: str, tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    columns = demo_columns()["columns"]
    if where == "path":
        location = str(INVENTORY)
    elif where == "http":
        location = feed_server.add(f"{prefix}/inventaire.csv", Answer(INVENTORY.read_bytes(), "text/csv"))
    else:
        import boto3

        endpoint = request.getfixturevalue("s3_endpoint")
        request.getfixturevalue("monkeypatch").setenv("AWS_ENDPOINT_URL", endpoint)
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="ministry-inventories")
        client.put_object(Bucket="ministry-inventories", Key="mmtp/inventaire.csv", Body=INVENTORY.read_bytes())
        location = "s3://ministry-inventories/mmtp/inventaire.csv"
    harvester = InventoryHarvester("i", InventoryOptions.model_validate({"location": location, "columns": columns}))
    records, rejected = items(harvester)
    assert [r.record_id for r in records] == ["MMTP-001", "MMTP-002", "MMTP-003", "MMTP-004", "MMTP-005"]
    assert [(r.reason, r.detail[:6]) for r in rejected] == [
        ("missing_identifier", "row 6:"),
        ("duplicate_id", "row 7:"),
    ]
    assert harvester.report.complete


def test_inventory_xlsx_through_the_pipeline(tmp_path: Path) -> None:
    """XLSX with real date cells; every row is stored, mapped or rejected with row and column."""
    from luxcat.pipeline import run_source

    book = write_xlsx(tmp_path / "inventaire.xlsx")
    sandbox = Sandbox(tmp_path)
    # 1 of its 4 rows is broken on purpose (25% > the default max_reject_share of 20% would fail the run)
    cfg = source("inv-xlsx", "inventory", {"location": str(book)}, "inventory", max_reject_share=0.5)
    run = run_source(cfg, sandbox.store, sandbox.artifacts, full=True, stages=("harvest", "map"))
    assert run.counts.seen == 4 and run.complete
    assert run.details["map"]["ok"] == 3 and run.details["map"]["reasons"] == {"invalid_value": 1}


def test_doctype_entity_in_one_feed_entry_rejects_that_entry_alone(feed_server: FeedServer, prefix: str) -> None:
    """Issue 17, F9: an RSS item using `&copy;` from the feed's DOCTYPE is rejected; the other item is kept."""
    body = (HERE / "data" / "atom" / "ministry-news.rss").read_bytes()
    body = body.replace(b"<rss", b'<!DOCTYPE rss [<!ENTITY copy "(c)">]>\n<rss', 1)
    body = body.replace(b"<title>Comptages routiers 2023</title>", b"<title>Comptages routiers 2023 &copy;</title>")
    url = feed_server.add(f"{prefix}/news.rss", Answer(body, "application/rss+xml"))
    harvester = AtomHarvester("a", AtomOptions(url=url, retries=0))
    records, rejected = items(harvester)
    assert [r.record_id for r in records] == ["https://mmtp.gouvernement.lu/fr/open-data/chantiers.html"]
    assert [(r.reason, "&copy;" in r.detail) for r in rejected] == [("unparsable", True)]
    assert harvester.report.complete
