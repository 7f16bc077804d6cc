"""What Home Assistant asks of the PBX in steady state, at the default settings.

Two simulated hours of an office at rest and one with calls coming and going: every
request the client sends is counted (helpers.RequestSpy). The goal is at most 65 an
hour: the poll every five minutes (extensions, trunks, contacts, calls) and the
heartbeat every five minutes make 60; the PBX's identity is read only after a login.
"""

from collections import Counter

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PbxSimulator
from tests.common import FakeClock

from .helpers import RequestSpy, deliver, figure, mismatches, walk

REQUESTS_PER_HOUR = 65


async def test_requests_per_hour_at_rest(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
) -> None:
    """An office at rest: the second hour's requests, by endpoint."""
    assert not loaded.options  # the defaults
    await walk(hass, freezer, clock, simulator, spy, 60)
    start = len(spy.endpoints)
    traffic = await walk(hass, freezer, clock, simulator, spy, 60)
    hour = Counter(spy.endpoints[start:])
    figure(
        "budget requests in one hour at rest",
        requests=sum(hour.values()),
        by_endpoint=dict(hour),
        peak_per_minute=traffic.peak,
    )
    assert sum(hour.values()) <= REQUESTS_PER_HOUR
    assert hour == {
        "heartbeat": 12,
        "extension/list": 12,
        "trunk/list": 12,
        "companycontacts/query": 12,
        "extension/query_call": 12,
    }
    assert mismatches(hass, simulator) == {}


async def test_requests_per_hour_with_calls(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
) -> None:
    """Calls come and go (reports carry them): no request more than at rest."""
    start = len(spy.endpoints)
    for minute in range(60):
        call_id = await simulator.inbound_call(
            trunk="SIPTrunk1", caller=f"06{minute:08}", extension="1000"
        )
        await deliver(hass, freezer, simulator)
        if minute % 2:
            await simulator.answer(call_id, "1000")
            await deliver(hass, freezer, simulator)
        await simulator.hangup(call_id)
        await walk(hass, freezer, clock, simulator, spy, 1)
    hour = Counter(spy.endpoints[start:])
    figure(
        "budget requests in one hour with 60 calls",
        requests=sum(hour.values()),
        by_endpoint=dict(hour),
    )
    assert sum(hour.values()) <= REQUESTS_PER_HOUR
    assert "login" not in hour
    assert "deviceinfo/query" not in hour
    assert mismatches(hass, simulator) == {}
    assert len(loaded.runtime_data.office.history.missed) == 30
