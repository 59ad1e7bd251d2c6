"""A small udata API v1 client: throttled, retried through luxcat.http, errors turned into decisions.

Every request goes through `request_with_retries` (timeouts, 429/5xx with Retry-After, backoff) and a
throttle that spaces *attempts* (retries included) to at most `throttle` per second. 401/403 stop the
run; 400 becomes a record error carrying udata's field errors (or, on `organization`, a run-stopping
"not a member" error); 410 says the object was deleted on the portal.

Creations (POST) are not idempotent: only 429 (refused before processing) is retried; a 5xx or a lost
answer raises `AmbiguousCreate`, so the caller looks for the object before trying again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from luxcat.http import CrossHostRedirect, HttpFailure, RetryPolicy, new_session, request_with_retries, same_host
from publishers.udata.errors import UdataAuthError, UdataGone, UdataNotMember, UdataRejected, UdataUnavailable

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AmbiguousCreate(Exception):
    """A POST failed in a way that may have created the object anyway (5xx, connection lost)."""


class Throttle:
    """At most `rate` calls per second (0 = unlimited); clock and sleep injectable for tests."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next slot; returns the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            delay = max(0.0, self._next - now)
            self._next = max(now, self._next) + self.interval
        if delay:
            self.sleep(delay)
        return delay


class ThrottledAdapter(HTTPAdapter):
    """An HTTP adapter that waits for the throttle before every attempt it sends."""

    def __init__(self, throttle: Throttle) -> None:
        super().__init__()
        self.throttle = throttle

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.throttle.wait()
        return super().send(request, *args, **kwargs)


