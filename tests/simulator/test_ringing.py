"""The office behaves like an office: ring timeouts, voicemail, missed calls, simulated users."""

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from simulator import ApiError, PbxSimulator, SimExtension, SimulatorTiming
from tests.common import FakeClock, Receiver

from .conftest import Api

TRUNK = "inbound"
OUT = "outbound"
QUICK = 0.05  # seconds: ring timeout and voicemail message of these tests


@pytest.fixture
def quick(timing: SimulatorTiming) -> SimulatorTiming:
    """Phones give up ringing and callers leave their message within a few milliseconds."""
    return replace(timing, ring_timeout=QUICK, voicemail_message_time=QUICK)


@pytest.fixture
async def office_sim(
    sim_factory: Callable[..., PbxSimulator], quick: SimulatorTiming
) -> AsyncIterator[PbxSimulator]:
    """A running simulator with quick ring timeouts (plain HTTP)."""
    async with sim_factory(timing=quick, ssl=False) as simulator:
        yield simulator


@pytest.fixture
async def office_api(
    office_sim: PbxSimulator, http: aiohttp.ClientSession, receiver: Receiver
) -> Api:
    """A client of that simulator, logged in, reports to the receiver."""
    client = Api(office_sim, http)
    assert (await client.login(receiver))["status"] == "Success"
    return client


async def cdrs(receiver: Receiver, count: int = 1) -> list[dict[str, Any]]:
    """Wait for NewCdr reports."""
    return await receiver.wait_for("NewCdr", count)


@pytest.mark.usefixtures("office_api")
async def test_unanswered_inbound_call_goes_to_voicemail(
    office_sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await office_sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    (cdr,) = await cdrs(receiver)
    assert receiver.summary() == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("CallStatus", f"{TRUNK}:BYE"),
        ("NewCdr", "Inbound", "VOICEMAIL"),
    ]
    assert (cdr["callid"], cdr["callto"], cdr["recording"]) == (callid, "1000", "")
    assert office_sim.calls == {}
    assert office_sim.cdrs[-1]["status"] == "VOICEMAIL"


