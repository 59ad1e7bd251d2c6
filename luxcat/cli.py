"""The `luxcat` command: check sources, harvest, run the pipeline, map and validate files, see status.

Exit codes (every command): 0 success; 1 the data is bad (non-conformant, rejected records, a
source failed or listed incompletely); 2 the user or the configuration is wrong (unknown source,
invalid source file, missing input, unwritable output, bad option). User and data errors print one
line (what and where, and a hint), never a traceback; --debug or LUXCAT_DEBUG=1 shows it.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from luxcat import __version__
from luxcat.errors import ConfigError, SourceError

EXIT_OK, EXIT_DATA, EXIT_USER = 0, 1, 2
EXIT_SOURCE = EXIT_DATA  # a source that failed is bad data, not a wrong command
EXIT_CODES = """exit codes (every command):
  0  success
  1  the data is bad: non-conformant datasets, rejected records, a source failed or was incomplete
  2  the user or the configuration is wrong: unknown source, invalid source file, missing input,
     unwritable output, bad option
user and data errors print one line with a hint; --debug (or LUXCAT_DEBUG=1) adds the traceback"""
FORMATS = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str, hint: str = "", code: int = EXIT_USER) -> int:
    """Print one error line (what and where, then a hint) on stderr and return the exit code.

    Called while an exception is handled and with --debug (or LUXCAT_DEBUG=1), its traceback first.
    """
    if sys.exc_info()[0] is not None and os.environ.get("LUXCAT_DEBUG", "").lower() in ("1", "true", "yes"):
        traceback.print_exc()
    _err(f"error: {message}" + (f" (hint: {hint})" if hint else ""))
    return code


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
            processes=getattr(args, "processes", 1),
        )
    except SourceError as exc:
        _end_progress()
        from luxcat.locks import SourceBusy

        if isinstance(exc, SourceBusy):  # a second run asked for while one runs: nothing was harvested
            return fail(str(exc), "wait for the other run to end (luxcat status shows it)", EXIT_USER)
        hint = f"the run is recorded as FAILED (luxcat status {cfg.id}); retry when the source answers"
        return fail(str(exc), hint, EXIT_DATA)
    _end_progress()
    return report_run(run, limited=args.limit is not None)


def report_run(run: object, *, limited: bool = False) -> int:
    """Print a finished run's summary (and where its reports are); 1 when it failed, was incomplete or rejected."""
    from luxcat.summary import DUPLICATE_REASONS, RunSummary
    from mappers.fidelity import summary_line as fidelity_line

    summary = RunSummary.from_run(run)  # type: ignore[arg-type]
    print(summary.line())
    details = getattr(run, "details", {}) or {}
    fidelity = fidelity_line(summary.source_id, details)  # what the mapping kept, dropped or derived
    if fidelity:
        print(fidelity)
    reasons: dict[str, int] = {}
    for stage in ("harvest", "map", "validate"):
        for reason, n in (details.get(stage, {}).get("reasons") or {}).items():
            if reason in DUPLICATE_REASONS:
                continue
            reasons[f"{stage}:{reason}"] = reasons.get(f"{stage}:{reason}", 0) + n
    if reasons:
        print(f"{summary.source_id}: reject reasons {reasons} (rejects*.jsonl beside harvest.json)")
    report = details.get("validate", {}).get("extra", {}).get("report")
    if report:
        print(f"{summary.source_id}: validation report {report}")
    if summary.status == "failed" or summary.errors or (not summary.complete and not limited):
        return EXIT_DATA
    return EXIT_DATA if summary.rejected else EXIT_OK


def _source_ids(args: argparse.Namespace) -> tuple[list[str], int]:
    """The sources to run, and how many source files are invalid (--all runs the valid ones anyway)."""
    from luxcat.config import check_paths, sources_dir

    if getattr(args, "all", False):
        configs, problems = check_paths([sources_dir()])
        for problem in problems:
            _err(f"error: {problem}")
        return [c.id for c in configs if c.enabled], len(problems)
    return list(args.sources), 0


def cmd_harvest(args: argparse.Namespace) -> int:
    return _run_one(args.source, args, ("harvest",))


def cmd_run(args: argparse.Namespace) -> int:
    ids, broken = _source_ids(args)
    if not ids and not broken:
        return fail("nothing to run", "name sources or use --all (with at least one enabled source)")
    worst = EXIT_USER if broken else EXIT_OK
    for source_id in ids:
        try:
            code = _run_one(source_id, args, ("harvest", "map", "validate"))
        except ConfigError as exc:
            code = fail(str(exc), "luxcat sources check shows every problem of every source file")
        worst = max(worst, code)
    if broken:
        _err(f"error: {broken} problem(s) in the source files; their sources did not run (hint: luxcat sources check)")
    return worst


