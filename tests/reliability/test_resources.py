"""Resource bounds: floods of calls, a huge call, and 100 set-up / unload cycles.

The floods go through the report path itself (``ReportPath.async_handle``, what the
webhook's handler calls with the body it read): 10,000 posts over HTTP would take half a
minute on this machine and measure aiohttp, not the integration; the bursts and the fuzz
cover the HTTP side.
"""

from collections import Counter
import gc
import json
import random
import time
import tracemalloc
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.pbx.calls import CallTracker
from simulator import PbxSimulator
from tests.integration.conftest import SERIAL, WEBHOOK_ID

from .helpers import (
    PBX_ADDRESS,
    StateWrites,
    big_office,
    figure,
    invalid_states,
    yeastar_tasks,
    yeastar_timers,
)

FLOOD = 10_000
LEGS = 3_000
CYCLES = 100
MiB = 1024 * 1024


def tracker_of(entry: MockConfigEntry) -> CallTracker:
    """Return the entry's call tracker."""
    return entry.runtime_data.backend.tracker  # type: ignore[no-any-return]


def sizes(tracker: CallTracker) -> dict[str, int]:
    """Return what the tracker holds: calls in progress, finished ids, indexed calls."""
    return {
        "active": len(tracker._calls),
        "finished": len(tracker._finished),
        "indexed": sum(len(calls) for calls in tracker._by_extension.values()),
        "legs": sum(
            len(call.extensions) + len(call.trunks) for call in tracker._calls.values()
        ),
    }


def call_status(call_id: str, *members: dict[str, Any]) -> bytes:
    """Return a CallStatus report body."""
    return json.dumps(
        {
            "event": "CallStatus",
            "callid": call_id,
            "members": list(members),
            "sn": SERIAL,
        }
    ).encode()


def ext(number: str, status: str, channel: str) -> dict[str, Any]:
    """Return an extension member."""
    return {"ext": {"number": number, "channelid": channel, "memberstatus": status}}


def inbound(caller: str, status: str, channel: str) -> dict[str, Any]:
    """Return an inbound trunk member."""
    return {
        "inbound": {
            "from": caller,
            "to": "5551234",
            "trunkname": "SIPTrunk1",
            "channelid": channel,
            "memberstatus": status,
        }
    }


def flood_body(rng: random.Random, index: int, numbers: list[str]) -> bytes:
    """Return one report about a call with a random id: mostly a new ringing call that
    never ends, sometimes its answer, its end, or the record of a call never seen."""
    call_id = f"{rng.randrange(10**9)}.{index}"
    number = rng.choice(numbers)
    kind = rng.random()
    if kind < 0.7:
        return call_status(
            call_id,
            inbound(f"06{index:08d}", "ALERT", f"trunk-{index}"),
            ext(number, "RING", f"PJSIP/{number}-{index}"),
        )
    if kind < 0.85:
        return call_status(
            call_id,
            inbound(f"06{index:08d}", "ANSWERED", f"trunk-{index}"),
            ext(number, "ANSWER", f"PJSIP/{number}-{index}"),
        )
    if kind < 0.95:
        return json.dumps(
            {"event": "NewCdr", "callid": call_id, "status": "ANSWERED", "sn": SERIAL}
        ).encode()
    return call_status(call_id, ext(number, "BYE", f"PJSIP/{number}-{index}"))


def handle_all(reports: Any, bodies: list[bytes], answers: Counter[int]) -> float:
    """Hand every body to the report path; return the seconds it took."""
    started = time.perf_counter()
    for body in bodies:
        answers[reports.async_handle(PBX_ADDRESS, body)] += 1
    return time.perf_counter() - started


