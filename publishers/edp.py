"""EdpPublisher (target "data.europa.eu"): push merged datasets to a piveau hub-repo, delete withdrawn ones.

data.europa.eu normally pulls (OAI-PMH, see publishers/oaipmh.py); the hub-repo push API is for
catalogues it does not harvest. Each merged dataset is PUT as Turtle under its `originalId` (the
dataset's dct:identifier, else its URI) with `X-API-Key`; piveau answers 201 created, 200/204
updated, 304 unchanged (FIELD_NOTES, "data.europa.eu (piveau)"). The state store remembers, per
record, the originalId and the hash last pushed, so unchanged datasets cost no request at all.

Three URL forms: `origin` (PUT /catalogues/{id}/datasets/origin?originalId=…), `resources`
(PUT /resources/dataset/origin?catalogue=…&originalId=…, newer hub-repo releases) and `legacy`
(PUT /datasets/{id}?catalogue=…&hash=…, the 2020 piveau-hub OpenAPI in tests/data/openapi).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import requests

from luxcat.artifacts import ArtifactStore
from luxcat.config import resolve_secret
from luxcat.errors import ConfigError
from luxcat.http import CrossHostRedirect, HttpFailure, RetryPolicy, new_session, request_with_retries
from luxcat.store import StateStore
from publishers.base import Plan, PlanEntry, Progress, Publisher, PublisherOptions, PublishItem
from publishers.catalogue.merge import Entry, MergeIndex, chunks, index
from publishers.serialise import serialise
from publishers.targets import CatalogueMetadata, EdpTarget, MergeOptions, PublishError

log = logging.getLogger(__name__)

TARGET = "data.europa.eu"
MAX_CONSECUTIVE_FAILURES = 5


class EdpOptions(PublisherOptions):
    """The hub to push to, and the merge rules shared with the catalogue."""

    catalogue: CatalogueMetadata
    """what the merged dcat:Catalog says about itself (publish.yaml: catalogue)"""
    merge: MergeOptions = MergeOptions()
    """how records of different sources become one dataset (publish.yaml: merge)"""
    hub: EdpTarget
    """the piveau hub to push to (publish.yaml: targets.data.europa.eu)"""


class HubClient:
    """The few hub-repo calls luxcat needs, in the configured URL form."""

    def __init__(
        self, hub: EdpTarget, api_key: str | None, session: requests.Session, sleep: Callable[[float], None]
    ) -> None:
        self.hub = hub
        self.base = hub.hub_url.rstrip("/")
        self.session = session
        self.policy = RetryPolicy(timeout=hub.timeout, retries=hub.retries)
        self.sleep = sleep
        if api_key:
            session.headers["X-API-Key"] = api_key

    def _url(self, original_id: str) -> tuple[str, dict[str, str]]:
        cat = self.hub.catalogue_id
        if self.hub.api == "origin":
            return f"{self.base}/catalogues/{cat}/datasets/origin", {"originalId": original_id}
        if self.hub.api == "resources":
            return f"{self.base}/resources/dataset/origin", {"catalogue": cat, "originalId": original_id}
        return f"{self.base}/datasets/{quote(original_id, safe='')}", {"catalogue": cat}

    def put(self, original_id: str, turtle: str, digest: str) -> requests.Response:
        url, params = self._url(original_id)
        if self.hub.api == "legacy":
            params["hash"] = digest
        headers = {"Content-Type": "text/turtle; charset=utf-8"}
        return request_with_retries(
            self.session,
            "PUT",
            url,
            self.policy,
            sleep=self.sleep,
            params=params,
            data=turtle.encode("utf-8"),
            headers=headers,
        )

    def delete(self, original_id: str) -> requests.Response:
        url, params = self._url(original_id)
        return request_with_retries(self.session, "DELETE", url, self.policy, sleep=self.sleep, params=params)


def original_id(entry: Entry) -> str:
    """The id the hub keys the dataset on: its dct:identifier, else its URI."""
    return entry.identifier


class EdpPublisher(Publisher):
    """Pushes new and changed datasets, skips unchanged ones, deletes withdrawn ones."""

    Options = EdpOptions
    name = TARGET

    def __init__(
        self,
        options: PublisherOptions,
        store: StateStore,
        artifacts: ArtifactStore,
        *,
        progress: Progress | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(options, store, artifacts, progress=progress)
        assert isinstance(options, EdpOptions)
        self.opts: EdpOptions = options
        self.session = session
        self.sleep = sleep

    # -- plan ---------------------------------------------------------------------------------
    def plan(self, items: Iterable[PublishItem]) -> Plan:
        items = list(items)
        pushed = {(i.source_id, i.record_id): i.record.publish_ids.get(TARGET) for i in items}
        merged = index(items, self.artifacts, self.opts.merge, progress=self.progress)
        plan = Plan(self.name)
        for entry in merged.entries:
            if entry.kind == "service":
                why = "data services travel inside their datasets' graphs; the hub-repo stores datasets"
                plan.entries.append(PlanEntry(entry.uri, "skip", detail=why, source_id=",".join(entry.sources)))
                continue
            ident = original_id(entry)
            known = [pushed.get((m.source_id, m.record_id)) for m in entry.members]
            hashes = {k.get("hash") for k in known if isinstance(k, dict) and k.get("id") == ident}
            if not hashes:
                action = "create"
            elif hashes == {entry.hash} and all(known):
                action = "unchanged"
            else:
                action = "update"
            plan.entries.append(PlanEntry(entry.uri, action, source_id=",".join(entry.sources), target_id=ident))
        live = {original_id(e) for e in merged.entries}
        for gone in merged.deleted:
            stored = pushed.get((gone.source_id, gone.record_id))
            if isinstance(stored, dict) and stored.get("id") and stored["id"] not in live:
                entry = PlanEntry(gone.uri, "delete", source_id=gone.source_id, record_id=gone.record_id)
                entry.target_id = stored["id"]
                entry.detail = "withdrawn at the source"
                plan.entries.append(entry)
        plan.data = {"index": merged}
        return plan

    # -- apply --------------------------------------------------------------------------------
    def _client(self) -> HubClient:
        api_key = resolve_secret(self.opts.hub.api_key, what="targets.data.europa.eu.api_key")
        return HubClient(self.opts.hub, api_key, self.session or new_session(), self.sleep)

    def apply(self, plan: Plan) -> Plan:
        todo = [e for e in plan.entries if e.action in ("create", "update", "delete")]
        if not todo:
            return plan
        client = self._client()
        merged: MergeIndex = plan.data["index"]
        wanted = {e.dataset_uri for e in todo if e.action != "delete"}
        by_uri = {e.dataset_uri: e for e in todo}
        failures = 0
        pushes = (c for c in chunks(merged.entries, self.artifacts, self.opts.catalogue.uri, records=False))
        for chunk in pushes:
            if chunk.entry.uri not in wanted:
                continue
            failures = self._push(client, chunk.entry, chunk.triples, by_uri[chunk.entry.uri], failures)
        for entry in (e for e in todo if e.action == "delete"):
            failures = self._delete(client, entry, failures)
        totals = " ".join(f"{k}={v}" for k, v in sorted(plan.totals().items()))
        log.info("target=%s stage=publish %s", TARGET, totals)
        return plan

    def _push(self, client: HubClient, entry: Entry, triples: list[Any], plan_entry: PlanEntry, failures: int) -> int:
        ident = original_id(entry)
        try:
            response = client.put(ident, serialise(triples, "ttl"), entry.hash)
        except HttpFailure as exc:
            if isinstance(exc.__cause__, CrossHostRedirect):
                raise PublishError(f"{TARGET}: {exc.reason}; stopping") from exc
            return self._failed(plan_entry, f"hub unreachable: {exc.reason}", failures)
        status = response.status_code
        if status in (401, 403):
            raise ConfigError(f"{TARGET}: the hub refused the API key (HTTP {status})")
        if status not in (200, 201, 204, 304):
            return self._failed(plan_entry, f"HTTP {status}: {response.text[:200]}", failures)
        plan_entry.action = {201: "create", 304: "unchanged"}.get(status, "update")  # type: ignore[assignment]
        for m in entry.members:
            self.store.set_publish_id(m.source_id, m.record_id, TARGET, {"id": ident, "hash": entry.hash})
        return 0

    def _delete(self, client: HubClient, plan_entry: PlanEntry, failures: int) -> int:
        ident = plan_entry.target_id or ""
        try:
            response = client.delete(ident)
        except HttpFailure as exc:
            if isinstance(exc.__cause__, CrossHostRedirect):
                raise PublishError(f"{TARGET}: {exc.reason}; stopping") from exc
            return self._failed(plan_entry, f"hub unreachable: {exc.reason}", failures)
        if response.status_code in (401, 403):
            raise ConfigError(f"{TARGET}: the hub refused the API key (HTTP {response.status_code})")
        if response.status_code not in (200, 204, 404):  # 404: already gone, which is what we want
            return self._failed(plan_entry, f"HTTP {response.status_code}: {response.text[:200]}", failures)
        self.store.set_publish_id(plan_entry.source_id, plan_entry.record_id, TARGET, None)
        return 0

    @staticmethod
    def _failed(plan_entry: PlanEntry, why: str, failures: int) -> int:
        plan_entry.action, plan_entry.detail = "error", why
        log.warning("target=%s dataset=%s error: %s", TARGET, plan_entry.dataset_uri, why)
        if failures + 1 >= MAX_CONSECUTIVE_FAILURES:
            raise PublishError(f"{TARGET}: {failures + 1} consecutive failures, stopping (last: {why})")
        return failures + 1
