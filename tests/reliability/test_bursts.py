"""Bursts of 1,000 state changes: through the simulator, and posted straight to the webhook.

After each burst every extension's state in Home Assistant is the PBX's, every report was
accepted (none dropped as unreadable, a resend or a stranger's), and each report wrote
only the states of the extensions it names.
"""

from collections import Counter
import random
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Office, PbxSimulator
from simulator.calls import State

from .helpers import (
    Poster,
    StateWrites,
    big_office,
    extension_report,
    figure,
    mismatches,
    status_entity,
)

BURST = 1000
WIDE = 50  # extensions of the spread bursts


@pytest.fixture
def office() -> Office:
    """Serve an office of fifty extensions."""
    return big_office(WIDE)


def counters(entry: MockConfigEntry) -> Any:
    """Return the report path's counters."""
    return entry.runtime_data.reports.counters


def assert_all_accepted(
    entry: MockConfigEntry, accepted_before: int, sent: int
) -> None:
    """Every report sent was accepted: none unreadable, resent, foreign or refused."""
    seen = counters(entry)
    assert seen.accepted - accepted_before == sent
    assert seen.duplicates == 0
    assert seen.unparsable == 0
    assert seen.refused_senders == 0
    assert seen.other_serial == 0
    assert seen.unknown_events == 0


async def settle(hass: HomeAssistant, sim: PbxSimulator) -> None:
    """Wait until the simulator delivered every report, and Home Assistant applied them."""
    await sim.wait_for_reports(timeout=60)
    await hass.async_block_till_done()


# ------------------------------------------------------------ through the simulator


