"""Fixtures of the demo tests: real loopback sockets."""

import pytest


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The demo tests use real loopback sockets."""
