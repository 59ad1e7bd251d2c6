"""`luxcat demo`: the whole job offline, on a real local pycsw loaded with real ISO 19139 records.

A newcomer runs one command and sees the pipeline work end to end without network access to any
catalogue: pycsw (in its own venv) serves config/demo/iso19139 on 127.0.0.1, the `demo-csw` source
is harvested, mapped and validated, and every output lands under the working folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from luxcat.config import load_source, sources_dir

REPO = Path(__file__).resolve().parents[1]
DEMO_RECORDS = REPO / "config" / "demo" / "iso19139"
DEMO_SOURCE = "demo-csw"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="port of the local pycsw (must match demo-csw.yaml)")
    parser.add_argument("--serve", action="store_true", help="keep pycsw running after the run (Ctrl-C stops it)")
    parser.add_argument("--full", action="store_true", help="force a full harvest (default: incremental re-runs)")


def run(args: argparse.Namespace) -> int:
    """Start pycsw, run the demo source through every stage, print where the outputs are."""
    from luxcat.cli import EXIT_OK, EXIT_SOURCE, _open_state, _progress
    from luxcat.pipeline import run_source
    from luxcat.pycsw_local import LocalPycsw
    from luxcat.settings import load_settings

    settings = load_settings()
    cfg = load_source(DEMO_SOURCE, sources_dir())
    records = sorted(DEMO_RECORDS.glob("*.xml"))
    print(f"demo: starting pycsw on 127.0.0.1:{args.port} with {len(records)} real ISO 19139 records", file=sys.stderr)
    with LocalPycsw(settings.home / "pycsw", records, port=args.port, maxrecords=50) as server:
        if str(cfg.harvester.options["url"]) != server.url:
            print(f"demo: {DEMO_SOURCE}.yaml points at {cfg.harvester.options['url']}, pycsw is at {server.url}")
            return 1
        store, artifacts = _open_state()
        result = run_source(cfg, store, artifacts, full=args.full, progress=_progress)  # type: ignore[arg-type]
        print(result.summary())
        for stage in ("map", "validate"):
            if stage in result.details:
                detail = result.details[stage]
                print(f"{cfg.id}: {stage}: {detail['ok']} ok, {detail['rejected']} rejected {detail['reasons'] or ''}")
        report = result.details.get("validate", {}).get("extra", {}).get("report")
        print(f"state store: {settings.database_url}")
        print(f"artifacts:   {settings.artifacts_url}")
        if report:
            print(f"validation report: {report}")
        if args.serve:
            print(f"demo: pycsw serving at {server.url} (Ctrl-C to stop)", file=sys.stderr)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return EXIT_OK if result.status == "success" else EXIT_SOURCE
