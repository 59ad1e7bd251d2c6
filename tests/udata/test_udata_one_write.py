"""At most one write per changed dataset, counted on the real udata 17 through the proxy in front of it.

A create is one POST carrying the dataset's resources; a change is one PUT carrying the changed fields and,
when they changed, the whole resource list (luxcat's resources by id, so udata updates them in place, and
every other resource as a bare id, so udata keeps it as stored); an unchanged dataset costs no write and
no read beyond the organisation's listing. The one case that needs more is proven here on udata itself:
an empty `resources` list is ignored, so removing a dataset's last resources takes one DELETE each.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers.base import Plan, publish_items
from publishers.udata.mapping import EXTRA_KEY, EXTRA_URI
from tests.servers.faulty_proxy import Match
from tests.udata.real_udata import RealUdata
from tests.udata.records import EXAMPLES, Example, Make, dataset_graph, harvest_and_map, run

TARGET = "data.public.lu"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BEES: Example = EXAMPLES[1]  # two distributions, SHP and RDF
SHP = URIRef("https://data.exampleMS.gov/id/dataset/1T2p3o4B-dist-SHP")
RDF_DIST = URIRef("https://data.exampleMS.gov/id/dataset/1T2p3o4B-dist-RDF")
DATASET_PATH = re.compile(r"^/api/1/datasets/(?:(\w+)/)?")


def dataset_writes(writes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The writes to datasets and their resources (contact points and dataservices are shared, not per dataset)."""
    return [w for w in writes if DATASET_PATH.match(w["path"])]


def per_dataset(writes: list[dict[str, Any]]) -> Counter[str]:
    """Writes per dataset id (a create counts under "new")."""
    return Counter((DATASET_PATH.match(w["path"]).group(1) or "new") for w in dataset_writes(writes))  # type: ignore[union-attr]


def dataset_reads(udata: RealUdata, since: int) -> list[str]:
    """GETs of one dataset (not the organisation's listing) luxcat sent since log position `since`."""
    return [
        e.request.path
        for e in udata.log()[since:]
        if e.request.method == "GET" and re.match(r"^/api/1/datasets/\w+/$", e.request.path)
    ]


def changed(example: Example, edit: Callable[[Graph, URIRef], None]) -> dict[str, Graph]:
    """The example's graph as the source now publishes it (edited), for harvest_and_map's `graphs`."""
    graph = dataset_graph(example)
    edit(graph, URIRef(example.dataset))
    return {example.record_id: graph}


def resync(
    make: Make, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, graphs: dict[str, Graph] | None = None
) -> Plan:
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES), graphs=graphs)
    return run(make, store, artifacts, cfg)


def id_map(store: StateStore, cfg: Any, example: Example) -> dict[str, Any]:
    record = store.get_record(cfg.id, example.record_id)
    assert record is not None
    return dict(record.publish_ids[TARGET])


def verified(make: Make, store: StateStore, artifacts: LocalArtifactStore, cfg: Any) -> bool:
    """The read-back proof (verify.py): every owned field and resource as luxcat means it, nothing else."""
    from publishers.udata.verify import verify

    result = verify(make(), publish_items(store, artifacts, [cfg]))
    assert result.ok and result.datasets == 5, result.render()
    return True


