"""Extensions and trunks added or deleted on the PBX come and go without a reload."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PbxSimulator, SimExtension, SimTrunk

from .conftest import SERIAL, entry_device, settle


async def test_new_extension_appears(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A ConfigChange report for a new extension adds its device and entities."""
    simulator.add_extension(SimExtension(number="1010", name="Lab", type="SIP"))
    await settle(hass, simulator)
    device = entry_device(hass, init_integration, f"{SERIAL}_1010")
    assert device is not None
    assert device.name == "Lab (1010)"
    pbx = entry_device(hass, init_integration, SERIAL)
    assert pbx is not None
    assert device.via_device_id == pbx.id
    assert hass.states.get("sensor.lab_1010_status").state == "idle"
    assert hass.states.get("event.lab_1010_call") is not None


async def test_deleted_extension_leaves(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A deleted extension's device and entities are removed; it can come back."""
    simulator.remove_extension("1001")
    await settle(hass, simulator)
    assert entry_device(hass, init_integration, f"{SERIAL}_1001") is None
    assert entity_registry.async_get("sensor.sales_1001_status") is None

    simulator.add_extension(SimExtension(number="1001", name="Sales", type="SIP"))
    await settle(hass, simulator)
    # A second ConfigChange within the refresh debouncer's cool-down is picked up by the
    # next poll (the cool-down coalesces a burst of configuration edits).
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.sales_1001_status").state == "idle"


async def test_trunks_follow_the_poll(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Trunks added or deleted on the PBX are picked up by the next poll."""
    simulator.add_trunk(SimTrunk(name="FXO1", type="FXO", status="Idle", port="Port2"))
    simulator.remove_trunk("GSM1")
    await settle(hass, simulator)
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.fxo1_status").state == "idle"
    assert entry_device(hass, init_integration, f"{SERIAL}_trunk_GSM1") is None


async def test_report_for_unknown_extension_triggers_a_poll(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A status report about an extension not yet known makes the poll fetch it."""
    # Added on the PBX without Status Monitor's ConfigChange reaching us: only its status.
    simulator.office.add_extension(
        SimExtension(number="1020", name="Quiet", type="SIP")
    )
    simulator.unregister_extension("1020")
    await settle(hass, simulator)
    assert hass.states.get("sensor.quiet_1020_status").state == "offline"
