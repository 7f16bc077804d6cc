"""Device triggers for the call events: offered on extensions, running automations."""

from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)

from custom_components.yeastar.const import DOMAIN
from custom_components.yeastar.pbx import ActivityKind
from simulator import PbxSimulator

from .conftest import SERIAL, entry_device, settle

PLUMBER = "0612345678"


async def test_extensions_offer_a_trigger_per_call_event(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each extension's device has the call triggers; the PBX and trunks have none."""
    reception = entry_device(hass, init_integration, f"{SERIAL}_1000")
    assert reception is not None
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, reception.id
    )
    ours = sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)
    assert ours == sorted(kind.value for kind in ActivityKind)
    for device in (
        entry_device(hass, init_integration, SERIAL),
        entry_device(hass, init_integration, f"{SERIAL}_trunk_SIPTrunk1"),
    ):
        assert device is not None
        triggers = await async_get_device_automations(
            hass, DeviceAutomationType.TRIGGER, device.id
        )
        assert [t for t in triggers if t["domain"] == DOMAIN] == []
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={("other", "x")}
    )
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, other.id
    )
    assert [t for t in triggers if t["domain"] == DOMAIN] == []


async def test_device_trigger_runs_an_automation_on_a_missed_call(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """An automation on "Reception misses a call" runs once per missed call, not else."""
    reception = entry_device(hass, init_integration, f"{SERIAL}_1000")
    assert reception is not None
    ran: list[dict[str, Any]] = []

    @callback
    def record(call: ServiceCall) -> None:
        ran.append(dict(call.data))

    hass.services.async_register("test", "record", record)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": reception.id,
                    "type": "missed",
                },
                "actions": {
                    "action": "test.record",
                    "data": {
                        "caller": "{{ trigger.event.data.peer_number }}",
                        "extension": "{{ trigger.event.data.extension }}",
                    },
                },
            }
        },
    )
    answered = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0611111111", extension="1000"
    )
    await settle(hass, simulator)
    await simulator.answer(answered, "1000")
    await simulator.hangup(answered)
    missed_by_sales = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0622222222", extension="1001"
    )
    await simulator.hangup(missed_by_sales)
    missed = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1000"
    )
    await settle(hass, simulator)
    await simulator.hangup(missed)
    await settle(hass, simulator)
    assert ran == [{"caller": PLUMBER, "extension": 1000}]  # templates give numbers


async def test_a_trigger_of_an_unknown_type_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An automation with a type that is not a call event does not load."""
    reception = entry_device(hass, init_integration, f"{SERIAL}_1000")
    assert reception is not None
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "broken",
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": reception.id,
                    "type": "exploded",
                },
                "actions": {"action": "test.record"},
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.broken").state == "unavailable"
