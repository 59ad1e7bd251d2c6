"""`luxcat demo`: the whole job offline, on a real local pycsw loaded with real ISO 19139 records.

A newcomer runs one command and sees the pipeline work end to end without network access to any
catalogue: pycsw (in its own venv) serves config/demo/iso19139 on 127.0.0.1, every enabled source
(the demo CSW and the demo spreadsheet inventory) is harvested, mapped and validated, and the
merged national catalogue is exported; every output lands under the working folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from luxcat.config import SourceConfig, check_paths, sources_dir

REPO = Path(__file__).resolve().parents[1]
DEMO_RECORDS = REPO / "config" / "demo" / "iso19139"
DEMO_SOURCE = "demo-csw"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8765, help="port of the demo pycsw (default 8765, what demo-csw.yaml points at)"
    )
    parser.add_argument("--serve", action="store_true", help="keep pycsw running after the run (Ctrl-C stops it)")
    parser.add_argument("--full", action="store_true", help="force full harvests (default: incremental re-runs)")


def _enabled_sources() -> list[SourceConfig]:
    configs, problems = check_paths([sources_dir()])
    for problem in problems:
        print(problem, file=sys.stderr)
    return [c for c in configs if c.enabled]


def _pointed_at(cfg: SourceConfig, url: str) -> SourceConfig:
    """The demo source with its CSW URL set to where the demo pycsw really is for this run."""
    if str(cfg.harvester.options.get("url")) == url:
        return cfg
    options = {**cfg.harvester.options, "url": url}
    return cfg.model_copy(update={"harvester": cfg.harvester.model_copy(update={"options": options})})


def run(args: argparse.Namespace) -> int:
    """Start pycsw, run every enabled source through every stage, export the catalogue, say where it is."""
    from luxcat.cli import EXIT_DATA, EXIT_OK, EXIT_USER, _open_state, _progress, report_run
    from luxcat.demo_pycsw import demo_pycsw
    from luxcat.pipeline import run_source
    from luxcat.settings import load_settings
    from luxcat.summary import publish_line
    from publishers.catalogue.storage import open_export
    from publishers.command import publish
    from publishers.targets import load_publish_config

    settings = load_settings()
    sources = _enabled_sources()
    demo = next((c for c in sources if c.id == DEMO_SOURCE), None)
    if demo is None:
        print(
            f"error: source {DEMO_SOURCE} is missing or disabled in {sources_dir()} (hint: luxcat sources list)",
            file=sys.stderr,
        )
        return EXIT_USER
    records = sorted(DEMO_RECORDS.glob("*.xml"))
    worst = EXIT_OK

    def say(message: str) -> None:
        print(f"demo: {message}", file=sys.stderr, flush=True)

    with demo_pycsw(settings.home / "pycsw", records, port=args.port, say=say, other_port_ok=True) as url:
        if str(demo.harvester.options["url"]) != url:
            say(f"{DEMO_SOURCE} harvests {url} for this run ({DEMO_SOURCE}.yaml says {demo.harvester.options['url']})")
        store, artifacts = _open_state()
        for cfg in sources:
            cfg = _pointed_at(cfg, url) if cfg.id == DEMO_SOURCE else cfg
            result = run_source(cfg, store, artifacts, full=args.full, progress=_progress)  # type: ignore[arg-type]
            worst = max(worst, report_run(result))
        plan = publish(["catalogue"], dry_run=False, progress=_progress)["catalogue"]
        print(publish_line(plan))
        target = open_export(load_publish_config().targets.catalogue.export)
        print(f"catalogue:   {getattr(target, 'root', target)} (luxcat serve shows it with Hydra paging and OAI-PMH)")
        print(f"state store: {settings.database_url}")
        print(f"artifacts:   {settings.artifacts_url}")
        if worst == EXIT_DATA:
            say("exit status 1: records were rejected or did not validate, or a source's run failed, as listed above")
        if args.serve:
            say(f"pycsw serving at {url} (Ctrl-C to stop)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return worst
