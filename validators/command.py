"""`luxcat validate FILE... [--profile P] [--format text|json|html] [-o OUT]`: exit 0 when every dataset conforms.

The lead's luxcat/cli.py wires this in with `add_arguments(subparser)` and `run(args)`. All files
are read into one graph (so a catalogue split over files validates as a whole); exit status 1
when any dataset does not conform, 2 when an input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from rdflib import Graph

from luxcat.records import ValidationReport
from validators.combined import validate_graph
from validators.quality import MAX_SCORE, rating
from validators.rdfio import load_rdf
from validators.report_html import render_html
from validators.shacl import DEFAULT_PROFILE, PROFILES
from validators.urlcheck import UrlChecker

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the `validate` subcommand's arguments."""
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="RDF files (Turtle, RDF/XML, JSON-LD, ...)")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=sorted(PROFILES), help="SHACL profile")
    parser.add_argument("--format", default="text", choices=("text", "json", "html"), dest="output_format")
    parser.add_argument("-o", "--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument("--check-urls", action="store_true", help="check access/download URLs (network)")
    parser.add_argument("--url-cache", type=Path, help="JSON file caching URL checks between runs")


def render_text(reports: list[ValidationReport]) -> str:
    """One line per dataset, its results indented below, a summary line last."""
    lines: list[str] = []
    for report in reports:
        score = "" if report.score is None else f" score={report.score}/{MAX_SCORE} ({rating(report.score)})"
        lines.append(f"{'OK  ' if report.conforms else 'FAIL'} {report.dataset}{score}")
        for res in report.results:
            where = f" {res.path}" if res.path else ""
            value = f" value={res.value}" if res.value else ""
            lines.append(f"    {res.severity}: {res.focus}{where}{value}: {res.message} [{res.shape}]")
    failing = sum(1 for r in reports if not r.conforms)
    lines.append(f"{len(reports)} dataset(s), {len(reports) - failing} conform, {failing} do not")
    return "\n".join(lines) + "\n"


def render(reports: list[ValidationReport], output_format: str, title: str) -> str:
    """The report in the requested format."""
    if output_format == "json":
        return json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False) + "\n"
    if output_format == "html":
        return render_html(reports, title=title)
    return render_text(reports)


def _read(files: list[Path]) -> Graph | None:
    graph = Graph()
    for path in files:
        try:
            load_rdf(path, graph)
        except (OSError, ValueError, SyntaxError) as exc:
            print(f"luxcat validate: cannot read {path}: {exc}", file=sys.stderr)
            return None
        except Exception as exc:  # noqa: BLE001 - rdflib parsers raise many unrelated types
            print(f"luxcat validate: cannot parse {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None
    return graph


def run(args: argparse.Namespace) -> int:
    """Validate the files; 0 when every dataset conforms, 1 otherwise, 2 on unreadable input."""
    graph = _read(args.files)
    if graph is None:
        return 2
    checker = None
    if args.check_urls:
        checker = UrlChecker(cache_path=args.url_cache)
    reports = validate_graph(graph, args.profile, url_checker=checker)
    title = f"luxcat validation ({args.profile}): {', '.join(p.name for p in args.files)}"
    text = render(reports, args.output_format, title)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0 if all(r.conforms for r in reports) else 1


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m validators.command`), the same as `luxcat validate`."""
    parser = argparse.ArgumentParser(prog="luxcat validate", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
