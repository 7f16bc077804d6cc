"""Fixtures for Home Assistant tests that run the integration against the simulator.

Everything is real: the simulated PBX listens on a loopback port, the integration talks
to it over HTTP, and the simulator posts its event reports into Home Assistant's own
webhook endpoint (see ../../../shared/testing-notes.md for the harness traps).
"""

from collections.abc import AsyncGenerator, Generator
from hashlib import md5
import logging
from pathlib import Path
import re
from typing import Any
from unittest.mock import PropertyMock, patch

import aiodns
import aiohttp
from aiohttp.resolver import AsyncResolver
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    __version__ as HA_VERSION,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

# Import the project's package before Home Assistant looks for custom integrations, or
# it finds the harness's own (empty) testing_config/custom_components instead.
import custom_components.yeastar  # noqa: F401
from custom_components.yeastar.compat import async_get_entry_device
from custom_components.yeastar.const import DOMAIN
from simulator import Office, PbxSimulator, SimExtension, SimTrunk, SimulatorTiming
from tests.common import FakeClock, endpoints

SERIAL = "369451090405"
USERNAME = "haapi"
PASSWORD = "s3cret-Pass"
WEBHOOK_ID = "0123456789abcdef" * 4
TOKEN_LIFE = 1800  # seconds the PBX keeps an idle token


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the yeastar custom integration."""


# What Home Assistant logs when an integration uses an API that is going away: its
# report_usage machinery ("Detected that custom integration 'yeastar' ... This will stop
# working in ...") and its deprecation helpers ("The deprecated constant ... was used
# from yeastar").
DEPRECATION_MARKERS = re.compile(
    r"Detected that (custom )?integration|will stop working|[Dd]eprecated"
)


class DeprecationRecorder(logging.Handler):
    """Keep every log record in which Home Assistant calls this integration outdated."""

    def __init__(self) -> None:
        """Start with nothing recorded."""
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a record about yeastar that Home Assistant's deprecation machinery wrote."""
        message = record.getMessage()
        if DOMAIN in message and DEPRECATION_MARKERS.search(message):
            self.found.append(f"{record.name}: {message}")


@pytest.fixture(autouse=True)
def no_deprecations() -> Generator[DeprecationRecorder]:
    """Fail a test in which Home Assistant logs a deprecation about this integration."""
    recorder = DeprecationRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
    assert not recorder.found, "\n".join(recorder.found)


class PerReleaseSnapshots(HomeAssistantSnapshotExtension):
    """Snapshots of Home Assistant's own records (registry entries, states), by release.

    Their fields differ between Home Assistant releases, so each test stage keeps its
    own folder, ``snapshots-ha-<major>.<minor>/`` beside ``__snapshots__/`` (not in it:
    syrupy would take the other release's files there for unused ones of this one).
    Regenerate one release's with, for example,
    ``scripts/test --stage newest tests/integration --snapshot-update``.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return the folder of this Home Assistant release's snapshots."""
        release = ".".join(HA_VERSION.split(".")[:2])
        return str(Path(test_location.filepath).parent / f"snapshots-ha-{release}")


