"""The indicators CSV on data.public.lu, through udata's upload endpoint, against the udata contract server.

The portal fixture is the only udata-specific part: it can be switched to the real udata application
(another engineer's fixture) without touching the assertions, which only use the HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import delete

from publishers.indicators.csvw import CSV_NAME
from publishers.indicators.udata import TAG, IndicatorsUdata, published
from publishers.udata.errors import UdataGone
from publishers.udata.options import UdataOptions
from tests.udata.contract_server import UdataContractServer

ORG = "5948cfd2111e9b4478de614b"  # SIP on data.public.lu (FIELD_NOTES)
KEY = "indicators-test-key"


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[UdataContractServer]:
    """A udata API with the SIP organisation and a key of one of its members."""
    with UdataContractServer() as server:
        server.add_organization(ORG, "Service information et presse")
        server.add_key(KEY, {ORG})
        monkeypatch.setenv("UDATA_API_KEY", KEY)
        yield server


def test_csv_uploaded_as_a_file_resource_and_updated_in_place(built, portal) -> None:  # type: ignore[no-untyped-def]
    cat, _, comp, _ = built
    options = UdataOptions(base_url=portal.url, throttle=0, retries=0)
    csv1 = comp.files[CSV_NAME]
    first = IndicatorsUdata(options, ORG, cat.store).publish(csv1, date(2026, 12, 1), date(2026, 12, 1))
    assert first.created
    dataset = portal.state.datasets[first.dataset_id]
    assert dataset["organization"]["id"] == ORG and dataset["license"] == "cc-zero" and TAG in dataset["tags"]
    [resource] = dataset["resources"]
    assert resource["id"] == first.resource_id and resource["filetype"] == "file" and resource["title"] == CSV_NAME
    assert portal.state.uploads[resource["url"]] == csv1
    assert resource["filesize"] == len(csv1)

    csv2 = csv1 + b"2026-12-02,nation,LU,Luxembourg,datasets.total,18,count\r\n"
    second = IndicatorsUdata(options, ORG, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 2))
    assert (second.dataset_id, second.resource_id, second.created) == (first.dataset_id, first.resource_id, False)
    [resource] = portal.state.datasets[first.dataset_id]["resources"]
    assert portal.state.uploads[resource["url"]] == csv2  # the same resource now holds the new file
    assert len(portal.live_datasets()) == 1
    writes = [(w["method"], w["path"]) for w in portal.writes()]
    assert ("POST", f"/api/1/datasets/{first.dataset_id}/resources/{first.resource_id}/upload/") in writes
    temporal = portal.state.datasets[first.dataset_id]["temporal_coverage"]
    assert temporal["end"].startswith("2026-12-02")

    # the stored id is lost: the dataset is found again by its extras, never duplicated
    with cat.store.engine.begin() as conn:
        conn.execute(delete(published))
    third = IndicatorsUdata(options, ORG, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 2))
    assert (third.dataset_id, third.resource_id) == (first.dataset_id, first.resource_id)
    assert len(portal.live_datasets()) == 1

    # deleted on the portal by a person: reported, not recreated
    portal.state.datasets[first.dataset_id]["deleted"] = "2026-12-03T00:00:00"
    with pytest.raises(UdataGone, match="does not recreate"):
        IndicatorsUdata(options, ORG, cat.store).publish(csv2, date(2026, 12, 1), date(2026, 12, 3))
    assert len(portal.state.datasets) == 1
    with cat.store.engine.begin() as conn:
        conn.execute(delete(published))
