"""Compare what udata holds with what luxcat wants, and build the bodies of the writes that follow.

Only the fields luxcat owns are compared (title, description, tags, licence, frequency, temporal and
spatial coverage, contact points, luxcat's extras); anything else on the portal (other extras, manual
resources, badges...) is left as it is and sent back unchanged on a PUT: udata keeps omitted fields,
except `tags`, which a PUT without them empties, so tags are always sent.

Resources travel inside the dataset's own POST and PUT (udata 17.18.0's `DatasetForm.resources` is a
`NestedModelList(ResourceForm)`): one write per dataset. On a PUT that list *replaces* the dataset's
resources (`NestedModelList.populate_obj`), an entry with an existing `id` updates that resource in place
(same id, its unsent fields filled from the stored copy by `NestedModelList._add_entry`), an entry without
one is created. So `inline_resources` lists every current resource: luxcat's changed ones with their owned
fields, every other one (kept, or added by hand) as its bare `{"id": ...}`, which udata keeps as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from publishers.udata.mapping import EXTRA_KEY, ResourceSpec

# Writable fields of udata's Dataset model (swagger `Dataset`, readOnly ones excluded) that a whole-object
# PUT carries back. `resources` are added by `inline_resources` only when they change (omitted: untouched);
# `organization`/`owner` are kept.
DATASET_WRITABLE = (
    "title", "acronym", "description", "description_short", "license", "frequency", "frequency_date",
    "temporal_coverage", "spatial", "tags", "private", "extras", "contact_points", "archived",
    "access_type", "access_audiences", "access_type_reason", "access_type_reason_category",
    "authorization_request_url", "schema",
)  # fmt: skip
RESOURCE_WRITABLE = (
    "title", "description", "filetype", "type", "url", "format", "checksum", "mime", "filesize", "extras",
    "schema",
)  # fmt: skip
OWNED_TEXT = ("title", "description", "license", "frequency")


def _period(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, dict) or not value.get("start"):
        return (None, None)
    end = value.get("end")
    return (str(value["start"])[:10], str(end)[:10] if end else None)


def _zones(value: Any) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(sorted(z if isinstance(z, str) else str(z.get("id")) for z in value.get("zones") or ()))


def contact_ids(value: Any) -> list[str]:
    """Contact point ids of a dataset as udata returns them (objects or ids)."""
    return sorted(c if isinstance(c, str) else str(c.get("id")) for c in value or ())


def dataset_changes(current: dict[str, Any], desired: dict[str, Any], contacts: list[str] | None) -> list[str]:
    """Names of the owned fields whose value differs; `contacts` None means some must still be created."""
    changed = [name for name in OWNED_TEXT if (current.get(name) or None) != (desired.get(name) or None)]
    if sorted(current.get("tags") or []) != sorted(desired["tags"]):
        changed.append("tags")
    if _period(current.get("temporal_coverage")) != _period(desired.get("temporal_coverage")):
        changed.append("temporal_coverage")
    if _zones(current.get("spatial")) != _zones(desired.get("spatial")):
        changed.append("spatial")
    extras = current.get("extras") or {}
    if any(extras.get(k) != v for k, v in desired["extras"].items()):
        changed.append("extras")
    if contacts is None or contact_ids(current.get("contact_points")) != sorted(contacts):
        changed.append("contact_points")
    return changed


def dataset_body(desired: dict[str, Any], contacts: Sequence[str]) -> dict[str, Any]:
    """The owned fields as udata's form takes them (None values left out)."""
    body = {k: v for k, v in desired.items() if v is not None}
    body["contact_points"] = [{"id": cid, "role": "contact"} for cid in contacts]
    return body


def put_body(current: dict[str, Any], desired: dict[str, Any] | None, contacts: Sequence[str] | None) -> dict[str, Any]:
    """GET-modify-PUT: the current writable object, with the owned fields replaced; tags always present."""
    body: dict[str, Any] = {k: current[k] for k in DATASET_WRITABLE if current.get(k) is not None}
    spatial = body.get("spatial")
    if isinstance(spatial, dict):  # udata returns zone objects and a geometry; it takes zone ids back
        body["spatial"] = {"zones": list(_zones(spatial)), "granularity": _granularity(spatial)}
        if not body["spatial"]["zones"]:
            body.pop("spatial")
    if "contact_points" in body:
        body["contact_points"] = [{"id": cid, "role": "contact"} for cid in contact_ids(body["contact_points"])]
    if desired is not None:
        extras = {**(current.get("extras") or {}), **desired["extras"]}
        body.update({k: v for k, v in desired.items() if k != "extras"})
        body["extras"] = extras
        for key in ("temporal_coverage", "spatial"):
            if desired.get(key) is None:
                body[key] = None  # clear what the source no longer says
    if contacts is not None:
        body["contact_points"] = [{"id": cid, "role": "contact"} for cid in contacts]
    body["tags"] = list(body.get("tags") or [])
    return body


