"""What luxcat relies on about udata 17, checked on the real application (they were contract-server claims).

Each test states one behaviour the publisher depends on: 401 for an unknown key, 400 on `organization`
for a non-member, PUT without `tags` wiping them, soft delete, `next_page` paging, what the forms refuse,
the resource endpoints, resources inline in the dataset's POST and PUT, the listing a member sees. Run
through udata's own API with the seeded member's key.
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


def remote(title: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "url": url, "filetype": "remote", "type": "main", "format": "csv", **extra}


def test_resources_inline_in_the_dataset_post_and_put(udata: RealUdata) -> None:
    """What the one-write sync relies on (DatasetForm.resources is a NestedModelList(ResourceForm))."""
    a, b = remote("a", "https://data.example.lu/a.csv"), remote("b", "https://data.example.lu/b.csv")
    dataset = new_dataset(udata, resources=[a, b])
    assert [r["title"] for r in dataset["resources"]] == ["a", "b"]  # created in the order sent
    path = f"/datasets/{dataset['id']}/"
    ra, rb = dataset["resources"]
    by_hand = call(udata, "POST", f"{path}resources/", remote("m", "https://data.example.lu/m.csv")).json()
    body = {"title": "Population", "tags": ["demographie"]}
    # omitted: resources untouched; an empty list: ignored (NestedModelList.process sees no data)
    assert len(call(udata, "PUT", path, body).json()["resources"]) == 3
    assert len(call(udata, "PUT", path, {**body, "resources": []}).json()["resources"]) == 3
    # a list replaces them: by id updated in place, a bare id kept as stored, no id created, unlisted removed
    put = {**body, "resources": [remote("c", "https://data.example.lu/c.csv"), {"id": by_hand["id"]},
                                 {"id": ra["id"], "url": "https://data.example.lu/a2.csv"}]}  # fmt: skip
    after = call(udata, "PUT", path, put).json()["resources"]
    assert [r["title"] for r in after] == ["c", "m", "a"] and rb["id"] not in {r["id"] for r in after}
    assert after[1] == next(r for r in call(udata, "GET", path).json()["resources"] if r["id"] == by_hand["id"])
    assert (after[2]["id"], after[2]["url"], after[2]["format"]) == (ra["id"], "https://data.example.lu/a2.csv", "csv")
    # an inline update does not move the resource's last_modified (only the resource endpoint's PUT does)
    assert after[2]["last_modified"][:23] == ra["last_modified"][:23]  # the database keeps milliseconds
    # an id udata does not know is not honoured: the resource gets a new one (no permalink squatting)
    foreign = "11111111-2222-3333-4444-555555555555"
    (new,) = call(udata, "PUT", path, {**body, "resources": [{**a, "id": foreign}]}).json()["resources"]
    assert new["id"] != foreign


def test_default_listing_shows_a_member_its_archived_datasets(udata: RealUdata) -> None:
    dataset = new_dataset(udata)
    archived = call(udata, "PUT", f"/datasets/{dataset['id']}/", {"archived": "2024-01-01T00:00:00", "tags": []})
    assert archived.status_code == 200
    listing = f"/datasets/?organization={udata.organizations['statec']}"
    assert [d["id"] for d in call(udata, "GET", listing).json()["data"]] == [dataset["id"]]
    outsider = udata.outsider_key
    assert call(udata, "GET", listing, key=outsider).json()["data"] == []
    assert call(udata, "GET", f"{listing}&archived=true", key=outsider).json()["data"] == []
