"""Fixtures of the safety tests: the udata contract server of tests/udata, and a luxcat home with sources."""

from __future__ import annotations

from tests.udata.conftest import _udata_server, udata  # noqa: F401  (fixtures shared with the udata tests)
