"""The event path end to end: simulated calls reach Home Assistant's real webhook."""

from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PbxSimulator

from .conftest import settle, state

RECEPTION = "sensor.reception_1000_status"
SALES = "sensor.sales_1001_status"
RECEPTION_CALLS = "event.reception_1000_call"


@pytest.fixture
def call_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Collect what the reception's call event entity fires."""
    fired: list[dict[str, Any]] = []

    @callback
    def collect(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == RECEPTION_CALLS and (
            new := event.data["new_state"]
        ):
            fired.append(dict(new.attributes))

    hass.bus.async_listen("state_changed", collect)
    return fired


async def test_inbound_call_answered(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """Ringing, busy, on hold, idle: each step shows at once, and the call events fire."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "ringing"

    await simulator.answer(call_id, "1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "busy"

    await simulator.hold(call_id, "1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "on_hold"
    await simulator.unhold(call_id, "1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "busy"

    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "idle"

    kinds = [event["event_type"] for event in call_events]
    assert kinds == ["ringing", "answered", "held", "resumed", "ended"]
    assert call_events[0]["call_id"] == call_id
    assert call_events[0]["direction"] == "inbound"
    assert call_events[0]["peer_number"] == "0612345678"
    assert call_events[0]["trunk"] == "SIPTrunk1"
    assert call_events[0]["did_number"] == "5551234"


async def test_missed_call(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """A call that rang and ended unanswered is reported as missed, once (not ended)."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0699999999", extension="1000"
    )
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "idle"
    assert [event["event_type"] for event in call_events] == ["ringing", "missed"]
    assert call_events[-1]["peer_number"] == "0699999999"


async def test_internal_call(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """An internal call shows on both extensions."""
    call_id = await simulator.internal_call("1000", "1001")
    await settle(hass, simulator)
    assert state(hass, SALES) == "ringing"
    assert state(hass, RECEPTION) == "busy"
    await simulator.answer(call_id, "1001")
    await settle(hass, simulator)
    assert state(hass, SALES) == "busy"
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert state(hass, SALES) == "idle"
    assert state(hass, RECEPTION) == "idle"


async def test_registration_changes(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A phone going offline is a state, not an unavailable entity."""
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "offline"
    simulator.register_extension("1002")
    await settle(hass, simulator)
    assert state(hass, "sensor.warehouse_1002_status") == "idle"


async def test_unmonitored_extension_follows_the_poll(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Without Status Monitor the PBX reports nothing; the poll still reads the state."""
    entity = "sensor.not_monitored_1003_status"
    simulator.unregister_extension("1003")
    await settle(hass, simulator)
    assert state(hass, entity) == "idle"
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, entity) == "offline"


async def test_report_touches_only_its_entities(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """One report writes the state of the extension it names, and nothing else."""
    written: list[str] = []

    @callback
    def collect(event: Event[EventStateChangedData]) -> None:
        written.append(event.data["entity_id"])

    hass.bus.async_listen("state_changed", collect)
    simulator.unregister_extension("1001")
    await settle(hass, simulator)
    assert written == [SALES]


async def test_unavailable_while_pbx_unreachable(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Entities are unavailable while the PBX cannot be reached, then fresh again."""
    coordinator = init_integration.runtime_data.coordinator
    await simulator.take_offline("refuse")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, RECEPTION) == STATE_UNAVAILABLE
    assert state(hass, "sensor.siptrunk1_status") == STATE_UNAVAILABLE

    simulator.set_trunk_status("SIPTrunk1", "Failure")
    await simulator.bring_online()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, RECEPTION) == "idle"
    assert state(hass, "sensor.siptrunk1_status") == "failure"


async def test_phone_re_registering_during_a_call_stays_busy(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A phone refreshing its registration mid-call reports Registered: still busy."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "busy"
    simulator.register_extension("1000")  # ExtensionStatus Registered, call goes on
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "busy"
    await simulator.hold(call_id, "1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "on_hold"
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "idle"
