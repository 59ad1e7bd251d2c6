"""The demo pycsw for `luxcat demo` and `scripts/airflow`: one port, never two servers fighting over it.

Both start a pycsw on 127.0.0.1:8765 (what config/sources/demo-csw.yaml points at) serving the
demo records. When one is already up, the other finds it there (its GetCapabilities title is
DEMO_TITLE) and uses it, saying so, instead of failing with "Address already in use". When another
program holds the port, the demo runs its own pycsw on a free port for that run; the local Airflow,
whose DAGs read the URL from the YAML in another process, stops with one line naming the port.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lxml import etree

from luxcat.errors import ConfigError

DEMO_TITLE = "luxcat demo pycsw"
DEMO_PORT = 8765
FREE, OURS, OTHER = "free", "ours", "other"
_OWS = "http://www.opengis.net/ows"


def demo_url(port: int) -> str:
    """The CSW endpoint of a demo pycsw on `port`."""
    return f"http://127.0.0.1:{port}/csw"


def probe(port: int, timeout: float = 5.0) -> str:
    """FREE when nothing listens on 127.0.0.1:port, OURS when a luxcat demo pycsw answers, else OTHER."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            pass
    except OSError:
        return FREE
    url = demo_url(port) + "?service=CSW&version=2.0.2&request=GetCapabilities"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read()
    except (urllib.error.URLError, OSError, ValueError):
        return OTHER
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return OTHER
    titles = root.xpath("//ows:ServiceIdentification/ows:Title/text()", namespaces={"ows": _OWS})
    return OURS if titles and titles[0].strip() == DEMO_TITLE else OTHER


@contextmanager
def demo_pycsw(
    workdir: Path,
    records: list[Path],
    *,
    port: int = DEMO_PORT,
    say: Callable[[str], None],
    other_port_ok: bool,
) -> Iterator[str]:
    """Yield the URL of a demo pycsw: the one already running on `port`, or one started here.

    `other_port_ok`: when another program holds `port`, start on a free port (the caller then
    points its source at the yielded URL); otherwise raise ConfigError naming the port.
    """
    from luxcat.pycsw_local import LocalPycsw

    state = probe(port)
    if state == OURS:
        say(
            f"using the luxcat demo pycsw already running at {demo_url(port)} (started by scripts/airflow or "
            "another luxcat demo; it stops when that process stops)"
        )
        yield demo_url(port)
        return
    if state == OTHER:
        if not other_port_ok:
            raise ConfigError(
                f"127.0.0.1:{port} is used by another program (not a luxcat demo pycsw), and demo-csw.yaml points "
                "there; stop that program, or start without the demo pycsw (--no-pycsw)"
            )
        say(f"127.0.0.1:{port} is used by another program: the demo pycsw runs on a free port for this run")
        port = 0
    else:
        say(f"starting pycsw on 127.0.0.1:{port} with {len(records)} real ISO 19139 records")
    with LocalPycsw(workdir, records, port=port, maxrecords=50, title=DEMO_TITLE) as server:
        yield server.url