@pytest.mark.parametrize("office", [big_office(50)], ids=["fifty-extensions"])
async def test_flood_of_random_call_ids(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """10,000 reports of calls with random ids (most never end): the tracker keeps at
    most its capacity of calls and of finished ids, and once it is full memory stops
    growing.

    The calls ring 500 numbers: the office's 50 extensions and 450 it does not have (the
    tracker follows any number a report names). Each report about an extension costs
    time in proportion to the calls that extension is in (its state is derived from
    them): all 4,096 calls on the office's phones alone would take minutes here.
    """
    reports = init_integration.runtime_data.reports
    tracker = tracker_of(init_integration)
    numbers = [extension.number for extension in simulator.office.extensions] + [
        str(3000 + index) for index in range(450)
    ]
    rng = random.Random(10_000)
    bodies = [flood_body(rng, index, numbers) for index in range(FLOOD)]
    writes = StateWrites(hass)
    answers: Counter[int] = Counter()
    half = FLOOD // 2
    gc.collect()
    tracemalloc.start()
    first_thousand = handle_all(reports, bodies[:1000], answers)
    filling = handle_all(reports, bodies[1000:half], answers)
    await hass.async_block_till_done()
    gc.collect()
    at_half = sizes(tracker)
    memory_at_half, _ = tracemalloc.get_traced_memory()
    full = handle_all(reports, bodies[half:], answers)
    await hass.async_block_till_done()
    gc.collect()
    memory_at_end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    writes.stop()
    at_end = sizes(tracker)
    grown = memory_at_end - memory_at_half

    assert answers == {200: FLOOD}
    assert reports.counters.accepted == FLOOD
    # Full by half-time: 4,096 calls in progress at most, 1,024 finished ids.
    assert at_half["active"] == at_end["active"] == tracker._max_active_calls
    assert at_end["finished"] <= tracker._finished_capacity
    assert at_end["indexed"] == at_end["active"]
    # Memory held at 5,000 reports (the tracker full) and at 10,000: within 1 MiB.
    assert abs(grown) < MiB
    assert invalid_states(hass) == []
    figure(
        "resources flood of call ids",
        reports=FLOOD,
        tracker_at_5000=at_half,
        tracker_at_10000=at_end,
        memory_at_5000_kib=memory_at_half // 1024,
        memory_at_10000_kib=memory_at_end // 1024,
        peak_kib=peak // 1024,
        state_writes=writes.total,
        ms_per_report_first_1000=round(first_thousand, 3),
        ms_per_report_tracker_full=round(full / (FLOOD - half) * 1000, 3),
        seconds=round(first_thousand + filling + full, 1),
    )


async def test_three_thousand_legs_on_one_call(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """One call with 3,000 legs (a huge ring group and trunk legs), one report per new
    leg: bounded by its legs while it lasts, and nothing left once its record came."""
    reports = init_integration.runtime_data.reports
    tracker = tracker_of(init_integration)
    call_id = "1709287200.1"
    bodies = [call_status(call_id, inbound("0612345678", "ALERT", "trunk-0"))]
    for index in range(1, LEGS):
        if index % 2:
            number = str(2000 + index)
            bodies.append(call_status(call_id, ext(number, "RING", f"PJSIP/{number}")))
        else:
            bodies.append(
                call_status(call_id, inbound("0612345678", "ALERT", f"trunk-{index}"))
            )
    bodies.append(call_status(call_id, ext("1000", "RING", "PJSIP/1000-1")))
    gc.collect()
    tracemalloc.start()
    started = time.monotonic()
    for body in bodies:
        assert reports.async_handle(PBX_ADDRESS, body) == 200
    await hass.async_block_till_done()
    during = sizes(tracker)
    held, peak = tracemalloc.get_traced_memory()
    assert hass.states.get("sensor.reception_1000_status").state == "ringing"  # type: ignore[union-attr]
    cdr = {"event": "NewCdr", "callid": call_id, "status": "NO ANSWER", "sn": SERIAL}
    assert reports.async_handle(PBX_ADDRESS, json.dumps(cdr).encode()) == 200
    await hass.async_block_till_done()
    elapsed = time.monotonic() - started
    gc.collect()
    left, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = sizes(tracker)

    assert during["active"] == 1
    assert during["legs"] == LEGS + 1
    assert after == {"active": 0, "finished": 1, "indexed": 0, "legs": 0}
    assert hass.states.get("sensor.reception_1000_status").state == "idle"  # type: ignore[union-attr]
    assert held < 8 * MiB
    assert left < 256 * 1024
    figure(
        "resources 3,000 legs on one call",
        legs=during["legs"],
        held_kib=held // 1024,
        peak_kib=peak // 1024,
        left_after_kib=left // 1024,
        tracker_after=after,
        seconds=round(elapsed, 1),
    )


# -------------------------------------------------------------------------- cycles


# Home Assistant's registries save to disk a few seconds after a change: a timer and a
# final-write listener per registry with a save pending, there or not depending on when
# the cycles stop. The integration's own session store writes at once.
DELAYED_SAVE_TIMER = "Store._async_schedule_callback_delayed_write"
DELAYED_SAVE_LISTENER = "homeassistant_final_write"


def leftovers(hass: HomeAssistant) -> dict[str, Any]:
    """Return what Home Assistant holds that an entry could leave behind."""
    timers = [
        handle
        for handle in hass.loop._scheduled  # type: ignore[attr-defined]
        if not handle.cancelled()
    ]
    names = Counter(
        getattr(handle._callback, "__qualname__", repr(handle._callback))
        for handle in timers
    )
    del names[DELAYED_SAVE_TIMER]
    listeners = dict(hass.bus.async_listeners())
    listeners.pop(DELAYED_SAVE_LISTENER, None)
    return {
        "tasks": len(hass._tasks),
        "background_tasks": len(hass._background_tasks),
        "timers": names,
        "yeastar_timers": yeastar_timers(hass),
        "yeastar_tasks": yeastar_tasks(hass),
        "listeners": listeners,
        "webhooks": sorted(hass.data.get("webhook", {})),
    }


async def test_setup_unload_cycles(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
) -> None:
    """100 set-ups and unloads: afterwards no task, timer, listener, webhook or PBX
    session is left that the first unload had not left too."""
    entry_id = added_entry.entry_id

    async def cycle() -> None:
        assert await hass.config_entries.async_setup(entry_id)
        await hass.async_block_till_done()
        assert added_entry.state is ConfigEntryState.LOADED
        assert WEBHOOK_ID in hass.data["webhook"]
        assert len(simulator.tokens) == 1
        assert (
            len(yeastar_timers(hass)) == 2
        )  # the poll and the heartbeat: the check sees them
        assert await hass.config_entries.async_unload(entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert added_entry.state is ConfigEntryState.NOT_LOADED

    untouched = leftovers(hass)
    await cycle()  # the first set-up loads the platforms once and for all
    baseline = leftovers(hass)
    started = time.monotonic()
    for _ in range(CYCLES - 1):
        await cycle()
    elapsed = time.monotonic() - started
    after = leftovers(hass)

    assert WEBHOOK_ID not in hass.data["webhook"]
    assert simulator.tokens == {}
    assert added_entry.update_listeners == []
    assert after == baseline
    assert after["yeastar_timers"] == after["yeastar_tasks"] == []
    # Since before the first set-up, at most the shared HTTP client's connection cleanup
    # (Home Assistant 2025.4's aiohttp has one, 2026.x's none).
    assert after["timers"] - untouched["timers"] <= Counter({"_weakref_handle": 1})
    logins = sum(1 for record in simulator.requests if record.endpoint == "login")
    logouts = sum(1 for record in simulator.requests if record.endpoint == "logout")
    assert logins == logouts == CYCLES
    figure(
        "resources set-up/unload cycles",
        cycles=CYCLES,
        logins=logins,
        logouts=logouts,
        sessions_left=len(simulator.tokens),
        tasks_left=after["tasks"] + after["background_tasks"],
        timers_left=sum(after["timers"].values()),
        timers_at_first_unload=sum(baseline["timers"].values()),
        listeners_left=sum(after["listeners"].values()),
        seconds_per_cycle=round(elapsed / (CYCLES - 1), 3),
    )