async def test_one_extension_through_the_simulator(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """1,000 registration changes of one phone: 1,000 reports, 1,000 state writes."""
    before = counters(init_integration).accepted
    first = len(simulator.reports)
    writes = StateWrites(hass)
    for index in range(BURST):
        if index % 2 == 0:
            simulator.unregister_extension("1000")
        else:
            simulator.register_extension("1000")
    await settle(hass, simulator)
    writes.stop()
    sent = simulator.reports[first:]
    assert len(sent) == BURST
    assert all(report.delivered and report.attempts == 1 for report in sent)
    assert_all_accepted(init_integration, before, BURST)
    assert mismatches(hass, simulator) == {}
    # Each report wrote the one state it changed, and nothing else.
    assert dict(writes.counts) == {status_entity(hass, "1000"): BURST}
    figure(
        "burst simulator one extension",
        reports=len(sent),
        accepted=counters(init_integration).accepted - before,
        state_writes=writes.total,
        writes_per_report=round(writes.total / len(sent), 3),
    )


async def test_fifty_extensions_through_the_simulator(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """1,000 reports over 50 extensions: registrations and calls (ring, answer, hold, end).

    Some calls are still going at the end: ringing, talking and held phones are compared
    with the PBX's own list too.
    """
    rng = random.Random(20261201)
    numbers = [extension.number for extension in simulator.office.extensions]
    before = counters(init_integration).accepted
    first = len(simulator.reports)
    writes = StateWrites(hass)
    calls: list[str] = []
    operations: Counter[str] = Counter()
    while len(simulator.reports) - first < BURST - 20:
        busy = {
            member.number
            for call in simulator.calls.values()
            for member in call.ext_members()
        }
        free = [number for number in numbers if number not in busy]
        registered = [n for n in free if simulator.office.extension(n).registered]  # type: ignore[union-attr]
        choice = rng.random()
        if choice < 0.45 or len(registered) < 2:
            number = rng.choice(free)
            if simulator.office.extension(number).registered:  # type: ignore[union-attr]
                simulator.unregister_extension(number)
            else:
                simulator.register_extension(number)
            operations["registration"] += 1
        elif choice < 0.6 or not calls:
            caller, callee = rng.sample(registered, 2)
            calls.append(await simulator.internal_call(caller, callee))
            operations["call"] += 1
        else:
            call_id = rng.choice(calls)
            call = simulator.calls[call_id]
            ringing = [m for m in call.ext_members() if m.state is State.RING]
            if ringing:
                await simulator.answer(call_id, ringing[0].number)
                operations["answer"] += 1
            elif rng.random() < 0.3 and not any(
                m.state is State.HOLD for m in call.ext_members()
            ):
                await simulator.hold(call_id, call.ext_members()[-1].number)
                operations["hold"] += 1
            else:
                await simulator.hangup(call_id)
                calls.remove(call_id)
                operations["hangup"] += 1
    # End with a phone ringing, two talking and one held (and one more caller waiting).
    idle = [
        number
        for number in numbers
        if simulator.office.extension(number).registered  # type: ignore[union-attr]
        and not simulator.engine.activity(number)
    ]
    ringing_call = await simulator.internal_call(idle[0], idle[1])
    talking_call = await simulator.internal_call(idle[2], idle[3])
    await simulator.answer(talking_call, idle[3])
    held_call = await simulator.internal_call(idle[4], idle[5])
    await simulator.answer(held_call, idle[5])
    await simulator.hold(held_call, idle[5])
    while len(simulator.reports) - first < BURST:
        simulator.unregister_extension(idle[6])
        simulator.register_extension(idle[6])
    await settle(hass, simulator)
    writes.stop()
    sent = simulator.reports[first:]
    assert all(report.delivered for report in sent)
    assert_all_accepted(init_integration, before, len(sent))
    assert mismatches(hass, simulator) == {}
    # A report writes at most the states of the extensions it names: an ExtensionStatus
    # the status sensor, a call report the status sensor and call event of each member.
    assert writes.total <= sum(named_states(report.event) for report in sent)
    assert {ringing_call, talking_call, held_call} <= simulator.calls.keys()
    assert {hass.states.get(status_entity(hass, n)).state for n in idle[:6]} == {  # type: ignore[union-attr]
        "ringing",
        "busy",
        "on_hold",
    }
    figure(
        "burst simulator fifty extensions",
        reports=len(sent),
        operations=dict(operations),
        calls_going=len(simulator.calls),
        state_writes=writes.total,
        writes_per_report=round(writes.total / len(sent), 3),
    )


def named_states(report: dict[str, Any]) -> int:
    """Return how many states a report may write: two per extension it names (one for a
    status report: the sensor)."""
    if report["event"] == "ExtensionStatus":
        return 1
    if report["event"] == "CallStatus":
        numbers = {
            member["ext"]["number"] for member in report["members"] if "ext" in member
        }
        return 2 * len(numbers)
    if report["event"] == "NewCdr":
        return 2 * len({report["callfrom"], report["callto"]})
    return 0


# ------------------------------------------------------------- straight to the webhook


def one_extension_bodies(*, concurrent: bool) -> list[dict[str, Any]]:
    """Return 1,000 reports of extension 1000; the last one(s) say it is registered.

    In order they alternate offline / registered. Posted 20 at a time they arrive in any
    order within a batch, so each is made unique (a registration address) and the last
    batch says "Registered" throughout: the outcome does not depend on the order.
    """
    if not concurrent:
        return [
            extension_report("1000", "Registered" if index % 2 else "Unregistered")
            for index in range(BURST)
        ]
    words = ["Unregistered", "Registered", "Ringing", "Busy"]
    return [
        extension_report(
            "1000",
            "Registered" if index >= BURST - 20 else words[index % len(words)],
            registeredIP=f"127.0.{index // 250}.{index % 250 + 1}",
        )
        for index in range(BURST)
    ]


def fifty_extension_bodies() -> list[dict[str, Any]]:
    """Return 1,000 reports, round robin over 50 extensions, 20 each, ending registered.

    Any 40 consecutive reports name 40 different extensions: posted 20 at a time (batch
    after batch), each extension's reports still arrive in order.
    """
    return [
        extension_report(
            str(1000 + index % WIDE),
            "Registered" if (index // WIDE) % 2 else "Unregistered",
        )
        for index in range(BURST)
    ]


@pytest.mark.parametrize("concurrency", [1, 20], ids=["in-order", "20-at-a-time"])
@pytest.mark.parametrize("spread", ["one", "fifty"])
async def test_posted_to_the_webhook(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    spread: str,
    concurrency: int,
) -> None:
    """1,000 reports posted from the PBX's address: every one taken, states the PBX's."""
    bodies = (
        one_extension_bodies(concurrent=concurrency > 1)
        if spread == "one"
        else fifty_extension_bodies()
    )
    before = counters(init_integration).accepted
    writes = StateWrites(hass)
    async with Poster(ha_http.server.port) as poster:
        statuses = await poster.post_all(bodies, concurrency=concurrency)
    await hass.async_block_till_done()
    writes.stop()
    assert statuses == [200] * BURST
    assert_all_accepted(init_integration, before, BURST)
    assert mismatches(hass, simulator) == {}
    named = {status_entity(hass, body["extension"]) for body in bodies}
    assert set(writes.counts) <= named  # only the extensions the reports name
    assert writes.total <= BURST
    if concurrency == 1:  # in order, every report changes its extension's state
        assert writes.total == BURST
    figure(
        f"burst webhook {spread} extension(s) {concurrency} at a time",
        reports=BURST,
        accepted=counters(init_integration).accepted - before,
        state_writes=writes.total,
        writes_per_report=round(writes.total / BURST, 3),
    )
