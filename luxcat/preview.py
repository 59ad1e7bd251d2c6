"""`luxcat sources preview FILE`: try a source (new, disabled or changed) without touching production.

Harvest, map and validate run against a throwaway state store and artifact folder; production is
only *read*, for the live id map (which datasets udata already has), through a read-only
connection. The preview folder then holds what each target would receive: the DCAT (catalogue.ttl),
the udata JSON bodies with a create/update plan, and the validation report. For a CSW source the
endpoint's GetCapabilities is read first with OWSLib (luxcat.csw_check).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luxcat.artifacts import LocalArtifactStore, safe_key
from luxcat.config import SourceConfig, check_file
from luxcat.errors import ConfigError, RecordError
from luxcat.store import ACTIVE, StateStore, StoredRecord

UDATA = "data.public.lu"


@dataclass(slots=True)
class PreviewResult:
    """Where the preview wrote each target's view, and the run's summary."""

    folder: Path
    summary: str
    files: dict[str, Path] = field(default_factory=dict)
    udata_plan: list[str] = field(default_factory=list)
    csw: Any = None


def live_id_map(database_url: str, source_id: str) -> dict[str, tuple[str, str]]:
    """record id / dataset URI -> (udata id, record id) from production, read-only; empty when there is none."""
    from sqlalchemy import create_engine, select

    from luxcat.store import records_table

    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.is_file():
            return {}
        database_url = f"sqlite:///file:{path}?mode=ro&uri=true"  # a read-only connection: nothing can be written
    engine = create_engine(database_url)
    try:
        query = select(records_table.c.record_id, records_table.c.dataset_uri, records_table.c.publish_ids).where(
            records_table.c.source_id == source_id
        )
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    except Exception:  # no luxcat tables yet: nothing is live
        return {}
    finally:
        engine.dispose()
    out: dict[str, tuple[str, str]] = {}
    for record_id, dataset_uri, publish_ids in rows:
        ids = json.loads(publish_ids) if isinstance(publish_ids, str) else (publish_ids or {})
        dataset_id = (ids.get(UDATA) or {}).get("dataset")
        if dataset_id:
            out[record_id] = (str(dataset_id), record_id)
            if dataset_uri:
                out[dataset_uri] = (str(dataset_id), record_id)
    return out


def _publishable(cfg: SourceConfig, record: StoredRecord) -> bool:
    if record.status != ACTIVE or record.mapped_location is None:
        return False
    return bool(record.conforms) or cfg.validation.on_violation == "publish-with-warning"


def _udata_bodies(
    cfg: SourceConfig, store: StateStore, artifacts: LocalArtifactStore, folder: Path, live: dict[str, tuple[str, str]]
) -> list[str]:
    """One JSON file per dataset as udata would receive it, and the create/update plan against the live id map."""
    from rdflib import Graph, URIRef

    from publishers.udata.diff import dataset_body, resource_body
    from publishers.udata.mapping import map_dataset

    entries = [p for p in cfg.publish if p.target == UDATA]
    organization = (entries[0].options.get("organization") if entries else None) or cfg.owner.udata_organization
    out = folder / "udata"
    out.mkdir(parents=True, exist_ok=True)
    plan: list[str] = []
    for record in store.records(cfg.id):
        if not _publishable(cfg, record):
            continue
        graph = Graph().parse(data=artifacts.get(artifacts.key_of(record.mapped_location or "")), format="nt")
        uri = record.dataset_uri or ""
        try:
            spec = map_dataset(
                graph, URIRef(uri), source_id=cfg.id, record_id=record.record_id, languages=cfg.languages
            )
        except RecordError as exc:
            plan.append(f"skip     {uri}: {exc.reason}: {exc}")
            continue
        body = dataset_body(spec.fields, [])
        if organization:
            body["organization"] = organization
        known = live.get(record.record_id) or live.get(uri)
        action = f"update   {uri} (udata dataset {known[0]})" if known else f"create   {uri}"
        document = {
            "plan": action.split()[0],
            "udata_id": known[0] if known else None,
            "dataset": body,
            "resources": [resource_body(r) for r in spec.resources],
        }
        name = f"{safe_key(record.record_id)}.json"
        (out / name).write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        plan.append(action)
    (folder / "udata-plan.txt").write_text("\n".join([*plan, f"{UDATA}: {len(plan)} dataset(s)"]) + "\n")
    return plan


def _catalogue(cfg: SourceConfig, store: StateStore, artifacts: LocalArtifactStore, folder: Path) -> Path:
    """The DCAT the catalogue would receive from this source: every publishable record's graph."""
    from rdflib import Graph

    from publishers.serialise import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for record in store.records(cfg.id):
        if _publishable(cfg, record):
            graph.parse(data=artifacts.get(artifacts.key_of(record.mapped_location or "")), format="nt")
    path = folder / "catalogue.ttl"
    graph.serialize(destination=path, format="turtle")
    return path


def preview(
    file: Path,
    *,
    folder: Path | None = None,
    limit: int | None = None,
    production_database_url: str | None = None,
    progress: Any = None,
) -> PreviewResult:
    """Run the source in `folder` (a new temporary folder by default) and write each target's view there."""
    from luxcat.pipeline import run_source
    from luxcat.settings import load_settings

    cfg, problems = check_file(file)
    if cfg is None:
        raise ConfigError("\n".join(str(p) for p in problems))
    folder = folder or Path(tempfile.mkdtemp(prefix=f"luxcat-preview-{cfg.id}-"))
    folder.mkdir(parents=True, exist_ok=True)
    result = PreviewResult(folder=folder, summary="")
    if cfg.harvester.kind == "csw":
        from luxcat.csw_check import check_csw

        options = cfg.harvester.options
        result.csw = check_csw(
            str(options["url"]),
            sort_property=str(options.get("sort_property", "apiso:Identifier")),
            modified_property=str(options.get("modified_property", "apiso:Modified")),
        )
        (folder / "csw-capabilities.txt").write_text(result.csw.render() + "\n", encoding="utf-8")
        (folder / "csw-capabilities.json").write_text(json.dumps(result.csw.as_dict(), indent=2), encoding="utf-8")
        result.files["csw"] = folder / "csw-capabilities.txt"
    store = StateStore(f"sqlite:///{folder / 'preview-state.db'}")
    artifacts = LocalArtifactStore(folder / "artifacts")
    try:
        run = run_source(cfg, store, artifacts, full=True, limit=limit, progress=progress)
        result.summary = run.summary()
        report = (run.details.get("validate") or {}).get("extra", {}).get("report")
        if report:
            shutil.copyfile(report, folder / "validation.html")
            result.files["report"] = folder / "validation.html"
        validation = {r.record_id: r.validation for r in store.records(cfg.id)}
        (folder / "validation.json").write_text(json.dumps(validation, indent=2, default=str), encoding="utf-8")
        result.files["validation"] = folder / "validation.json"
        result.files["dcat"] = _catalogue(cfg, store, artifacts, folder)
        live = live_id_map(production_database_url or load_settings().database_url, cfg.id)
        result.udata_plan = _udata_bodies(cfg, store, artifacts, folder, live)
        result.files["udata"] = folder / "udata"
        result.files["udata_plan"] = folder / "udata-plan.txt"
    finally:
        store.close()
    (folder / "summary.txt").write_text(result.summary + "\n", encoding="utf-8")
    return result
