"""Calls people can see: names, the missed-call list, missed calls today, the last call.

Against the simulated PBX over loopback HTTP, the reports through the real webhook. The
PBX and Home Assistant share a time zone here (UTC), as the integration assumes.
"""

from datetime import datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.yeastar.call_events import EVENT_CALL
from custom_components.yeastar.const import CONF_PHONE_BOOK, DOMAIN
from custom_components.yeastar.pbx import YeastarApiError, parse_report
from custom_components.yeastar.pbx.client import YeastarClient
from simulator import PbxSimulator, SimContact
from tests.common import endpoints

from .conftest import settle, state

TODO = "todo.yeastar_s100_missed_calls"
RECEPTION_MISSED = "sensor.reception_1000_missed_calls_today"
RECEPTION_LAST = "sensor.reception_1000_last_call"
SALES_MISSED = "sensor.sales_1001_missed_calls_today"
SALES_LAST = "sensor.sales_1001_last_call"
RECEPTION_CALLS = "event.reception_1000_call"
PLUMBER = "0612345678"


@pytest.fixture(autouse=True)
async def dutch_office_in_utc(hass: HomeAssistant) -> None:
    """Home Assistant in the PBX's time zone (UTC), in the Netherlands (+31)."""
    await async_process_ha_core_config(hass, {"time_zone": "UTC", "country": "NL"})


async def items(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the missed-call list's items."""
    response = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": TODO},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    found: list[dict[str, Any]] = response[TODO]["items"]  # type: ignore[index]
    return found


async def missed_call(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    caller: str = PLUMBER,
    extension: str | list[str] = "1000",
    **kwargs: Any,
) -> str:
    """Ring extensions from outside; the caller gives up; return the call id."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=caller, extension=extension, **kwargs
    )
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    return call_id


@pytest.fixture
def call_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Collect the yeastar_call bus events."""
    fired: list[dict[str, Any]] = []

    @callback
    def collect(event: Event) -> None:
        fired.append(dict(event.data))

    hass.bus.async_listen(EVENT_CALL, collect)
    return fired


# ------------------------------------------------------------ the missed-call list


async def test_missed_call_is_listed_counted_and_last(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """A missed call: one item, one missed call today, the last call, one event."""
    assert await items(hass) == []
    assert state(hass, RECEPTION_MISSED) == "0"
    assert state(hass, RECEPTION_LAST) == "unknown"

    call_id = await missed_call(hass, simulator)

    (item,) = await items(hass)
    assert item["uid"] == call_id
    assert item["summary"] == PLUMBER
    assert item["status"] == "needs_action"
    (record,) = simulator.cdrs
    when = datetime.strptime(record["timestart"], "%Y-%m-%d %H:%M:%S")
    assert item["description"] == (f"{when:%Y-%m-%d %H:%M}, called Reception (1000)")
    assert state(hass, TODO) == "1"
    assert state(hass, RECEPTION_MISSED) == "1"
    assert state(hass, SALES_MISSED) == "0"

    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert datetime.fromisoformat(last.state) == when.replace(
        tzinfo=datetime.fromisoformat(last.state).tzinfo
    )
    assert {
        key: last.attributes[key]
        for key in ("number", "name", "direction", "duration", "outcome")
    } == {
        "number": PLUMBER,
        "name": None,
        "direction": "inbound",
        "duration": 0,
        "outcome": "missed",
    }
    assert [(e["type"], e["extension"]) for e in call_events] == [
        ("ringing", "1000"),
        ("missed", "1000"),
    ]


async def test_ticking_off_removes_the_item(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """The user ticks a call off, or deletes it: it leaves the list; nothing else can."""
    first = await missed_call(hass, simulator, "0611111111")
    second = await missed_call(hass, simulator, "0622222222")
    assert [item["uid"] for item in await items(hass)] == [second, first]

    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": TODO, "item": first, "status": "completed"},
        blocking=True,
    )
    assert [item["uid"] for item in await items(hass)] == [second]

    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            "todo",
            "update_item",
            {"entity_id": TODO, "item": second, "rename": "Someone else"},
            blocking=True,
        )
    assert refused.value.translation_key == "missed_call_read_only"

    await hass.services.async_call(
        "todo", "remove_item", {"entity_id": TODO, "item": [second]}, blocking=True
    )
    assert await items(hass) == []
    assert state(hass, TODO) == "0"
    # What was missed today stays counted.
    assert state(hass, RECEPTION_MISSED) == "2"


@pytest.mark.parametrize(
    ("action", "data", "refused_by"),
    [
        # Home Assistant (its to-do component) refuses what the list does not support and
        # items it does not have, before the integration is asked.
        ("add_item", {"item": "Call the plumber"}, "homeassistant"),
        ("update_item", {"item": "no-such-call", "status": "completed"}, "todo"),
        ("update_item", {"item": "x" * 10_000, "status": "completed"}, "todo"),
        ("remove_item", {"item": ["no-such-call"]}, "todo"),
        ("update_item", {"item": "CALL", "description": "<script>"}, "todo"),
        ("update_item", {"item": "CALL", "rename": "\ud800" * 3}, DOMAIN),
        ("update_item", {"item": "CALL", "status": "needs_action"}, DOMAIN),
    ],
)
async def test_hostile_list_actions_are_refused_cleanly(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
    refused_by: str,
) -> None:
    """What the list cannot do is refused in words; the list and the log stay clean."""
    call_id = await missed_call(hass, simulator)
    if data["item"] == "CALL":
        data = data | {"item": call_id}
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            "todo", action, {"entity_id": TODO, **data}, blocking=True
        )
    assert refused.value.translation_domain == refused_by
    if refused_by == DOMAIN:
        assert refused.value.translation_key == "missed_call_read_only"
    assert [item["uid"] for item in await items(hass)] == [call_id]
    assert [
        record for record in caplog.records if record.levelno >= logging.WARNING
    ] == []


