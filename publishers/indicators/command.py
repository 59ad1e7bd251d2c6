"""`luxcat indicators [--format csv|json]`: compute the indicators over the served catalogue and print them.

Also `run_indicators()`, what the Airflow task calls: the same computation from the settings and
config files (state store, export location, catalogue metadata, sources), returning the Computation.
A computation on a day that already has one replaces that day's figures, so running it twice is safe.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from luxcat.errors import ConfigError, PipelineError
from publishers.indicators.run import Computation

if TYPE_CHECKING:
    from luxcat.store import StateStore
    from publishers.targets import PublishConfig

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
    settings.home.mkdir(parents=True, exist_ok=True)
    store = StateStore(settings.database_url)
    try:
        target = open_export(cfg.targets.catalogue.export)
        comp = compute_indicators(
            store, target, cfg.catalogue, cfg.targets.catalogue.base_url, sources=configs,
            frequency=cfg.indicators.frequency, workers=cfg.targets.catalogue.workers,
        )  # fmt: skip
        if cfg.indicators.udata_organization:
            publish_udata(comp, cfg, store)
        return comp
    finally:
        store.close()


def publish_udata(comp: Computation, cfg: PublishConfig, store: StateStore) -> None:
    """Send the CSV to the configured data.public.lu organisation (targets.data.public.lu gives portal and key)."""
    from publishers.indicators.csvw import CSV_NAME
    from publishers.indicators.udata import IndicatorsUdata
    from publishers.udata.options import UdataOptions

    if cfg.targets.udata is None:
        raise ConfigError("indicators.udata_organization is set but publish.yaml has no targets.data.public.lu")
    options = UdataOptions.model_validate(cfg.targets.udata)
    org = cfg.indicators.udata_organization
    assert org is not None
    days = sorted({r.date for r in comp.rows})
    result = IndicatorsUdata(options, org, store).publish(comp.files[CSV_NAME], days[0], days[-1])
    comp.udata = {"dataset_id": result.dataset_id, "resource_id": result.resource_id, "created": result.created}


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
            writer.writerow(
                [r.date.isoformat(), r.scope, r.scope_id, r.scope_label, r.indicator, number(r.value), r.unit]
            )
    print(comp.summary(), file=sys.stderr)
    return EXIT_OK
