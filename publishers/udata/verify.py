"""Read-back proof: every dataset luxcat manages on data.public.lu, read back and compared field by field.

`verify(publisher, items)` maps each record exactly as a sync would (same mapping, same zone check), reads
the dataset back from udata (GET only) and compares what luxcat meant to publish with what udata holds:
title, description, licence, frequency, temporal and spatial coverage, tags, contact points, each resource
(URL, format, title) and luxcat's extras. The fidelity figure is fields equal / fields sent; any
difference is listed with both values. `luxcat publish --target data.public.lu --verify` prints it and
exits 1 on a difference; the Airflow publish DAG runs it after every push and stores the JSON report.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import URIRef

from luxcat.errors import RecordError
from publishers.base import PublishItem
from publishers.udata.diff import _period, _zones
from publishers.udata.errors import UdataGone
from publishers.udata.mapping import EXTRA_KEY, EXTRA_URI, DatasetSpec, map_dataset
from publishers.udata.options import TARGET, source_options

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Difference:
    """One field udata holds differently from what luxcat sent."""

    dataset_uri: str
    dataset_id: str | None
    field: str
    sent: Any
    found: Any

    def line(self) -> str:
        return f"{self.dataset_uri} [{self.dataset_id}] {self.field}: sent {self.sent!r}, udata has {self.found!r}"


@dataclass(slots=True)
class Fidelity:
    """The read-back result of one verify run."""

    datasets: int = 0
    fields_sent: int = 0
    fields_equal: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_verified: list[str] = field(default_factory=list)  # records luxcat does not publish, with why

    @property
    def ratio(self) -> float:
        return self.fields_equal / self.fields_sent if self.fields_sent else 1.0

    @property
    def ok(self) -> bool:
        return not self.differences

    def render(self) -> str:
        lines = [d.line() for d in self.differences]
        lines += [f"not verified: {reason}" for reason in self.not_verified]
        lines.append(
            f"{TARGET}: fidelity {self.ratio:.2%} ({self.fields_equal}/{self.fields_sent} fields equal) over "
            f"{self.datasets} datasets; {len(self.differences)} difference(s)"
        )
        return "\n".join(lines)

    def as_json(self) -> bytes:
        body = {**asdict(self), "ratio": self.ratio, "ok": self.ok}
        return json.dumps(body, indent=2, ensure_ascii=False, default=str).encode()


class _Check:
    """Counts one dataset's compared fields into the Fidelity."""

    def __init__(self, result: Fidelity, uri: str, dataset_id: str | None) -> None:
        self.result, self.uri, self.dataset_id = result, uri, dataset_id

    def __call__(self, name: str, sent: Any, found: Any) -> None:
        self.result.fields_sent += 1
        if sent == found:
            self.result.fields_equal += 1
        else:
            self.result.differences.append(Difference(self.uri, self.dataset_id, name, sent, found))