async def test_calling_back_ticks_the_item_off(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """An answered call between the same parties completes the item, either way round."""
    await missed_call(hass, simulator, PLUMBER)
    await missed_call(hass, simulator, "0633333333")

    # Reception calls the plumber back, in the international form, and is answered.
    call_id = await simulator.outbound_call("1000", "+31612345678")
    await settle(hass, simulator)
    await simulator.answer(call_id, "+31612345678")
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert [item["summary"] for item in await items(hass)] == ["0633333333"]

    # The other caller calls again and Reception answers this time.
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0633333333", extension="1000"
    )
    await settle(hass, simulator)
    await simulator.answer(call_id, "1000")
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert await items(hass) == []

    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["outcome"] == "answered"
    assert last.attributes["direction"] == "inbound"


async def test_a_call_not_answered_by_the_other_side_is_not_missed(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Reception calls out and nobody answers: no item; its last call says so."""
    call_id = await simulator.outbound_call("1000", PLUMBER)
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert await items(hass) == []
    assert state(hass, RECEPTION_MISSED) == "0"
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["direction"] == "outbound"
    assert last.attributes["outcome"] == "not_answered"
    assert last.attributes["number"] == PLUMBER


async def test_internal_missed_call(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A colleague's unanswered call is on the list too, with the colleague's name."""
    call_id = await simulator.internal_call("1000", "1001")
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    (item,) = await items(hass)
    assert item["summary"] == "Reception (1000)"
    assert item["description"].endswith("called Sales (1001)")
    assert state(hass, SALES_MISSED) == "1"
    assert state(hass, RECEPTION_MISSED) == "0"
    sales = hass.states.get(SALES_LAST)
    reception = hass.states.get(RECEPTION_LAST)
    assert sales is not None
    assert reception is not None
    assert sales.attributes["direction"] == "internal"
    assert sales.attributes["outcome"] == "missed"
    assert (sales.attributes["number"], sales.attributes["name"]) == (
        "1000",
        "Reception",
    )
    assert reception.attributes["outcome"] == "not_answered"


async def test_ring_group_missed_by_everyone(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """Nobody in the ring group answered: one item naming the group and who rang."""
    await missed_call(hass, simulator, PLUMBER, ["1000", "1001"], group="6300")
    (item,) = await items(hass)
    assert item["description"].endswith(
        "called 6300, rang Reception (1000), Sales (1001)"
    )
    assert state(hass, RECEPTION_MISSED) == "1"
    assert state(hass, SALES_MISSED) == "1"
    assert sorted(
        (e["extension"], e["type"]) for e in call_events if e["type"] != "ringing"
    ) == [("1000", "missed"), ("1001", "missed")]


async def test_ring_group_answered_by_a_colleague(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """A colleague answered: no item, nobody missed it."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension=["1000", "1001"], group="6300"
    )
    await settle(hass, simulator)
    await simulator.answer(call_id, "1001")
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert await items(hass) == []
    assert state(hass, RECEPTION_MISSED) == "0"
    assert state(hass, SALES_MISSED) == "0"
    outcomes = {
        e["extension"]: e["type"]
        for e in call_events
        if e["type"] in ("ended", "missed", "voicemail")
    }
    assert outcomes == {"1000": "ended", "1001": "ended"}
    sales = hass.states.get(SALES_LAST)
    assert sales is not None
    assert sales.attributes["outcome"] == "answered"


async def test_voicemail_is_an_outcome_of_its_own(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """Sent to voicemail: the voicemail event (not missed, not ended), and it shows."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1000"
    )
    await settle(hass, simulator)
    await simulator.to_voicemail(call_id)
    await settle(hass, simulator)
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    assert [e["type"] for e in call_events] == ["ringing", "voicemail"]
    (item,) = await items(hass)
    assert item["description"].endswith("called Reception (1000); went to voicemail")
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["outcome"] == "voicemail"
    assert state(hass, RECEPTION_MISSED) == "1"


# --------------------------------------------------------------------------- names


async def test_names_from_contacts_extensions_and_the_phone_book(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
    call_events: list[dict[str, Any]],
) -> None:
    """The PBX's contacts name callers in any number form; the phone book wins."""
    simulator.add_contact(
        SimContact(firstname="Piet", lastname="de Loodgieter", mobile="+31 6 1234 5678")
    )
    simulator.add_contact(SimContact(company="Bakery", businessnum="020-555 0101"))
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()

    await missed_call(hass, simulator, "0612345678")
    await missed_call(hass, simulator, "0031205550101")
    assert [item["summary"] for item in await items(hass)] == [
        "Bakery (0031205550101)",
        "Piet de Loodgieter (0612345678)",
    ]
    assert call_events[0]["peer_name"] == "Piet de Loodgieter"
    fired = hass.states.get(RECEPTION_CALLS)
    assert fired is not None
    assert fired.attributes["peer_name"] == "Bakery"
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["name"] == "Bakery"

    hass.config_entries.async_update_entry(
        added_entry, options={CONF_PHONE_BOOK: {"+31 20 555 01 01": "Our baker"}}
    )
    await hass.async_block_till_done()
    assert [item["summary"] for item in await items(hass)] == [
        "Our baker (0031205550101)",
        "Piet de Loodgieter (0612345678)",
    ]
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["name"] == "Our baker"


async def test_contacts_follow_the_poll(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A contact added on the PBX names its number from the next poll on."""
    await missed_call(hass, simulator)
    simulator.add_contact(SimContact(firstname="Plumber", mobile=PLUMBER))
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    (item,) = await items(hass)
    assert item["summary"] == f"Plumber ({PLUMBER})"


# ----------------------------------------------------------- nothing lost, stored


async def test_history_survives_a_restart(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Items, today's count and the last call are stored and read back."""
    call_id = await missed_call(hass, simulator)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert [item["uid"] for item in await items(hass)] == [call_id]
    assert state(hass, RECEPTION_MISSED) == "1"
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert last.attributes["outcome"] == "missed"


async def test_calls_missed_while_home_assistant_was_away_are_read_back(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Calls that ended while the entry was unloaded come from the CDR download."""
    kept = await missed_call(hass, simulator)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    # While Home Assistant is away: one missed call, one answered one.
    away = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0644444444", extension="1001"
    )
    await simulator.hangup(away)
    answered = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0655555555", extension="1000"
    )
    await simulator.answer(answered, "1000")
    await simulator.hangup(answered)

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert sorted(item["uid"] for item in await items(hass)) == sorted([kept, away])
    # The call recorded live is not counted twice although it is downloaded again.
    assert state(hass, RECEPTION_MISSED) == "1"
    assert state(hass, SALES_MISSED) == "1"
    reception = hass.states.get(RECEPTION_LAST)
    assert reception is not None
    assert reception.attributes["number"] == "0655555555"
    assert reception.attributes["outcome"] == "answered"


async def test_missed_today_is_home_assistants_today_whatever_the_pbx_date(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """A PBX whose clock is already (or still) on another date counts on today's."""
    hour = dt_util.now().hour
    # An offset from Home Assistant's zone that puts the PBX's clock on another date.
    offset = -(hour + 1) if hour < 12 else 24 - hour
    local_offset = dt_util.now().utcoffset() or timedelta(0)
    simulator.office.utc_offset = offset + local_offset.total_seconds() / 3600
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    await missed_call(hass, simulator)
    assert simulator.office.local_now().date() != dt_util.now().date()
    assert state(hass, RECEPTION_MISSED) == "1"


async def test_a_refused_download_is_tried_again_at_the_next_poll(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The PBX refuses the CDR download once (busy after a restart): nothing is lost."""
    await missed_call(hass, simulator)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    away = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0644444444", extension="1001"
    )
    await simulator.hangup(away)

    download = YeastarClient.cdr_records
    refusals = 2  # at set-up, then at the first poll

    async def refused_twice(client: YeastarClient, *args: Any, **kwargs: Any) -> Any:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise YeastarApiError("10002", "cdr/get_random")
        return await download(client, *args, **kwargs)

    with patch.object(YeastarClient, "cdr_records", refused_twice):
        assert await hass.config_entries.async_setup(init_integration.entry_id)
        await hass.async_block_till_done()
        assert away not in {item["uid"] for item in await items(hass)}
        coordinator = init_integration.runtime_data.coordinator
        await coordinator.async_refresh()  # refused again: said once only
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert away in {item["uid"] for item in await items(hass)}
    warnings = [r for r in caplog.records if "did not give the records" in r.message]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


async def test_the_pbx_clock_in_another_time_zone(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """The PBX writes its local time; its zone comes from the system time's label."""
    simulator.office.utc_offset = 9.5  # "UTC+9:30"; Home Assistant is elsewhere
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    await missed_call(hass, simulator)
    last = hass.states.get(RECEPTION_LAST)
    assert last is not None
    assert abs(dt_util.parse_datetime(last.state) - dt_util.utcnow()) < timedelta(
        minutes=1
    )

    assert await hass.config_entries.async_unload(added_entry.entry_id)
    away = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0644444444", extension="1001"
    )
    await simulator.hangup(away)
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert away in {item["uid"] for item in await items(hass)}


async def test_first_set_up_reads_no_old_calls(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """The history starts when the PBX is first set up: older calls are not read."""
    simulator.add_cdr(
        {
            "callid": "old.1",
            "timestart": "2024-03-01 10:00:00",
            "callfrom": PLUMBER,
            "callto": "1000",
            "status": "NO ANSWER",
            "type": "Inbound",
        }
    )
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert await items(hass) == []
    assert "cdr/get_random" not in endpoints(simulator)


async def test_calls_ended_during_a_pbx_restart_are_read_back(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """After a re-login the records the reports never brought are downloaded."""
    now = datetime.now()
    simulator.add_cdr(
        {
            "callid": "lost.1",
            "timestart": f"{now:%Y-%m-%d %H:%M:%S}",
            "callfrom": PLUMBER,
            "callto": "1001",
            "status": "NO ANSWER",
            "type": "Inbound",
        }
    )
    await simulator.reboot()
    await simulator.wait_online()
    await init_integration.runtime_data.coordinator.async_refresh()
    await settle(hass, simulator)
    (item,) = await items(hass)
    assert item["uid"] == "lost.1"
    assert state(hass, SALES_MISSED) == "1"


async def test_a_missed_call_whose_record_never_comes(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """The PBX never sends the call's record: the next poll lists it all the same."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1000"
    )
    await settle(hass, simulator)
    runtime = init_integration.runtime_data
    # The end of the call reaches Home Assistant, its record does not.
    members = [member.wire() for member in simulator.engine.call(call_id).members]
    for member in members:
        (leg,) = member.values()
        leg["memberstatus"] = "BYE"
    runtime.backend.apply_report(
        parse_report({"event": "CallStatus", "callid": call_id, "members": members})
    )
    assert await items(hass) == []
    await runtime.coordinator.async_refresh()  # the record may still come
    await hass.async_block_till_done()
    assert await items(hass) == []
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    (item,) = await items(hass)
    assert item["uid"] == call_id
    assert item["summary"] == PLUMBER
    assert state(hass, RECEPTION_MISSED) == "1"


async def test_missed_calls_today_start_again_at_midnight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The count is of today's missed calls: 0 from local midnight on."""
    # The next local midnight: the timer was set at set-up, time only moves forward.
    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight - timedelta(minutes=1))
    await missed_call(hass, simulator)
    assert state(hass, RECEPTION_MISSED) == "1"
    freezer.move_to(midnight)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, RECEPTION_MISSED) == "0"
    assert len(await items(hass)) == 1  # the list keeps it


@pytest.mark.usefixtures("ha_http")
async def test_removing_the_entry_forgets_the_history(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulator: PbxSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The stored history goes with the entry."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await missed_call(hass, simulator)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}.calls"
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert hass_storage[key]["data"]["missed"]
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED


async def test_history_entities_stay_while_the_pbx_is_away(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """The list and the counts are kept by Home Assistant: still shown in an outage."""
    await missed_call(hass, simulator)
    await simulator.take_offline("refuse")
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, "sensor.reception_1000_status") == "unavailable"
    assert state(hass, TODO) == "1"
    assert state(hass, RECEPTION_MISSED) == "1"
    assert state(hass, RECEPTION_LAST) != "unavailable"
    await simulator.bring_online()
