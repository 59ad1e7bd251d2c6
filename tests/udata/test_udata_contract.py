"""The swagger contract server behaves as udata 17's swagger says.

The sync scenarios run against the real udata application (test_udata_sync.py); this contract server is
kept for what the real application cannot serve here: checking every answer against udata's published
swagger read models (test_answers_match_the_swagger_read_models), i.e. the API contract data.public.lu
documents, independent of one udata release.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.udata.contract_server import UdataContractServer, response_validator
from tests.udata.records import GEOPORTAIL, STATEC

API_KEY = "test-key-statec"


@pytest.fixture(scope="module")
def _contract_server() -> Iterator[UdataContractServer]:
    with UdataContractServer() as server:
        yield server


@pytest.fixture
def udata(_contract_server: UdataContractServer) -> UdataContractServer:
    """The contract server, emptied: organisations STATEC and Géoportail; the key is a member of STATEC only."""
    _contract_server.reset()
    _contract_server.add_organization(STATEC, "STATEC")
    _contract_server.add_organization(GEOPORTAIL, "Géoportail")
    _contract_server.add_key(API_KEY, {STATEC})
    return _contract_server


def call(
    udata: UdataContractServer, method: str, path: str, body: Any = None, key: str | None = API_KEY
) -> requests.Response:
    headers = {"X-API-KEY": key} if key else {}
    url = path if path.startswith("http") else f"{udata.url}{path}"
    return requests.request(method, url, json=body, headers=headers, timeout=5)


def new_dataset(udata: UdataContractServer, **extra: Any) -> dict[str, Any]:
    body = {"title": "Population", "description": "Résidents", "organization": STATEC, "tags": ["Démographie"], **extra}
    response = call(udata, "POST", "/datasets/", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_auth_unknown_key_is_401_and_writes_need_a_key(udata: UdataContractServer) -> None:
    assert call(udata, "GET", "/datasets/", key="expired").status_code == 401
    assert call(udata, "POST", "/datasets/", {"title": "t", "description": "d"}, key=None).status_code == 401
    assert call(udata, "GET", "/datasets/", key=None).status_code == 200


def test_non_member_organisation_is_400_on_organization(udata: UdataContractServer) -> None:
    response = call(udata, "POST", "/datasets/", {"title": "t", "description": "d", "organization": GEOPORTAIL})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["organization"]


def test_put_without_tags_wipes_them_and_keeps_other_fields(udata: UdataContractServer) -> None:
    dataset = new_dataset(udata, frequency="monthly")
    assert dataset["tags"] == ["demographie"]  # udata normalises tags
    response = call(udata, "PUT", f"/datasets/{dataset['id']}/", {"title": "Population 2"})
    assert response.status_code == 200
    after = response.json()
    assert after["tags"] == [] and after["frequency"] == "monthly" and after["description"] == "Résidents"


def test_delete_is_soft_then_410_and_deleted_null_restores(udata: UdataContractServer) -> None:
    dataset = new_dataset(udata)
    path = f"/datasets/{dataset['id']}/"
    assert call(udata, "DELETE", path).status_code == 204
    assert call(udata, "GET", path).status_code == 410
    assert call(udata, "PUT", path, {"title": "again"}).status_code == 410
    assert call(udata, "GET", f"/datasets/?organization={STATEC}").json()["total"] == 0
    assert call(udata, "PUT", path, {"deleted": None, "tags": []}).status_code == 200
    assert call(udata, "GET", path).status_code == 200


def test_list_pages_follow_next_page(udata: UdataContractServer) -> None:
    ids = {new_dataset(udata, title=f"D{i}")["id"] for i in range(5)}
    seen: list[str] = []
    url: str | None = f"/datasets/?organization={STATEC}&page_size=2"
    pages = 0
    while url:
        page = call(udata, "GET", url).json()
        seen += [d["id"] for d in page["data"]]
        url, pages = page["next_page"], pages + 1
    assert pages == 3 and sorted(seen) == sorted(ids)


def test_request_bodies_are_validated_against_the_swagger(udata: UdataContractServer) -> None:
    wrong_type = call(
        udata, "POST", "/datasets/", {"title": "t", "description": "d", "organization": STATEC, "tags": "a,b"}
    )
    assert wrong_type.status_code == 400 and "tags" in wrong_type.json()["errors"]
    unknown = call(
        udata, "POST", "/datasets/", {"title": "t", "description": "d", "organization": STATEC, "licence": "cc-by"}
    )
    assert unknown.status_code == 400 and "licence" in unknown.json()["errors"]
    missing = call(udata, "POST", "/datasets/", {"title": "t", "organization": STATEC})
    assert missing.status_code == 400 and "description" in missing.json()["errors"]
    bad_frequency = call(
        udata, "POST", "/datasets/", {"title": "t", "description": "d", "organization": STATEC, "frequency": "yearly"}
    )
    assert bad_frequency.status_code == 400 and "frequency" in bad_frequency.json()["errors"]
    dataset = new_dataset(udata)
    no_type = call(
        udata,
        "POST",
        f"/datasets/{dataset['id']}/resources/",
        {"title": "r", "url": "https://x/r.csv", "filetype": "remote", "format": "csv"},
    )
    assert no_type.status_code == 400 and "type" in no_type.json()["errors"]
    short_tag = call(udata, "PUT", f"/datasets/{dataset['id']}/", {"tags": ["ab"]})
    assert short_tag.status_code == 400 and "tags" in short_tag.json()["errors"]


def test_resources_endpoints(udata: UdataContractServer) -> None:
    dataset = new_dataset(udata)
    base = f"/datasets/{dataset['id']}/resources/"
    body = {"title": "r", "url": "https://x/r.csv", "filetype": "remote", "format": " CSV ", "type": "main"}
    created = call(udata, "POST", base, body).json()
    assert created["format"] == "csv" and created["id"]
    updated = call(udata, "PUT", f"{base}{created['id']}/", {**body, "url": "https://x/r2.csv"}).json()
    assert updated["id"] == created["id"] and updated["url"] == "https://x/r2.csv"
    assert call(udata, "DELETE", f"{base}{created['id']}/").status_code == 204
    assert call(udata, "GET", f"/datasets/{dataset['id']}/").json()["resources"] == []


@pytest.mark.parametrize("path", ["/datasets/{id}/", "/datasets/?organization={org}"])
def test_answers_match_the_swagger_read_models(udata: UdataContractServer, path: str) -> None:
    contact = call(
        udata,
        "POST",
        "/contacts/",
        {"name": "Info", "email": "info@statec.lu", "role": "contact", "organization": STATEC},
    )
    dataset = new_dataset(
        udata,
        spatial={"zones": ["country:lu"], "granularity": "country"},
        temporal_coverage={"start": "2020-01-01T00:00:00+00:00"},
        contact_points=[{"id": contact.json()["id"], "role": "contact"}],
    )
    call(
        udata,
        "POST",
        f"/datasets/{dataset['id']}/resources/",
        {"title": "r", "url": "https://x/r.csv", "filetype": "remote", "format": "csv", "type": "main"},
    )
    answer = call(udata, "GET", path.format(id=dataset["id"], org=STATEC)).json()
    model = "Dataset (read)" if "{id}" in path else "DatasetPage"
    errors = [e.message for e in response_validator(udata.swagger, model).iter_errors(answer)]
    assert errors == []
