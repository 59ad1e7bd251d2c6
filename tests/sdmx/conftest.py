"""A local SDMX REST service answering with the real recorded messages of tests/data/sdmx.

Paths per service (prefix = the service's base URL on the local server):
- /ecb      ECB_EXR/structure-full.xml: a dataflow with DSD, codelists, categorisation and constraint,
            answered to the dataflow listing (as `references=all` returns it).
- /estat    ESTAT/GOV_10Q_GGNFA.xml: a real Eurostat dataflow + DSD + codelists (fr/de/en).
- /insee    INSEE/dataflow.xml (663 dataflows) as the listing; the two recorded DSD messages of
            listed dataflows answer their `datastructure` queries, every other DSD is 404;
            CNA-2010-CONSO-SI-A17-structure.xml (real INSEE message holding the 190-category
            CLASSEMENT_DATAFLOWS scheme and a categorisation) answers the category-scheme query.
- /istat    ISTAT-NSI dataflow 47_850 with its DSD (.Stat NSI) and ISTAT's real actual constraint.
- /lustat   LUSTAT structure messages derived from the recorded SDMX-JSON answers (see lustat.py).
- /broken   every path answers HTTP 500.
ILO's recording (a codelist query with a DSD, no dataflow) has no dataflow to harvest: not served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sdmx.source

from harvesters.sdmx import SdmxHarvester, SdmxHarvesterOptions
from luxcat.records import RawRecord, Rejection
from tests.sdmx.lustat import messages as lustat_messages
from tests.sdmx.server import SdmxServer

DATA = Path(__file__).resolve().parents[1] / "data" / "sdmx"

SERVICES: dict[str, dict[str, Any]] = {
    "ecb": {"source": "ECB", "agency": "ECB", "references": "all"},
    "estat": {"source": "ESTAT", "agency": "ESTAT"},
    "insee": {"source": "INSEE", "agency": "FR1"},
    "istat": {"source": "ISTAT", "agency": "IT1"},
    "lustat": {"source": "LUSTAT", "agency": "LU1", "name": "STATEC LUSTAT"},
    "broken": {"source": "LUSTAT_BROKEN", "agency": "LU1"},
}


def install_routes(server: SdmxServer) -> None:
    """The recorded answers, at the REST paths sdmx1 asks for."""
    server.serve("/ecb/dataflow/ECB/all/latest", DATA / "ECB_EXR" / "structure-full.xml")
    server.serve("/estat/dataflow/ESTAT/all/latest", DATA / "ESTAT" / "GOV_10Q_GGNFA.xml")
    insee = DATA / "INSEE"
    server.serve("/insee/dataflow/FR1/all/latest", insee / "dataflow.xml")
    server.serve("/insee/categoryscheme/FR1/all/latest", insee / "CNA-2010-CONSO-SI-A17-structure.xml")
    for dsd, name in (
        ("CNA-2010-CONSO-SI-A17", "CNA-2010-CONSO-SI-A17-structure.xml"),
        ("IPI-2010-A21", "IPI-2010-A21-structure.xml"),
    ):
        server.serve(f"/insee/datastructure/FR1/{dsd}/1.0", insee / name)
    server.serve("/istat/dataflow/IT1/all/latest", DATA / "ISTAT-NSI" / "ISTAT_47_850_dataflow_with_datastructure.xml")
    server.serve("/istat/contentconstraint/IT1/all/latest", DATA / "ISTAT" / "actualconstraint-0.xml")
    derived = lustat_messages(DATA / "LUSTAT-STATEC")
    server.serve("/lustat/dataflow/LU1/all/latest", derived["listing"])
    server.serve("/lustat/datastructure/LU1/DSD_PRIX_ESSENCE/1.0", derived["structure"])
    server.serve("/lustat/contentconstraint/LU1/all/latest", derived["constraints"])
    for path in ("dataflow/LU1/all/latest", "categoryscheme/LU1/all/latest", "contentconstraint/LU1/all/latest"):
        server.fail(f"/broken/{path}")


@pytest.fixture(scope="session")
def sdmx_server() -> Iterator[SdmxServer]:
    server = SdmxServer()
    install_routes(server)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def server(sdmx_server: SdmxServer) -> Iterator[SdmxServer]:
    """The session server, with any route a test changes put back afterwards."""
    routes = dict(sdmx_server.routes)
    yield sdmx_server
    sdmx_server.routes.clear()
    sdmx_server.routes.update(routes)


@pytest.fixture(autouse=True)
def _unregister_custom_sources() -> Iterator[None]:
    """Undo sdmx.add_source registrations made by a harvester during the test."""
    before = set(sdmx.source.sources)
    yield
    for name in set(sdmx.source.sources) - before:
        del sdmx.source.sources[name]


def service_options(base_url: str, service: str, **overrides: Any) -> SdmxHarvesterOptions:
    """Harvester options for one local service (no retries, short timeout: tests stay fast)."""
    values = {**SERVICES[service], "url": f"{base_url}/{service}", "retries": 0, "timeout": 10.0}
    return SdmxHarvesterOptions(**{**values, **overrides})


def run(harvester: SdmxHarvester) -> tuple[list[RawRecord], list[Rejection]]:
    """Drain a harvest into records and rejections."""
    records, rejections = [], []
    for item in harvester.harvest():
        (records if isinstance(item, RawRecord) else rejections).append(item)
    return records, rejections


@pytest.fixture()
def harvest(server: SdmxServer) -> Callable[..., tuple[SdmxHarvester, list[RawRecord], list[Rejection]]]:
    """Harvest one local service with option overrides."""

    def _harvest(service: str, **overrides: Any) -> tuple[SdmxHarvester, list[RawRecord], list[Rejection]]:
        harvester = SdmxHarvester(f"test-{service}", service_options(server.url, service, **overrides))
        records, rejections = run(harvester)
        return harvester, records, rejections

    return _harvest
