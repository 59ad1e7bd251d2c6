"""Fixtures of the feed tests: one local HTTP server per session, a fresh route prefix per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.feeds.server import FeedServer

_counter = itertools.count()


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def prefix() -> str:
    """A path prefix no other test uses."""
    return f"/t{next(_counter)}"
