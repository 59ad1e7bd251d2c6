"""The autouse guard keeps every test on this machine: loopback works, anything else fails loudly."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.servers.netguard import NetworkBlocked, blocked_network, is_loopback


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        (b"127.0.0.1", True),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        ("8.8.8.8", False),
        ("2001:db8::1", False),
        ("catalog.inspire.geoportail.lu", False),
        (None, False),
    ],
)
def test_is_loopback(host: object, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_non_loopback_connect_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked, match="10.255.255.1"):
        sock.connect(("10.255.255.1", 80))
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect_ex(("10.255.255.1", 80))


def test_internet_names_are_not_even_resolved() -> None:
    with pytest.raises(NetworkBlocked, match="lustat.statec.lu"):
        requests.get("https://lustat.statec.lu/rest", timeout=5)


def test_loopback_still_works() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(("localhost", server.getsockname()[1]), timeout=5):
            pass


def test_guard_is_undone_on_exit() -> None:
    patched = socket.socket.connect
    with blocked_network():
        assert socket.socket.connect is not patched
    assert socket.socket.connect is patched