def add_by_hand(udata: RealUdata, dataset_id: str) -> dict[str, Any]:
    """A resource a person adds on the portal (through udata's own resource endpoint)."""
    body = {
        "title": "Methodology (added by hand)",
        "url": "https://statistiques.public.lu/methodology.pdf",
        "filetype": "remote",
        "type": "documentation",
        "format": "pdf",
        "description": "Written by STATEC",
        "checksum": {"type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        "extras": {"statec:reviewed": "2024"},
    }
    response = udata.session.post(
        f"{udata.direct}/datasets/{dataset_id}/resources/", json=body, headers={"X-API-KEY": udata.member_key}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_first_sync_is_one_post_per_dataset_with_its_resources_inside(
    synced: Plan, udata: RealUdata, store: StateStore, cfg: Any
) -> None:
    assert synced.totals() == {"create": 6}
    writes = udata.writes()
    datasets = dataset_writes(writes)
    assert [(w["method"], w["path"]) for w in datasets] == [("POST", "/api/1/datasets/")] * 5  # no resource call
    others = Counter(re.sub(r"/\w{24}/", "/<id>/", w["path"]) for w in writes if w not in datasets)
    assert others == {"/api/1/contacts/": 2, "/api/1/dataservices/": 1}  # shared: once per contact, per service
    assert dataset_reads(udata, 0) == []  # the organisation's listing is the only read of datasets
    for post in datasets:
        (dataset,) = udata.by_uri()[post["body"]["extras"][EXTRA_URI]]
        sent = post["body"].get("resources", [])
        # read back as sent, in the mapping's order (main first, then by title), luxcat's key on each
        assert [(r["url"], r["title"], r["type"], r["format"]) for r in dataset["resources"]] == [
            (r["url"], r["title"], r["type"], r["format"]) for r in sent
        ]
        assert all(r["filetype"] == "remote" for r in dataset["resources"])
        assert [r["extras"][EXTRA_KEY] for r in dataset["resources"]] == [r["extras"][EXTRA_KEY] for r in sent]
        record = next(r for r in store.records(cfg.id) if r.dataset_uri == dataset["extras"][EXTRA_URI])
        assert record.publish_ids[TARGET]["resources"] == {r["url"]: r["id"] for r in dataset["resources"]}


def test_no_change_sync_writes_nothing_and_reads_only_the_listing(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    before, log = len(udata.writes()), len(udata.log())
    assert resync(make_publisher, store, artifacts, cfg).totals() == {"unchanged": 6}
    assert len(udata.writes()) == before and dataset_reads(udata, log) == []
    listings = [e for e in udata.log()[log:] if e.request.path == "/api/1/datasets/"]
    assert len(listings) == 1 and "archived" not in listings[0].request.query  # one listing, archived included


def test_one_changed_field_is_one_get_and_one_put_without_resources(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]
    resources_before = udata.dataset(did)["resources"]

    def retitle(graph: Graph, subject: URIRef) -> None:
        graph.set((subject, DCTERMS.title, Literal("The population of bees, revised", lang="en")))

    before, log = len(udata.writes()), len(udata.log())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, retitle))
    assert plan.totals() == {"update": 1, "unchanged": 5}
    (put,) = udata.writes()[before:]
    assert (put["method"], put["path"]) == ("PUT", f"/api/1/datasets/{did}/") and "resources" not in put["body"]
    assert dataset_reads(udata, log) == [f"/api/1/datasets/{did}/"]  # the fresh copy the PUT is built on
    after = udata.dataset(did)
    assert after["title"] == "The population of bees, revised" and after["resources"] == resources_before


def test_resource_added_at_the_source_is_one_put_the_others_keep_their_ids(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]
    before_ids = {r["extras"][EXTRA_KEY]: r["id"] for r in udata.dataset(did)["resources"]}
    csv = URIRef("https://data.exampleMS.gov/id/dataset/1T2p3o4B-dist-CSV")

    def add_csv(graph: Graph, subject: URIRef) -> None:
        graph.add((subject, DCAT.distribution, csv))
        graph.add((csv, DCAT.accessURL, URIRef("https://orgea.exampleMS.gov/files/1T2p3o4B.csv")))
        graph.add((csv, DCTERMS["format"], URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")))

    before = len(udata.writes())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, add_csv))
    assert plan.totals() == {"update": 1, "unchanged": 5}
    assert next(e.fields for e in plan.entries if e.action == "update") == ["resources +1 ~0 -0"]
    (put,) = udata.writes()[before:]
    assert put["path"] == f"/api/1/datasets/{did}/"
    new, *kept = put["body"]["resources"]
    assert "id" not in new and new["url"] == "https://orgea.exampleMS.gov/files/1T2p3o4B.csv"
    assert kept == [{"id": i} for i in before_ids.values()]  # the others: bare ids, in their order
    after = udata.dataset(did)["resources"]
    assert [r["extras"][EXTRA_KEY] for r in after] == [str(csv), *before_ids]  # new first, as udata adds one
    assert {r["extras"][EXTRA_KEY]: r["id"] for r in after[1:]} == before_ids
    assert (after[0]["format"], after[0]["filetype"]) == ("csv", "remote")
    assert id_map(store, cfg, BEES)["resources"] == {r["url"]: r["id"] for r in after}
    assert verified(make_publisher, store, artifacts, cfg)
    assert resync(make_publisher, store, artifacts, cfg, changed(BEES, add_csv)).totals() == {"unchanged": 6}


def test_resource_removed_at_the_source_is_one_put_and_a_hand_added_one_stays_as_it_was(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]
    manual = add_by_hand(udata, did)
    manual_before = next(r for r in udata.dataset(did)["resources"] if r["id"] == manual["id"])
    assert run(make_publisher, store, artifacts, cfg).totals() == {"unchanged": 6}  # never luxcat's to touch
    rdf_id = next(r["id"] for r in udata.dataset(did)["resources"] if r["extras"].get(EXTRA_KEY) == str(RDF_DIST))

    def drop_shp(graph: Graph, subject: URIRef) -> None:
        graph.remove((subject, DCAT.distribution, SHP))

    before = len(udata.writes())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, drop_shp))
    assert next(e.fields for e in plan.entries if e.action == "update") == ["resources +0 ~0 -1"]
    (put,) = udata.writes()[before:]
    assert put["path"] == f"/api/1/datasets/{did}/"
    assert sorted(put["body"]["resources"], key=str) == sorted([{"id": manual["id"]}, {"id": rdf_id}], key=str)
    after = {r["id"]: r for r in udata.dataset(did)["resources"]}
    assert set(after) == {manual["id"], rdf_id}
    assert after[manual["id"]] == manual_before  # every field, checksum, extras and dates included
    assert id_map(store, cfg, BEES)["resources"] == {after[rdf_id]["url"]: rdf_id}