@pytest.mark.usefixtures("office_api")
async def test_unanswered_call_without_voicemail_is_missed(
    office_sim: PbxSimulator, receiver: Receiver
) -> None:
    assert not office_sim.office.extension("1005").has_voicemail  # the warehouse
    await office_sim.inbound_call("SIPTrunk1", "0612345678", "1005")
    await cdrs(receiver)
    assert receiver.summary() == [
        ("ExtensionStatus", "1005", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1005:RING"),
        ("CallStatus", f"{TRUNK}:BYE", "1005:BYE"),
        ("ExtensionStatus", "1005", "Registered"),
        ("NewCdr", "Inbound", "NO ANSWER"),
    ]


@pytest.mark.usefixtures("office_api")
async def test_unanswered_ring_group_is_missed(
    office_sim: PbxSimulator, receiver: Receiver
) -> None:
    await office_sim.inbound_call(
        "SIPTrunk1", "0612345678", ["1000", "1001"], group="6300"
    )
    (cdr,) = await cdrs(receiver)
    assert receiver.summary()[-4:] == [
        ("CallStatus", f"{TRUNK}:BYE", "1000:BYE", "1001:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("ExtensionStatus", "1001", "Registered"),
        ("NewCdr", "Inbound", "NO ANSWER"),
    ]
    assert cdr["callto"] == "6300"
    await office_sim.inbound_call("SIPTrunk1", "0612345678", ["1000", "1001"])
    second = (await cdrs(receiver, 2))[1]
    assert second["status"] == "NO ANSWER"  # several phones at once: no voicemail


@pytest.mark.usefixtures("office_api")
async def test_unanswered_internal_call_leaves_a_message(
    office_sim: PbxSimulator, receiver: Receiver
) -> None:
    await office_sim.internal_call("1000", "1001")
    await cdrs(receiver)
    assert receiver.summary() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("CallStatus", "1000:ALERT", "1001:RING"),
        ("CallStatus", "1000:ANSWERED", "1001:BYE"),
        ("ExtensionStatus", "1001", "Registered"),
        ("CallStatus", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Internal", "VOICEMAIL"),
    ]


@pytest.mark.usefixtures("office_api")
async def test_a_call_answered_in_time_is_not_ended(
    office_sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await office_sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await office_sim.answer(callid)
    parked = await office_sim.inbound_call("SIPTrunk1", "0687654321", "1001")
    await office_sim.answer(parked)
    await office_sim.user_transfer(parked, by="1001", to="1002")
    # The transferred call rings 1002 afresh; nobody answers it: voicemail of 1002.
    (cdr,) = await cdrs(receiver)
    assert (cdr["callid"], cdr["status"], cdr["callto"]) == (
        parked,
        "VOICEMAIL",
        "1002",
    )
    assert office_sim.calls[callid].phase == "up"
    await office_sim.hangup(callid)


async def test_voicemail_caller_stays_without_a_message_time(
    sim_factory: Callable[..., PbxSimulator],
    quick: SimulatorTiming,
    http: aiohttp.ClientSession,
    receiver: Receiver,
) -> None:
    timing = replace(quick, voicemail_message_time=None)
    async with sim_factory(timing=timing, ssl=False) as pbx:
        await Api(pbx, http).login(receiver)
        callid = await pbx.inbound_call("SIPTrunk1", "0612345678", "1000")
        await receiver.wait_for("CallStatus", 2)
        assert pbx.calls[callid].voicemail
        await pbx.hangup(callid)
        assert (await cdrs(receiver))[0]["status"] == "VOICEMAIL"


async def test_ring_timeouts_come_from_the_extensions(
    sim: PbxSimulator, quick: SimulatorTiming
) -> None:
    office = sim.office
    reception, sales = office.extension("1000"), office.extension("1001")
    assert reception is not None and sales is not None
    assert reception.ring_timeout == 30.0
    assert sim.engine.ring_timeout([reception]) == 30.0
    sim.update_extension("1001", ringtimeout="45")
    assert sim.engine.ring_timeout([reception, sales]) == 45.0
    for word in ("0", "", "Follow System", "-5"):
        assert (
            SimExtension(number="2000", settings={"ringtimeout": word}).ring_timeout
            is None
        )
    sim.update_extension("1001", ringtimeout="0")
    assert sim.engine.ring_timeout([reception, sales]) is None
    assert sim.engine.ring_timeout([]) is None
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1001")
    assert not sim.engine.gives_up(sim.calls[callid])  # rings until someone acts
    assert SimulatorTiming().ring_timeout is None
    assert replace(quick).ring_timeout == QUICK


@pytest.mark.usefixtures("office_api")
async def test_transfer_keeps_the_answer_time_in_voicemail(
    office_sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    callid = await office_sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await office_sim.answer(callid)
    clock.advance(10)
    await office_sim.user_transfer(callid, by="1000", to="1001")
    (cdr,) = await cdrs(receiver)
    assert (cdr["status"], cdr["callto"], cdr["talkduraction"]) == (
        "VOICEMAIL",
        "1001",
        "10",
    )


# -- click-to-call (call/dial) --------------------------------------------------------


async def test_simulated_users_answer_click_to_call(
    sim_factory: Callable[..., PbxSimulator],
    quick: SimulatorTiming,
    http: aiohttp.ClientSession,
    receiver: Receiver,
) -> None:
    timing = replace(
        quick,
        ring_timeout=None,
        simulated_answer_delay=0.01,
        simulated_callee_answer_delay=0.02,
        simulated_talk_time=0.03,
    )
    async with sim_factory(timing=timing, ssl=False) as pbx:
        client = Api(pbx, http)
        await client.login(receiver)
        callid = (await client.post("call/dial", {"caller": "1000", "callee": "1001"}))[
            "callid"
        ]
        (cdr,) = await cdrs(receiver)
        assert receiver.summary() == [
            ("ExtensionStatus", "1000", "Ringing"),
            ("CallStatus", "1000:RING"),
            ("ExtensionStatus", "1000", "Busy"),
            ("ExtensionStatus", "1001", "Ringing"),
            ("CallStatus", "1000:ALERT", "1001:RING"),
            ("ExtensionStatus", "1001", "Busy"),
            ("CallStatus", "1000:ANSWERED", "1001:ANSWER"),
            ("CallStatus", "1000:BYE", "1001:BYE"),
            ("ExtensionStatus", "1000", "Registered"),
            ("ExtensionStatus", "1001", "Registered"),
            ("NewCdr", "Internal", "ANSWERED"),
        ]
        assert cdr["callid"] == callid
        assert {event["callid"] for event in receiver.events("CallStatus")} == {callid}


def test_default_timing_behaves_like_people() -> None:
    timing = SimulatorTiming()
    assert timing.simulated_answer_delay == 3.0
    assert timing.simulated_callee_answer_delay == 4.0
    assert timing.simulated_talk_time == 20.0
    assert timing.voicemail_message_time is not None
    assert 0 < timing.voicemail_message_time <= 15


async def test_click_to_call_caller_not_picking_up_is_missed(
    office_sim: PbxSimulator, office_api: Api, receiver: Receiver
) -> None:
    callid = (await office_api.post("call/dial", {"caller": "1000", "callee": "1001"}))[
        "callid"
    ]
    (cdr,) = await cdrs(receiver)
    assert receiver.summary() == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", "1000:RING"),
        ("CallStatus", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Internal", "NO ANSWER"),
    ]
    assert cdr["callid"] == callid


async def test_click_to_call_callee_not_answering_takes_a_message(
    office_sim: PbxSimulator, office_api: Api, receiver: Receiver
) -> None:
    callid = (
        await office_api.post(
            "call/dial", {"caller": "1000", "callee": "1001", "autoanswer": "yes"}
        )
    )["callid"]
    (cdr,) = await cdrs(receiver)
    assert receiver.summary()[-6:] == [
        ("CallStatus", "1000:ALERT", "1001:RING"),
        ("CallStatus", "1000:ANSWERED", "1001:BYE"),
        ("ExtensionStatus", "1001", "Registered"),
        ("CallStatus", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Internal", "VOICEMAIL"),
    ]
    assert cdr["callid"] == callid


async def test_prompt_nobody_answers_is_missed(
    office_sim: PbxSimulator, office_api: Api, receiver: Receiver
) -> None:
    await office_api.post("call/playprompt", {"number": "1000", "prompt": "welcome"})
    (cdr,) = await cdrs(receiver)
    assert cdr["status"] == "NO ANSWER"
    assert receiver.events("PlayPromptEnd") == []


async def test_click_to_call_from_a_phone_that_is_not_idle(
    connected: Api, sim: PbxSimulator
) -> None:
    async def errno(caller: str) -> str:
        answer = await connected.post("call/dial", {"caller": caller, "callee": "1004"})
        return str(answer.get("errno"))

    ringing = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    assert await errno("1000") == "10008"
    await sim.answer(ringing)
    assert await errno("1000") == "10008"
    await sim.hold(ringing, "1000")
    assert await errno("1000") == "10008"
    dialled = (await connected.post("call/dial", {"caller": "1001", "callee": "1002"}))[
        "callid"
    ]
    assert await errno("1001") == "10008"  # its own click-to-call rings it
    await sim.hangup(dialled)
    assert await errno("1006") == "10008"  # not registered
    assert len(sim.calls) == 1


@pytest.mark.parametrize("autoanswer", ["no", "yes"])
async def test_click_to_call_to_a_ringing_phone_fails_user_busy(
    connected: Api, sim: PbxSimulator, receiver: Receiver, autoanswer: str
) -> None:
    await sim.inbound_call("SIPTrunk1", "0612345678", "1001")
    answer = await connected.post(
        "call/dial", {"caller": "1000", "callee": "1001", "autoanswer": autoanswer}
    )
    callid = answer["callid"]
    if autoanswer == "no":
        (call,) = (await connected.post("call/query", {"callid": callid}))["calls"]
        assert call["members"][0]["ext"]["memberstatus"] == "RING"
        await sim.answer(callid, "1000")
    (cdr,) = await cdrs(receiver)
    summary = [line for line in receiver.summary() if "1001" not in line[1:2]]
    assert summary[-6:] == [
        ("CallStatus", "1000:RING"),
        ("ExtensionStatus", "1000", "Busy"),
        ("CallFailed",),
        ("CallStatus", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Internal", "BUSY"),
    ]
    (failed,) = receiver.events("CallFailed")
    assert (failed["callid"], failed["reason"]) == (callid, "User Busy")
    assert list(failed["members"][0]) == ["ext"]
    assert failed["members"][0]["ext"]["number"] == "1000"
    assert cdr["callid"] == callid
    dialled_reports = [
        event
        for event in receiver.events()
        if event["event"] in {"CallStatus", "CallFailed", "NewCdr"}
        and "1001" not in str(event.get("members", ""))
    ]
    assert {event["callid"] for event in dialled_reports} == {callid}
    assert callid not in sim.calls
    assert sim.engine.activity("1001") == "Ringing"  # the other call goes on


async def test_click_to_call_to_a_busy_phone_and_to_itself(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    busy = await sim.internal_call("1002", "1001")
    await sim.answer(busy)
    for callee in ("1001", "1000"):
        callid = (
            await connected.post(
                "call/dial", {"caller": "1000", "callee": callee, "autoanswer": "yes"}
            )
        )["callid"]
        failed = (await receiver.wait_for("CallFailed", 1 + (callee == "1000")))[-1]
        assert (failed["callid"], failed["reason"]) == (callid, "User Busy")
    await sim.wait_for_reports()
    assert [cdr["status"] for cdr in receiver.events("NewCdr")] == ["BUSY", "BUSY"]
    with pytest.raises(ApiError):
        await sim.answer(callid)


async def test_reboot_ends_the_waits_on_calls(office_sim: PbxSimulator) -> None:
    callid = await office_sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    call = office_sim.calls[callid]
    await office_sim.reboot()
    assert call.ended.is_set()
    await office_sim.wait_online(timeout=2)
