"""`luxcat publish` and `luxcat serve`, plus `publish()`, the function the Airflow publish DAG calls.

Targets are registry names (`luxcat.registry.PUBLISHERS`): catalogue, data.europa.eu, data.public.lu.
Each target publishes the sources whose YAML lists it under `publish:` (disabled sources included:
disabling a harvest must not read as mass deletion downstream). Exit codes (luxcat's contract): 0 ok,
1 a target failed or some datasets could not be published, 2 a configuration or usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from luxcat.errors import ConfigError, PipelineError
from publishers.base import Plan

log = logging.getLogger(__name__)

EXIT_OK, EXIT_TARGET, EXIT_CONFIG = 0, 1, 2
TARGET_ORDER = ("catalogue", "data.europa.eu", "data.public.lu")


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def publish(
    targets: list[str] | None,
    *,
    dry_run: bool,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Plan]:
    """Plan (and unless `dry_run`, apply) each target; None means every target some source uses.

    Raises ConfigError for configuration problems; a target's own failure (PipelineError, HTTP
    failure) propagates, so a caller such as an Airflow task fails and retries.
    """
    from luxcat import freeze, registry
    from luxcat.artifacts import open_artifacts
    from luxcat.config import sources_dir
    from luxcat.settings import load_settings
    from luxcat.store import StateStore
    from publishers.base import publish_items
    from publishers.removal_cap import hold_removals
    from publishers.targets import load_publish_config, target_options

    cfg = load_publish_config()
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    store = StateStore(settings.database_url)
    artifacts = open_artifacts(settings.artifacts_url)
    plans: dict[str, Plan] = {}
    try:
        # a broken, removed or disabled file freezes only its own source: the others publish
        found = freeze.survey(store, sources_dir())
        for problem in found.problems:
            log.error("%s", problem)
        if not dry_run:
            freeze.propose_for_frozen(store, found)
        notes = freeze.warnings(store, found)
        configs = found.publishable()
        unconfigured = freeze.unconfigured_uris(store, found)
        used = {t.target for c in configs for t in c.publish}
        names = targets or [t for t in TARGET_ORDER if t in used]
        for name in names:
            cls = registry.load(registry.PUBLISHERS, name, what="publish target")
            options = target_options(cfg, name, cls.Options)
            sources = [c for c in configs if any(t.target == name for t in c.publish)]
            if not sources:  # publishing nothing would read downstream as "delete everything"
                raise ConfigError(f"no registered source publishes to {name!r} (publish: in config/sources/*.yaml)")
            publisher = cls(options, store, artifacts, progress=progress)
            plan = publisher.plan(publish_items(store, artifacts, sources))
            plan.notes = [n for n in notes if _concerns(n, sources)]
            held = hold_removals(store, name, plan, cfg.max_removals_per_run, dry_run=dry_run, keep=unconfigured)
            plan.notes += [held] if held else []
            plans[name] = plan if dry_run else publisher.apply(plan)
            log.info("target=%s %s", name, plans[name].render(verbose=False).splitlines()[-1])
    finally:
        store.close()
    return plans


def _concerns(note: str, sources: list[object]) -> bool:
    """A frozen-source warning belongs to the targets that source publishes to; file notes to every target."""
    if not note.startswith("warning: source "):
        return True
    source_id = note.removeprefix("warning: source ").split(" ", 1)[0]
    return any(getattr(s, "id", None) == source_id for s in sources)


# -- luxcat publish -------------------------------------------------------------------------------
def add_publish_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `luxcat publish`."""
    parser.add_argument(
        "--target",
        action="extend",
        nargs="+",
        dest="targets",
        metavar="TARGET",
        help=f"only these targets (repeatable; default: every target a source uses; {', '.join(TARGET_ORDER)})",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    parser.add_argument("--all", action="store_true", dest="show_all", help="also list unchanged datasets")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="data.public.lu: read every managed dataset back and compare it field by field (writes nothing); "
        "prints the fidelity and the differences, exit 1 on any difference",
    )


