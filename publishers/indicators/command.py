"""`luxcat indicators [--format csv|json]`: compute the indicators over the served catalogue and print them.

Also `run_indicators()`, what the Airflow task calls: the same computation from the settings and
config files (state store, export location, catalogue metadata, sources), returning the Computation.
A computation on a day that already has one replaces that day's figures, so running it twice is safe.
"""

from __future__ import annotations

import argparse
import json
import sys

from luxcat.errors import ConfigError, PipelineError
from publishers.indicators.run import Computation

EXIT_OK, EXIT_CONFIG, EXIT_TARGET = 0, 1, 2


def run_indicators() -> Computation:
    """Compute over the served catalogue named by publish.yaml; history in the state store, files beside it."""
    from luxcat.config import check_paths, sources_dir
    from luxcat.settings import load_settings
    from luxcat.store import StateStore
    from publishers.catalogue.storage import open_export
    from publishers.indicators.run import compute_indicators
    from publishers.targets import load_publish_config

    cfg = load_publish_config()
    configs, problems = check_paths([sources_dir()])
    if problems:
        raise ConfigError("\n".join(str(p) for p in problems))
    settings = load_settings()
    store = StateStore(settings.database_url)
    try:
        target = open_export(cfg.targets.catalogue.export)
        return compute_indicators(store, target, cfg.catalogue, cfg.targets.catalogue.base_url, sources=configs)
    finally:
        store.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `luxcat indicators`."""
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default csv)")


def run(args: argparse.Namespace) -> int:
    """Compute, then print the day's figures (every scope) in the asked format."""
    from publishers.indicators.csvw import COLUMNS, number

    try:
        comp = run_indicators()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (PipelineError, OSError) as exc:
        print(f"error: indicators: {exc}", file=sys.stderr)
        return EXIT_TARGET
    rows = [r for r in comp.rows if r.date == comp.day]
    if args.format == "json":
        data = [
            {"date": r.date.isoformat(), "scope": r.scope, "scope_id": r.scope_id, "scope_label": r.scope_label,
             "indicator": r.indicator, "value": r.value, "unit": r.unit}
            for r in rows
        ]  # fmt: skip
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([r.date.isoformat(), r.scope, r.scope_id, r.scope_label, r.indicator, number(r.value), r.unit])
    print(comp.summary(), file=sys.stderr)
    return EXIT_OK
