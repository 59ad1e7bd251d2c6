"""`luxcat validate FILE... [--profile P] [--format text|json|html] [-o OUT]`: exit 0 when everything conforms.

The lead's luxcat/cli.py wires this in with `add_arguments(subparser)` and `run(args)`. All files
are read into one graph (so a catalogue split over files validates as a whole); datasets (and
series), data services and catalogues are reported apart. Exit status (luxcat's contract): 0 all
conform; 1 the data is bad (a resource does not conform, a file does not parse, or a file holds
no dcat:Dataset, dcat:DataService or dcat:Catalog); 2 an input is missing or the output cannot be
written.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import traceback
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.namespace import DCAT

from luxcat.fastgraph import FastGraph
from luxcat.records import ValidationIssue, ValidationReport
from validators.combined import DCAT_SERIES, FullReport, get_validator, validate_full
from validators.jsontext import dumps_indented
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


KINDS = ("dataset", "service", "catalogue")
HEADINGS = {"dataset": "dataset(s)", "service": "data service(s)", "catalogue": "catalogue(s)"}


def _issue_line(res: ValidationIssue) -> str:
    where = f" {res.path}" if res.path else ""
    value = f" value={res.value}" if res.value else ""
    return f"    {res.severity}: {res.focus}{where}{value}: {res.message} [{res.shape}]"


def kinds(full: FullReport, graph: Graph) -> dict[str, list[ValidationReport]]:
    """The reports by kind: datasets (and dataset series), data services, catalogues."""
    services = {str(s) for s in graph.subjects(RDF.type, DCAT.DataService)}
    grouped: dict[str, list[ValidationReport]] = {kind: [] for kind in KINDS}
    for report in full.reports:
        grouped["service" if report.dataset in services else "dataset"].append(report)
    grouped["catalogue"] = list(full.catalogues)
    return grouped


def conforms(full: FullReport) -> bool:
    """Every dataset, service and catalogue conforms, and no shared node has a Violation."""
    reports = [*full.reports, *full.catalogues]
    return all(r.conforms for r in reports) and not any(r.severity == "Violation" for r in full.other)


def render_text(grouped: dict[str, list[ValidationReport]], other: list[ValidationIssue] | None = None) -> str:
    """One line per resource, its results indented below, grouped by kind; a summary line last."""
    lines: list[str] = []
    totals = []
    for kind in KINDS:
        reports = grouped.get(kind, [])
        if reports:
            lines.append(f"# {HEADINGS[kind]}")
        for report in reports:
            score = "" if report.score is None else f" score={report.score}/{MAX_SCORE} ({rating(report.score)})"
            lines.append(f"{'OK  ' if report.conforms else 'FAIL'} {report.dataset}{score}")
            lines.extend(_issue_line(res) for res in report.results)
        failing = sum(1 for r in reports if not r.conforms)
        totals.append(f"{len(reports)} {HEADINGS[kind]}: {len(reports) - failing} conform, {failing} do not")
    if other:
        lines.append("# nodes shared by several resources")
        lines.extend(_issue_line(res) for res in other)
        totals.append(f"{sum(r.severity == 'Violation' for r in other)} Violation(s) on shared nodes")
    lines.append("; ".join(totals))
    return "\n".join(lines) + "\n"


def render(
    grouped: dict[str, list[ValidationReport]],
    output_format: str,
    title: str,
    other: list[ValidationIssue] | None = None,
) -> str:
    """The report in the requested format."""
    if output_format == "json":
        rows = [{"kind": kind, **r.as_dict()} for kind in KINDS for r in grouped.get(kind, [])]
        rows += (
            [
                {
                    "kind": "shared",
                    "dataset": None,
                    "conforms": False,
                    "score": None,
                    "results": [r.as_dict() for r in other],
                }
            ]
            if other
            else []
        )
        return dumps_indented(rows, indent=2) + "\n"  # json.dumps(indent=2)'s text, faster
    if output_format == "html":
        return render_html([r for kind in KINDS for r in grouped.get(kind, [])], title=title)
    return render_text(grouped, other)


EXIT_OK, EXIT_DATA, EXIT_USER = 0, 1, 2

RESOURCE_CLASSES = (DCAT.Dataset, DCAT_SERIES, DCAT.DataService, DCAT.Catalog)


def _error(message: str, hint: str) -> None:
    """One error line; with LUXCAT_DEBUG=1 (luxcat --debug) the traceback of the error being handled first."""
    if sys.exc_info()[0] is not None and os.environ.get("LUXCAT_DEBUG", "").lower() in ("1", "true", "yes"):
        traceback.print_exc()
    print(f"error: {message} (hint: {hint})", file=sys.stderr, flush=True)


def _read(files: list[Path]) -> tuple[Graph, list[Path]] | int:
    """One graph of every file, and the files holding no DCAT resource; or the exit code of a failure."""
    missing = [p for p in files if not p.is_file()]
    for path in missing:
        _error(f"{path}: no such file", "name existing RDF files (Turtle, RDF/XML, JSON-LD, N-Triples)")
    if missing:
        return EXIT_USER
    graph: Graph = FastGraph()
    empty: list[Path] = []
    for path in files:
        try:
            part = load_rdf(path)
        except OSError as exc:
            _error(f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions")
            return EXIT_USER
        except Exception as exc:  # noqa: BLE001 - rdflib parsers raise many unrelated types
            text = " ".join(str(exc).split())[:300]
            _error(
                f"cannot parse {path} as RDF: {type(exc).__name__}: {text}", "luxcat map --from KIND maps other formats"
            )
            return EXIT_DATA
        if not any(True for cls in RESOURCE_CLASSES for _ in part.subjects(RDF.type, cls)):
            empty.append(path)
        if not graph and isinstance(part, FastGraph):
            graph = part  # the one (or first) file's graph is the union: no copy
        else:
            graph += part
    return graph, empty


def run(args: argparse.Namespace) -> int:
    """Validate the files; 0 when everything conforms, 1 when something does not, 2 on a missing input."""
    read = _read(args.files)
    if isinstance(read, int):
        return read
    graph, empty = read
    for path in empty:
        _error(
            f"no DCAT resources found in {path} (no dcat:Dataset, dcat:DataService or dcat:Catalog)",
            "map other metadata first: luxcat map --from KIND FILE",
        )
    get_validator(args.profile)  # compiled shapes and the vocabulary index, from the start-up cache
    # They and the graph live as long as this command: frozen, the collector stops walking their
    # millions of objects at every full collection (~0.5 s of CPU on 2,000 datasets, issue 19).
    # Not done in the pipeline, where graphs are dropped as records are done (frozen cycles leak).
    gc.freeze()
    checker = None
    if args.check_urls:
        checker = UrlChecker(cache_path=args.url_cache)
    full = validate_full(graph, args.profile, url_checker=checker)
    title = f"luxcat validation ({args.profile}): {', '.join(p.name for p in args.files)}"
    text = render(kinds(full, graph), args.output_format, title, full.other)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _error(f"cannot write {args.output}: {exc.strerror or exc}", "choose a writable -o path")
            return EXIT_USER
    else:
        sys.stdout.write(text)
    return EXIT_OK if conforms(full) and not empty else EXIT_DATA


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m validators.command`), the same as `luxcat validate`."""
    parser = argparse.ArgumentParser(prog="luxcat validate", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