def run_publish(args: argparse.Namespace) -> int:
    """Run each target in turn; one failing target does not stop the others."""
    from luxcat.http import HttpFailure

    try:
        names = _targets(args.targets)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_CONFIG
    if getattr(args, "verify", False):
        return _run_verify(names)
    worst = EXIT_OK
    for name in names:
        try:
            plan = publish([name], dry_run=args.dry_run, progress=_progress)[name]
        except ConfigError as exc:
            _err(f"error: {name}: {exc}")
            worst = max(worst, EXIT_CONFIG)
            continue
        except (PipelineError, HttpFailure, OSError) as exc:
            _err(f"error: {name}: {exc}")
            worst = max(worst, EXIT_TARGET)
            continue
        from luxcat.summary import publish_line

        print(
            "\n".join([*plan.render(verbose=args.show_all).splitlines()[:-1], publish_line(plan, dry_run=args.dry_run)])
        )
        if any(e.action == "error" for e in plan.entries):
            worst = max(worst, EXIT_TARGET)
    return worst


def _run_verify(names: list[str]) -> int:
    """`--verify`: the read-back proof of data.public.lu (the only target it applies to)."""
    from luxcat.http import HttpFailure
    from publishers.udata.verify import verify_configured

    if names != ["data.public.lu"]:
        _err("error: --verify applies to --target data.public.lu only")
        return EXIT_CONFIG
    try:
        result = verify_configured(_progress)
    except ConfigError as exc:
        _err(f"error: data.public.lu: {exc}")
        return EXIT_CONFIG
    except (PipelineError, HttpFailure, OSError) as exc:
        _err(f"error: data.public.lu: {exc}")
        return EXIT_TARGET
    print(result.render())
    return EXIT_OK if result.ok else EXIT_TARGET  # differences read back: the data is bad (1)


def _targets(requested: list[str] | None) -> list[str]:
    """The targets to run, checked before any work (unknown names are configuration errors)."""
    from luxcat import registry
    from luxcat.config import check_paths, sources_dir

    if requested:
        unknown = [t for t in requested if t not in registry.PUBLISHERS]
        if unknown:
            raise ConfigError(f"unknown target(s) {unknown}; known: {', '.join(sorted(registry.PUBLISHERS))}")
        return list(dict.fromkeys(requested))
    configs, problems = check_paths([sources_dir()], deep=False)
    for problem in problems:  # a broken file freezes its own source only (publish() says so)
        _err(f"warning: {problem}")
    used = {t.target for c in configs for t in c.publish}
    if problems:  # a frozen source's targets come from its last validated configuration
        from luxcat import freeze
        from luxcat.settings import load_settings
        from luxcat.store import StateStore

        store = StateStore(load_settings().database_url)
        try:
            used |= {t["target"] for _f, data in freeze.snapshots(store).values() for t in data.get("publish", [])}
        finally:
            store.close()
    return [t for t in TARGET_ORDER if t in used]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- luxcat serve ---------------------------------------------------------------------------------
def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `luxcat serve`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--export", help="export folder or s3://bucket/prefix (default: publish.yaml)")
    parser.add_argument(
        "--base-url",
        help="public URL the Hydra and OAI-PMH links start with (default: http://HOST:PORT/ this server answers on)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Serve the catalogue and OAI-PMH until interrupted."""
    from publishers.catalogue.storage import open_export
    from publishers.serve import CatalogueServer
    from publishers.targets import load_publish_config

    try:
        cfg = load_publish_config()
        given = args.export
        if given and "://" not in given:
            given = str(Path(given).resolve())  # a folder named on the command line is relative to the shell
        target = open_export(given or cfg.targets.catalogue.export)
        base_url = args.base_url if not args.base_url or args.base_url.endswith("/") else args.base_url + "/"
        server = CatalogueServer(target, cfg.oai, args.host, args.port, public_url=base_url)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_CONFIG
    except OSError as exc:
        reason = exc.strerror or exc
        _err(f"error: cannot listen on {args.host}:{args.port}: {reason} (hint: --port N picks another port)")
        return EXIT_CONFIG
    print(
        f"serving the catalogue on {server.url}catalogue and OAI-PMH on {server.url}oai, "
        f"links under {server.public_url} (Ctrl-C stops)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK
