"""Fixtures of the sync tests; the real udata 17 application itself (`udata`) comes from tests/conftest.py.

udata runs from its own venv (`luxcat.udata_local`, built on first use) with mongomock as its database
driver; everything luxcat talks to is udata's own code. The proxy in front of it injects the faults udata
cannot produce on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers.base import Plan
from publishers.udata import UdataPublisher
from tests.udata.real_udata import RealUdata
from tests.udata.records import EXAMPLES, Make, harvest_and_map, run, source_config


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield state
    state.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def sleeps() -> list[float]:
    """Waits the publisher asked for (retries, throttle), recorded instead of slept."""
    return []


@pytest.fixture
def make_publisher(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, sleeps: list[float]
) -> Callable[..., UdataPublisher]:
    """A publisher pointed at udata (through the proxy); no throttle and no real sleeping unless asked."""

    def make(**options: Any) -> UdataPublisher:
        opts = UdataPublisher.Options.model_validate({"base_url": udata.api, "throttle": 0, "backoff": 0.5, **options})
        return UdataPublisher(opts, store, artifacts, sleep=sleeps.append)

    return make


@pytest.fixture
def cfg() -> Any:
    return source_config()


@pytest.fixture
def synced(udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, cfg: Any, make_publisher: Make) -> Plan:
    """The examples harvested, mapped and synced once."""
    harvest_and_map(cfg, store, artifacts, list(EXAMPLES))
    return run(make_publisher, store, artifacts, cfg)
