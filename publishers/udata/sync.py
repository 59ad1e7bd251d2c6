"""Plan and apply the sync of one run: which datasets to create, update, archive, or leave alone.

The plan reads only: it lists each organisation's datasets once (paged), which is both the snapshot to
compare with and the index that recovers a lost id map (luxcat's extras name each dataset's URI). It
refuses to guess: a listing that fails stops the run (never "nothing exists, create everything"), a
dataset the id map points at that udata calls deleted (410) is reported and never recreated, and two
datasets claiming the same URI are reported, not picked at random.

Apply sends at most one write per dataset: a create is one POST carrying the resources, a change one PUT
carrying the changed fields and (only when they changed) the whole resource list, an unchanged dataset
nothing. It re-reads each dataset right before its PUT (GET-modify-PUT: the PUT's resource list replaces
udata's, so it must be the current one), and stores the id map right after every write, so a crash or a
stop leaves nothing written that the next run cannot find (a lost id map is recovered from the extras).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from luxcat.errors import RecordError
from luxcat.records import utcnow
from luxcat.store import StateStore
from publishers.base import PlanEntry, PublishItem
from publishers.udata.client import AmbiguousCreate, UdataClient
from publishers.udata.diff import (
    ResourcePlan,
    contact_ids,
    dataset_body,
    dataset_changes,
    inline_resources,
    match_resources,
    put_body,
    resource_body,
)
from publishers.udata.errors import UdataGone, UdataRejected
from publishers.udata.mapping import EXTRA_KEY, EXTRA_URI, ContactSpec, DataserviceSpec, DatasetSpec
from publishers.udata.options import TARGET

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Organisation:
    """One organisation on the portal as this run sees it: its datasets, contacts and dataservices."""

    id: str
    client: UdataClient
    page_size: int
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_uri: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _contacts: list[dict[str, Any]] | None = None
    _services: dict[str, list[dict[str, Any]]] | None = None

    def load(self) -> None:
        """List every dataset once and index them by luxcat URI.

        One listing is enough: udata 17.18.0's `DatasetListAPI.get` filters with `visible_by_user`, which
        ORs the public query with `owned_by(user's organisations)`, so a member sees its organisation's
        archived, private and deleted datasets in the default listing; for anybody else an `archived=true`
        listing is empty anyway (the public query requires `archived=None`).
        """
        for dataset in self.client.iter_datasets(self.id, page_size=self.page_size):
            self.by_id[str(dataset["id"])] = dataset
        self.by_uri = {}
        for dataset in self.by_id.values():
            uri = (dataset.get("extras") or {}).get(EXTRA_URI)
            if uri:
                self.by_uri.setdefault(str(uri), []).append(dataset)

    def contacts(self) -> list[dict[str, Any]]:
        if self._contacts is None:
            self._contacts = list(self.client.iter_contacts(self.id, page_size=self.page_size))
        return self._contacts

    def contact_id(self, spec: ContactSpec) -> str | None:
        return next((str(c["id"]) for c in self.contacts() if spec.matches(c)), None)

    def services(self) -> dict[str, list[dict[str, Any]]]:
        if self._services is None:
            self._services = {}
            for service in self.client.iter_dataservices(self.id, page_size=self.page_size):
                key = (service.get("extras") or {}).get(EXTRA_KEY)
                if key:
                    self._services.setdefault(str(key), []).append(service)
        return self._services


@dataclass(slots=True)
class Work:
    """One plan entry's private state between plan and apply."""

    entry: PlanEntry
    item: PublishItem
    org: Organisation
    spec: DatasetSpec | None = None
    dataset_id: str | None = None
    id_map: dict[str, Any] = field(default_factory=dict)
    recovered: bool = False
    resources: ResourcePlan | None = None  # as planned (used to rebuild a lost id map)


@dataclass(slots=True)
class ServiceWork:
    """One dataservice shared by the datasets that use it."""

    entry: PlanEntry
    org: Organisation
    spec: DataserviceSpec
    works: list[Work] = field(default_factory=list)
    service_id: str | None = None


# -- planning ----------------------------------------------------------------------------------------
def locate(work: Work) -> dict[str, Any] | None:
    """The dataset this record lives as on udata (id map first, then the extras index); None if absent."""
    uri = work.item.dataset_uri
    candidates = work.org.by_uri.get(uri, [])
    mapped = work.id_map.get("dataset")
    if mapped:
        others = [str(d["id"]) for d in candidates if str(d["id"]) != mapped]
        if others:
            work.entry.detail = f"other datasets on the portal also carry this URI: {', '.join(others)}"
        work.dataset_id = mapped
        return work.org.by_id.get(mapped) or work.org.client.get_dataset(mapped)
    if len(candidates) > 1:
        ids = ", ".join(sorted(str(d["id"]) for d in candidates))
        raise RecordError(f"{len(candidates)} datasets on data.public.lu carry {uri} ({ids}); resolve by hand")
    if candidates:
        work.dataset_id = str(candidates[0]["id"])
        work.recovered = True
        return candidates[0]
    return None


