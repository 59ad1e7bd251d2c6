"""An sdmx1 Client for one configured service, and requests sorted into "absent" and "failed".

SDMX REST answers 404 for "no results" and 501 for "not implemented": those mean the service does
not offer something, which is data. Anything else (5xx after retries, timeouts, an unparsable body)
means the service could not answer, which must leave the run incomplete.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from typing import Any

import requests
import sdmx
import sdmx.source
from urllib3.util.retry import Retry

from harvesters.sdmx.options import SdmxHarvesterOptions
from luxcat.http import BoundedAdapter, guard_session
from luxcat.secret_headers import expand_headers

log = logging.getLogger(__name__)


class NotOffered(Exception):
    """The service answered that it has no such resource (404, 501, or sdmx1 knows it lacks it)."""


class ServiceFailure(Exception):
    """The service could not answer this request; the message names the request."""


def resolve_source(options: SdmxHarvesterOptions) -> sdmx.source.Source:
    """The sdmx1 Source to use: built-in (its URL overridden if asked) or registered through add_source."""
    if options.source not in sdmx.source.sources:
        info: dict[str, Any] = {"id": options.source, "url": options.url, "name": options.name or options.source}
        if options.supports:
            info["supports"] = dict(options.supports)
        sdmx.add_source(info)
        log.info("registered sdmx1 source %s at %s", options.source, options.url)
    source = sdmx.source.sources[options.source]
    if options.url and options.url.rstrip("/") != source.url.rstrip("/"):
        source = dataclasses.replace(source, url=options.url.rstrip("/"))  # keeps the source's hooks
    return source


def make_client(options: SdmxHarvesterOptions) -> sdmx.Client:
    """A Client with retries on transient HTTP errors and the configured headers."""
    source = resolve_source(options)
    client = sdmx.Client(source=options.source)
    client.source = source
    retry = Retry(
        total=options.retries,
        backoff_factor=options.backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=("GET",),
        raise_on_status=False,
    )
    adapter = BoundedAdapter(max_retries=retry)  # answers bounded by the source's limits
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    client.session.headers.update(expand_headers(options.headers, what=f"sdmx source {options.source}: headers"))
    guard_session(client.session)  # the expanded secrets never follow a redirect to another host
    return client


class Fetcher:
    """Runs structure queries, counts them, and sorts their failures."""

    def __init__(self, source_id: str, client: sdmx.Client, timeout: float) -> None:
        self.source_id = source_id
        self.client = client
        self.timeout = timeout
        self.requests = 0

    def url(self, resource: str, **kwargs: Any) -> str:
        """The URL a query would use (no network)."""
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="provider= keyword", category=DeprecationWarning)
                prepared = self.client.get(resource, dry_run=True, **kwargs)
        except NotImplementedError as exc:
            raise NotOffered(f"{self.source_id}: {resource}: {exc}") from exc
        return str(prepared.url)

    def get(self, resource: str, **kwargs: Any) -> Any:
        """One structure message; NotOffered or ServiceFailure (naming source and URL) otherwise."""
        url = self.url(resource, **kwargs)
        self.requests += 1
        try:
            with warnings.catch_warnings():  # sdmx1's own INSEE hook still passes provider=
                warnings.filterwarnings("ignore", message="provider= keyword", category=DeprecationWarning)
                message = self.client.get(resource, timeout=self.timeout, **kwargs)
        except NotImplementedError as exc:
            raise NotOffered(f"{self.source_id}: GET {url}: not implemented") from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status == 404:
                raise NotOffered(f"{self.source_id}: GET {url}: 404 no results") from exc
            raise ServiceFailure(f"{self.source_id}: GET {url}: HTTP {status}") from exc
        except requests.RequestException as exc:
            raise ServiceFailure(f"{self.source_id}: GET {url}: {type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # sdmx1 reader errors: the body is not an SDMX message
            raise ServiceFailure(f"{self.source_id}: GET {url}: unreadable answer: {exc!r}") from exc
        return _check_message(message, self.source_id, url)


def _check_message(message: Any, source_id: str, url: str) -> Any:
    """Turn an SDMX ErrorMessage into NotOffered (code 100, no results) or ServiceFailure."""
    if isinstance(message, sdmx.message.ErrorMessage):
        code = getattr(getattr(message, "footer", None), "code", None)
        if code == 100:
            raise NotOffered(f"{source_id}: GET {url}: SDMX error 100 no results")
        raise ServiceFailure(f"{source_id}: GET {url}: SDMX error message {code}")
    if not isinstance(message, sdmx.message.StructureMessage):
        raise ServiceFailure(f"{source_id}: GET {url}: expected a structure message, got {type(message).__name__}")
    return message