@pytest.fixture
def release_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return a snapshot kept per Home Assistant release (see PerReleaseSnapshots)."""
    return snapshot.use_extension(PerReleaseSnapshots)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable every entity, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture(autouse=True)
def fresh_resolver() -> Generator[None]:
    """Give each test's Home Assistant its own DNS resolver (c-ares, no zeroconf).

    The harness shares one resolver for the whole session; Home Assistant 2026.x closes
    it for real when the first test's instance closes, and every later name lookup then
    fails. Names matter here: the PBX may be given by host name.
    """

    def make_resolver(hass: HomeAssistant) -> AsyncResolver:
        resolver = AsyncResolver()
        resolver.real_close = resolver.close  # type: ignore[attr-defined]
        return resolver

    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver", make_resolver
    ):
        yield


UNRESOLVABLE_HOST = "pbx.example.invalid"


@pytest.fixture
def unresolvable_host() -> Generator[str]:
    """Return a host name that Home Assistant's resolver reports as not found.

    A real lookup of a missing name would ask the machine's DNS server, which tests must
    not reach: the resolver's answer for this one name is made up (c-ares' "domain name
    not found"); every other name is resolved for real.
    """
    real = aiodns.DNSResolver.getaddrinfo

    def getaddrinfo(
        self: aiodns.DNSResolver, host: str, *args: Any, **kwargs: Any
    ) -> Any:
        if host == UNRESOLVABLE_HOST:
            raise aiodns.error.DNSError(4, "Domain name not found")
        return real(self, host, *args, **kwargs)

    with patch.object(aiodns.DNSResolver, "getaddrinfo", getaddrinfo):
        yield UNRESOLVABLE_HOST


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


@pytest.fixture
def office() -> Office:
    """Return the office the simulator serves (override in a test module to change it)."""
    return small_office()


def pbx_simulator(office: Office, **kwargs: Any) -> PbxSimulator:
    """Return a simulator of the office with the test credentials, plain HTTP unless told.

    It listens on a free 127.0.0.1 port once started (``async with`` starts and stops it).
    """
    kwargs.setdefault("ssl", False)
    kwargs.setdefault("username", USERNAME)
    kwargs.setdefault("password", PASSWORD)
    return PbxSimulator(office=office, host="127.0.0.1", port=0, **kwargs)


@pytest.fixture
async def simulator(
    socket_enabled: None, office: Office, clock: FakeClock
) -> AsyncGenerator[PbxSimulator]:
    """Run a simulated PBX on a loopback port, plain HTTP, fast timings.

    Nobody answers or hangs up API calls by themselves: the tests see the phones ring.
    """
    async with pbx_simulator(
        office,
        timing=SimulatorTiming(
            report_retry_interval=0.05,
            reboot_duration=0.2,
            simulated_answer_delay=None,
            simulated_callee_answer_delay=None,
            simulated_talk_time=None,
        ),
        clock=clock,
    ) as sim:
        yield sim


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


def connection_input(
    sim: PbxSimulator, *, ssl: bool = False, password: str = PASSWORD
) -> dict[str, Any]:
    """Return what a user types to reach the simulator."""
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        CONF_SSL: ssl,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: password,
    }


def stored_entry(
    sim: PbxSimulator,
    *,
    title: str = "Yeastar S100",
    unique_id: str = SERIAL,
    options: dict[str, Any] | None = None,
    **data: Any,
) -> MockConfigEntry:
    """Return a config entry for the simulator, with some data replaced."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=unique_id,
        data=connection_input(sim) | {CONF_WEBHOOK_ID: WEBHOOK_ID} | data,
        options=options or {},
    )


@pytest.fixture
def mock_config_entry(simulator: PbxSimulator) -> MockConfigEntry:
    """Return a config entry for the simulated PBX."""
    return stored_entry(simulator)


@pytest.fixture
async def added_entry(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    mock_config_entry: MockConfigEntry,
) -> AsyncGenerator[MockConfigEntry]:
    """Add the entry for the simulator, not set up; unload it before the PBX stops."""
    mock_config_entry.add_to_hass(hass)
    yield mock_config_entry
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, added_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the integration up against the simulator."""
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    return added_entry


def logins(sim: PbxSimulator) -> int:
    """Return how many login requests the simulator received."""
    return endpoints(sim).count("login")


async def lock_out(sim: PbxSimulator) -> None:
    """Fail five logins from 127.0.0.1 so that the simulator locks that address out."""
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            async with session.post(
                f"{sim.base_url}/api/v2.0.0/login",
                json={
                    "username": USERNAME,
                    "password": md5(b"wrong", usedforsecurity=False).hexdigest(),
                },
                ssl=False,
            ) as response:
                assert (await response.json())["errno"] == "20003"


async def settle(hass: HomeAssistant, sim: PbxSimulator) -> None:
    """Deliver every report and run what it started (the refresh after ConfigChange)."""
    await sim.wait_for_reports()
    await hass.async_block_till_done(wait_background_tasks=True)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


def entry_device(
    hass: HomeAssistant, entry: MockConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """Return the entry's device with a yeastar identifier (the serial, or serial_suffix)."""
    return async_get_entry_device(
        dr.async_get(hass), (DOMAIN, identifier), entry.entry_id
    )


async def open_options(
    hass: HomeAssistant, entry: ConfigEntry[Any], step: str = "settings"
) -> ConfigFlowResult:
    """Open the options and choose one of the menu's steps; return its form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert step in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return result