def test_resource_changed_at_the_source_keeps_its_id_and_a_hand_added_one_untouched(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]
    manual = add_by_hand(udata, did)
    before = {r["id"]: r for r in udata.dataset(did)["resources"]}
    shp_id = next(i for i, r in before.items() if r["extras"].get(EXTRA_KEY) == str(SHP))

    def move_shp(graph: Graph, subject: URIRef) -> None:
        graph.set((SHP, DCAT.accessURL, URIRef("https://orgea.exampleMS.gov/files/2025/1T2p3o4B.shp")))
        graph.add((SHP, DCTERMS.title, Literal("Bee population (shapefile)", lang="en")))

    writes = len(udata.writes())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, move_shp))
    assert next(e.fields for e in plan.entries if e.action == "update") == ["resources +0 ~1 -0"]
    (put,) = udata.writes()[writes:]
    assert put["path"] == f"/api/1/datasets/{did}/" and len(put["body"]["resources"]) == 3
    after = {r["id"]: r for r in udata.dataset(did)["resources"]}
    assert list(after) == list(before)  # same ids, same order
    shp = after[shp_id]
    assert (shp["url"], shp["title"]) == (
        "https://orgea.exampleMS.gov/files/2025/1T2p3o4B.shp",
        "Bee population (shapefile)",
    )
    assert shp["extras"][EXTRA_KEY] == str(SHP) and shp["created_at"] == before[shp_id]["created_at"]
    assert after[manual["id"]] == before[manual["id"]]
    assert all(after[i] == before[i] for i in after if i != shp_id)
    assert id_map(store, cfg, BEES)["resources"]["https://orgea.exampleMS.gov/files/2025/1T2p3o4B.shp"] == shp_id
    assert verified(make_publisher, store, artifacts, cfg)


