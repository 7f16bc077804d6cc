"""Fixtures of the demo tests: real loopback sockets, free ports."""

import socket

import pytest


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The demo tests use real loopback sockets."""


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
