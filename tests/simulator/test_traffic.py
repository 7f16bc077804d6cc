"""Traffic mode: seeded random calls that end by themselves."""

import asyncio
from dataclasses import replace

import pytest

from simulator import PbxSimulator, SimulatorTiming, TrafficProfile
from tests.common import Receiver

from .conftest import Api


@pytest.fixture
def timing(timing: SimulatorTiming) -> SimulatorTiming:
    """Calls nobody answers give up soon: a short ring timeout and voicemail message."""
    return replace(timing, ring_timeout=0.06, voicemail_message_time=0.01)


FAST = TrafficProfile(
    rate=6000.0,
    ring_time=(0.005, 0.02),
    talk_time=(0.005, 0.02),
    hold_time=(0.005, 0.01),
    missed_ratio=0.3,
    hold_ratio=0.3,
    ring_group_ratio=0.3,
    max_concurrent=1,
)


async def test_bounded_seeded_run_places_calls_and_stops(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    generator = sim.start_traffic(seed=7, max_calls=16, profile=FAST)
    assert sim.traffic_running
    with pytest.raises(RuntimeError, match="already running"):
        sim.start_traffic()
    await sim.wait_for_traffic(timeout=10)
    assert not sim.traffic_running
    assert sim.calls == {}
    assert all(sim.engine.activity(ext.number) is None for ext in sim.office.extensions)
    await sim.wait_for_reports()
    cdrs = receiver.events("NewCdr")
    assert [cdr["callid"] for cdr in cdrs] == generator.log.callids
    assert len(cdrs) == 16
    assert {cdr["type"] for cdr in cdrs} == {"Inbound", "Outbound", "Internal"}
    assert {"ANSWERED", "NO ANSWER"} <= {cdr["status"] for cdr in cdrs}
    states = {
        m["ext"]["memberstatus"]
        for e in receiver.events("CallStatus")
        for m in e["members"]
        if "ext" in m
    }
    assert "HOLD" in states


async def test_same_seed_same_calls(sim_factory) -> None:
    plans = []
    for _ in range(2):
        async with sim_factory(ssl=False, office=None) as pbx:
            generator = pbx.start_traffic(seed=42, max_calls=8, profile=FAST)
            await pbx.wait_for_traffic(timeout=10)
            plans.append(generator.log.planned)
    assert plans[0] == plans[1]
    assert len(plans[0]) == 8


async def test_stop_traffic_hangs_up_running_calls(sim: PbxSimulator) -> None:
    slow = TrafficProfile(
        rate=6000.0,
        ring_time=(0.01, 0.01),
        talk_time=(60.0, 60.0),
        missed_ratio=0.0,
        hold_ratio=0.0,
        max_concurrent=2,
    )
    sim.start_traffic(seed=1, profile=slow)
    async with asyncio.timeout(5):
        while not any(call.phase == "up" for call in sim.calls.values()):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await sim.stop_traffic()
    assert not sim.traffic_running
    assert sim.calls == {}


async def test_no_calls_while_rebooting(sim: PbxSimulator) -> None:
    await sim.reboot()
    generator = sim.start_traffic(rate=6000.0, seed=5, profile=FAST)
    await asyncio.sleep(0.05)
    assert generator.log.planned == []
    await sim.stop_traffic()
    await sim.wait_online(timeout=2)


async def test_traffic_tolerates_calls_ended_by_others(sim: PbxSimulator) -> None:
    profile = TrafficProfile(
        rate=6000.0,
        ring_time=(0.05, 0.05),
        talk_time=(0.05, 0.05),
        max_concurrent=1,
        max_calls=3,
        mix=(1.0, 0.0, 0.0),
    )
    generator = sim.start_traffic(seed=9, profile=profile)
    async with asyncio.timeout(5):
        while len(generator.log.callids) < 3:
            for callid in list(sim.calls):
                await sim.hangup(callid)
            await asyncio.sleep(0.005)
    await sim.wait_for_traffic(timeout=5)
    assert sim.calls == {}


async def test_quiet_office_places_nothing(sim: PbxSimulator) -> None:
    for ext in sim.office.extensions:
        ext.settings["dnd"] = "on"
    generator = sim.start_traffic(seed=2, profile=FAST)
    await asyncio.sleep(0.05)
    await sim.stop_traffic()
    assert generator.log.planned == []


async def test_calls_nobody_answers_go_to_voicemail_or_are_missed(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    profile = replace(
        FAST,
        missed_ratio=0.0,
        unanswered_ratio=1.0,
        ring_group_ratio=0.0,
        mix=(0.5, 0.0, 0.5),
        max_concurrent=3,
    )
    generator = sim.start_traffic(seed=3, max_calls=10, profile=profile)
    await sim.wait_for_traffic(timeout=10)
    await sim.wait_for_reports()
    cdrs = receiver.events("NewCdr")
    assert [cdr["callid"] for cdr in cdrs] == generator.log.callids
    assert {cdr["status"] for cdr in cdrs} == {"VOICEMAIL", "NO ANSWER"}
    for cdr in cdrs:
        extension = sim.office.extension(cdr["callto"])
        assert extension is not None
        assert (cdr["status"] == "VOICEMAIL") is extension.has_voicemail


async def test_without_voicemail_messages_every_call_is_played(
    sim_factory, timing: SimulatorTiming, receiver: Receiver
) -> None:
    quiet = replace(timing, voicemail_message_time=None)
    profile = replace(FAST, missed_ratio=0.0, unanswered_ratio=1.0, hold_ratio=0.0)
    async with sim_factory(timing=quiet, ssl=False) as pbx:
        generator = pbx.start_traffic(seed=4, max_calls=4, profile=profile)
        await pbx.wait_for_traffic(timeout=10)
        assert len(generator.log.callids) == 4
        assert {cdr["status"] for cdr in pbx.cdrs} == {"ANSWERED"}


async def test_outside_parties_are_often_company_contacts(sim: PbxSimulator) -> None:
    profile = replace(FAST, contact_ratio=1.0, mix=(0.5, 0.5, 0.0))
    generator = sim.start_traffic(seed=11, max_calls=6, profile=profile)
    await sim.wait_for_traffic(timeout=10)
    phones = ("mobile", "mobile2", "businessnum", "businessnum2", "homenum")
    known = {
        getattr(contact, name).replace(" ", "").replace("-", "")
        for contact in sim.office.contacts
        for name in (*phones, "homenum2", "othernum")
        if getattr(contact, name)
    }
    outside = [
        plan.caller if plan.kind == "inbound" else plan.callees[0]
        for plan in generator.log.planned
    ]
    assert len(outside) == 6
    assert set(outside) <= known
    sim.office.contacts.clear()
    generator = sim.start_traffic(seed=11, max_calls=2, profile=profile)
    await sim.wait_for_traffic(timeout=10)
    assert all(
        (plan.caller if plan.kind == "inbound" else plan.callees[0]).startswith("06")
        for plan in generator.log.planned
    )
