"""The to-do platform: the PBX's missed-call list, its registry entry and state."""

from collections.abc import Generator
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import SERIAL, entry_device

TODO = "todo.yeastar_s100_missed_calls"


@pytest.fixture(autouse=True)
def only_todo() -> Generator[None]:
    """Load the to-do platform alone."""
    with patch("custom_components.yeastar.PLATFORMS", [Platform.TODO]):
        yield


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    release_snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """One list per PBX, on the PBX's device, unique id {serial}_missed_calls."""
    await snapshot_platform(
        hass, entity_registry, release_snapshot, init_integration.entry_id
    )
    registered = entity_registry.async_get(TODO)
    device = entry_device(hass, init_integration, SERIAL)
    assert registered is not None
    assert device is not None
    assert registered.unique_id == f"{SERIAL}_missed_calls"
    assert registered.device_id == device.id
