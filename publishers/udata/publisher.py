"""UdataPublisher: syndicates mapped, validated records to data.public.lu through udata's API v1.

Usage (what `luxcat publish --target data.public.lu [--dry-run]` does):

    publisher = UdataPublisher(UdataPublisher.Options.model_validate(opts), store, artifacts, progress=print)
    plan = publisher.plan(publish_items(store, artifacts, sources))   # read-only: GETs only
    print(plan.render())                                             # --dry-run stops here
    plan = publisher.apply(plan)                                     # writes; returns final actions

`opts` are the target's global options (see UdataOptions); each source's organisation comes from its
`publish: [{target: data.public.lu, options: {organization: <udata org id>}}]` entry (or
`owner.udata_organization`). Errors: a record-level problem (mapping, udata 400, 410) becomes an
`error`/`skip` entry and the run goes on; UdataStopped (401/403, not a member of the organisation,
portal down after retries) stops the run: it carries `.plan` with what was done up to the stop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rdflib import URIRef

from luxcat.artifacts import ArtifactStore
from luxcat.config import resolve_secret
from luxcat.errors import RecordError
from luxcat.http import RetryPolicy
from luxcat.store import StateStore
from publishers.base import Plan, PlanEntry, Progress, Publisher, PublishItem
from publishers.udata.client import UdataClient
from publishers.udata.errors import UdataStopped
from publishers.udata.mapping import DatasetSpec, map_dataset
from publishers.udata.options import TARGET, UdataOptions, UdataSourceOptions, source_options
from publishers.udata.sync import (
    Applier,
    Organisation,
    ServiceWork,
    Work,
    apply_service,
    plan_active,
    plan_service,
    plan_withdrawn,
)

log = logging.getLogger(__name__)


class UdataPublisher(Publisher):
    """Idempotent, safe sync of datasets, resources, contact points and dataservices to udata."""

    Options: ClassVar[type[UdataOptions]] = UdataOptions  # type: ignore[assignment]
    name: ClassVar[str] = TARGET

    def __init__(
        self,
        options: UdataOptions,  # type: ignore[override]
        store: StateStore,
        artifacts: ArtifactStore,
        *,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(options, store, artifacts, progress=progress)
        self.options: UdataOptions = options
        self.sleep = sleep
        self.clock = clock
        self._clients: dict[str, UdataClient] = {}
        self._orgs: dict[tuple[str, str], Organisation] = {}

    # -- plumbing -------------------------------------------------------------------------------------
    def client(self, key_ref: str) -> UdataClient:
        """One client (session, throttle) per API key reference; the key is resolved here, never logged."""
        if key_ref not in self._clients:
            key = resolve_secret(key_ref, what=f"{TARGET} api_key") or ""
            opts = self.options
            policy = RetryPolicy(
                timeout=opts.timeout, retries=opts.retries, backoff=opts.backoff, max_wait=opts.max_wait
            )
            self._clients[key_ref] = UdataClient(
                opts.base_url, key, policy, throttle=opts.throttle, key_name=key_ref, sleep=self.sleep, clock=self.clock
            )
        return self._clients[key_ref]

    def organisation(self, source_opts: UdataSourceOptions) -> Organisation:
        """The organisation's snapshot, listed on first use (a failed listing stops the run)."""
        key_ref = source_opts.api_key or self.options.api_key
        cache_key = (source_opts.organization, key_ref)
        if cache_key not in self._orgs:
            org = Organisation(source_opts.organization, self.client(key_ref), self.options.page_size)
            self.progress(f"{TARGET}: listing the datasets of organisation {org.id}")
            org.load()
            self._orgs[cache_key] = org
        return self._orgs[cache_key]

    def writes(self) -> int:
        """Write requests sent so far (all clients)."""
        return sum(c.writes for c in self._clients.values())

    # -- plan -------------------------------------------------------------------------------------------
    def plan(self, items: Iterable[PublishItem]) -> Plan:
        """Compare every item with the portal; sends GET requests only and writes nothing anywhere."""
        items = list(items)
        per_source = {item.source.id: source_options(item.source) for item in items}  # config errors first
        plan = Plan(target=TARGET)
        works: list[Work] = []
        services: dict[tuple[str, str], ServiceWork] = {}
        for n, item in enumerate(items, 1):
            entry = PlanEntry(item.dataset_uri, "skip", source_id=item.source_id, record_id=item.record_id)
            plan.entries.append(entry)
            org = self.organisation(per_source[item.source.id])
            work = Work(entry, item, org, id_map=dict(item.record.publish_ids.get(TARGET) or {}))
            works.append(work)
            try:
                self._plan_one(work, services)
            except RecordError as exc:
                entry.action, entry.detail = "error", f"{exc.reason}: {exc}"
            if n % 50 == 0:
                self.progress(f"{TARGET}: planned {n}/{len(items)}")
        for service in services.values():
            plan.entries.append(service.entry)
            try:
                plan_service(service)
            except RecordError as exc:
                service.entry.action, service.entry.detail = "error", f"{exc.reason}: {exc}"
        plan.data = {"works": works, "services": list(services.values())}
        log.info("target=%s stage=plan %s", TARGET, plan.totals())
        return plan

    def _plan_one(self, work: Work, services: dict[tuple[str, str], ServiceWork]) -> None:
        item = work.item
        if item.withdrawn:
            plan_withdrawn(work, self.options.on_withdrawn)
            return
        work.spec = map_dataset(
            item.load_graph(),
            URIRef(item.dataset_uri),
            source_id=item.source_id,
            record_id=item.record_id,
            languages=item.source.languages,
            fallback=self.options.languages,
            default_zones=self.options.default_zones,
        )
        check_zones(work.spec, work.org)
        work.entry.warnings = list(work.spec.warnings)
        for warning in work.spec.warnings:
            log.warning("target=%s dataset=%s %s", TARGET, item.dataset_uri, warning)
        if self.options.dataservices == "resource":
            urls = {r.url for r in work.spec.resources}
            work.spec.resources += [s.as_resource() for s in work.spec.services if s.base_api_url not in urls]
            work.spec.services = []
        plan_active(work, self._contacts_known)
        if work.entry.action in ("skip", "error"):
            return
        for spec in work.spec.services:
            key = (work.org.id, spec.key)
            if key not in services:
                entry = PlanEntry(spec.key, "unchanged", detail="dataservice", source_id=item.source_id)
                services[key] = ServiceWork(entry, work.org, spec)
            services[key].works.append(work)

    @staticmethod
    def _contacts_known(work: Work) -> list[str] | None:
        assert work.spec is not None
        ids = [work.org.contact_id(c) for c in work.spec.contacts]
        return None if None in ids else [i for i in ids if i]

    # -- apply ------------------------------------------------------------------------------------------
    def apply(self, plan: Plan) -> Plan:
        """Carry out the plan entry by entry; a UdataStopped leaves the rest as `skip` and is re-raised."""
        works: list[Work] = plan.data.get("works", [])
        services: list[ServiceWork] = plan.data.get("services", [])
        applier = Applier(self.store, self.options.on_withdrawn)
        steps: list[tuple[PlanEntry, Callable[[], Any]]] = [(w.entry, lambda w=w: applier.apply(w)) for w in works]
        steps += [(s.entry, lambda s=s: apply_service(s, self.store)) for s in services]
        for i, (entry, step) in enumerate(steps):
            if entry.action in ("skip", "error") or (entry.action == "unchanged" and entry.detail == "dataservice"):
                continue
            try:
                step()
            except RecordError as exc:
                entry.action, entry.detail = "error", f"{exc.reason}: {exc}"
                log.warning("target=%s dataset=%s %s", TARGET, entry.dataset_uri, entry.detail)
            except UdataStopped as exc:
                entry.action, entry.detail = "error", f"run stopped: {exc}"
                for later, _ in steps[i + 1 :]:
                    if later.action not in ("unchanged", "skip", "error"):
                        later.action, later.detail = "skip", "not attempted: the run stopped"
                exc.plan = plan
                log.error("target=%s run stopped: %s", TARGET, exc)
                raise
        log.info("target=%s stage=apply writes=%d %s", TARGET, self.writes(), plan.totals())
        return plan


def check_zones(spec: DatasetSpec, org: Organisation) -> None:
    """Zones the portal does not know are left out of the spatial coverage (reported), not sent to a 400."""
    spatial = spec.fields.get("spatial")
    if not spatial:
        return
    known = [z for z in spatial["zones"] if org.client.zone_known(z)]
    for zone in spatial["zones"]:
        if zone not in known:
            spec.warnings.append(f"zone {zone}: unknown to data.public.lu; left out of the spatial coverage")
    spec.fields["spatial"] = {**spatial, "zones": known} if known else None
