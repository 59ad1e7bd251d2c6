"""The real udata 17 application behind a fault-injecting proxy, as the sync tests see it.

`RealUdata` wraps one `LocalUdata` server (one per test session) and one `FaultyProxy` in front of it:
luxcat talks to `api` (through the proxy), the tests look at udata's state through its own API
(`direct`, never through the proxy, so inspections do not show up as luxcat's requests) and program
faults udata cannot produce on demand (429 + Retry-After, 5xx, lost answers, dropped connections).
"""

from __future__ import annotations

import json
from typing import Any

import requests

from luxcat.udata_local import LocalUdata
from publishers.udata.mapping import EXTRA_URI
from tests.servers.faulty_proxy import FaultyProxy, LoggedRequest, Match, Rule

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RealUdata:
    """Helpers over one udata server + proxy; `reset()` empties datasets, contacts and dataservices."""

    def __init__(self, server: LocalUdata, proxy: FaultyProxy) -> None:
        self.server = server
        self.proxy = proxy
        self.session = requests.Session()

    # -- where things are -----------------------------------------------------------------------------
    @property
    def api(self) -> str:
        """What luxcat's base_url is: udata's API v1 through the proxy."""
        return self.proxy.url.rstrip("/") + "/api/1"

    @property
    def direct(self) -> str:
        return self.server.api

    @property
    def organizations(self) -> dict[str, str]:
        return dict(self.server.state["organizations"])

    @property
    def member_key(self) -> str:
        return str(self.server.state["member"]["api_key"])

    @property
    def outsider_key(self) -> str:
        return str(self.server.state["outsider"]["api_key"])

    def reset(self) -> None:
        """Empty the portal's datasets, contacts and dataservices; forget faults and the request log."""
        self.server.control("reset")
        self.proxy.clear()

    # -- reading udata's state through its own API ----------------------------------------------------
    def get(self, path: str, *, key: str | None = None, **params: Any) -> requests.Response:
        headers = {"X-API-KEY": key or self.member_key}
        return self.session.get(f"{self.direct}{path}", params=params or None, headers=headers, timeout=30)

    def dataset(self, dataset_id: str) -> dict[str, Any]:
        response = self.get(f"/datasets/{dataset_id}/")
        response.raise_for_status()
        return dict(response.json())

    def live_datasets(self, organization: str | None = None) -> list[dict[str, Any]]:
        """Every dataset of the organisation that is not deleted (archived ones included), full objects.

        udata 17 still lists a soft-deleted dataset to its organisation's members (and answers GET on it),
        with `deleted` set: those are left out here.
        """
        org = organization or self.organizations["statec"]
        ids: list[str] = []
        for archived in (None, "true"):
            params: dict[str, Any] = {"organization": org, "page_size": 1000}
            if archived:
                params["archived"] = archived
            for item in self.get("/datasets/", **params).json()["data"]:
                if item["id"] not in ids:
                    ids.append(item["id"])
        return [d for d in (self.dataset(i) for i in ids) if not d.get("deleted")]

    def by_uri(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for dataset in self.live_datasets():
            found.setdefault((dataset.get("extras") or {}).get(EXTRA_URI, ""), []).append(dataset)
        return found

    def contacts(self) -> list[dict[str, Any]]:
        org = self.organizations["statec"]
        return list(self.get(f"/organizations/{org}/contacts/", page_size=1000).json()["data"])

    def dataservices(self) -> list[dict[str, Any]]:
        org = self.organizations["statec"]
        return list(self.get("/dataservices/", organization=org, page_size=1000).json()["data"])

    def dataservice_datasets(self, service_id: str) -> list[str]:
        """Ids of the datasets linked to a dataservice."""
        body = self.get(f"/dataservices/{service_id}/").json()
        linked = body.get("datasets") or []
        if isinstance(linked, dict):  # udata 17 answers a link to a page of datasets
            linked = self.session.get(linked["href"], timeout=30).json().get("data", [])
        return sorted(str(d["id"]) if isinstance(d, dict) else str(d) for d in linked)

    def change(self, dataset_id: str, **fields: Any) -> dict[str, Any]:
        """Change a dataset behind luxcat's back, as a person on the portal would (GET-modify-PUT)."""
        current = self.dataset(dataset_id)
        body = {k: current[k] for k in ("title", "description", "tags", "license", "frequency") if k in current}
        body.update(fields)
        response = self.session.put(
            f"{self.direct}/datasets/{dataset_id}/", json=body, headers={"X-API-KEY": self.member_key}, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def delete(self, dataset_id: str) -> None:
        """Delete a dataset on the portal (udata's soft delete: later GET/PUT answer 410)."""
        response = self.session.delete(
            f"{self.direct}/datasets/{dataset_id}/", headers={"X-API-KEY": self.member_key}, timeout=30
        )
        assert response.status_code == 204, response.text

    # -- what luxcat sent --------------------------------------------------------------------------------
    def log(self) -> list[LoggedRequest]:
        return list(self.proxy.log)

    def writes(self) -> list[dict[str, Any]]:
        """luxcat's write requests as udata (or a fault) answered them: method, path, status, body."""
        found = []
        for entry in self.proxy.log:
            req = entry.request
            if req.method in WRITES:
                body = json.loads(req.body) if req.body else None
                found.append({"method": req.method, "path": req.path, "status": entry.status, "body": body})
        return found

    # -- faults and keys ----------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        commit: bool = False,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer `status` on matching requests; with `commit`, udata carries out the request first."""
        when = Match(method=method, path=path)
        if commit:
            self.proxy.after_forward(status, when=when, times=times)
        elif retry_after is not None:
            self.proxy.fail(status, when=when, times=times, headers={"Retry-After": retry_after})
        else:
            payload = json.dumps(body or {"message": "proxy fault"}).encode()
            self.proxy.fail(status, when=when, times=times, body=payload, headers={"Content-Type": "application/json"})

    def revoke_after(self, key: str, writes: int) -> None:
        """Revoke the key in udata right before luxcat's write number `writes + 1` reaches it."""
        count = [0]

        def check(req: Any) -> bool:
            if req.method in WRITES:
                count[0] += 1
                if count[0] == writes + 1:
                    self.server.control("revoke", {"api_key": key})
            return False  # never answers itself: udata's own 401 does

        self.proxy.rules.insert(0, Rule(Match(predicate=check), "respond"))  # first: sees every request

    def new_key(self) -> str:
        return str(self.server.control("token")["api_key"])

    def hvd_badges(self) -> list[str]:
        """Run udata's own HVD badge job (a periodic task on the portal); ids of the HVD-badged datasets."""
        return list(self.server.control("hvd-badges")["hvd"])
