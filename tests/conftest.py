"""Fixtures shared by the test folders that run the PBX simulator: its clock and a report receiver."""

from collections.abc import AsyncIterator

import pytest

from tests.common import FakeClock, Receiver, serving_receiver


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator's clock, moved by hand."""
    return FakeClock()


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """Collect the simulator's reports on 127.0.0.1."""
    async with serving_receiver() as collector:
        yield collector
