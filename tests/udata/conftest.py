"""Fixtures: one udata contract server per session (reset per test), a fresh store, a publisher factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers.udata import UdataPublisher
from tests.udata.contract_server import UdataContractServer
from tests.udata.records import GEOPORTAIL, STATEC

API_KEY = "test-key-statec"


@pytest.fixture(scope="session")
def _udata_server() -> Iterator[UdataContractServer]:
    with UdataContractServer() as server:
        yield server


@pytest.fixture
def udata(_udata_server: UdataContractServer, monkeypatch: pytest.MonkeyPatch) -> UdataContractServer:
    """The contract server, emptied: organisations STATEC and Géoportail; the key is a member of STATEC only."""
    _udata_server.reset()
    _udata_server.add_organization(STATEC, "STATEC")
    _udata_server.add_organization(GEOPORTAIL, "Géoportail")
    _udata_server.add_key(API_KEY, {STATEC})
    monkeypatch.setenv("UDATA_API_KEY", API_KEY)
    return _udata_server


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
    udata: UdataContractServer, store: StateStore, artifacts: LocalArtifactStore, sleeps: list[float]
) -> Callable[..., UdataPublisher]:
    """A publisher pointed at the contract server; no throttle and no real sleeping unless asked."""

    def make(**options: Any) -> UdataPublisher:
        opts = UdataPublisher.Options.model_validate({"base_url": udata.url, "throttle": 0, "backoff": 0.5, **options})
        return UdataPublisher(opts, store, artifacts, sleep=sleeps.append)

    return make
