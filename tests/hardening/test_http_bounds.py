"""F11/F12: every answer is bounded in time and size (on the wire and inflated), and so is every run.

Hostile servers on 127.0.0.1 trickle one byte every 2 s, send a 1 MB gzip bomb inflating to 1 GB,
or a 200 MB body. luxcat.http ends each with a clear error within the bound; a source whose server
trickles ends its run with exit 2 and one line, and the run row is closed, never left `running`.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from luxcat import limits
from luxcat.artifacts import LocalArtifactStore
from luxcat.cli import main
from luxcat.config import SourceConfig
from luxcat.errors import SourceError
from luxcat.http import HttpFailure, RetryPolicy, new_session, request_with_retries
from luxcat.pipeline import run_source
from luxcat.store import StateStore
from tests.hardening.hostile import Hostile, endless, gzip_bomb, json_body, trickle
from tests.hardening.plugins import ListHarvester

POLICY = RetryPolicy(timeout=10, retries=2, backoff=0)


@pytest.fixture
def server() -> Iterator[Hostile]:
    with Hostile() as hostile:
        yield hostile


def test_a_trickling_server_ends_at_the_request_deadline(server: Hostile) -> None:
    server.answers["/slow"] = trickle(every=2.0)
    started = time.monotonic()
    with limits.applied(limits.Limits(request_deadline=3)), pytest.raises(HttpFailure, match="deadline"):
        request_with_retries(new_session(), "GET", f"{server.url}/slow", POLICY)
    assert time.monotonic() - started < 3 + 2 + 2  # deadline + one trickle step + slack; no retries
    assert len(server.log) == 1


def test_a_gzip_bomb_stops_at_the_size_cap_without_inflating_it(server: Hostile) -> None:
    server.answers["/bomb"] = gzip_bomb(inflated_mb=1024)
    tracemalloc.start()
    try:
        with limits.applied(limits.Limits(max_response_mb=32)), pytest.raises(HttpFailure, match="larger than 32 MB"):
            request_with_retries(new_session(), "GET", f"{server.url}/bomb", POLICY)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 150 * 1024 * 1024, f"peak {peak / 1048576:.0f} MB"
    assert len(server.log) == 1  # a bound broken is not retried


def test_a_200_mb_body_stops_at_the_default_and_at_a_per_source_cap(server: Hostile) -> None:
    server.answers["/big"] = endless(mb=200)
    with limits.applied(limits.Limits(max_response_mb=16)), pytest.raises(HttpFailure, match="larger than 16 MB"):
        request_with_retries(new_session(), "GET", f"{server.url}/big", POLICY)
    assert limits.current() == limits.DEFAULT  # the bound applied only inside the block
    with limits.applied(limits.Limits(max_response_mb=300)):  # a source that allows more gets the whole body
        response = request_with_retries(new_session(), "GET", f"{server.url}/big", POLICY)
    assert len(response.content) == 200 * 1024 * 1024


def test_ordinary_answers_are_untouched(server: Hostile) -> None:
    server.answers["/ok"] = json_body({"a": "é" * 1000})
    response = request_with_retries(new_session(), "GET", f"{server.url}/ok", POLICY)
    assert response.status_code == 200 and response.json() == {"a": "é" * 1000}


def test_a_source_on_a_trickling_server_fails_its_run_with_one_line(
    workspace: Path, server: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["/catalog.ttl"] = trickle(every=2.0)
    (workspace / "sources" / "slow.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "slow",
                "title": {"en": "slow"},
                "owner": {"name": "test"},
                "harvester": {"kind": "dcat", "options": {"url": f"{server.url}/catalog.ttl", "retries": 0}},
                "mapper": ["dcat"],
                "limits": {"request_deadline": 3},
            }
        ),
        encoding="utf-8",
    )
    started = time.monotonic()
    assert main(["run", "slow"]) == 1  # the exit-code contract: a source that failed is bad data (1)
    assert time.monotonic() - started < 20
    captured = capsys.readouterr()
    assert "deadline" in captured.out + captured.err and "Traceback" not in captured.err
    store = StateStore(f"sqlite:///{workspace / 'home' / 'luxcat.db'}")
    run = store.runs("slow", limit=1)[0]
    assert run.status != "running" and run.ended_at is not None and not run.complete


def test_the_run_deadline_stops_a_slow_harvest_incomplete(tmp_path: Path) -> None:
    ListHarvester.LISTING["slowrun"] = [f"r{n}" for n in range(20)]
    ListHarvester.DELAY["slowrun"] = 0.3
    cfg = SourceConfig.model_validate(
        {
            "id": "slowrun",
            "title": "slow run",
            "owner": {"name": "test"},
            "harvester": {"kind": "tests.hardening.plugins:ListHarvester", "options": {"name": "slowrun"}},
            "mapper": ["dcat"],
            "limits": {"run_deadline": 1},
        }
    )
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    started = time.monotonic()
    run = run_source(cfg, store, LocalArtifactStore(tmp_path / "a"), full=True, stages=("harvest",))
    assert time.monotonic() - started < 5
    assert not run.complete and run.counts.seen < 20 and "run deadline reached" in (run.error_summary or "")
    assert run.counts.withdrawn == 0


def test_sdmx_answers_are_bounded_too(server: Hostile) -> None:
    """sdmx1 drives its own session: the BoundedAdapter holds it to the same bounds."""
    from harvesters.sdmx import SdmxHarvester, SdmxHarvesterOptions

    server.answers["/ecb/dataflow/ECB/all/latest"] = gzip_bomb(inflated_mb=512)
    options = SdmxHarvesterOptions(
        source="ECB", agency="ECB", references="all", url=f"{server.url}/ecb", retries=0, timeout=10.0,
        categories=False, constraints=False,
    )  # fmt: skip
    harvester = SdmxHarvester("ecb-bomb", options)
    with limits.applied(limits.Limits(max_response_mb=16)), pytest.raises(SourceError, match="larger than 16 MB"):
        list(harvester.harvest())
    server.answers["/ecb/dataflow/ECB/all/latest"] = trickle(every=2.0)
    harvester = SdmxHarvester("ecb-slow", options)
    started = time.monotonic()
    with limits.applied(limits.Limits(request_deadline=3)), pytest.raises(SourceError, match="deadline"):
        list(harvester.harvest())
    assert time.monotonic() - started < 8
