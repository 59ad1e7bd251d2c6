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
    parser.add_argument("--port", type=int, default=8765, help="port of the local pycsw (must match demo-csw.yaml)")
    parser.add_argument("--serve", action="store_true", help="keep pycsw running after the run (Ctrl-C stops it)")
    parser.add_argument("--full", action="store_true", help="force full harvests (default: incremental re-runs)")


def _enabled_sources() -> list[SourceConfig]:
    configs, problems = check_paths([sources_dir()])
    for problem in problems:
        print(problem, file=sys.stderr)
    return [c for c in configs if c.enabled]


def run(args: argparse.Namespace) -> int:
    """Start pycsw, run every enabled source through every stage, export the catalogue, say where it is."""
    from luxcat.cli import EXIT_OK, EXIT_SOURCE, EXIT_USER, _open_state, _progress
    from luxcat.pipeline import run_source
    from luxcat.pycsw_local import LocalPycsw
    from luxcat.settings import load_settings
    from luxcat.summary import publish_line
    from publishers.catalogue.storage import open_export
    from publishers.command import publish
    from publishers.targets import load_publish_config

    settings = load_settings()
    sources = _enabled_sources()
    demo = next((c for c in sources if c.id == DEMO_SOURCE), None)
    if demo is None:
        print(f"demo: source {DEMO_SOURCE} is missing or disabled in {sources_dir()}", file=sys.stderr)
        return EXIT_USER
    records = sorted(DEMO_RECORDS.glob("*.xml"))
    print(f"demo: starting pycsw on 127.0.0.1:{args.port} with {len(records)} real ISO 19139 records", file=sys.stderr)
    worst = EXIT_OK
    with LocalPycsw(settings.home / "pycsw", records, port=args.port, maxrecords=50) as server:
        if str(demo.harvester.options["url"]) != server.url:
            print(f"demo: {DEMO_SOURCE}.yaml points at {demo.harvester.options['url']}, pycsw is at {server.url}")
            return EXIT_USER
        store, artifacts = _open_state()
        for cfg in sources:
            result = run_source(cfg, store, artifacts, full=args.full, progress=_progress)  # type: ignore[arg-type]
            print(result.summary())
            for stage in ("map", "validate"):
                if stage in result.details:
                    detail = result.details[stage]
                    reasons = f" {detail['reasons']}" if detail["reasons"] else ""
                    print(f"{cfg.id}: {stage}: {detail['ok']} ok, {detail['rejected']} rejected{reasons}")
            report = result.details.get("validate", {}).get("extra", {}).get("report")
            if report:
                print(f"{cfg.id}: validation report {report}")
            if result.status != "success":
                worst = EXIT_SOURCE
        plan = publish(["catalogue"], dry_run=False, progress=_progress)["catalogue"]
        print(publish_line(plan))
        target = open_export(load_publish_config().targets.catalogue.export)
        print(f"catalogue:   {getattr(target, 'root', target)} (luxcat serve shows it with Hydra paging and OAI-PMH)")
        print(f"state store: {settings.database_url}")
        print(f"artifacts:   {settings.artifacts_url}")
        if args.serve:
            print(f"demo: pycsw serving at {server.url} (Ctrl-C to stop)", file=sys.stderr)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return worst