def cmd_status(args: argparse.Namespace) -> int:
    from luxcat.config import source_files, sources_dir

    store, _ = _open_state()
    runs = store.runs(args.source, limit=args.n) if args.source else store.last_runs()  # type: ignore[attr-defined]
    if args.source and not runs:
        directory = sources_dir()
        known = sorted(p.stem for p in source_files([directory])) if directory.is_dir() else []
        if args.source not in known:
            return fail(
                f"unknown source {args.source!r}: no runs and no {directory}/{args.source}.yaml",
                f"known: {', '.join(known) or 'none'}; luxcat status without a name lists every source",
            )
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
    from luxcat.mapcli import MapOptionError, build_mappers, map_files, missing_option_hint, serialise

    missing = [f for f in args.files if not Path(f).is_file()]
    for file in missing:
        fail(f"{file}: no such file", "name existing metadata files after --from KIND")
    if missing:
        return EXIT_USER
    try:
        mappers = build_mappers(args)
    except MapOptionError as exc:
        for line in exc.lines:
            fail(line, exc.hint)
        return EXIT_USER
    try:
        graph, done, failed = map_files(mappers, [Path(f) for f in args.files], _err)
    except ConfigError as exc:
        return fail(str(exc), missing_option_hint(str(exc)))
    data = serialise(graph, FORMATS[args.format])
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc.strerror or exc}", "choose a writable -o path")
    else:
        sys.stdout.buffer.write(data)
    _err(f"{done} record(s) mapped, {failed} failed")
    return EXIT_DATA if failed else EXIT_OK


# -- parser -----------------------------------------------------------------------------------
def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true", help="full harvest (default: incremental after a first run)")
    parser.add_argument("--limit", type=int, help="stop after N records (never withdraws anything)")
    parser.add_argument(
        "--force", action="store_true", help="accepted for enabled sources; try a disabled one with `sources preview`"
    )


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI parser; given the arguments, only the invoked command's module is imported (start-up time)."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="luxcat",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EXIT_CODES,
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"luxcat {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error (or LUXCAT_DEBUG=1)")
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
    run.add_argument(
        "--processes",
        type=_positive,
        default=1,
        metavar="N",
        help="map and validate in batches (the source's batches.size, default 1000) over N local processes",
    )
    _run_options(run)
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="last runs per source with counts")
    status.add_argument("source", nargs="?")
    status.add_argument("-n", type=int, default=10, help="how many runs of SOURCE to show")
    status.set_defaults(func=cmd_status)

    mapping = sub.add_parser("map", help="map metadata files to DCAT-AP 3", epilog=EXIT_CODES, formatter_class=raw)
    mapping.add_argument("--from", dest="kind", help="input format: iso19139, sdmx, dcat, ... (or --source)")
    mapping.add_argument("files", nargs="+")
    mapping.add_argument("-o", "--output")
    mapping.add_argument("--format", choices=sorted(FORMATS), default="ttl")
    mapping.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="a mapper option (repeatable; VALUE read as YAML; e.g. --option service_url=https://host/rest)",
    )
    mapping.add_argument(
        "--source", metavar="FILE", help="take mapper(s), options, base URI and languages from a source YAML"
    )
    mapping.add_argument("--base-uri", help="base of minted URIs (default https://data.public.lu/luxcat/cli/)")
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
    _add_debug_everywhere(parser)
    return parser


def _add_debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept --debug after any subcommand too (`luxcat map ... --debug`), without overriding the global one."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any("--debug" in a.option_strings for a in child._actions):
                    child.add_argument(
                        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
                    )
                child.epilog = child.epilog or EXIT_CODES
                child.formatter_class = argparse.RawDescriptionHelpFormatter
                _add_debug_everywhere(child)


def debugging(args: argparse.Namespace) -> bool:
    """--debug on the command line or LUXCAT_DEBUG=1 in the environment."""
    return bool(getattr(args, "debug", False)) or os.environ.get("LUXCAT_DEBUG", "").lower() in ("1", "true", "yes")


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
    args = parser.parse_args(argv)  # a usage error exits 2 with argparse's one-line message
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    func: Callable[[argparse.Namespace], int] = args.func
    if debugging(args):
        os.environ["LUXCAT_DEBUG"] = "1"  # every command's own error lines add their traceback too
    try:
        return func(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # every error ends in one line; the traceback only when asked for
        from luxcat.environment import environment_failure

        message = environment_failure(exc)  # disk full, read-only folder, locked database
        if message is not None:
            _end_progress()
            if debugging(args):
                traceback.print_exc()
            _err(message)
            return EXIT_USER
        code, hint = classify(exc)
        return fail(_one_line(exc), hint, code)


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code of an error that reached main(), and the hint printed with it."""
    debug_hint = "--debug shows the traceback"
    if isinstance(exc, ConfigError):
        return EXIT_USER, "luxcat sources check shows every problem of every source file"
    if isinstance(exc, SourceError):
        return EXIT_DATA, "the source failed; luxcat status shows its runs"
    if isinstance(exc, PermissionError | FileNotFoundError | IsADirectoryError | NotADirectoryError):
        return EXIT_USER, "check the path and its permissions (LUXCAT_HOME, -o, --export)"
    if isinstance(exc, OSError):
        return EXIT_USER, f"a file or network operation failed; {debug_hint}"
    from luxcat.errors import PipelineError

    if isinstance(exc, PipelineError):
        return EXIT_DATA, debug_hint
    return EXIT_DATA, f"unexpected internal error, please report it; {debug_hint}"


def _one_line(exc: BaseException) -> str:
    """The error as one line: multi-line messages (several config problems) are joined with ` | `."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror}{where}"
    else:
        text = str(exc) or type(exc).__name__
    if not isinstance(exc, (ConfigError, SourceError, OSError)):
        text = f"{type(exc).__name__}: {text}"
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


if __name__ == "__main__":
    sys.exit(main())
