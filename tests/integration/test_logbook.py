"""Logbook lines in words for every call event, with the other party's name.

A real recorder (SQLite in memory) and logbook, the simulated PBX, the real webhook.
"""

from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.yeastar.const import CONF_PHONE_BOOK, DOMAIN
from simulator import PbxSimulator

from .conftest import settle

PLUMBER = "0612345678"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant (it must come first), then allow yeastar."""


@pytest.fixture
async def logbook(hass: HomeAssistant) -> None:
    """Record, and keep a logbook."""
    assert await async_setup_component(hass, "logbook", {})


async def logbook_lines(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[tuple[str, str]]:
    """Return the logbook's (name, message) of the integration's call events."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json(
        {
            "id": 1,
            "type": "logbook/get_events",
            "start_time": dt_util.start_of_local_day().isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [
        (entry["name"], entry["message"])
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]


@pytest.mark.usefixtures("logbook")
async def test_logbook_says_what_happened_with_names(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
) -> None:
    """Ringing, answered, held, resumed, ended, missed, voicemail: in words, named."""
    await async_process_ha_core_config(hass, {"country": "NL"})
    hass.config_entries.async_update_entry(
        added_entry, options={CONF_PHONE_BOOK: {PLUMBER: "Plumber"}}
    )
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()

    answered = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="+31 6 12345678", extension="1000"
    )
    await settle(hass, simulator)
    for step in ("answer", "hold", "unhold", "hangup"):
        if step == "answer":
            await simulator.answer(answered, "1000")
        elif step == "hangup":
            await simulator.hangup(answered)
        else:
            await getattr(simulator, step)(answered, "1000")
        await settle(hass, simulator)
    missed = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0699999999", extension="1001"
    )
    await settle(hass, simulator)
    await simulator.hangup(missed)
    await settle(hass, simulator)
    voicemail = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="", extension="1001"
    )
    await settle(hass, simulator)
    await simulator.to_voicemail(voicemail)
    await settle(hass, simulator)
    await simulator.hangup(voicemail)
    await settle(hass, simulator)
    outgoing = await simulator.outbound_call("1000", PLUMBER)
    await settle(hass, simulator)
    await simulator.answer(outgoing, PLUMBER)
    await settle(hass, simulator)
    await simulator.hangup(outgoing)
    await settle(hass, simulator)

    plumber = "Plumber (+31 6 12345678)"
    assert await logbook_lines(hass, hass_ws_client) == [
        ("Reception (1000)", f"is ringing: a call from {plumber}"),
        ("Reception (1000)", f"answered a call from {plumber}"),
        ("Reception (1000)", f"put the call with {plumber} on hold"),
        ("Reception (1000)", f"took the call with {plumber} off hold"),
        ("Reception (1000)", f"ended a call with {plumber}"),
        ("Sales (1001)", "is ringing: a call from 0699999999"),
        ("Sales (1001)", "missed a call from 0699999999"),
        ("Sales (1001)", "is ringing: a call from an unknown number"),
        ("Sales (1001)", "missed a call from an unknown number, who went to voicemail"),
        ("Reception (1000)", f"is calling Plumber ({PLUMBER})"),
        ("Reception (1000)", f"is talking to Plumber ({PLUMBER})"),
        ("Reception (1000)", f"ended a call with Plumber ({PLUMBER})"),
    ]


@pytest.mark.usefixtures("logbook")
async def test_logbook_line_of_a_deleted_extension(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The line stays readable once the extension's device is gone; odd data too."""
    hass.bus.async_fire(
        "yeastar_call",
        {"device_id": "gone", "type": "missed", "extension": "1009", "peer_number": ""},
    )
    hass.bus.async_fire("yeastar_call", {"type": "exploded", "is_caller": "yes"})
    await hass.async_block_till_done()
    assert await logbook_lines(hass, hass_ws_client) == [
        ("Extension 1009", "missed a call from an unknown number"),
        ("Extension ", "ended a call with an unknown number"),
    ]


@pytest.mark.usefixtures("logbook")
async def test_logbook_line_of_a_click_to_call(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The desk phone the PBX rings for a dial is ringing, not called by an unknown number."""
    await hass.services.async_call(
        DOMAIN,
        "dial",
        {"caller": "1000", "callee": PLUMBER},
        blocking=True,
        return_response=True,
    )
    await settle(hass, simulator)
    assert await logbook_lines(hass, hass_ws_client) == [
        ("Reception (1000)", "is ringing")
    ]