def plan_active(work: Work, contacts_of: Callable[[Work], list[str] | None]) -> None:
    """create / update (which fields) / restore / unchanged for an active record."""
    assert work.spec is not None
    entry = work.entry
    try:
        current = locate(work)
    except UdataGone as exc:
        entry.action, entry.detail = "skip", f"{exc}; not recreated: restore it on the portal or clear its id map"
        return
    if current is None:
        entry.action = "create"
        entry.fields = ["dataset", f"{len(work.spec.resources)} resources"]
        return
    entry.target_id = work.dataset_id
    if current.get("deleted"):
        entry.action, entry.detail = "skip", "deleted on the portal; not recreated"
        return
    fields = dataset_changes(current, work.spec.fields, contacts_of(work))
    resources = work.resources = match_resources(work.spec.resources, current.get("resources") or [], _known(work))
    if resources.changed:
        fields.append(resources.summary())
    entry.fields = fields
    if current.get("archived"):
        entry.action = "restore"
    elif fields:
        entry.action = "update"
    else:
        entry.action = "unchanged"
    if work.recovered:
        entry.detail = "id map recovered from the portal"


def plan_withdrawn(work: Work, on_withdrawn: str) -> None:
    """archive / delete, or unchanged when already done or never published."""
    entry = work.entry
    try:
        current = locate(work)
    except UdataGone:
        entry.action, entry.detail = "unchanged", "withdrawn; already deleted on the portal"
        return
    if current is None:
        entry.action, entry.detail = "unchanged", "withdrawn; not on the portal"
        return
    entry.target_id = work.dataset_id
    if current.get("deleted"):  # udata 17 still lists soft-deleted datasets to the organisation's members
        entry.action, entry.detail = "unchanged", "withdrawn; already deleted on the portal"
        return
    if on_withdrawn == "archive" and current.get("archived"):
        entry.action, entry.detail = "unchanged", "withdrawn; already archived"
        return
    entry.action = on_withdrawn  # type: ignore[assignment]
    entry.detail = "withdrawn after a complete harvest"


def _known(work: Work) -> dict[str, str]:
    return dict(work.id_map.get("resources") or {})


# -- applying ----------------------------------------------------------------------------------------
class Applier:
    """Carries out one planned entry at a time, saving the id map as soon as anything is created."""

    def __init__(self, store: StateStore, on_withdrawn: str) -> None:
        self.store = store
        self.on_withdrawn = on_withdrawn

    def save(self, work: Work) -> None:
        """Store the id map now (called after every create: nothing written is left unrecorded)."""
        work.id_map.update({"dataset": work.dataset_id, "organization": work.org.id})
        self.store.set_publish_id(work.item.source_id, work.item.record_id, TARGET, dict(work.id_map))

    def apply(self, work: Work) -> None:
        action = work.entry.action
        if action == "create":
            self.create(work)
        elif action in ("update", "restore"):
            self.update(work)
        elif action in ("archive", "delete"):
            self.withdraw(work)
        elif action == "unchanged" and work.recovered:
            if work.resources is not None:
                work.id_map["resources"] = {spec.url: str(res["id"]) for spec, res in work.resources.keep}
            self.save(work)  # a store write only: the portal is already right

    def contacts(self, work: Work) -> list[str]:
        """Ids of the dataset's contact points, creating the missing ones in the organisation."""
        assert work.spec is not None
        ids: list[str] = []
        for spec in work.spec.contacts:
            cid = work.org.contact_id(spec)
            if cid is None:
                created = work.org.client.create_contact(spec.body(work.org.id), work.org.id)
                work.org.contacts().append(created)
                cid = str(created["id"])
            ids.append(cid)
        return ids

    def create(self, work: Work) -> None:
        """One POST: the dataset with its resources (udata creates them in that order, in one save)."""
        assert work.spec is not None
        org = work.org
        body = dataset_body(work.spec.fields, self.contacts(work))
        body["organization"] = org.id
        if work.spec.resources:
            body["resources"] = [resource_body(spec) for spec in work.spec.resources]
        try:
            created = org.client.create_dataset(body, org.id)
        except AmbiguousCreate as exc:
            created = self._find_created(work, str(exc))
        work.dataset_id = str(created["id"])
        work.entry.target_id = work.dataset_id
        self.remember_resources(work, created)
        self.save(work)

    def _find_created(self, work: Work, reason: str) -> dict[str, Any]:
        """After an ambiguous POST: list again and adopt the dataset if udata did create it."""
        work.org.load()
        found = work.org.by_uri.get(work.item.dataset_uri, [])
        if len(found) == 1:
            log.warning("record=%s create answered %s but the dataset exists: adopted", work.item.record_id, reason)
            return found[0]
        raise RecordError(f"create failed ({reason}); the portal has no such dataset, it is retried next run")

    def update(self, work: Work) -> None:
        """GET, then at most one PUT carrying the changed fields and, when they changed, the whole resource list.

        The only extra writes: udata ignores an empty `resources` list (NestedModelList.process sees no
        data), so when every remaining resource is a stale one of luxcat's, each is deleted on its own.
        """
        assert work.spec is not None and work.dataset_id
        client = work.org.client
        current = client.get_dataset(work.dataset_id)  # fresh copy: GET-modify-PUT, the resource list included
        contacts = [work.org.contact_id(c) for c in work.spec.contacts]
        known = None if None in contacts else [c for c in contacts if c]
        fields = dataset_changes(current, work.spec.fields, known)
        archived = bool(current.get("archived"))
        existing = current.get("resources") or []
        resources = match_resources(work.spec.resources, existing, _known(work))
        listed = inline_resources(resources, existing) if resources.changed else []
        if fields or archived or listed:
            if fields:
                ids = self.contacts(work) if "contact_points" in fields else contact_ids(current.get("contact_points"))
                body = put_body(current, work.spec.fields, ids)
            else:
                body = put_body(current, None, None)
            if archived:
                body["archived"] = None
                fields.append("archived")
            if listed:
                body["resources"] = listed
            current = client.update_dataset(work.dataset_id, body, work.org.id)
        if resources.changed and not listed:
            for stale in resources.delete:  # nothing left to list: udata would ignore `resources: []`
                client.delete_resource(work.dataset_id, str(stale["id"]))
            current = {**current, "resources": []}
        if resources.changed:
            fields.append(resources.summary())
        work.entry.fields = fields
        if not fields:
            work.entry.action = "unchanged"
        self.remember_resources(work, current)
        self.save(work)

    def remember_resources(self, work: Work, dataset: dict[str, Any]) -> None:
        """The id map's resources, read from udata's answer (paired by luxcat key, then URL)."""
        assert work.spec is not None
        paired = match_resources(work.spec.resources, dataset.get("resources") or [], {})
        work.id_map["resources"] = {spec.url: str(res["id"]) for spec, res in [*paired.keep, *paired.update]}
        if paired.create:
            missing = ", ".join(spec.url for spec in paired.create)
            log.warning("record=%s udata's answer lacks resource(s) %s", work.item.record_id, missing)

    def withdraw(self, work: Work) -> None:
        assert work.dataset_id
        client = work.org.client
        if work.entry.action == "delete":
            client.delete_dataset(work.dataset_id)
            return
        current = client.get_dataset(work.dataset_id)
        if current.get("archived"):
            work.entry.action, work.entry.detail = "unchanged", "withdrawn; already archived"
            return
        body = put_body(current, None, None)
        body["archived"] = utcnow().isoformat()
        client.update_dataset(work.dataset_id, body, work.org.id)
        self.save(work)


