"""Fixtures of the reliability suite: the integration tests' set-up, with its own PBX.

Everything is as real as in tests/integration (Home Assistant's own HTTP server and
webhook, the simulator on a loopback port, reports posted back over HTTP); these fixtures
are that folder's, imported so that pytest finds them here too.
"""

from collections.abc import AsyncGenerator, Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Office, PbxSimulator, SimulatorTiming
from tests.common import FakeClock
from tests.integration.conftest import (  # noqa: F401 - fixtures, found by name
    added_entry,
    auto_enable_custom_integrations,
    fresh_resolver,
    ha_http,
    init_integration,
    mock_config_entry,
    no_deprecations,
    pbx_simulator,
    small_office,
)

from .helpers import RequestSpy

# Fast timings: a report the webhook did not take is retried 50 ms later, a reboot
# lasts 200 ms; both are slept on the event loop (moved by the freezer where one runs).
FAST = SimulatorTiming(report_retry_interval=0.05, reboot_duration=0.2)


@pytest.fixture
def office() -> Office:
    """Return the office the simulator serves (a test module may override it)."""
    return small_office()


@pytest.fixture
def timing() -> SimulatorTiming:
    """Return the simulator's timings (a test module may override them)."""
    return FAST


@pytest.fixture
async def simulator(
    socket_enabled: None, office: Office, clock: FakeClock, timing: SimulatorTiming
) -> AsyncGenerator[PbxSimulator]:
    """Run a simulated PBX on a loopback port, plain HTTP, fast timings, hand-moved clock."""
    async with pbx_simulator(office, timing=timing, clock=clock) as sim:
        yield sim


@pytest.fixture
def spy() -> Generator[RequestSpy]:
    """Count the client's requests."""
    with RequestSpy() as counting:
        yield counting


@pytest.fixture
async def loaded(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    spy: RequestSpy,
    init_integration: MockConfigEntry,  # noqa: F811 - the fixture imported above
) -> MockConfigEntry:
    """Set the entry up under the freezer (the module's options), counting requests."""
    return init_integration
