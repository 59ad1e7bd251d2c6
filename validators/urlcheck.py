"""Optional URL reachability for the MQA accessibility indicators: HEAD, then a one-byte ranged GET.

Many servers answer HEAD with 405/403/404 while GET works, so a failed HEAD is retried as
`GET` with `Range: bytes=0-0` (and the body is not read). Checks run concurrently in threads
with a per-request timeout; results are cached with an expiry (in memory, and in a JSON file when
a path is given) so a daily run does not hit every server again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)


class UrlChecker:
    """Reachability of URLs (status < 400), cached for `ttl` seconds."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        concurrency: int = 8,
        ttl: float = 24 * 3600,
        cache_path: Path | str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.timeout = timeout
        self.concurrency = concurrency
        self.ttl = ttl
        self.cache_path = Path(cache_path) if cache_path else None
        if session is None:
            import requests  # here: `luxcat validate` without --check-urls never pays its import (~0.1 s)

            session = requests.Session()
        self.session = session
        self.session.headers.setdefault("User-Agent", "luxcat-validate/1 (+https://data.public.lu)")
        self.requests_made = 0
        self._cache: dict[str, tuple[bool, float]] = self._load()

    def _load(self) -> dict[str, tuple[bool, float]]:
        if not self.cache_path or not self.cache_path.exists():
            return {}
        try:
            raw = json.loads(self.cache_path.read_text())
            return {url: (bool(ok), float(at)) for url, (ok, at) in raw.items()}
        except (ValueError, TypeError) as exc:
            log.warning("ignoring unreadable URL cache %s: %s", self.cache_path, exc)
            return {}

    def save(self) -> None:
        """Write the cache file (if any); expired entries are dropped."""
        if not self.cache_path:
            return
        now = time.time()
        fresh = {url: [ok, at] for url, (ok, at) in self._cache.items() if now - at < self.ttl}
        self.cache_path.write_text(json.dumps(fresh))

    def _fetch(self, url: str) -> bool:
        import requests

        self.requests_made += 1
        try:
            resp = self.session.head(url, timeout=self.timeout, allow_redirects=True)
            if resp.status_code < 400:
                return True
        except requests.RequestException as exc:
            log.debug("HEAD %s failed: %s", url, exc)
        self.requests_made += 1
        try:
            with self.session.get(
                url, timeout=self.timeout, allow_redirects=True, stream=True, headers={"Range": "bytes=0-0"}
            ) as resp:
                return resp.status_code < 400
        except requests.RequestException as exc:
            log.debug("GET %s failed: %s", url, exc)
            return False

    def check(self, urls: Iterable[str]) -> dict[str, bool]:
        """URL -> reachable, for every URL given (http(s) only; others are unreachable)."""
        now = time.time()
        wanted = list(dict.fromkeys(urls))
        out: dict[str, bool] = {}
        todo: list[str] = []
        for url in wanted:
            hit = self._cache.get(url)
            if not url.startswith(("http://", "https://")):
                out[url] = False
            elif hit is not None and now - hit[1] < self.ttl:
                out[url] = hit[0]
            else:
                todo.append(url)
        if todo:
            with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
                for url, ok in zip(todo, pool.map(self._fetch, todo), strict=True):
                    out[url] = ok
                    self._cache[url] = (ok, time.time())
        return out
