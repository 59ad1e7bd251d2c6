"""One HTTP client policy for every harvester and publisher: timeouts, retries, backoff, Retry-After.

Retries only what can heal (timeouts, connection errors, 429, 5xx); everything else comes back
to the caller at once. Sleeping is injectable so tests of the policy do not wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from luxcat import __version__
from luxcat.records import utcnow

log = logging.getLogger(__name__)

USER_AGENT = f"luxcat/{__version__} (+https://data.public.lu)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpFailure(Exception):
    """A request that still failed after every retry; `reason` is short and names no secret."""

    def __init__(self, reason: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait for an answer, and how often and how patiently to try again."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # first wait in seconds; doubles each attempt
    max_wait: float = 60.0

    def wait(self, attempt: int, response: requests.Response | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1`: Retry-After when the server says, else 2^n backoff."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_wait)
        return min(self.backoff * (2**attempt), self.max_wait)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def new_session(headers: dict[str, str] | None = None) -> requests.Session:
    """A session with luxcat's User-Agent (connection reuse matters for paged harvests)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if headers:
        session.headers.update(headers)
    return session


def request_with_retries(
    session: requests.Session,
    method: str,
    url: str,
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    retry_status: frozenset[int] = RETRY_STATUS,
    retry_lost: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """Send one request, retrying transient failures; raise HttpFailure when it never succeeds.

    A non-retryable error status (e.g. 400, 401, 404) is returned to the caller, who knows what it means.
    `retry_lost=False`: a timeout or a dropped connection is not retried (the server may have acted on a
    non-idempotent request; the caller must look before sending it again).
    """
    attempts = policy.retries + 1
    last = ""
    status: int | None = None
    for attempt in range(attempts):
        response = None
        try:
            response = session.request(method, url, timeout=policy.timeout, **kwargs)
        except requests.Timeout:
            last = f"timed out after {policy.timeout:g}s"
            if not retry_lost:
                break
        except requests.ConnectionError as exc:
            last = f"connection failed ({_short(exc)})"
            if not retry_lost:
                break
        else:
            if response.status_code not in retry_status:
                return response
            status = response.status_code
            last = f"HTTP {response.status_code}"
        if attempt + 1 < attempts:
            delay = policy.wait(attempt, response)
            log.warning("%s %s: %s; retry %d/%d in %.1fs", method, url, last, attempt + 1, policy.retries, delay)
            sleep(delay)
    attempts = attempt + 1
    raise HttpFailure(f"{last} ({attempts} attempt{'s' if attempts > 1 else ''})", status=status, attempts=attempts)


def _short(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "Failed to resolve" in text:
        return "host not found"
    return text[:200]
