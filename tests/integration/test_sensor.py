"""The sensor platform: extension, trunk and last-report sensors against the simulator."""

from collections.abc import Generator
from datetime import timedelta
import json
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_registry import RegistryEntryDisabler
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from simulator import PbxSimulator

from .conftest import SERIAL, WEBHOOK_ID, entry_device, settle, state

RECEPTION = "sensor.reception_1000_status"
LAST_REPORT = "sensor.yeastar_s100_last_report"


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    """Load the sensor platform alone."""
    with patch("custom_components.yeastar.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    release_snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """Every sensor, its registry entry and state; each under its own device."""
    await snapshot_platform(
        hass, entity_registry, release_snapshot, init_integration.entry_id
    )
    devices = {
        RECEPTION: f"{SERIAL}_1000",
        "sensor.fax_1008_status": f"{SERIAL}_1008",
        "sensor.siptrunk1_status": f"{SERIAL}_trunk_SIPTrunk1",
        LAST_REPORT: SERIAL,
    }
    for entity_id, identifier in devices.items():
        registered = entity_registry.async_get(entity_id)
        device = entry_device(hass, init_integration, identifier)
        assert registered is not None
        assert device is not None
        assert registered.device_id == device.id


@pytest.mark.usefixtures("init_integration")
async def test_initial_states(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """Every extension and trunk has its sensor with the PBX's state."""
    assert state(hass, RECEPTION) == "idle"
    assert state(hass, "sensor.warehouse_1002_status") == "offline"
    assert state(hass, "sensor.fax_1008_status") == "idle"
    assert state(hass, "sensor.siptrunk1_status") == "registered"
    assert state(hass, "sensor.gsm1_status") == "idle"
    entry = entity_registry.async_get(RECEPTION)
    assert entry is not None
    assert entry.unique_id == f"{SERIAL}_1000_status"
    assert entry.translation_key == "status"
    trunk = entity_registry.async_get("sensor.siptrunk1_status")
    assert trunk is not None
    assert trunk.unique_id == f"{SERIAL}_trunk_SIPTrunk1_status"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Ringing", "ringing"),
        ("Busy", "busy"),
        ("Registered", "idle"),
        ("Idle", "idle"),
        ("Unregistered", "offline"),
        ("UNREGISTERED", "offline"),
        ("Dancing", "unknown"),
    ],
)
async def test_extension_status_words(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    word: str,
    expected: str,
) -> None:
    """Each word of an ExtensionStatus report becomes its state (case ignored)."""
    body = {
        "event": "ExtensionStatus",
        "extension": "1000",
        "status": word,
        "sn": SERIAL,
    }
    response = await ha_http.post(
        f"/api/webhook/{WEBHOOK_ID}", data=json.dumps(body).encode()
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert state(hass, RECEPTION) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Failure", "failure"),
        ("Registering", "registering"),
        ("Power Off", "power_off"),
        ("No SIM", "no_sim"),
        ("Something new", "unknown"),
    ],
)
async def test_trunk_status_words(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    word: str,
    expected: str,
) -> None:
    """Each trunk status word, read by the poll, becomes its state in lower snake case."""
    simulator.set_trunk_status("SIPTrunk1", word)
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, "sensor.siptrunk1_status") == expected


async def test_last_report_is_a_disabled_diagnostic(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """The last-report sensor exists, disabled by default (it is for troubleshooting)."""
    entry = entity_registry.async_get(LAST_REPORT)
    assert entry is not None
    assert entry.unique_id == f"{SERIAL}_last_report"
    assert entry.disabled_by is RegistryEntryDisabler.INTEGRATION
    assert entry.entity_category == "diagnostic"
    assert hass.states.get(LAST_REPORT) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_last_report_is_throttled(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Enabled, it shows the time of the last report, written at most once a minute."""
    writes: list[str] = []

    @callback
    def collect(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == LAST_REPORT and (new := event.data["new_state"]):
            writes.append(new.state)

    hass.bus.async_listen("state_changed", collect)
    for _ in range(3):
        simulator.unregister_extension("1001")
        simulator.register_extension("1001")
    await settle(hass, simulator)
    assert len(writes) == 1
    freezer.tick(timedelta(seconds=61))
    simulator.unregister_extension("1001")
    await settle(hass, simulator)
    assert len(writes) == 2
    assert writes[0] != writes[1]