def plan_service(service: ServiceWork) -> None:
    """create / update / unchanged for one dataservice (datasets linked through the id maps)."""
    found = service.org.services().get(service.spec.key, [])
    entry = service.entry
    if not found:
        entry.action = "create"
        return
    current = found[0]
    service.service_id = entry.target_id = str(current["id"])
    fields = [k for k, v in service.spec.fields().items() if (current.get(k) or None) != (v or None)]
    unlinked = [
        w for w in service.works if (w.id_map.get("dataservices") or {}).get(service.spec.key) != service.service_id
    ]
    if unlinked:
        fields.append(f"datasets +{len(unlinked)}")
    entry.fields = fields
    entry.action = "update" if fields else "unchanged"


def apply_service(service: ServiceWork, store: StateStore) -> None:
    """Create or patch the dataservice, then link every dataset of this run that is not linked yet."""
    org, spec, entry = service.org, service.spec, service.entry
    client = org.client
    datasets = [w for w in service.works if w.dataset_id and w.entry.action != "error"]
    if entry.action == "create":
        body = {k: v for k, v in spec.fields().items() if v}
        body.update(organization=org.id, extras={EXTRA_KEY: spec.key}, datasets=[w.dataset_id for w in datasets])
        try:
            created = client.create_dataservice(body, org.id)
        except AmbiguousCreate as exc:
            org._services = None
            found = org.services().get(spec.key, [])
            if not found:
                raise RecordError(f"creating dataservice {spec.key} failed ({exc}); retried next run") from exc
            created = found[0]
        service.service_id = entry.target_id = str(created["id"])
        to_link: list[Work] = []
    else:
        assert service.service_id
        changed = {k: v for k, v in spec.fields().items() if k in entry.fields}
        if changed:
            client.update_dataservice(service.service_id, changed, org.id)
        to_link = [w for w in datasets if (w.id_map.get("dataservices") or {}).get(spec.key) != service.service_id]
        if to_link:
            path = f"/dataservices/{service.service_id}/datasets/"
            what = f"link datasets to dataservice {service.service_id}"
            response = client.call("POST", path, what=what, json=[{"id": w.dataset_id} for w in to_link])
            if response.status_code >= 300:
                raise UdataRejected(what, None, f"HTTP {response.status_code}")
    for work in datasets if entry.action == "create" else to_link:
        links = dict(work.id_map.get("dataservices") or {})
        links[spec.key] = service.service_id
        work.id_map["dataservices"] = links
        store.set_publish_id(work.item.source_id, work.item.record_id, TARGET, dict(work.id_map))
