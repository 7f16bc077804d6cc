"""Fixtures for Home Assistant tests that run the integration against the simulator.

Everything is real: the simulated PBX listens on a loopback port, the integration talks
to it over HTTP, and the simulator posts its event reports into Home Assistant's own
webhook endpoint (see ../../../shared/testing-notes.md for the harness traps).
"""

from collections.abc import AsyncGenerator, Generator
from unittest.mock import PropertyMock, patch

from aiohttp.test_utils import TestClient
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

# Import the project's package before Home Assistant looks for custom integrations, or
# it finds the harness's own (empty) testing_config/custom_components instead.
import custom_components.yeastar  # noqa: F401
from custom_components.yeastar.const import DOMAIN
from simulator import Office, PbxSimulator, SimExtension, SimTrunk, SimulatorTiming

SERIAL = "369451090405"
USERNAME = "haapi"
PASSWORD = "s3cret-Pass"
WEBHOOK_ID = "0123456789abcdef" * 4
TOKEN_LIFE = 1800  # seconds the PBX keeps an idle token


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the yeastar custom integration."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable every entity, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


def small_office() -> Office:
    """Return a small office: enough variety for every state, quick to set up."""
    return Office(
        serial_number=SERIAL,
        model="Yeastar S100",
        firmware="30.13.0.30",
        hardware="V1.10 0000-0000",
        extensions=[
            SimExtension(number="1000", name="Reception", type="SIP"),
            SimExtension(number="1001", name="Sales", type="SIP"),
            SimExtension(number="1002", name="Warehouse", type="SIP", registered=False),
            SimExtension(
                number="1003", name="Not monitored", type="SIP", monitored=False
            ),
            SimExtension(number="1008", name="Fax", type="FXS", port="Port1"),
        ],
        trunks=[
            SimTrunk(name="SIPTrunk1", type="SIP", status="Registered", did="5551234"),
            SimTrunk(name="GSM1", type="GSM", status="Idle", port="Port3"),
        ],
    )


class FakeClock:
    """The simulator's clock: moves only when a test says so (token life, lock-out)."""

    def __init__(self) -> None:
        """Start at an arbitrary point."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current time in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def sim_clock() -> FakeClock:
    """Return the simulator's clock."""
    return FakeClock()


@pytest.fixture
def office() -> Office:
    """Return the office the simulator serves (override in a test module to change it)."""
    return small_office()


@pytest.fixture
async def simulator(
    socket_enabled: None, office: Office, sim_clock: FakeClock
) -> AsyncGenerator[PbxSimulator]:
    """Run a simulated PBX on a loopback port, plain HTTP, fast timings."""
    sim = PbxSimulator(
        office=office,
        host="127.0.0.1",
        port=0,
        ssl=False,
        username=USERNAME,
        password=PASSWORD,
        timing=SimulatorTiming(report_retry_interval=0.05, reboot_duration=0.2),
        clock=sim_clock,
    )
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def ha_http(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    socket_enabled: None,
) -> TestClient:
    """Serve Home Assistant's HTTP app on loopback and make it the internal URL."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    await async_process_ha_core_config(
        hass, {"internal_url": f"http://127.0.0.1:{client.server.port}"}
    )
    return client


@pytest.fixture
def mock_config_entry(simulator: PbxSimulator) -> MockConfigEntry:
    """Return a config entry for the simulated PBX."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Yeastar S100",
        unique_id=SERIAL,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    mock_config_entry: MockConfigEntry,
) -> AsyncGenerator[MockConfigEntry]:
    """Set the integration up against the simulator; unload it before the PBX stops."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    yield mock_config_entry
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
