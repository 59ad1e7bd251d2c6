"""Fetch one page of a listing with luxcat's retry policy; every failure becomes a PageError with a reason.

Shared by the DCAT, CKAN, udata and Atom harvesters so that a page's failure reads the same
everywhere: which page, which URL, what went wrong.
"""

from __future__ import annotations

from typing import Any

import requests

from luxcat.http import HttpFailure, RetryPolicy, request_with_retries


class PageError(Exception):
    """One page could not be fetched or read; the message says why."""


def get_page(
    session: requests.Session, policy: RetryPolicy, url: str, *, params: dict[str, Any] | None = None
) -> requests.Response:
    """GET one page; raise PageError for network failures, non-200 answers and cut-off bodies."""
    try:
        response = request_with_retries(session, "GET", url, policy, params=params)
    except HttpFailure as exc:
        raise PageError(exc.reason) from exc
    except requests.RequestException as exc:  # e.g. a body shorter than its Content-Length
        raise PageError(f"reading the answer failed ({type(exc).__name__}: {str(exc)[:200]})") from exc
    if response.status_code != 200:
        raise PageError(f"HTTP {response.status_code} {response.reason or ''}".strip())
    return response


def json_page(session: requests.Session, policy: RetryPolicy, url: str, params: dict[str, Any] | None = None) -> Any:
    """GET a JSON page and decode it; a body that is not JSON is a PageError."""
    response = get_page(session, policy, url, params=params)
    try:
        return response.json()
    except ValueError as exc:
        kind = response.headers.get("Content-Type", "no Content-Type")
        raise PageError(f"the answer is not JSON ({kind}): {exc}") from exc
