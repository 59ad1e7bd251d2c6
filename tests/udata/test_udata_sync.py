"""Sync scenarios against the real udata 17 application, with real DCAT-AP examples as the source's records.

udata runs for real (tests/udata/conftest.py); the faults it cannot produce on demand (429 with
Retry-After, 5xx, an answer lost after udata carried out the write) come from the proxy in front of it.
One fault is injected although udata can produce it: the 400 with field errors
(test_udata_400_is_a_record_error_with_field_errors), because luxcat now checks beforehand everything
udata is known to refuse, so no real record makes udata answer 400 any more; the body is udata's own
error format.
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Literal, Namespace, URIRef

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import WITHDRAWN, StateStore
from publishers.base import Plan, publish_items
from publishers.udata import UdataAuthError, UdataNotMember
from publishers.udata.mapping import EXTRA_KEY, EXTRA_URI
from tests.servers.faulty_proxy import Match
from tests.udata.real_udata import RealUdata
from tests.udata.records import EXAMPLES, GEOPORTAIL, Example, Make, dataset_graph, harvest_and_map, run, source_config

TARGET = "data.public.lu"
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: pytest's collection probes closed ones
DCTERMS = Namespace("http://purl.org/dc/terms/")


def by_uri(udata: RealUdata) -> dict[str, list[dict[str, Any]]]:
    return udata.by_uri()


def test_first_sync_creates_datasets_resources_contacts_and_dataservice(
    synced: Plan, udata: RealUdata, store: StateStore
) -> None:
    assert synced.totals() == {"create": 6}
    datasets = by_uri(udata)
    assert sorted(datasets) == sorted(e.dataset for e in EXAMPLES)
    assert all(len(v) == 1 for v in datasets.values())
    lu = datasets["https://metadata.demo.lnds.tech/api/v1/datasets/1"][0]
    assert lu["title"] == "Dataset title 1" and lu["frequency"] == "annual" and lu["license"] == "cc-zero"
    assert lu["tags"] == ["interesting-stuff", "people", "policy", "society"]
    assert lu["temporal_coverage"]["start"].startswith("1900-01-01")
    assert lu["spatial"]["zones"] == ["country:lt", "country:lu"]
    assert {r["url"] for r in lu["resources"]} == {
        "https://data.public.lu/fr/datasets/12345",
        "https://www.stuff.lu/data_access_request",
        "https://data.public.lu/fr/datasets/678910",
    }
    assert all(r["filetype"] == "remote" and r["extras"][EXTRA_KEY] for r in lu["resources"])
    bees = datasets["https://data.exampleMS.gov/id/dataset/1T2p3o4B"][0]
    assert "hvd" in bees["tags"] and bees["frequency"] == "biennial"
    multi = datasets["https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad"][0]
    assert multi["title"] == "Test DCAT dataset"  # fr, de missing: en by the fallback order
    assert (
        "Conjunto de datos de prueba DCAT" in multi["description"]
        and "Una descripció qualsevol" in multi["description"]
    )
    assert len(multi["contact_points"]) == 2 and len(udata.contacts()) == 2
    assert {r["type"] for r in multi["resources"]} == {"main", "documentation"}
    (service,) = udata.dataservices()
    wasps = datasets["https://data.exampleMS.gov/id/dataset/1W2o3p4T"][0]
    assert service["base_api_url"] == "https://orgea.exampleMS.gov/api/v2/"
    assert udata.dataservice_datasets(service["id"]) == [wasps["id"]]
    record = store.get_record("statec-test", "lu-dummy-1")
    assert record is not None
    ids = record.publish_ids[TARGET]
    assert ids["dataset"] == lu["id"] and ids["resources"] == {r["url"]: r["id"] for r in lu["resources"]}
    assert all(entry.status is not None and entry.status < 300 for entry in udata.log())


def test_verify_reads_everything_back_exactly_then_reports_a_hand_edit(
    synced: Plan, udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    from publishers.udata.verify import verify

    reads = len(udata.log())
    result = verify(make_publisher(), publish_items(store, artifacts, [cfg]))
    assert result.ok and result.ratio == 1.0 and result.datasets == 5, result.render()
    assert result.fields_sent > 5 * 12  # title ... extras, and url/format/title of every resource
    assert all(entry.request.method == "GET" for entry in udata.log()[reads:])  # verify never writes
    did = synced.entries[0].target_id or ""
    udata.change(did, tags=["edited-by-hand"], frequency="daily")
    result = verify(make_publisher(), publish_items(store, artifacts, [cfg]))
    assert not result.ok and {d.field for d in result.differences} == {"tags", "frequency"}
    assert all(d.dataset_id == did for d in result.differences)
    assert "difference(s)" in result.render() and result.ratio < 1.0


def test_second_run_without_change_sends_no_write(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"unchanged": 6}
    assert len(udata.writes()) == before


def test_one_field_changed_is_one_put_carrying_the_tags(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    example = EXAMPLES[0]
    graph = dataset_graph(example)
    subject = URIRef(example.dataset)
    graph.set((subject, DCTERMS.title, Literal("Dataset title 1, revised", lang="en")))
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES), graphs={example.record_id: graph})
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"update": 1, "unchanged": 5}
    (entry,) = [e for e in plan.entries if e.action == "update"]
    assert entry.fields == ["title"]
    (put,) = udata.writes()[before:]
    assert put["method"] == "PUT" and put["path"] == f"/api/1/datasets/{entry.target_id}/"
    assert put["body"]["tags"] == ["interesting-stuff", "people", "policy", "society"]
    dataset = udata.dataset(entry.target_id or "")
    assert dataset["title"] == "Dataset title 1, revised" and dataset["tags"]  # tags survived the PUT


def test_resource_url_change_updates_it_in_place(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    example = EXAMPLES[0]
    did = store.get_record("statec-test", example.record_id).publish_ids[TARGET]["dataset"]  # type: ignore[union-attr]
    ids_before = {r["extras"][EXTRA_KEY]: r["id"] for r in udata.dataset(did)["resources"]}
    graph = dataset_graph(example)
    dist = URIRef("https://metadata.demo.lnds.tech/api/v1/distributions/2")
    graph.remove((dist, DCAT.accessURL, None))
    graph.add((dist, DCAT.accessURL, URIRef("https://data.public.lu/fr/datasets/12345-v2")))
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES), graphs={example.record_id: graph})
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"update": 1, "unchanged": 5}
    (write,) = udata.writes()[before:]  # one PUT of the dataset, its resource list inside
    assert write["method"] == "PUT" and write["path"] == f"/api/1/datasets/{did}/"
    sent = {r["id"]: r for r in write["body"]["resources"]}
    assert set(sent) == set(ids_before.values())  # every resource listed by id: none re-created
    assert sent[ids_before[str(dist)]]["url"] == "https://data.public.lu/fr/datasets/12345-v2"
    assert [r for r in sent.values() if len(r) > 1] == [sent[ids_before[str(dist)]]]  # the others: bare ids
    after = {r["extras"][EXTRA_KEY]: r for r in udata.dataset(did)["resources"]}
    assert {k: r["id"] for k, r in after.items()} == ids_before  # every resource kept its id
    assert after[str(dist)]["url"] == "https://data.public.lu/fr/datasets/12345-v2"
    ids = store.get_record("statec-test", example.record_id).publish_ids[TARGET]  # type: ignore[union-attr]
    assert ids["resources"]["https://data.public.lu/fr/datasets/12345-v2"] == ids_before[str(dist)]


def test_withdrawn_after_complete_harvest_is_archived(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    gone = EXAMPLES[4]
    harvest_and_map(cfg, store, artifacts, [e for e in EXAMPLES if e != gone], complete=True)
    assert store.get_record(cfg.id, gone.record_id).status == WITHDRAWN  # type: ignore[union-attr]
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"archive": 1, "unchanged": 5}
    (dataset,) = by_uri(udata)[gone.dataset]
    assert dataset["archived"] and dataset["tags"] == []  # archived (this one had no keywords to keep)
    assert run(make_publisher, store, artifacts, cfg).totals() == {"unchanged": 6}  # archiving is done once


def test_missing_from_an_incomplete_harvest_is_left_alone(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    missing = EXAMPLES[4]
    harvest_and_map(cfg, store, artifacts, [e for e in EXAMPLES if e != missing], complete=False)
    assert store.get_record(cfg.id, missing.record_id).status == "active"  # type: ignore[union-attr]
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"unchanged": 6}
    assert len(udata.writes()) == before and not by_uri(udata)[missing.dataset][0]["archived"]


def test_lost_id_map_is_recovered_from_extras_without_duplicates(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    ids_before = {r.record_id: r.publish_ids[TARGET] for r in store.records(cfg.id)}
    for record in store.records(cfg.id):
        store.set_publish_id(cfg.id, record.record_id, TARGET, None)
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg, page_size=2)  # recovery pages through next_page
    # datasets: all recovered unchanged; the dataservice link is re-sent (the listing does not show links)
    assert plan.totals() == {"unchanged": 5, "update": 1}, plan.render()
    assert all(e.detail == "id map recovered from the portal" for e in plan.entries if e.record_id)
    assert [e.fields for e in plan.entries if e.action == "update"] == [["datasets +1"]]
    assert all(len(v) == 1 for v in by_uri(udata).values()) and len(udata.live_datasets()) == 5
    recovered = {r.record_id: r.publish_ids[TARGET] for r in store.records(cfg.id)}
    assert {k: (v["dataset"], v["resources"]) for k, v in recovered.items()} == {
        k: (v["dataset"], v["resources"]) for k, v in ids_before.items()
    }
    # dataservice links are re-sent (idempotent on udata): the only writes recovery costs
    assert {w["path"] for w in udata.writes()[before:]} <= {
        f"/api/1/dataservices/{service['id']}/datasets/" for service in udata.dataservices()
    }


def test_crash_between_create_and_id_map_write_does_not_duplicate(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES[:2]))
    # udata creates the dataset but the answer is lost (500 after commit): the POST is not retried blindly
    udata.fail("POST", r"^/api/1/datasets/$", 500, commit=True)
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 2}
    assert all(len(v) == 1 for v in by_uri(udata).values()) and len(udata.live_datasets()) == 2
    assert [w["method"] for w in udata.writes()].count("POST") == 2  # 2 datasets (resources inside), no retry
    resources = {d["extras"][EXTRA_URI]: len(d["resources"]) for d in udata.live_datasets()}
    assert resources == {EXAMPLES[0].dataset: 3, EXAMPLES[1].dataset: 2}  # the adopted one's too


def test_answers_lost_after_udata_acted_are_adopted_not_resent(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    harvest_and_map(cfg, store, artifacts, [EXAMPLES[0]])
    # udata creates the dataset with its resources, then the connection drops before the answer
    udata.proxy.after_forward(None, when=Match(method="POST", path=r"^/api/1/datasets/$"), times=1)
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 1}, plan.render()
    (dataset,) = udata.live_datasets()
    assert len(dataset["resources"]) == 3 and len({r["url"] for r in dataset["resources"]}) == 3
    posts = [w for w in udata.writes() if w["method"] == "POST"]
    assert [w["status"] for w in posts] == [None]  # nothing sent twice: the listing found it
    ids = store.get_record(cfg.id, EXAMPLES[0].record_id).publish_ids[TARGET]  # type: ignore[union-attr]
    assert ids["dataset"] == dataset["id"] and set(ids["resources"].values()) == {r["id"] for r in dataset["resources"]}
    assert run(make_publisher, store, artifacts, cfg).totals() == {"unchanged": 1}


def test_fields_udata_would_refuse_are_left_out_reported_and_the_dataset_lands(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    from rdflib import BNode

    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    example = EXAMPLES[0]
    graph = dataset_graph(example)
    subject, good, bad = URIRef(example.dataset), BNode(), BNode()
    graph.add((subject, DCTERMS.spatial, URIRef("http://publications.europa.eu/resource/authority/country/GBR")))
    graph.add((subject, DCAT.keyword, Literal("EU", lang="en")))
    graph.add((subject, DCAT.contactPoint, good))
    graph.add((good, vcard.fn, Literal("Statistik")))
    graph.add((good, vcard.hasEmail, URIRef("http://www.statistik.bremen.de/opendata/Info@Statistik.Bremen.de")))
    graph.add((subject, DCAT.contactPoint, bad))
    graph.add((bad, vcard.fn, Literal("Nobody")))
    graph.add((bad, vcard.hasEmail, URIRef("http://www.statistik.bremen.de/opendata/kontakt")))
    harvest_and_map(cfg, store, artifacts, [example], graphs={example.record_id: graph})
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 1}, plan.render()
    (entry,) = plan.entries
    assert "keyword 'EU': shorter than udata's 3 characters as a tag; left out" in entry.warnings
    assert "zone country:gb: unknown to data.public.lu; left out of the spatial coverage" in entry.warnings
    assert any("'Nobody'" in w and "not a valid address" in w for w in entry.warnings)
    (dataset,) = udata.live_datasets()
    assert [(c["name"], c["email"]) for c in dataset["contact_points"]] == [("Statistik", "info@statistik.bremen.de")]
    assert dataset["spatial"]["zones"] == ["country:lt", "country:lu"] and "eu" not in dataset["tags"]
    assert all(w["status"] < 300 for w in udata.writes())  # nothing was sent that udata refused


def test_unplaceable_licence_is_an_error_of_that_record_never_notspecified(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    example = EXAMPLES[1]
    graph = dataset_graph(example)
    graph.add((URIRef(example.dataset), DCTERMS.license, URIRef("https://data.exampleMS.gov/licences/house-rules")))
    harvest_and_map(cfg, store, artifacts, [example, EXAMPLES[0]], graphs={example.record_id: graph})
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 1, "error": 1}
    (error,) = [e for e in plan.entries if e.action == "error"]
    assert error.detail.startswith("licence_unplaceable: https://data.exampleMS.gov/id/dataset/1T2p3o4B: licence ")
    assert [(d["extras"][EXTRA_URI], d["license"]) for d in udata.live_datasets()] == [(EXAMPLES[0].dataset, "cc-zero")]


def test_rate_limited_then_ok_honours_retry_after(
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
    sleeps: list[float],
) -> None:
    harvest_and_map(cfg, store, artifacts, [EXAMPLES[1]])
    udata.fail("POST", r"^/api/1/datasets/$", 429, retry_after="7")
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 1} and len(udata.live_datasets()) == 1
    assert 7.0 in sleeps
    assert [w["status"] for w in udata.writes() if w["method"] == "POST" and w["path"] == "/api/1/datasets/"] == [
        429,
        201,
    ]


def test_server_errors_twice_then_ok(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
    sleeps: list[float],
) -> None:
    udata.fail("GET", r"^/api/1/datasets/$", 500, times=2)
    example = EXAMPLES[2]
    graph = dataset_graph(example)
    graph.add((URIRef(example.dataset), DCAT.keyword, Literal("Acorns", lang="en")))
    udata.fail("PUT", r"^/api/1/datasets/\w+/$", 503, times=2)
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES), graphs={example.record_id: graph})
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"update": 1, "unchanged": 5}
    assert sleeps[:2] == [0.5, 1.0] and sleeps[2:4] == [0.5, 1.0]  # backoff doubles, then the PUT's retries
    assert "acorns" in by_uri(udata)[example.dataset][0]["tags"]


def test_expired_key_stops_the_run_and_everything_written_is_recorded(
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES[:3]))
    key = udata.new_key()
    monkeypatch.setenv("UDATA_API_KEY", key)
    udata.revoke_after(key, writes=1)  # udata revokes it after the first dataset (its resources inside)
    with pytest.raises(UdataAuthError, match=r"refused \$\{UDATA_API_KEY\} \(HTTP 401") as stopped:
        run(make_publisher, store, artifacts, cfg)
    assert key not in str(stopped.value)
    plan = stopped.value.plan
    assert plan is not None and plan.totals()["error"] == 1
    # every dataset and resource that exists on the portal is in the id map
    mapped = {r.publish_ids[TARGET]["dataset"]: r.publish_ids[TARGET] for r in store.records(cfg.id) if r.publish_ids}
    for dataset in udata.live_datasets():
        assert dataset["id"] in mapped
        assert {r["id"] for r in dataset["resources"]} == set(mapped[dataset["id"]]["resources"].values())
    # a new key finishes the job without duplicates
    monkeypatch.setenv("UDATA_API_KEY", udata.new_key())
    plan = run(make_publisher, store, artifacts, cfg)
    assert len(udata.live_datasets()) == 3 and all(len(v) == 1 for v in by_uri(udata).values())
    assert run(make_publisher, store, artifacts, cfg).totals() == {"unchanged": 3}


def test_not_a_member_of_the_organisation_stops_with_a_clear_message(
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    make_publisher: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = source_config("geoportail-test", organization=GEOPORTAIL)
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES[:2]))
    with pytest.raises(UdataNotMember, match=f"not a member of organisation {GEOPORTAIL}") as stopped:
        run(make_publisher, store, artifacts, cfg)
    assert stopped.value.plan is not None
    assert [e.action for e in stopped.value.plan.entries] == ["error", "skip"]
    assert udata.live_datasets(udata.organizations["geoportail"]) == []
    # a user who belongs to no organisation at all, publishing to STATEC: the same clear stop
    monkeypatch.setenv("UDATA_API_KEY", udata.outsider_key)
    statec = source_config()
    harvest_and_map(statec, store, artifacts, [EXAMPLES[1]])
    with pytest.raises(UdataNotMember, match=f"not a member of organisation {udata.organizations['statec']}"):
        run(make_publisher, store, artifacts, statec)
    assert udata.live_datasets() == []


def test_udata_400_is_a_record_error_with_field_errors(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES[:2]))
    errors = {"title": ["Field must be between 1 and 350 characters long."], "tags": ["Tag too short"]}
    udata.fail("POST", r"^/api/1/datasets/$", 400, body={"errors": errors})
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"create": 1, "error": 1}
    (error,) = [e for e in plan.entries if e.action == "error"]
    assert error.detail == (
        "udata_rejected: create dataset 'The population of bees': udata refused it "
        "(title: Field must be between 1 and 350 characters long.; tags: Tag too short)"
    )
    assert len(udata.live_datasets()) == 1  # the other record went on


def test_dataset_deleted_on_the_portal_is_reported_not_recreated(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    did = store.get_record(cfg.id, EXAMPLES[1].record_id).publish_ids[TARGET]["dataset"]  # type: ignore[union-attr]
    udata.delete(did)  # a person deletes it on the portal
    before = len(udata.writes())
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"skip": 1, "unchanged": 5}
    (skip,) = [e for e in plan.entries if e.action == "skip"]
    # udata 17 still lists the deleted dataset to the organisation's members, with `deleted` set
    assert skip.detail == "deleted on the portal; not recreated"
    assert len(udata.writes()) == before


def test_dry_run_plan_text(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    example = EXAMPLES[0]
    graph = dataset_graph(example)
    graph.set((URIRef(example.dataset), DCTERMS.title, Literal("Renamed", lang="en")))
    harvest_and_map(cfg, store, artifacts, [e for e in EXAMPLES if e != EXAMPLES[4]], graphs={example.record_id: graph})
    before = len(udata.writes())
    plan = make_publisher().plan(publish_items(store, artifacts, [cfg]))
    assert len(udata.writes()) == before  # planning never writes
    assert plan.render(verbose=False).splitlines() == [  # records come sorted by record id
        "archive   https://data.gov.gr/id/dataset/BeePopulation: withdrawn after a complete harvest",
        "update    https://metadata.demo.lnds.tech/api/v1/datasets/1 (title)",
        "          warning: contact point 'PNED GIE': no valid e-mail or contact form; left out",
        "data.public.lu: 1 archive, 4 unchanged, 1 update",
    ]
    assert "unchanged https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad" in plan.render()


def test_dataservices_as_api_resources_when_configured(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make
) -> None:
    wasps: Example = EXAMPLES[3]
    harvest_and_map(cfg, store, artifacts, [wasps])
    plan = run(make_publisher, store, artifacts, cfg, dataservices="resource")
    assert plan.totals() == {"create": 1} and udata.dataservices() == []
    (dataset,) = udata.live_datasets()
    assert [(r["type"], r["url"]) for r in dataset["resources"]] == [("api", "https://orgea.exampleMS.gov/api/v2/")]


def test_withdrawn_then_back_is_restored_and_delete_mode_deletes(
    synced: Plan,
    udata: RealUdata,
    store: StateStore,
    artifacts: LocalArtifactStore,
    cfg: Any,
    make_publisher: Make,
) -> None:
    gone = EXAMPLES[2]
    others = [e for e in EXAMPLES if e != gone]
    harvest_and_map(cfg, store, artifacts, others)
    assert run(make_publisher, store, artifacts, cfg).totals() == {"archive": 1, "unchanged": 5}
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES))  # the source lists it again
    plan = run(make_publisher, store, artifacts, cfg)
    assert plan.totals() == {"restore": 1, "unchanged": 5}
    (dataset,) = by_uri(udata)[gone.dataset]
    assert dataset["archived"] is None and dataset["tags"] == ["oaks", "pines"]
    harvest_and_map(cfg, store, artifacts, others)
    assert run(make_publisher, store, artifacts, cfg, on_withdrawn="delete").totals() == {"delete": 1, "unchanged": 5}
    assert gone.dataset not in by_uri(udata)
    plan = run(make_publisher, store, artifacts, cfg, on_withdrawn="delete")
    assert plan.totals() == {"unchanged": 6}
    assert "already deleted" in next(e.detail for e in plan.entries if e.dataset_uri == gone.dataset)
