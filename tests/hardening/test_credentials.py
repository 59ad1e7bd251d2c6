"""F7/F23: credentials go only to the configured host; a 2xx create without an id is a clear error.

Real clients (publishers.udata.client, publishers.edp.HubClient, luxcat.http) against hostile
servers on 127.0.0.1; another port is another host. The "other host" logs every request: it must
never see the key (nor the body of a write).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from luxcat.http import HttpFailure, RetryPolicy, new_session, request_with_retries
from publishers.edp import HubClient
from publishers.targets import EdpTarget
from publishers.udata.client import AmbiguousCreate, UdataClient
from publishers.udata.errors import UdataRejected, UdataUnavailable
from tests.hardening.hostile import Hostile, json_body, redirect, saw_secret

KEY = "k3y-that-must-stay-home"
POLICY = RetryPolicy(timeout=5, retries=0)


@pytest.fixture
def servers() -> Iterator[tuple[Hostile, Hostile]]:
    with Hostile() as home, Hostile() as other:
        yield home, other


def udata(home: Hostile) -> UdataClient:
    return UdataClient(f"{home.url}/api/1", KEY, POLICY, throttle=0, key_name="${UDATA_API_KEY}")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_udata_redirect_to_another_host_is_refused_and_the_key_never_leaves(
    servers: tuple[Hostile, Hostile], status: int
) -> None:
    home, other = servers
    home.answers["/api/1/datasets/"] = redirect(f"{other.url}/steal", status)
    home.answers["/api/1/datasets/abc/"] = redirect(f"{other.url}/steal", status)
    client = udata(home)
    with pytest.raises(UdataUnavailable, match="redirected to another host"):
        client.create_dataset({"title": "t", "description": "secret body"}, "org")
    with pytest.raises(UdataUnavailable, match="redirected to another host"):
        client.update_dataset("abc", {"title": "t"}, "org")
    with pytest.raises(UdataUnavailable, match="redirected to another host"):
        list(client.iter_datasets("org", page_size=10))
    assert other.log == [] and not saw_secret(other, KEY)
    assert all(s.headers.get("X-API-KEY") == KEY for s in home.log)  # the key did go where it belongs


def test_udata_next_page_on_another_host_is_refused(servers: tuple[Hostile, Hostile]) -> None:
    home, other = servers
    page = {"data": [{"id": "1"}], "total": 2, "next_page": f"{other.url}/api/1/datasets/?page=2"}
    home.answers["/api/1/datasets/"] = json_body(page)
    with pytest.raises(UdataUnavailable, match="next_page points to another host"):
        list(udata(home).iter_datasets("org", page_size=1))
    assert other.log == []


def test_same_host_redirects_are_still_followed(servers: tuple[Hostile, Hostile]) -> None:
    home, _other = servers
    home.answers["/api/1/datasets/"] = redirect(f"{home.url}/api/1/datasets/moved/", 302)
    home.answers["/api/1/datasets/moved/"] = json_body({"data": [{"id": "1"}], "total": 1, "next_page": None})
    assert [d["id"] for d in udata(home).iter_datasets("org", page_size=10)] == ["1"]


def test_hub_put_redirected_to_another_host_is_refused(servers: tuple[Hostile, Hostile]) -> None:
    home, other = servers
    hub = EdpTarget(hub_url=f"{home.url}/hub", catalogue_id="lux", api="origin", retries=0, timeout=5)
    home.answers["/hub/catalogues/lux/datasets/origin"] = redirect(f"{other.url}/steal", 307)
    client = HubClient(hub, KEY, new_session(), sleep=lambda _s: None)
    with pytest.raises(HttpFailure, match="redirected to another host"):
        client.put("ds-1", "<a> <b> <c> .", "h")
    with pytest.raises(HttpFailure, match="redirected to another host"):
        client.delete("ds-1")
    assert other.log == [] and home.log[0].headers.get("X-API-Key") == KEY


def test_public_get_without_credentials_may_follow_a_redirect(servers: tuple[Hostile, Hostile]) -> None:
    home, other = servers
    home.answers["/feed"] = redirect(f"{other.url}/feed", 302)
    other.answers["/feed"] = json_body({"ok": True})
    response = request_with_retries(new_session(), "GET", f"{home.url}/feed", POLICY)
    assert response.json() == {"ok": True}
    with pytest.raises(HttpFailure, match="another host"):  # the same GET with a key is not followed
        request_with_retries(requests.Session(), "GET", f"{home.url}/feed", POLICY, headers={"Authorization": KEY})
    assert not saw_secret(other, KEY)


def test_created_without_id_is_a_clear_error_not_a_key_error(servers: tuple[Hostile, Hostile]) -> None:
    home, _other = servers
    home.answers["/api/1/datasets/"] = json_body({"title": "t"}, 201)
    home.answers["/api/1/contacts/"] = json_body({}, 200)
    client = udata(home)
    with pytest.raises(AmbiguousCreate, match="HTTP 201 but the answer carries no id"):
        client.create_dataset({"title": "t"}, "org")
    with pytest.raises(UdataRejected, match="carries no id"):
        client.create_contact({"name": "n"}, "org")