def test_last_resources_removed_need_one_delete_each_unless_another_resource_remains(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]

    def drop_all(graph: Graph, subject: URIRef) -> None:
        graph.remove((subject, DCAT.distribution, None))

    before = len(udata.writes())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, drop_all))
    assert next(e.fields for e in plan.entries if e.action == "update") == ["resources +0 ~0 -2"]
    # udata ignores `resources: []` (test_udata_facts): nothing left to list, so one DELETE per resource
    assert [(w["method"], w["path"].rsplit("/resources/", 1)[0]) for w in udata.writes()[before:]] == [
        ("DELETE", f"/api/1/datasets/{did}")
    ] * 2
    assert udata.dataset(did)["resources"] == [] and id_map(store, cfg, BEES)["resources"] == {}
    # with a resource added by hand still there, the same change is one PUT listing it
    resync(make_publisher, store, artifacts, cfg)
    manual = add_by_hand(udata, did)
    before = len(udata.writes())
    resync(make_publisher, store, artifacts, cfg, changed(BEES, drop_all))
    (put,) = udata.writes()[before:]
    assert put["method"] == "PUT" and put["body"]["resources"] == [{"id": manual["id"]}]
    assert [r["id"] for r in udata.dataset(did)["resources"]] == [manual["id"]]


def test_put_whose_answer_is_lost_after_udata_applied_it_converges(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    did = id_map(store, cfg, BEES)["dataset"]
    kept = {r["id"] for r in udata.dataset(did)["resources"]}
    csv = URIRef("https://data.exampleMS.gov/id/dataset/1T2p3o4B-dist-CSV")

    def add_csv(graph: Graph, subject: URIRef) -> None:
        graph.add((subject, DCAT.distribution, csv))
        graph.add((csv, DCAT.accessURL, URIRef("https://orgea.exampleMS.gov/files/1T2p3o4B.csv")))

    # udata applies the PUT (the new resource is created), then the connection drops before the answer
    udata.proxy.after_forward(None, when=Match(method="PUT", path=rf"^/api/1/datasets/{did}/$"), times=1)
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, add_csv))
    assert plan.totals() == {"update": 1, "unchanged": 5}
    puts = [w["status"] for w in udata.writes() if w["method"] == "PUT"]
    assert puts == [None, 200]  # the PUT is re-sent: the list replaces udata's, so it lands once
    after = udata.dataset(did)["resources"]
    assert len(after) == 3 and {r["id"] for r in after} >= kept
    assert [r["extras"][EXTRA_KEY] for r in after].count(str(csv)) == 1
    assert id_map(store, cfg, BEES)["resources"] == {r["url"]: r["id"] for r in after}
    assert verified(make_publisher, store, artifacts, cfg)
    assert resync(make_publisher, store, artifacts, cfg, changed(BEES, add_csv)).totals() == {"unchanged": 6}


def test_restore_with_a_changed_resource_is_one_put(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    harvest_and_map(cfg, store, artifacts, [e for e in EXAMPLES if e != BEES])
    assert run(make_publisher, store, artifacts, cfg).totals() == {"archive": 1, "unchanged": 5}
    did = id_map(store, cfg, BEES)["dataset"]

    def move_shp(graph: Graph, subject: URIRef) -> None:
        graph.set((SHP, DCAT.accessURL, URIRef("https://orgea.exampleMS.gov/files/2025/1T2p3o4B.shp")))

    before = len(udata.writes())
    plan = resync(make_publisher, store, artifacts, cfg, changed(BEES, move_shp))
    assert plan.totals() == {"restore": 1, "unchanged": 5}
    (put,) = udata.writes()[before:]
    assert put["body"]["archived"] is None and len(put["body"]["resources"]) == 2
    dataset = udata.dataset(did)
    assert dataset["archived"] is None
    assert "https://orgea.exampleMS.gov/files/2025/1T2p3o4B.shp" in {r["url"] for r in dataset["resources"]}
    assert per_dataset(udata.writes()[before:]) == {did: 1}
