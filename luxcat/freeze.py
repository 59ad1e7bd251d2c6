"""Frozen sources: a source file that disappears, is disabled or breaks never reads as "delete its datasets".

The id lives in the file, not its name, and the last validated configuration of every source is kept
in the state store (`source_snapshots`). When a source's file is removed, disabled, or stops
validating, the source is *frozen*: publishing goes on with its last validated configuration, so its
datasets stay published exactly as last validated, its harvests stop, and every publish summary warns
about it. It leaves only through a pending withdrawal a person approves (`luxcat sources retire ID`,
or the list proposed when its file was removed or disabled).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, Text, delete, insert, select

from luxcat.config import ConfigProblem, SourceConfig, check_file, read_yaml, source_files
from luxcat.errors import ConfigError
from luxcat.records import utcnow
from luxcat.store import ACTIVE, StateStore, _json, records_table

log = logging.getLogger(__name__)

metadata = MetaData()
snapshots_table = Table(
    "source_snapshots",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("file", Text, nullable=False),
    Column("config", JSON, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)


@dataclass(slots=True)
class Frozen:
    """A source whose datasets stay as last validated while its file is gone, disabled or broken."""

    source_id: str
    reason: str  # "file removed" | "disabled" | "file broken"
    cfg: SourceConfig | None  # the configuration it is published with (None: never snapshotted)
    active: int  # datasets it still has published
    detail: str = ""

    def warning(self, pending: str = "") -> str:
        """The line every publish summary carries while the source is frozen."""
        held = f"{self.active} dataset(s) stay published as last validated"
        if self.cfg is None:
            held = (
                f"{self.active} record(s) have no stored configuration: nothing new of them is published, and no "
                "target removes them until a person approves the list"
            )
        todo = (
            f"pending withdrawal {pending}: `luxcat withdrawals show {pending}`"
            if pending
            else f"fix its file, or `luxcat sources retire {self.source_id}`"
        )
        detail = f" ({self.detail})" if self.detail else ""
        return f"warning: source {self.source_id} is FROZEN, {self.reason}{detail}: {held}, harvests stopped; {todo}"


@dataclass(slots=True)
class Survey:
    """What the sources folder and the state store say together: live, frozen and broken sources."""

    configs: dict[str, SourceConfig] = field(default_factory=dict)  # valid files (enabled and disabled)
    paths: dict[str, Path] = field(default_factory=dict)
    frozen: dict[str, Frozen] = field(default_factory=dict)
    retired: dict[str, SourceConfig] = field(default_factory=dict)  # file gone, every record withdrawn
    problems: list[ConfigProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-name and unknown-file warnings

    def publishable(self) -> list[SourceConfig]:
        """Every configuration publishing uses: the valid files, then frozen sources' last validated ones."""
        frozen = [f.cfg for f in self.frozen.values() if f.cfg is not None and f.source_id not in self.configs]
        return [*self.configs.values(), *frozen, *self.retired.values()]

    def enabled(self, source_id: str) -> bool:
        cfg = self.configs.get(source_id)
        return bool(cfg and cfg.enabled and source_id not in self.frozen)


def _ensure(store: StateStore) -> None:
    metadata.create_all(store.engine)


def snapshots(store: StateStore) -> dict[str, tuple[str, dict[str, Any]]]:
    """source id -> (file, last validated configuration as JSON)."""
    _ensure(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(snapshots_table)).mappings().all()
    return {r["source_id"]: (r["file"], _json(r["config"])) for r in rows}


def remember(store: StateStore, configs: dict[str, SourceConfig], paths: dict[str, Path]) -> None:
    """Keep the last validated configuration of each valid source (what a frozen source publishes with)."""
    _ensure(store)
    now = utcnow()
    with store.engine.begin() as conn:
        for source_id, cfg in configs.items():
            conn.execute(delete(snapshots_table).where(snapshots_table.c.source_id == source_id))
            conn.execute(
                insert(snapshots_table).values(
                    source_id=source_id, file=str(paths.get(source_id, "")), config=cfg.model_dump(mode="json"),
                    saved_at=now,
                )
            )  # fmt: skip


def active_counts(store: StateStore) -> dict[str, int]:
    """source id -> number of active records, for every source the state store knows."""
    from sqlalchemy import func

    query = (
        select(records_table.c.source_id, func.count())
        .where(records_table.c.status == ACTIVE)
        .group_by(records_table.c.source_id)
    )
    with store.engine.connect() as conn:
        return {row[0]: int(row[1]) for row in conn.execute(query)}


def file_of(source_id: str, directory: Path) -> Path | None:
    """The file whose `id` is `source_id`, whatever its name (None when no file declares it)."""
    if not directory.is_dir():
        return None
    for path in source_files([directory]):
        data, _problems = read_yaml(path)
        if isinstance(data, dict) and data.get("id") == source_id:
            return path
    return None


def name_warnings(configs: dict[str, SourceConfig], paths: dict[str, Path]) -> list[str]:
    """The file-name rule as a warning: the id is the identity, the name only a convention."""
    return [
        f"{paths[sid]}: warning: the file name {paths[sid].stem!r} differs from its id {sid!r} "
        f"(the id is the source's identity; rename the file to {sid}.yaml to keep them together)"
        for sid in sorted(configs)
        if sid in paths and paths[sid].stem != sid
    ]