def _granularity(spatial: dict[str, Any]) -> str:
    value = spatial.get("granularity") or "other"
    return value if isinstance(value, str) else str(value.get("id") or "other")


# -- resources ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class ResourcePlan:
    """How a dataset's resources must change; matched pairs keep their udata ids."""

    keep: list[tuple[ResourceSpec, dict[str, Any]]] = field(default_factory=list)
    update: list[tuple[ResourceSpec, dict[str, Any]]] = field(default_factory=list)
    create: list[ResourceSpec] = field(default_factory=list)
    delete: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.update or self.create or self.delete)

    def summary(self) -> str:
        return f"resources +{len(self.create)} ~{len(self.update)} -{len(self.delete)}"


def match_resources(
    specs: Sequence[ResourceSpec], existing: Sequence[dict[str, Any]], known: dict[str, str]
) -> ResourcePlan:
    """Pair wanted resources with udata's: by luxcat key, then by id-mapped URL, then by URL.

    A wanted resource whose URL changed keeps its udata resource (and permalink) through its key. An
    unpaired udata resource is deleted only when luxcat made it (it carries a luxcat key or is in the id
    map): resources added by hand on the portal are left alone.
    """
    by_key = {
        str((r.get("extras") or {}).get(EXTRA_KEY)): r for r in existing if (r.get("extras") or {}).get(EXTRA_KEY)
    }
    by_id = {str(r.get("id")): r for r in existing}
    by_url = {str(r.get("url")): r for r in existing}
    used: set[str] = set()
    plan = ResourcePlan()
    for spec in specs:
        candidates = (by_key.get(spec.key), by_id.get(known.get(spec.url, "")), by_url.get(spec.url))
        match = next((c for c in candidates if c is not None and str(c.get("id")) not in used), None)
        if match is None:
            plan.create.append(spec)
            continue
        used.add(str(match.get("id")))
        (plan.update if resource_changes(match, spec) else plan.keep).append((spec, match))
    mine = set(known.values())
    for resource in existing:
        rid = str(resource.get("id"))
        if rid not in used and ((resource.get("extras") or {}).get(EXTRA_KEY) or rid in mine):
            plan.delete.append(resource)
    return plan


def resource_changes(current: dict[str, Any], spec: ResourceSpec) -> list[str]:
    """Owned resource fields that differ ("" and None are the same: udata stores either)."""
    changed = [k for k, v in spec.fields().items() if (current.get(k) or None) != (v or None)]
    if (current.get("extras") or {}).get(EXTRA_KEY) != spec.key:
        changed.append("extras")
    return changed


def resource_body(spec: ResourceSpec, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new resource, or the current one with the owned fields replaced (GET-modify-PUT)."""
    body: dict[str, Any] = {}
    if current is not None:
        body = {k: current[k] for k in RESOURCE_WRITABLE if current.get(k) is not None}
    body.update({k: v for k, v in spec.fields().items() if v is not None or current is not None})
    body["extras"] = {**(body.get("extras") or {}), EXTRA_KEY: spec.key}
    return body


def inline_resources(plan: ResourcePlan, existing: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole resource list of a dataset PUT: new ones first (where udata's own add puts a new resource),
    then every current resource in its place, minus the stale ones luxcat made.

    A changed resource carries its id and luxcat's fields (None clears a value); any other resource only its
    id, so udata keeps it exactly as stored: resources added by hand are never rewritten or dropped.
    """
    updates = {str(res.get("id")): (spec, res) for spec, res in plan.update}
    stale = {str(res.get("id")) for res in plan.delete}
    body = [resource_body(spec) for spec in plan.create]
    for resource in existing:
        rid = str(resource.get("id"))
        if rid in stale:
            continue
        if rid in updates:
            spec, current = updates[rid]
            extras = {**(current.get("extras") or {}), EXTRA_KEY: spec.key}
            body.append({"id": rid, **spec.fields(), "extras": extras})
        else:
            body.append({"id": rid})
    return body