def _contact(value: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return (str(value.get("name") or ""), value.get("email") or None, value.get("contact_form") or None)


def compare(spec: DatasetSpec, current: dict[str, Any], check: _Check) -> None:
    """Every field luxcat owns, sent vs held."""
    fields = spec.fields
    for name in ("title", "description", "license", "frequency"):
        check(name, fields.get(name) or None, current.get(name) or None)
    check("temporal_coverage", _period(fields.get("temporal_coverage")), _period(current.get("temporal_coverage")))
    check("spatial", _zones(fields.get("spatial")), _zones(current.get("spatial")))
    check("tags", sorted(fields["tags"]), sorted(current.get("tags") or []))
    sent_contacts = sorted((c.name, c.email, c.contact_form) for c in spec.contacts)
    held = [c for c in current.get("contact_points") or [] if isinstance(c, dict)]
    check("contact_points", sent_contacts, sorted(_contact(c) for c in held))
    extras = current.get("extras") or {}
    for key, value in sorted(fields["extras"].items()):
        check(f"extras.{key}", value, extras.get(key))
    by_key = {(r.get("extras") or {}).get(EXTRA_KEY): r for r in current.get("resources") or []}
    by_url = {r.get("url"): r for r in current.get("resources") or []}
    for resource in spec.resources:
        held_res = by_key.get(resource.key) or by_url.get(resource.url)
        label = f"resource {resource.key}"
        if held_res is None:
            check(label, "present", "missing")
            continue
        check(f"{label} url", resource.url, held_res.get("url"))
        check(f"{label} format", resource.format or None, held_res.get("format") or None)
        check(f"{label} title", resource.title, held_res.get("title"))


def verify(publisher: Any, items: Iterable[PublishItem]) -> Fidelity:
    """Read back every active dataset the items describe; GET requests only, nothing written anywhere."""
    from publishers.udata.publisher import check_zones

    result = Fidelity()
    for item in items:
        if item.withdrawn:
            continue
        org = publisher.organisation(source_options(item.source))
        try:
            spec = map_dataset(
                item.load_graph(), URIRef(item.dataset_uri), source_id=item.source_id, record_id=item.record_id,
                languages=item.source.languages, fallback=publisher.options.languages,
                default_zones=publisher.options.default_zones,
            )  # fmt: skip
        except RecordError as exc:
            result.not_verified.append(f"{item.dataset_uri}: {exc.reason}: {exc}")
            continue
        check_zones(spec, org)
        if publisher.options.dataservices == "resource":
            urls = {r.url for r in spec.resources}
            spec.resources += [s.as_resource() for s in spec.services if s.base_api_url not in urls]
        mapped = (item.record.publish_ids.get(TARGET) or {}).get("dataset")
        found = org.by_uri.get(item.dataset_uri, [])
        dataset_id = mapped or (str(found[0]["id"]) if len(found) == 1 else None)
        result.datasets += 1
        check = _Check(result, item.dataset_uri, dataset_id)
        if dataset_id is None:
            check("dataset", "published", "missing")
            continue
        try:  # the organisation's listing holds the whole dataset (resources too): no GET per dataset
            current = org.by_id.get(dataset_id) or org.client.get_dataset(dataset_id)
        except UdataGone as exc:
            check("dataset", "published", str(exc))
            continue
        if current.get("deleted") or current.get("archived"):
            check("dataset", "published", "deleted" if current.get("deleted") else "archived")
            continue
        check(f"extras.{EXTRA_URI} (id map)", item.dataset_uri, (current.get("extras") or {}).get(EXTRA_URI))
        compare(spec, current, check)
    log.info("target=%s verify fidelity=%.4f differences=%d", TARGET, result.ratio, len(result.differences))
    return result


def verify_configured(progress: Any = None, *, store_key: str | None = None) -> Fidelity:
    """Verify with the registered sources and publish config (what `luxcat publish --verify` runs).

    `store_key`: also store the JSON result in the artifact store under that key (the run's record).
    Raises ConfigError for configuration problems; UdataStopped when the portal cannot be read.
    """
    from luxcat.artifacts import open_artifacts
    from luxcat.config import check_paths, sources_dir
    from luxcat.errors import ConfigError
    from luxcat.settings import load_settings
    from luxcat.store import StateStore
    from publishers.base import publish_items
    from publishers.targets import load_publish_config, target_options
    from publishers.udata.publisher import UdataPublisher

    configs, problems = check_paths([sources_dir()])
    if problems:
        raise ConfigError("\n".join(str(p) for p in problems))
    sources = [c for c in configs if any(t.target == TARGET for t in c.publish)]
    if not sources:
        raise ConfigError(f"no registered source publishes to {TARGET!r} (publish: in config/sources/*.yaml)")
    options = target_options(load_publish_config(), TARGET, UdataPublisher.Options)
    settings = load_settings()
    store = StateStore(settings.database_url)
    artifacts = open_artifacts(settings.artifacts_url)
    try:
        publisher = UdataPublisher(options, store, artifacts, progress=progress)  # type: ignore[arg-type]
        result = verify(publisher, publish_items(store, artifacts, sources))
        if store_key:
            artifacts.put(store_key, result.as_json(), "application/json")
    finally:
        store.close()
    return result
