"""The indicators CSV on data.public.lu through udata's upload endpoint, against the real udata 17 application.

Only the `udata` fixture (tests/conftest.py: the real app behind a proxy, key of a STATEC member) is
udata-specific; the assertions read the portal through its own API.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import delete

from publishers.indicators.csvw import CSV_NAME
from publishers.indicators.udata import TAG, IndicatorsUdata, published
from publishers.udata.errors import UdataGone
from publishers.udata.options import UdataOptions


def test_csv_uploaded_as_a_file_resource_and_updated_in_place(built, udata) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    org = udata.organizations["statec"]
    options = UdataOptions(base_url=udata.api, throttle=0, retries=0)
    csv1 = comp.files[CSV_NAME]
    first = IndicatorsUdata(options, org, cat.store).publish(csv1, date(2026, 12, 1), date(2026, 12, 1))
    assert first.created
    dataset = udata.dataset(first.dataset_id)
    assert dataset["organization"]["id"] == org and dataset["license"] == "cc-zero" and TAG in dataset["tags"]
    [resource] = dataset["resources"]
    assert resource["id"] == first.resource_id and resource["filetype"] == "file" and resource["title"] == CSV_NAME
    assert resource["checksum"]["value"] == hashlib.sha1(csv1).hexdigest() and resource["filesize"] == len(csv1)

    csv2 = csv1 + b"2026-12-02,nation,LU,Luxembourg,datasets.total,18,count\r\n"
    second = IndicatorsUdata(options, org, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 2))
    assert (second.dataset_id, second.resource_id, second.created) == (first.dataset_id, first.resource_id, False)
    [resource] = udata.dataset(first.dataset_id)["resources"]
    assert resource["checksum"]["value"] == hashlib.sha1(csv2).hexdigest()  # the same resource, the new file
    assert resource["title"] == CSV_NAME
    assert len(udata.live_datasets(org)) == 1
    paths = [(e.request.method, e.request.path.split("?")[0]) for e in udata.log()]  # multipart: not JSON
    assert ("POST", f"/api/1/datasets/{first.dataset_id}/resources/{first.resource_id}/upload/") in paths
    assert udata.dataset(first.dataset_id)["temporal_coverage"]["end"].startswith("2026-12-02")

    # the stored id is lost: the dataset is found again by its extras, never duplicated
    with cat.store.engine.begin() as conn:
        conn.execute(delete(published))
    third = IndicatorsUdata(options, org, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 2))
    assert (third.dataset_id, third.resource_id) == (first.dataset_id, first.resource_id)
    assert len(udata.live_datasets(org)) == 1

    # deleted on the portal by a person: reported, not recreated
    udata.delete(first.dataset_id)
    with pytest.raises(UdataGone, match="does not recreate"):
        IndicatorsUdata(options, org, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 3))
    assert udata.live_datasets(org) == []
    with cat.store.engine.begin() as conn:
        conn.execute(delete(published))