class UdataClient:
    """udata API v1 calls luxcat needs; `writes` counts the write requests actually sent."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        policy: RetryPolicy,
        *,
        throttle: float = 1.0,
        key_name: str = "the API key",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.sleep = sleep
        self.key_name = key_name  # e.g. "${UDATA_API_KEY}": what messages may name, never the value
        self.session = new_session({"X-API-KEY": api_key, "Accept": "application/json"})
        adapter = ThrottledAdapter(Throttle(throttle, clock=clock, sleep=sleep))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests = 0
        self.writes = 0
        self._zones: dict[str, bool] = {}

    # -- transport ----------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
        create: bool = False,
    ) -> requests.Response:
        """One request with retries; 401/403 raise UdataAuthError, exhausted retries UdataUnavailable."""
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        self.requests += 1
        if method in WRITE_METHODS:
            self.writes += 1
        try:
            response = request_with_retries(
                self.session,
                method,
                url,
                self.policy,
                sleep=self.sleep,
                retry_status=frozenset({429}) if create else frozenset({429, 500, 502, 503, 504}),
                retry_lost=not create,  # a create whose answer was lost may have happened: look, never resend
                json=json,
                params=params,
            )
        except HttpFailure as exc:
            if isinstance(exc.__cause__, CrossHostRedirect):  # nothing was sent there: stop, loudly
                raise UdataUnavailable(f"data.public.lu: {what}: {exc.reason}; the run stopped") from exc
            if create:
                raise AmbiguousCreate(f"{what}: {exc.reason}") from exc
            raise UdataUnavailable(f"data.public.lu: {what} failed: {exc.reason}") from exc
        if response.status_code == 401:
            raise UdataAuthError(
                f"data.public.lu refused {self.key_name} (HTTP 401: unknown or expired key) while trying to "
                f"{what}; the run stopped. Set a valid key and run again."
            )
        if response.status_code == 403:
            raise UdataAuthError(
                f"data.public.lu: the user of {self.key_name} may not {what} (HTTP 403); the run stopped."
            )
        if create and response.status_code >= 500:
            raise AmbiguousCreate(f"{what}: HTTP {response.status_code}")
        if response.status_code >= 500:
            raise UdataUnavailable(f"data.public.lu: {what} failed: HTTP {response.status_code}")
        return response

    def _created(self, response: requests.Response, what: str, *, organization: str | None = None) -> dict[str, Any]:
        """The body of a successful create; a 2xx without an `id` may have created something: ambiguous."""
        body = self._json(response, what, organization=organization)
        if not body.get("id"):
            raise AmbiguousCreate(f"{what}: HTTP {response.status_code} but the answer carries no id")
        return body

    def _json(self, response: requests.Response, what: str, *, organization: str | None = None) -> dict[str, Any]:
        """The body of a successful answer; 400 -> UdataRejected/UdataNotMember, 404/410 -> UdataGone."""
        status = response.status_code
        if status == 400:
            body = _safe_json(response)
            errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
            if organization and "organization" in errors:
                raise UdataNotMember(organization, "; ".join(map(str, errors["organization"])))
            raise UdataRejected(what, errors, str(body.get("message") or ""))
        if status in (404, 410):
            raise UdataGone(f"{what}: HTTP {status} ({'deleted on the portal' if status == 410 else 'not found'})")
        if status >= 300:
            raise UdataRejected(what, None, f"unexpected HTTP {status}")
        return _safe_json(response) if response.content else {}

    # -- datasets ------------------------------------------------------------------------------------
    def get_dataset(self, dataset_id: str) -> dict[str, Any]:
        what = f"read dataset {dataset_id}"
        return self._json(self.call("GET", f"/datasets/{dataset_id}/", what=what), what)

    def iter_datasets(self, organization: str, *, page_size: int, archived: bool = False) -> Iterator[dict[str, Any]]:
        """Every dataset of the organisation, following `next_page`; a failed page stops the run."""
        params: dict[str, Any] | None = {"organization": organization, "page_size": page_size, "page": 1}
        if archived and params is not None:
            params["archived"] = "true"
        yield from self._pages("/datasets/", params, f"list the datasets of organisation {organization}")

    def create_dataset(self, body: dict[str, Any], organization: str) -> dict[str, Any]:
        what = f"create dataset {body.get('title', '')!r}"
        response = self.call("POST", "/datasets/", what=what, json=body, create=True)
        return self._created(response, what, organization=organization)

    def update_dataset(self, dataset_id: str, body: dict[str, Any], organization: str) -> dict[str, Any]:
        what = f"update dataset {dataset_id}"
        return self._json(
            self.call("PUT", f"/datasets/{dataset_id}/", what=what, json=body), what, organization=organization
        )

    def delete_dataset(self, dataset_id: str) -> None:
        what = f"delete dataset {dataset_id}"
        self._json(self.call("DELETE", f"/datasets/{dataset_id}/", what=what), what)

    # -- resources -----------------------------------------------------------------------------------
    def create_resource(self, dataset_id: str, body: dict[str, Any]) -> dict[str, Any]:
        what = f"add resource {body.get('url')} to dataset {dataset_id}"
        response = self.call("POST", f"/datasets/{dataset_id}/resources/", what=what, json=body, create=True)
        return self._created(response, what)

    def update_resource(self, dataset_id: str, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        what = f"update resource {resource_id} of dataset {dataset_id}"
        path = f"/datasets/{dataset_id}/resources/{resource_id}/"
        return self._json(self.call("PUT", path, what=what, json=body), what)

    def delete_resource(self, dataset_id: str, resource_id: str) -> None:
        what = f"delete resource {resource_id} of dataset {dataset_id}"
        self._json(self.call("DELETE", f"/datasets/{dataset_id}/resources/{resource_id}/", what=what), what)

    # -- spatial zones ---------------------------------------------------------------------------------
    def zone_known(self, zone: str) -> bool:
        """Does the portal know this zone id (GET /spatial/zone/<id>/: 200 yes, 404 no)? Cached per client."""
        if zone not in self._zones:
            response = self.call("GET", f"/spatial/zone/{zone}/", what=f"look up zone {zone}")
            if response.status_code not in (200, 404):
                raise UdataUnavailable(f"data.public.lu: look up zone {zone}: HTTP {response.status_code}")
            self._zones[zone] = response.status_code == 200
        return self._zones[zone]

    # -- contact points and dataservices ----------------------------------------------------------------
    def iter_contacts(self, organization: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        params = {"page_size": page_size, "page": 1}
        yield from self._pages(f"/organizations/{organization}/contacts/", params, "list contact points")

    def create_contact(self, body: dict[str, Any], organization: str) -> dict[str, Any]:
        what = f"create contact point {body.get('name')!r}"
        response = self.call("POST", "/contacts/", what=what, json=body, create=True)
        try:
            return self._created(response, what, organization=organization)
        except AmbiguousCreate as exc:  # callers do not look contact points up again: skip the record
            raise UdataRejected(what, None, str(exc)) from exc

    def iter_dataservices(self, organization: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        params = {"organization": organization, "page_size": page_size, "page": 1}
        yield from self._pages("/dataservices/", params, "list dataservices")

    def create_dataservice(self, body: dict[str, Any], organization: str) -> dict[str, Any]:
        what = f"create dataservice {body.get('title')!r}"
        response = self.call("POST", "/dataservices/", what=what, json=body, create=True)
        return self._created(response, what, organization=organization)

    def update_dataservice(self, service_id: str, body: dict[str, Any], organization: str) -> dict[str, Any]:
        what = f"update dataservice {service_id}"
        response = self.call("PATCH", f"/dataservices/{service_id}/", what=what, json=body)
        return self._json(response, what, organization=organization)

    # -- paging ----------------------------------------------------------------------------------------
    def _pages(self, path: str, params: dict[str, Any] | None, what: str) -> Iterator[dict[str, Any]]:
        """Follow `next_page` to the end; anything but a complete listing raises (never a silent empty list)."""
        url: str | None = path
        seen = 0
        total: int | None = None
        while url:
            response = self.call("GET", url, what=what, params=params)
            if response.status_code != 200:
                raise UdataUnavailable(f"data.public.lu: {what}: HTTP {response.status_code}; the run stopped")
            page = _safe_json(response)
            if not isinstance(page.get("data"), list):
                raise UdataUnavailable(f"data.public.lu: {what}: the answer is not a udata page; the run stopped")
            total = page.get("total", total)
            seen += len(page["data"])
            yield from page["data"]
            url = page.get("next_page") or None
            if url and not same_host(self.base_url, urljoin(self.base_url, url)):
                raise UdataUnavailable(
                    f"data.public.lu: {what}: next_page points to another host ({urlsplit(url).hostname}); "
                    "the API key is only sent to the configured host; the run stopped"
                )
            params = None  # next_page carries the query
        if total is not None and seen < total:
            raise UdataUnavailable(f"data.public.lu: {what}: got {seen} of {total} items; the run stopped")


def _safe_json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
