"""What luxcat relies on about udata 17, checked on the real application (they were contract-server claims).

Each test states one behaviour the publisher depends on: 401 for an unknown key, 400 on `organization`
for a non-member, PUT without `tags` wiping them, soft delete, `next_page` paging, what the forms refuse,
the resource endpoints. Run through udata's own API with the seeded member's key.
"""

from __future__ import annotations

from typing import Any

import requests

from tests.udata.real_udata import RealUdata

MEMBER = object()


def call(udata: RealUdata, method: str, path: str, body: Any = None, key: Any = MEMBER) -> requests.Response:
    key = udata.member_key if key is MEMBER else key
    headers = {"X-API-KEY": key} if key else {}
    url = path if path.startswith("http") else f"{udata.direct}{path}"
    return requests.request(method, url, json=body, headers=headers, timeout=30)


def new_dataset(udata: RealUdata, **extra: Any) -> dict[str, Any]:
    org = udata.organizations["statec"]
    body = {"title": "Population", "description": "Résidents", "organization": org, "tags": ["Démographie"], **extra}
    response = call(udata, "POST", "/datasets/", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_auth_unknown_key_is_401_and_writes_need_a_key(udata: RealUdata) -> None:
    assert call(udata, "GET", "/datasets/", key="expired").status_code == 401
    assert call(udata, "POST", "/datasets/", {"title": "t", "description": "d"}, key=None).status_code == 401
    assert call(udata, "GET", "/datasets/", key=None).status_code == 200


def test_non_member_organisation_is_400_on_organization(udata: RealUdata) -> None:
    body = {"title": "t", "description": "d", "organization": udata.organizations["geoportail"]}
    response = call(udata, "POST", "/datasets/", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["organization"]


def test_put_without_tags_wipes_them_and_keeps_other_fields(udata: RealUdata) -> None:
    dataset = new_dataset(udata, frequency="monthly")
    assert dataset["tags"] == ["demographie"]  # udata normalises tags
    response = call(udata, "PUT", f"/datasets/{dataset['id']}/", {"title": "Population 2"})
    assert response.status_code == 200
    after = response.json()
    assert after["tags"] == [] and after["frequency"] == "monthly" and after["description"] == "Résidents"


def test_delete_is_soft_members_still_see_it_others_get_410_and_deleted_null_restores(udata: RealUdata) -> None:
    dataset = new_dataset(udata)
    path = f"/datasets/{dataset['id']}/"
    assert call(udata, "DELETE", path).status_code == 204
    mine = call(udata, "GET", path)  # the organisation's member still reads it, `deleted` set
    assert mine.status_code == 200 and mine.json()["deleted"]
    assert call(udata, "GET", path, key=None).status_code == 410  # everybody else: gone
    assert call(udata, "PUT", path, {"title": "again"}).status_code == 410
    listed = call(udata, "GET", f"/datasets/?organization={udata.organizations['statec']}").json()["data"]
    assert [d["deleted"] is not None for d in listed] == [True]  # still listed to the member
    assert call(udata, "PUT", path, {"deleted": None, "tags": []}).status_code == 200
    assert call(udata, "GET", path, key=None).status_code == 200


def test_list_pages_follow_next_page(udata: RealUdata) -> None:
    ids = {new_dataset(udata, title=f"D{i}")["id"] for i in range(5)}
    seen: list[str] = []
    url: str | None = f"/datasets/?organization={udata.organizations['statec']}&page_size=2"
    pages = 0
    while url:
        page = call(udata, "GET", url).json()
        seen += [d["id"] for d in page["data"]]
        url, pages = page["next_page"], pages + 1
    assert pages == 3 and sorted(seen) == sorted(ids)


def test_what_the_forms_refuse_and_ignore(udata: RealUdata) -> None:
    org = udata.organizations["statec"]
    base = {"title": "t", "description": "d", "organization": org}
    short = call(udata, "POST", "/datasets/", {**base, "tags": ["ab", "fine"]})
    assert short.status_code == 400 and "tags" in short.json()["errors"]
    long = call(udata, "POST", "/datasets/", {**base, "tags": ["x" * 97]})
    assert long.status_code == 400 and "tags" in long.json()["errors"]
    missing = call(udata, "POST", "/datasets/", {"title": "t", "organization": org})
    assert missing.status_code == 400 and "description" in missing.json()["errors"]
    bad_frequency = call(udata, "POST", "/datasets/", {**base, "frequency": "yearly"})
    assert bad_frequency.status_code == 400 and "UpdateFrequency" in bad_frequency.json()["message"]  # no `errors`
    unknown = call(udata, "POST", "/datasets/", {**base, "licence": "cc-by"})
    assert unknown.status_code == 201 and unknown.json()["license"] != "cc-by"  # an unknown key is ignored
    unknown_zone = call(udata, "POST", "/datasets/", {**base, "spatial": {"zones": ["country:gb"]}})
    assert unknown_zone.status_code == 400 and "spatial" in unknown_zone.json()["errors"]
    contact = {"role": "contact", "organization": org}
    relative = call(udata, "POST", "/contacts/", {**contact, "name": "Info", "email": "http://host/x/info@bremen.de"})
    assert relative.status_code == 400 and "email" in relative.json()["errors"]
    url_name = call(udata, "POST", "/contacts/", {**contact, "name": "see https://x.lu", "email": "info@stat.lu"})
    assert url_name.status_code == 400
    no_name = call(udata, "POST", "/contacts/", {**contact, "email": "info@stat.lu"})
    assert no_name.status_code == 201  # the name is optional
    dataset = new_dataset(udata)
    no_type = call(
        udata, "POST", f"/datasets/{dataset['id']}/resources/",
        {"title": "r", "url": "https://data.example.lu/r.csv", "filetype": "remote", "format": "csv", "type": "nope"},
    )  # fmt: skip
    assert no_type.status_code == 400 and "type" in no_type.json()["errors"]


def test_resources_endpoints(udata: RealUdata) -> None:
    dataset = new_dataset(udata)
    base = f"/datasets/{dataset['id']}/resources/"
    url = "https://data.example.lu/r.csv"
    body = {"title": "r", "url": url, "filetype": "remote", "format": " CSV ", "type": "main"}
    created = call(udata, "POST", base, body).json()
    assert created["format"] == "csv" and created["id"]
    updated = call(udata, "PUT", f"{base}{created['id']}/", {**body, "url": "https://data.example.lu/r2.csv"}).json()
    assert updated["id"] == created["id"] and updated["url"] == "https://data.example.lu/r2.csv"
    assert call(udata, "DELETE", f"{base}{created['id']}/").status_code == 204
    assert call(udata, "GET", f"/datasets/{dataset['id']}/").json()["resources"] == []