def _declared_id(path: Path) -> str | None:
    data, _problems = read_yaml(path)
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def scan(directory: Path) -> tuple[dict[str, SourceConfig], dict[str, Path], dict[Path, list[ConfigProblem]]]:
    """Validate every file; valid configs by id, broken files with their problems (one never hides another)."""
    configs: dict[str, SourceConfig] = {}
    paths: dict[str, Path] = {}
    broken: dict[Path, list[ConfigProblem]] = {}
    for path in source_files([directory]) if directory.is_dir() else []:
        cfg, problems = check_file(path)
        if cfg is not None and cfg.id in configs:
            problems = [ConfigProblem(str(path), "id", f"{cfg.id!r} is already defined in {paths[cfg.id]}")]
            cfg = None
        if cfg is None:
            broken[path] = problems
            continue
        configs[cfg.id] = cfg
        paths[cfg.id] = path
    return configs, paths, broken


def _snapshot_config(source_id: str, data: dict[str, Any]) -> SourceConfig | None:
    try:
        return SourceConfig.model_validate(data)
    except ValidationError as exc:
        log.error("source=%s its stored configuration no longer validates: %s", source_id, exc)
        return None


def survey(store: StateStore, directory: Path, *, remember_valid: bool = True) -> Survey:
    """Compare the sources folder with the state store: which sources are live, which are frozen and why."""
    configs, paths, broken = scan(directory)
    if remember_valid:
        remember(store, configs, paths)
    stored = snapshots(store)
    active = active_counts(store)
    result = Survey(configs=configs, paths=paths, notes=name_warnings(configs, paths))
    broken_ids: dict[str, tuple[Path, list[ConfigProblem]]] = {}
    by_file = {file: sid for sid, (file, _data) in stored.items()}
    for path, problems in broken.items():
        result.problems += problems
        sid = _declared_id(path) or by_file.get(str(path))
        if sid and sid not in configs:
            broken_ids[sid] = (path, problems)
        elif sid is None:
            result.notes.append(f"{path}: warning: this file does not validate and names no known source")
    for sid, cfg in configs.items():
        if not cfg.enabled and active.get(sid):
            result.frozen[sid] = Frozen(sid, "disabled", cfg, active[sid], f"enabled: false in {paths[sid]}")
    for sid in sorted((set(stored) | set(active) | set(broken_ids)) - set(configs)):
        snapshot = _snapshot_config(sid, stored[sid][1]) if sid in stored else None
        if not active.get(sid):  # the source has left: its withdrawn records still reach the targets
            if snapshot is not None:
                result.retired[sid] = snapshot
            continue
        if sid in broken_ids:
            path, problems = broken_ids[sid]
            first = str(problems[0]) if problems else "does not validate"
            result.frozen[sid] = Frozen(sid, "file broken", snapshot, active[sid], first)
        else:
            where = stored[sid][0] if sid in stored else "its file"
            result.frozen[sid] = Frozen(sid, "file removed", snapshot, active[sid], f"{where} is gone")
    return result


def source_check(directory: Path) -> Any:
    """For withdrawals.approve: a source-level list is stale once the source is registered and enabled again."""

    def check(source_id: str) -> str:
        path = file_of(source_id, directory)
        if path is None:
            return ""
        cfg, _problems = check_file(path)
        if cfg is not None and cfg.enabled:
            return f"source {source_id} is registered and enabled again ({path})"
        return ""

    return check


def propose_for_frozen(store: StateStore, found: Survey) -> dict[str, str]:
    """A pending withdrawal listing exactly the datasets of each source whose file was removed or disabled."""
    from luxcat.withdrawals import DISABLED, REMOVED, active_items, all_withdrawals, propose

    digests: dict[str, str] = {}
    for sid, frozen in found.frozen.items():
        if frozen.reason not in (REMOVED, DISABLED):
            continue
        items = active_items(store, sid)
        pending = [w for w in all_withdrawals(store, "pending", sid) if sorted(w.items) == sorted(items)]
        withdrawal = pending[0] if pending else propose(store, sid, frozen.reason, items, frozen.detail)
        digests[sid] = withdrawal.short
    return digests


def unconfigured_uris(store: StateStore, found: Survey) -> set[str]:
    """Dataset URIs of the active records of frozen sources with no stored configuration (never removed unapproved)."""
    return {
        record.dataset_uri
        for sid, frozen in found.frozen.items()
        if frozen.cfg is None
        for record in store.records(sid, ACTIVE)
        if record.dataset_uri
    }


def pending_digests(store: StateStore) -> dict[str, str]:
    """source id -> short digest of its newest pending withdrawal."""
    from luxcat.withdrawals import all_withdrawals

    out: dict[str, str] = {}
    for withdrawal in all_withdrawals(store, "pending"):
        out.setdefault(withdrawal.source_id, withdrawal.short)
    return out


def warnings(store: StateStore, found: Survey) -> list[str]:
    """Every frozen source's warning line, plus file-name and broken-file notes."""
    pending = pending_digests(store)
    return [*(f.warning(pending.get(sid, "")) for sid, f in sorted(found.frozen.items())), *found.notes]


def retire(store: StateStore, directory: Path, source_id: str) -> Any:
    """Propose withdrawing every dataset of a source that was removed or disabled (a person approves it)."""
    from luxcat.withdrawals import RETIRED, active_items, propose

    path = file_of(source_id, directory)
    if path is not None:
        cfg, _problems = check_file(path)
        if cfg is not None and cfg.enabled:
            raise ConfigError(
                f"{source_id}: the source is enabled ({path}); set `enabled: false` or remove the file first, "
                "so it is not harvested again"
            )
    items = active_items(store, source_id)
    if not items:
        raise ConfigError(f"{source_id}: the state store holds no active dataset of this source; nothing to retire")
    return propose(store, source_id, RETIRED, items, detail=f"`luxcat sources retire {source_id}`")
