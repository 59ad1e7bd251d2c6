"""The `luxcat` command: check sources, harvest, run the pipeline, map and validate files, see status.

Exit codes: 0 ok, 1 user or configuration error, 2 source error (down, failing pages, incomplete).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from luxcat import __version__
from luxcat.errors import ConfigError, SourceError

EXIT_OK, EXIT_USER, EXIT_SOURCE = 0, 1, 2
FORMATS = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)
    else:
        print(message, file=sys.stderr, flush=True)


def _end_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _open_state() -> tuple[object, object]:
    from luxcat.artifacts import open_artifacts
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return StateStore(settings.database_url), open_artifacts(settings.artifacts_url)


# -- sources ----------------------------------------------------------------------------
def cmd_sources_check(args: argparse.Namespace) -> int:
    from luxcat.config import check_paths, sources_dir

    paths = [Path(p) for p in args.paths] or [sources_dir()]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        _err(f"{path}: no such file or directory")
    configs, problems = check_paths([p for p in paths if p.exists()])
    for problem in problems:
        print(problem)
    if problems or missing:
        files = len({p.file for p in problems})
        _err(f"{len(problems)} error(s) in {files} file(s); {len(configs)} source(s) valid")
        return EXIT_USER
    from luxcat.safety_commands import print_name_warnings

    print_name_warnings([p for p in paths if p.exists()])
    print(f"{len(configs)} source(s) valid: {', '.join(c.id for c in configs) or 'none'}")
    return EXIT_OK


def cmd_sources_list(args: argparse.Namespace) -> int:
    from luxcat.config import check_paths, sources_dir

    configs, problems = check_paths([sources_dir()], deep=False)
    for cfg in configs:
        state = "enabled " if cfg.enabled else "disabled"
        print(f"{cfg.id:30} {state} {cfg.harvester.kind:10} {cfg.schedule or '-':12} {cfg.title_in('en')}")
    for problem in problems:
        _err(str(problem))
    return EXIT_USER if problems else EXIT_OK


# -- harvest / run ----------------------------------------------------------------------------
def _run_one(source_id: str, args: argparse.Namespace, stages: tuple[str, ...]) -> int:
    from luxcat.config import load_source
    from luxcat.pipeline import ensure_enabled, run_source
    from mappers.fidelity import summary_line

    cfg = load_source(source_id)
    ensure_enabled(cfg, force=args.force)
    store, artifacts = _open_state()
    try:
        run = run_source(
            cfg,
            store,  # type: ignore[arg-type]
            artifacts,  # type: ignore[arg-type]
            full=args.full,
            limit=args.limit,
            stages=stages,
            progress=_progress,
            remap=getattr(args, "remap", False),
        )
    except SourceError as exc:
        _end_progress()
        _err(f"error: {exc}")
        return EXIT_SOURCE
    _end_progress()
    print(run.summary())
    fidelity = summary_line(cfg.id, run.details)
    if fidelity:
        print(fidelity)
    report = run.details.get("validate", {}).get("extra", {}).get("report")
    if report:
        print(f"{cfg.id}: validation report {report}")
    errors = [e for e in (run.error_summary or "").split("; ") if e]
    return EXIT_SOURCE if (errors or (not run.complete and args.limit is None)) else EXIT_OK


def _source_ids(args: argparse.Namespace) -> list[str]:
    from luxcat.config import check_paths, sources_dir

    if getattr(args, "all", False):
        configs, problems = check_paths([sources_dir()], deep=False)
        for problem in problems:
            _err(str(problem))
        return [c.id for c in configs if c.enabled]
    return list(args.sources)


def cmd_harvest(args: argparse.Namespace) -> int:
    return _run_one(args.source, args, ("harvest",))


def cmd_run(args: argparse.Namespace) -> int:
    ids = _source_ids(args)
    if not ids:
        _err("nothing to run: name sources or use --all (with at least one enabled source)")
        return EXIT_USER
    worst = EXIT_OK
    for source_id in ids:
        try:
            code = _run_one(source_id, args, ("harvest", "map", "validate"))
        except ConfigError as exc:
            _err(f"error: {exc}")
            code = EXIT_USER
        worst = max(worst, code)
    return worst


def cmd_status(args: argparse.Namespace) -> int:
    store, _ = _open_state()
    runs = store.runs(args.source, limit=args.n) if args.source else store.last_runs()  # type: ignore[attr-defined]
    if not runs:
        print("no runs yet")
        return EXIT_OK
    for run in runs:
        started = run.started_at.strftime("%Y-%m-%d %H:%M:%S")
        took = f"{(run.ended_at - run.started_at).total_seconds():.1f}s" if run.ended_at else "running"
        print(f"#{run.id} {started} {run.mode:11} {took:>8}  {run.summary()}")
    return EXIT_OK


# -- map ----------------------------------------------------------------------------------
def cmd_map(args: argparse.Namespace) -> int:
    from rdflib import Graph

    from luxcat import registry
    from luxcat.errors import RecordError
    from luxcat.records import RawRecord
    from mappers.base import MapContext

    cls = registry.load(registry.MAPPERS, args.kind, what="mapper")
    languages = tuple(args.language) if args.language else ("fr", "de", "en")
    mapper = cls(MapContext(source_id="cli", base_uri=args.base_uri, languages=languages), cls.Options())
    out, failed, done = Graph(), 0, 0
    for file in args.files:
        path = Path(file)
        try:
            payload = path.read_bytes()
        except OSError as exc:
            _err(f"{path}: cannot read: {exc.strerror}")
            failed += 1
            continue
        raw = RawRecord("cli", path.name, payload, "application/octet-stream", path.resolve().as_uri())
        try:
            parts = list(mapper.split(raw))
        except RecordError as exc:
            _err(f"{path}: {exc.reason}: {exc}")
            failed += 1
            continue
        for part in parts:
            try:
                for record in mapper.map(part):
                    out += record.graph
                    done += 1
            except RecordError as exc:
                _err(f"{path}: record {part.record_id}: {exc.reason}: {exc}")
                failed += 1
    from publishers.serialise import PREFIXES

    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True)
    out.bind("geodcat", "http://data.europa.eu/930/")
    data = out.serialize(format=FORMATS[args.format], encoding="utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    _err(f"{done} record(s) mapped, {failed} failed")
    return EXIT_USER if failed else EXIT_OK


# -- parser -----------------------------------------------------------------------------------
def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true", help="full harvest (default: incremental after a first run)")
    parser.add_argument("--limit", type=int, help="stop after N records (never withdraws anything)")
    parser.add_argument(
        "--force", action="store_true", help="accepted for enabled sources; try a disabled one with `sources preview`"
    )


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI parser; given the arguments, only the invoked command's module is imported (start-up time)."""
    parser = argparse.ArgumentParser(prog="luxcat", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"luxcat {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sources = sub.add_parser("sources", help="check or list registered sources")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    check = sources_sub.add_parser("check", help="validate source files; prints every error")
    check.add_argument("paths", nargs="*", help="files or folders (default: config/sources)")
    check.set_defaults(func=cmd_sources_check)
    sources_sub.add_parser("list", help="list registered sources").set_defaults(func=cmd_sources_list)
    from luxcat.safety_commands import add_sources_commands
    from luxcat.sources_schema import add_commands as add_schema_commands

    add_sources_commands(sources_sub)
    add_schema_commands(sources_sub)

    harvest = sub.add_parser("harvest", help="harvest one source into the state and artifact stores")
    harvest.add_argument("source")
    _run_options(harvest)
    harvest.set_defaults(func=cmd_harvest)

    run = sub.add_parser("run", help="harvest, then every later stage (map, validate)")
    run.add_argument("sources", nargs="*")
    run.add_argument("--all", action="store_true", help="every enabled source")
    run.add_argument("--remap", action="store_true", help="map every stored record again (no re-harvest needed)")
    _run_options(run)
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="last runs per source with counts")
    status.add_argument("source", nargs="?")
    status.add_argument("-n", type=int, default=10, help="how many runs of SOURCE to show")
    status.set_defaults(func=cmd_status)

    mapping = sub.add_parser("map", help="map metadata files to DCAT-AP 3")
    mapping.add_argument("--from", dest="kind", required=True, help="input format: iso19139, sdmx, dcat, ...")
    mapping.add_argument("files", nargs="+")
    mapping.add_argument("-o", "--output")
    mapping.add_argument("--format", choices=sorted(FORMATS), default="ttl")
    mapping.add_argument("--base-uri", default="https://data.public.lu/luxcat/cli/")
    mapping.add_argument("--language", action="append", help="source language(s), preferred first")
    mapping.set_defaults(func=cmd_map)

    wanted = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    for name, module, add_name, run_name, help_text in EXTRA_COMMANDS:
        if wanted is not None and name != wanted and importlib.util.find_spec(module) is not None:
            sub.add_parser(name, help=help_text)  # not the command run: its module is not imported
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        extra = sub.add_parser(name, help=help_text)
        getattr(mod, add_name)(extra)
        extra.set_defaults(func=getattr(mod, run_name))
    return parser


