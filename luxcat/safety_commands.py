"""The commands that keep changes safe: `luxcat withdrawals ...`, `luxcat sources retire|preview`.

Exit codes as the rest of the CLI: 0 ok, 1 user or configuration error (an unknown or stale
digest included), 2 a source error during a preview.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from luxcat.errors import ConfigError, SourceError

EXIT_OK, EXIT_SOURCE, EXIT_USER = 0, 1, 2  # the exit-code contract (luxcat --help): 1 bad data, 2 wrong use


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _store() -> Any:
    from luxcat.settings import load_settings
    from luxcat.store import StateStore

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return StateStore(settings.database_url)


def print_name_warnings(paths: list[Path]) -> None:
    """`sources check`: a file named differently from its id is a warning, not an error."""
    from luxcat.config import check_file, source_files
    from luxcat.freeze import name_warnings

    for file in source_files(paths):
        cfg, _problems = check_file(file, deep=False)
        if cfg is not None:
            for line in name_warnings({cfg.id: cfg}, {cfg.id: file}):
                _err(line)


# -- luxcat withdrawals ----------------------------------------------------------------------------
def add_withdrawal_arguments(parser: argparse.ArgumentParser) -> None:
    """`luxcat withdrawals list|show|approve|reject`."""
    sub = parser.add_subparsers(dest="withdrawals_command", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="pending withdrawals (--all: decided ones too)")
    listing.add_argument("--all", action="store_true", dest="show_all")
    for name, text in (
        ("show", "the exact list of dataset URIs a digest names"),
        ("approve", "withdraw exactly the listed datasets (the next publish archives/deletes them)"),
        ("reject", "keep the listed datasets published and close the list"),
    ):
        action = sub.add_parser(name, help=text)
        action.add_argument("digest", help="the digest (or a unique prefix of at least 8 characters)")


def source_check() -> Any:
    from luxcat.config import sources_dir
    from luxcat.freeze import source_check as check

    return check(sources_dir())


def run_withdrawals(args: argparse.Namespace) -> int:
    """Dispatch one withdrawals action; an unknown, decided or stale digest exits 1 and changes nothing."""
    from luxcat import withdrawals

    store = _store()
    try:
        action = args.withdrawals_command
        if action == "list":
            status = None if args.show_all else withdrawals.PENDING
            items = withdrawals.with_staleness(store, withdrawals.all_withdrawals(store, status), source_check())
            for item in items:
                print(item.line())
            if not items:
                print("no pending withdrawal" if status else "no withdrawal yet")
            return EXIT_OK
        if action == "show":
            found = withdrawals.get(store, args.digest)
            if found is None:
                _err(f"error: no withdrawal with digest {args.digest!r}")
                return EXIT_USER
            withdrawals.with_staleness(store, [found], source_check())
            print(found.render())
            return EXIT_OK
        by = getpass.getuser()
        if action == "approve":
            done = withdrawals.approve(store, args.digest, by=by, source_check=source_check())
            print(
                f"approved {done.short}: {len(done.items)} dataset(s) of {done.source_id} withdrawn in the state "
                "store; the next `luxcat publish` removes them from the catalogue and archives them on udata"
            )
        else:
            done = withdrawals.reject(store, args.digest, by=by)
            print(f"rejected {done.short}: the {len(done.items)} dataset(s) of {done.source_id} stay published")
        return EXIT_OK
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_USER
    finally:
        store.close()


# -- luxcat sources retire / preview ------------------------------------------------------------------
def add_sources_commands(sources_sub: Any) -> None:
    """Add `retire` and `preview` to `luxcat sources`."""
    retire = sources_sub.add_parser("retire", help="propose withdrawing every dataset of a removed/disabled source")
    retire.add_argument("source")
    retire.set_defaults(func=cmd_retire)
    preview = sources_sub.add_parser(
        "preview", help="harvest, map and validate a source file in a throwaway folder (production untouched)"
    )
    preview.add_argument("file")
    preview.add_argument("--limit", type=int, help="stop after N records")
    preview.add_argument("--out", help="preview folder (default: a new temporary folder)")
    preview.set_defaults(func=cmd_preview)


def cmd_retire(args: argparse.Namespace) -> int:
    """Store the pending withdrawal of a source's datasets and show it; nothing leaves before approval."""
    from luxcat.config import sources_dir
    from luxcat.freeze import retire

    store = _store()
    try:
        withdrawal = retire(store, sources_dir(), args.source)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_USER
    finally:
        store.close()
    print(withdrawal.render())
    print(f"nothing withdrawn yet: `luxcat withdrawals approve {withdrawal.short}` withdraws exactly this list")
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    """Run the preview and say where each target's view is."""
    from luxcat.preview import preview

    path = Path(args.file)
    if not path.is_file():
        _err(f"{path}: no such file")
        return EXIT_USER
    try:
        result = preview(path, folder=Path(args.out) if args.out else None, limit=args.limit, progress=_progress)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_USER
    except SourceError as exc:
        _err(f"error: {exc}")
        return EXIT_SOURCE
    if result.csw is not None:
        print(result.csw.render())
    print(result.summary)
    for what, where in result.files.items():
        print(f"{what:11} {where}")
    print(f"preview folder {result.folder} (production state, artifacts and catalogue untouched)")
    return EXIT_OK


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
