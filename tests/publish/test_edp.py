"""EdpPublisher against the piveau hub-repo contract server: create, update, 304, delete, errors, retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from luxcat.errors import ConfigError
from publishers.base import Plan, publish_items
from publishers.edp import TARGET, EdpOptions, EdpPublisher
from publishers.targets import PublishError, load_publish_config, target_options
from tests.publish.corpus import REPO, Loaded
from tests.publish.hub_contract import HubServer

KEY = "s3cret-hub-key"
CATALOGUE = "luxembourg-national-catalogue"


@pytest.fixture
def hub() -> Iterator[HubServer]:
    server = HubServer(KEY, [CATALOGUE]).start()
    yield server
    server.stop()
    assert not server.state.violations, server.state.violations


def publisher(loaded: Loaded, hub: HubServer, tmp_path: Any, api: str = "origin") -> EdpPublisher:
    import yaml

    data = yaml.safe_load((REPO / "config" / "publish.yaml").read_text(encoding="utf-8"))
    data["targets"]["data.europa.eu"].update(hub_url=hub.url, api=api, retries=2)
    path = tmp_path / "publish.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    options = target_options(load_publish_config(path), TARGET, EdpOptions)
    return EdpPublisher(options, loaded.store, loaded.artifacts, sleep=lambda _s: None)


def push(pub: EdpPublisher, loaded: Loaded) -> Plan:
    """Plan and apply; the one data service of the corpus is always skipped (and only it)."""
    plan = pub.apply(pub.plan(publish_items(loaded.store, loaded.artifacts, loaded.sources)))
    skipped = [e.dataset_uri for e in plan.entries if e.action == "skip"]
    assert skipped == ["https://data.exampleMS.gov/id/dataset/EAMS-APIplatform"]
    plan.entries = [e for e in plan.entries if e.action != "skip"]
    return plan


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDP_API_KEY", KEY)


@pytest.mark.parametrize("api", ["origin", "resources", "legacy"])
def test_push_creates_then_skips_then_updates(loaded, hub, tmp_path, api) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path, api)
    first = push(pub, loaded)
    created = [e for e in first.entries if e.action == "create"]
    assert created and set(first.totals()) == {"create"}
    assert len(hub.state.catalogues[CATALOGUE]) == len(created)
    assert {status for _m, _p, status in hub.state.log} == {201}
    record = next(r for r in loaded.store.records() if "EAMS" not in (r.dataset_uri or ""))
    assert record.publish_ids[TARGET]["id"] in hub.state.catalogues[CATALOGUE]

    # nothing changed: the plan says so and no request is made
    calls = len(hub.state.log)
    again = push(pub, loaded)
    assert set(again.totals()) == {"unchanged"} and len(hub.state.log) == calls

    # one record changes at its source: exactly one PUT, answered "updated"
    (source_id, record_id), graph = next((k, g) for k, g in loaded.graphs.items() if k[1].startswith("catalog#"))
    uri = loaded.store.get_record(source_id, record_id).dataset_uri
    graph.add((URIRef(uri), DCTERMS.title, Literal("Nouveau titre", lang="fr")))
    loaded.add(source_id, record_id, uri, graph)
    third = push(pub, loaded)
    assert third.totals() == {"unchanged": len(created) - 1, "update": 1}
    assert hub.state.log[-1][2] == (200 if api == "legacy" else 204)


def test_hub_304_when_local_state_was_lost(loaded, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path)
    push(pub, loaded)
    for record in loaded.store.records():
        loaded.store.set_publish_id(record.source_id, record.record_id, TARGET, None)
    plan = pub.plan(publish_items(loaded.store, loaded.artifacts, loaded.sources))
    assert set(plan.totals()) == {"create", "skip"}
    pub.apply(plan)
    assert set(plan.totals()) == {"unchanged", "skip"}  # the hub said 304 for every one
    pushed = [r for r in loaded.store.records() if "EAMS-APIplatform" not in (r.dataset_uri or "")]
    assert all(r.publish_ids.get(TARGET) for r in pushed)


def test_withdrawn_dataset_is_deleted_on_the_hub(loaded, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path)
    push(pub, loaded)
    source_id, record_id = next(k for k in loaded.graphs if k[1].startswith("dataset_health_multilingual#"))
    hub_id = loaded.store.get_record(source_id, record_id).publish_ids[TARGET]["id"]
    loaded.store.withdraw(source_id, [record_id])
    plan = push(pub, loaded)
    assert [(e.action, e.target_id) for e in plan.entries if e.action != "unchanged"] == [("delete", hub_id)]
    assert hub_id not in hub.state.catalogues[CATALOGUE]
    assert TARGET not in loaded.store.get_record(source_id, record_id).publish_ids
    assert hub.state.log[-1][0] == "DELETE" and hub.state.log[-1][2] == 204
    assert set(push(pub, loaded).totals()) == {"unchanged"}  # deleted once, not again


def test_merged_dataset_is_pushed_once_with_both_sources(loaded, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path)
    push(pub, loaded)
    bees = [r for r in loaded.store.records() if r.dataset_uri == "https://data.exampleMS.gov/id/dataset/1T2p3o4B"]
    assert len(bees) == 3 and len({r.publish_ids[TARGET]["id"] for r in bees}) == 1
    puts = [p for m, p, _s in hub.state.log if m == "PUT" and "1T2p3o4B" in p]
    assert len(puts) == 1


def test_conflict_and_transient_errors(loaded, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path)
    hub.state.scripted = [409, 503, 503]  # first dataset refused; second retried twice then accepted
    plan = push(pub, loaded)
    errors = [e for e in plan.entries if e.action == "error"]
    assert len(errors) == 1 and errors[0].detail.startswith("HTTP 409")
    assert [s for _m, _p, s in hub.state.log[:4]] == [409, 503, 503, 201]
    assert set(push(pub, loaded).totals()) == {"create", "unchanged"}  # the refused one is retried next run


def test_wrong_key_is_a_config_error(loaded, hub, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDP_API_KEY", "wrong")
    pub = publisher(loaded, hub, tmp_path)
    with pytest.raises(ConfigError, match="API key"):
        push(pub, loaded)


def test_unreachable_hub_stops_the_run(loaded, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pub = publisher(loaded, hub, tmp_path)
    hub.state.scripted = [503] * 100
    with pytest.raises(PublishError, match="consecutive failures"):
        push(pub, loaded)
    hub.state.scripted = []


def test_dry_plan_needs_no_key_and_sends_nothing(loaded, hub, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EDP_API_KEY")
    pub = publisher(loaded, hub, tmp_path)
    plan = pub.plan(publish_items(loaded.store, loaded.artifacts, loaded.sources))
    assert set(plan.totals()) == {"create", "skip"} and not hub.state.log
    with pytest.raises(ConfigError, match="EDP_API_KEY"):
        pub.apply(plan)


def test_contract_server_enforces_the_spec(hub) -> None:  # type: ignore[no-untyped-def]
    """The contract server's checks can fail: wrong routes, parameters, body types and keys are refused."""
    import requests

    turtle = b"<https://x.lu/d> a <http://www.w3.org/ns/dcat#Dataset> ."
    base, key = hub.url, {"X-API-Key": KEY}
    origin = f"{base}/catalogues/{CATALOGUE}/datasets/origin"
    ttl = {**key, "Content-Type": "text/turtle"}
    assert requests.put(origin, data=turtle, headers=ttl, timeout=5).status_code == 400  # no originalId
    assert requests.put(f"{base}/datasets/d1", data=turtle, headers=ttl, timeout=5).status_code == 400  # no catalogue
    csv = {**key, "Content-Type": "text/csv"}
    assert requests.put(origin, params={"originalId": "d1"}, data=b"a,b", headers=csv, timeout=5).status_code == 400
    bad = {"X-API-Key": "nope", "Content-Type": "text/turtle"}
    assert requests.put(origin, params={"originalId": "d1"}, data=turtle, headers=bad, timeout=5).status_code == 401
    assert requests.put(f"{base}/nowhere", data=turtle, headers=ttl, timeout=5).status_code == 404
    assert requests.post(origin, data=turtle, headers=ttl, timeout=5).status_code == 405
    broken = requests.put(origin, params={"originalId": "d1"}, data=b"<not turtle", headers=ttl, timeout=5)
    assert broken.status_code == 400
    ok = requests.put(origin, params={"originalId": "d1"}, data=turtle, headers=ttl, timeout=5)
    assert ok.status_code == 201
    assert requests.put(origin, params={"originalId": "d1"}, data=turtle, headers=ttl, timeout=5).status_code == 304
    assert requests.delete(origin, params={"originalId": "d1"}, headers=key, timeout=5).status_code == 204
    assert requests.delete(origin, params={"originalId": "d1"}, headers=key, timeout=5).status_code == 404