# Commands whose code lives with their stage: (name, module, adds-arguments function, run function, help).
EXTRA_COMMANDS: list[tuple[str, str, str, str, str]] = [
    ("validate", "validators.command", "add_arguments", "run", "validate DCAT-AP files (SHACL, policy, quality)"),
    ("publish", "publishers.command", "add_publish_arguments", "run_publish", "publish the national catalogue"),
    ("serve", "publishers.command", "add_serve_arguments", "run_serve", "serve the catalogue (Hydra, OAI-PMH)"),
    ("demo", "luxcat.demo", "add_arguments", "run", "run the whole job offline against a local pycsw"),
    ("indicators", "publishers.indicators.command", "add_arguments", "run", "open data indicators of the catalogue"),
    ("withdrawals", "luxcat.safety_commands", "add_withdrawal_arguments", "run_withdrawals", "pending withdrawals"),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(list(argv) if argv is not None else sys.argv[1:])
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_USER
    except SourceError as exc:
        _err(f"error: {exc}")
        return EXIT_SOURCE
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # disk full, read-only folder, locked database: one line, exit 2
        from luxcat.environment import environment_failure

        message = environment_failure(exc)
        if message is None:
            raise
        _end_progress()
        _err(message)
        return EXIT_SOURCE


if __name__ == "__main__":
    sys.exit(main())
