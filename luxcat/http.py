"""One HTTP client policy for every harvester and publisher: timeouts, retries, backoff, Retry-After.

Retries only what can heal (timeouts, connection errors, 429, 5xx); everything else comes back
to the caller at once. Sleeping is injectable so tests of the policy do not wait.

Every answer is read under bounds (luxcat.limits): a deadline for the whole answer (a server
trickling one byte every 2 s ends with a clear error, not never) and a size cap counted on the
wire and after decompression (a gzip bomb stops at the cap). Credentials go only to the host they
were configured for: a redirect to another host of a request carrying a credential header (or a
body) is refused, never followed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3Error

from luxcat import __version__, limits
from luxcat.records import utcnow

log = logging.getLogger(__name__)

USER_AGENT = f"luxcat/{__version__} (+https://data.public.lu)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CREDENTIAL_HEADER = re.compile(r"auth|key|token|secret|cookie|passw|session", re.IGNORECASE)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_CHUNK = 64 * 1024


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


class CrossHostRedirect(requests.RequestException):
    """A server sent a credentialed request (or one with a body) to another host: not followed."""


def carries_credentials(headers: Any) -> bool:
    """Whether a request's headers hold anything secret (API keys, Authorization, cookies...)."""
    return any(CREDENTIAL_HEADER.search(str(name)) for name in headers or {})


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def same_host(from_url: str, to_url: str) -> bool:
    """Same host and port, or the same host moving from http to https on the default ports."""
    a, b = _origin(from_url), _origin(to_url)
    if a == b:
        return True
    return a[1] == b[1] and (a[0], a[2], b[0], b[2]) == ("http", 80, "https", 443)


def guard_redirect(response: requests.Response, *_args: Any, **_kwargs: Any) -> requests.Response:
    """Response hook: refuse to follow a redirect that would carry credentials or a body to another host."""
    if not response.is_redirect:
        return response
    request = response.request
    target = urljoin(response.url, response.headers.get("location", ""))
    if same_host(response.url, target):
        return response
    if carries_credentials(request.headers) or (request.method or "GET").upper() not in SAFE_METHODS:
        response.close()
        raise CrossHostRedirect(
            f"{urlsplit(response.url).hostname} redirected to another host ({urlsplit(target).hostname}, "
            f"HTTP {response.status_code}); credentials are only sent to the configured host, so it was not followed"
        )
    return response


def guard_session(session: requests.Session) -> requests.Session:
    """Install the redirect guard on a session (any session: sdmx1's, a test's, ours)."""
    hooks = session.hooks.setdefault("response", [])
    if guard_redirect not in hooks:
        hooks.append(guard_redirect)
    return session


def new_session(headers: dict[str, str] | None = None) -> requests.Session:
    """A session with luxcat's User-Agent (connection reuse matters for paged harvests) and the redirect guard."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if headers:
        session.headers.update(headers)
    return guard_session(session)


class BoundExceeded(Exception):
    """An answer broke a bound (deadline or size): retrying would only pay the cost again."""


def read_bounded(response: requests.Response, *, deadline: float, max_bytes: int) -> None:
    """Read the whole body under a deadline (monotonic time) and a size cap, on the wire and inflated."""
    raw = response.raw
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise BoundExceeded("no complete answer before the request deadline")
            chunk = raw.read1(READ_CHUNK, decode_content=True)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes or raw.tell() > max_bytes:
                raise BoundExceeded(f"answer larger than {max_bytes / 1048576:g} MB (limits.max_response_mb)")
            chunks.append(chunk)
    except BoundExceeded:
        response.close()
        raise
    response._content = b"".join(chunks)  # what requests' .content/.text/.json() then return
    response._content_consumed = True
    response.close()  # body fully read: the connection goes back to the pool


class AnswerOutOfBounds(requests.RequestException):
    """An answer broke a bound (raised through sessions using BoundedAdapter, e.g. sdmx1's)."""


class BoundedAdapter(HTTPAdapter):
    """An adapter reading every non-streamed answer under luxcat.limits (for clients luxcat does not drive)."""

    def send(self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().send(request, stream=True, **kwargs)
        if stream:
            return response
        bounds = limits.current()
        try:
            read_bounded(
                response, deadline=time.monotonic() + bounds.request_deadline, max_bytes=bounds.max_response_bytes
            )
        except BoundExceeded as exc:
            raise AnswerOutOfBounds(str(exc), request=request, response=response) from exc
        return response


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
    bounds = limits.current()
    guard_session(session)
    for attempt in range(attempts):
        response = None
        reading = False
        try:
            response = session.request(method, url, timeout=policy.timeout, stream=True, **kwargs)
            reading = True
            read_bounded(
                response,
                deadline=time.monotonic() + bounds.request_deadline,
                max_bytes=bounds.max_response_bytes,
            )
        except CrossHostRedirect as exc:
            raise HttpFailure(str(exc), attempts=attempt + 1) from exc
        except BoundExceeded as exc:
            seconds = f" ({bounds.request_deadline:g}s)" if "deadline" in str(exc) else ""
            raise HttpFailure(f"{exc}{seconds}", attempts=attempt + 1) from exc
        except (requests.exceptions.ContentDecodingError, DecodeError) as exc:
            raise HttpFailure(f"undecodable answer ({_short(exc)})", attempts=attempt + 1) from exc
        except (requests.Timeout, ReadTimeoutError):
            last = f"timed out after {policy.timeout:g}s"
            if not retry_lost:
                break
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, Urllib3Error) as exc:
            last = f"{'reading the answer failed' if reading else 'connection failed'} ({_short(exc)})"
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
