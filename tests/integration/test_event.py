"""The event platform: each extension's call event entity."""

from collections.abc import Generator
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from simulator import PbxSimulator

from .conftest import SERIAL, entry_device, settle, state

RECEPTION_CALLS = "event.reception_1000_call"


@pytest.fixture(autouse=True)
def only_events() -> Generator[None]:
    """Load the event platform alone."""
    with patch("custom_components.yeastar.PLATFORMS", [Platform.EVENT]):
        yield


async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    release_snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """Every call event entity, its registry entry and state, under its extension."""
    await snapshot_platform(
        hass, entity_registry, release_snapshot, init_integration.entry_id
    )
    registered = entity_registry.async_get(RECEPTION_CALLS)
    device = entry_device(hass, init_integration, f"{SERIAL}_1000")
    assert registered is not None
    assert device is not None
    assert registered.device_id == device.id
    assert registered.unique_id == f"{SERIAL}_1000_call"


async def test_event_carries_the_call(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A call's step fires its event type with the call's details as attributes."""
    await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await settle(hass, simulator)
    fired = hass.states.get(RECEPTION_CALLS)
    assert fired is not None
    assert fired.attributes["event_type"] == "ringing"
    assert fired.attributes["direction"] == "inbound"
    assert fired.attributes["peer_number"] == "0612345678"
    assert fired.attributes["trunk"] == "SIPTrunk1"
    assert fired.attributes["did_number"] == "5551234"
    assert state(hass, RECEPTION_CALLS) != "unknown"
