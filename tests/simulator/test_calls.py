"""Call sequences and their reports (section 7.5), driven through the Python API and call/dial."""

import asyncio
import re

import pytest

from simulator import ApiError, PbxSimulator, SimulatorTiming
from tests.common import FakeClock, Receiver

from .conftest import Api

pytestmark = pytest.mark.usefixtures("connected")

TRUNK = "inbound"
OUT = "outbound"


async def reports(sim: PbxSimulator, receiver: Receiver) -> list[tuple[str, ...]]:
    """Return the reports once everything queued is delivered."""
    await sim.wait_for_reports()
    return receiver.summary()


async def test_inbound_call_answered(
    sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    clock.advance(4)
    await sim.answer(callid, "1000")
    clock.advance(30)
    await sim.hangup(callid)
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING"),
        ("ExtensionStatus", "1000", "Busy"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:ANSWER"),
        ("CallStatus", f"{TRUNK}:BYE", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Inbound", "ANSWERED"),
    ]
    ringing = receiver.events("CallStatus")[0]
    assert ringing["callid"] == callid
    assert ringing["members"][0]["inbound"]["from"] == "0612345678"
    assert ringing["members"][0]["inbound"]["to"] == "5551234"
    assert ringing["members"][0]["inbound"]["trunkname"] == "SIPTrunk1"
    (cdr,) = receiver.events("NewCdr")
    assert cdr == {
        "event": "NewCdr",
        "callid": callid,
        "timestart": cdr["timestart"],
        "callfrom": "0612345678",
        "callto": "1000",
        "callduraction": "34",
        "talkduraction": "30",
        "srctrunkname": "SIPTrunk1",
        "dsttrcunkname": "",
        "pincode": "",
        "status": "ANSWERED",
        "type": "Inbound",
        "recording": cdr["recording"],
        "didnumber": "5551234",
        "agentringtime": "",
        "sn": "369451090405",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cdr["timestart"])
    assert cdr["recording"].endswith(f"-{callid}-0612345678-1000-Inbound.wav")


async def test_inbound_call_missed(
    sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000", did="5559999")
    clock.advance(20)
    await sim.hangup(callid)
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING"),
        ("CallStatus", f"{TRUNK}:BYE", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Inbound", "NO ANSWER"),
    ]
    (cdr,) = receiver.events("NewCdr")
    assert (
        cdr["callduraction"],
        cdr["talkduraction"],
        cdr["recording"],
        cdr["didnumber"],
    ) == ("20", "0", "", "5559999")


async def test_callee_hanging_up_ends_the_call(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(callid)
    await sim.hangup(callid, "1000")
    assert sim.calls == {}
    assert (await reports(sim, receiver))[-1] == ("NewCdr", "Inbound", "ANSWERED")


async def test_outbound_call(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.outbound_call("1000", "0612345678")
    await sim.answer(callid, "0612345678")
    await sim.hangup(callid, "0612345678")
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1000", "Busy"),
        ("CallStatus", "1000:ALERT", f"{OUT}:RING"),
        ("CallStatus", "1000:ANSWERED", f"{OUT}:ANSWER"),
        ("CallStatus", "1000:BYE", f"{OUT}:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Outbound", "ANSWERED"),
    ]
    cdr = receiver.events("NewCdr")[0]
    assert (
        cdr["callfrom"],
        cdr["callto"],
        cdr["dsttrcunkname"],
        cdr["srctrunkname"],
    ) == ("1000", "0612345678", "SIPTrunk1", "")


async def test_outbound_call_on_a_gsm_trunk_makes_it_busy(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.outbound_call("1001", "0612345678", trunk="GSM1")
    assert sim.office.trunk("GSM1").status == "Busy"
    member = sim.calls[callid].members[1]
    assert member.channel == "DAHDI/4-1"
    second = await sim.outbound_call("1002", "0687654321", trunk="GSM1")
    assert second not in sim.calls
    await sim.hangup(callid)
    assert sim.office.trunk("GSM1").status == "Idle"
    await sim.wait_for_reports()
    (failed,) = receiver.events("CallFailed")
    assert failed["reason"] == "Circuit/channel congestion"
    with pytest.raises(ValueError, match="no trunk"):
        await sim.outbound_call("1001", "0612345678", trunk="Nope")


async def test_outbound_call_without_permission_fails(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    await sim.outbound_call("1005", "0612345678")
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1005", "Busy"),
        ("CallFailed",),
        ("CallStatus", "1005:BYE"),
        ("ExtensionStatus", "1005", "Registered"),
        ("NewCdr", "Outbound", "NO ANSWER"),
    ]
    failed = receiver.events("CallFailed")[0]
    assert failed["reason"] == "NO Outbound Restriction"
    assert failed["members"] == [
        {
            "ext": {
                "number": "1005",
                "channelid": failed["members"][0]["ext"]["channelid"],
            }
        }
    ]


async def test_internal_call(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.internal_call("1000", "1001")
    await sim.answer(callid, "1001")
    await sim.hangup(callid, "1000")
    assert await reports(sim, receiver) == [
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


async def test_fxs_extensions_go_back_to_idle(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.internal_call("1008", "1009")
    assert [m.channel for m in sim.calls[callid].members] == ["DAHDI/1-1", "DAHDI/2-1"]
    await sim.hangup(callid)
    summary = await reports(sim, receiver)
    assert ("ExtensionStatus", "1008", "Idle") in summary
    assert ("ExtensionStatus", "1009", "Idle") in summary


async def test_unreachable_callees_fail_with_documented_reasons(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    sim.update_extension("1003", dnd="on")
    await sim.internal_call("1000", "1003")
    await sim.internal_call("1000", "1006")
    await sim.internal_call("1000", "1077")
    busy = await sim.internal_call("1001", "1002")
    await sim.internal_call("1000", "1002")
    await sim.hangup(busy)
    await sim.wait_for_reports()
    assert [event["reason"] for event in receiver.events("CallFailed")] == [
        "DND",
        "480 Temporatily Unavailable",
        "404 NOT found",
        "User Busy",
    ]
    statuses = [cdr["status"] for cdr in receiver.events("NewCdr")]
    assert statuses == ["BUSY", "NO ANSWER", "NO ANSWER", "BUSY", "NO ANSWER"]


async def test_fail_call_reports_callfailed(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.outbound_call("1000", "0612345678")
    await sim.fail_call(callid, "486 Busy here")
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1000", "Busy"),
        ("CallStatus", "1000:ALERT", f"{OUT}:RING"),
        ("CallFailed",),
        ("CallStatus", "1000:BYE", f"{OUT}:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Outbound", "BUSY"),
    ]
    assert receiver.events("CallFailed")[0]["reason"] == "486 Busy here"
    answered = await sim.internal_call("1000", "1001")
    with pytest.raises(ValueError, match="not a documented reason"):
        await sim.fail_call(answered, "Phone on fire")
    await sim.answer(answered)
    with pytest.raises(ApiError) as failure:
        await sim.fail_call(answered)
    assert failure.value.errno == "10015"


async def test_ring_group(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.inbound_call(
        "SIPTrunk1", "0612345678", ["1000", "1001", "1002"], group="6300"
    )
    await sim.hangup(callid, "1002")
    await sim.answer(callid, "1001")
    await sim.hangup(callid)
    assert await reports(sim, receiver) == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING", "1001:RING", "1002:RING"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING", "1001:RING", "1002:BYE"),
        ("ExtensionStatus", "1002", "Registered"),
        ("ExtensionStatus", "1001", "Busy"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:BYE", "1001:ANSWER"),
        ("ExtensionStatus", "1000", "Registered"),
        ("CallStatus", f"{TRUNK}:BYE", "1001:BYE"),
        ("ExtensionStatus", "1001", "Registered"),
        ("NewCdr", "Inbound", "ANSWERED"),
    ]
    first = receiver.events("CallStatus")[0]
    assert {next(iter(m.values()))["callpath"] for m in first["members"]} == {"6300"}
    assert receiver.events("NewCdr")[0]["callto"] == "6300(1001)"


async def test_ring_group_skips_unreachable_members(sim: PbxSimulator) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", ["1006", "1000"])
    assert [m.party for m in sim.calls[callid].live_members] == ["0612345678", "1000"]


async def test_hold_and_unhold(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    with pytest.raises(ApiError):
        await sim.hold(callid, "1000")
    await sim.answer(callid)
    await sim.hold(callid, "1000")
    await sim.unhold(callid, "1000")
    await sim.hold(callid, "0612345678")
    with pytest.raises(ApiError):
        await sim.unhold(callid, "1000")
    await sim.unhold(callid, "0612345678")
    summary = await reports(sim, receiver)
    assert summary[4:8] == [
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:HOLD"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:ANSWER"),
        ("CallStatus", f"{TRUNK}:HOLD", "1000:ANSWER"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:ANSWER"),
    ]


async def test_user_transfer_reports_transfer(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(callid)
    await sim.user_transfer(callid, by="1000", to="1001")
    await sim.answer(callid, "1001")
    await sim.hangup(callid)
    summary = await reports(sim, receiver)
    assert summary[4:] == [
        ("Transfer",),
        ("ExtensionStatus", "1001", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:BYE", "1001:RING"),
        ("ExtensionStatus", "1000", "Registered"),
        ("ExtensionStatus", "1001", "Busy"),
        ("CallStatus", f"{TRUNK}:ANSWERED", "1001:ANSWER"),
        ("CallStatus", f"{TRUNK}:BYE", "1001:BYE"),
        ("ExtensionStatus", "1001", "Registered"),
        ("NewCdr", "Inbound", "ANSWERED"),
    ]
    transfer = receiver.events("Transfer")[0]
    assert transfer["callid"] == callid
    assert list(transfer["members"][0]) == ["ext"]
    assert transfer["members"][0]["ext"]["number"] == "1000"
    assert transfer["members"][1]["inbound"]["from"] == "0612345678"
    assert "memberstatus" not in transfer["members"][1]["inbound"]
    assert receiver.events("NewCdr")[0]["callto"] == "1001"


async def test_transfer_to_an_outside_number(sim: PbxSimulator) -> None:
    callid = await sim.internal_call("1000", "1001")
    await sim.answer(callid)
    await sim.user_transfer(callid, by="1001", to="0612345678")
    members = sim.calls[callid].live_members
    assert [(m.party, m.state) for m in members] == [
        ("1000", "ALERT"),
        ("0612345678", "RING"),
    ]
    assert members[1].source == "1000"
    with pytest.raises(ApiError):
        await sim.user_transfer(callid, by="1001", to="1002")


async def test_transfer_without_a_trunk_fails_the_call(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    for trunk in sim.office.trunks:
        sim.set_trunk_status(trunk.name, "Failure")
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(callid)
    await sim.user_transfer(callid, by="1000", to="0622222222")
    assert sim.calls == {}
    await sim.wait_for_reports()
    assert receiver.events("CallFailed")[0]["reason"] == "Circuit/channel congestion"


async def test_voicemail(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.to_voicemail(callid)
    with pytest.raises(ApiError):
        await sim.to_voicemail(callid)
    await sim.hangup(callid)
    assert (await reports(sim, receiver))[2:] == [
        ("CallStatus", f"{TRUNK}:ANSWERED", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("CallStatus", f"{TRUNK}:BYE"),
        ("NewCdr", "Inbound", "VOICEMAIL"),
    ]
    assert receiver.events("NewCdr")[0]["recording"] == ""


async def test_dtmf(sim: PbxSimulator, receiver: Receiver) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.press_keys(callid, "2#")
    await sim.wait_for_reports()
    first, second = receiver.events("DTMF")
    assert (first["info"], first["flag"], first["infos"]) == ("2", "0", "2")
    assert (second["info"], second["flag"], second["infos"]) == ("#", "1", "2#")
    assert list(first["members"][0]) == ["inbound"]


async def test_unmonitored_extensions_and_trunks_are_silent(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    silent = await sim.inbound_call("FXO1", "0612345678", "1012")
    await sim.answer(silent)
    await sim.hangup(silent)
    sim.register_extension("1012")
    await sim.wait_for_reports()
    assert receiver.summary() == [("NewCdr", "Inbound", "ANSWERED")]
    receiver.received.clear()
    watched_trunk = await sim.inbound_call("SIPTrunk1", "0612345678", "1012")
    await sim.hangup(watched_trunk)
    assert await reports(sim, receiver) == [
        ("CallStatus", f"{TRUNK}:ALERT", "1012:RING"),
        ("CallStatus", f"{TRUNK}:BYE", "1012:BYE"),
        ("NewCdr", "Inbound", "NO ANSWER"),
    ]
    receiver.received.clear()
    watched_ext = await sim.inbound_call("FXO1", "0612345678", "1000")
    await sim.hangup(watched_ext)
    assert (await reports(sim, receiver))[:2] == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING"),
    ]


async def test_unregistered_extension_reports_unregistered_after_its_call(
    sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.internal_call("1000", "1001")
    await sim.answer(callid)
    sim.unregister_extension("1000")
    await sim.hangup(callid)
    assert (await reports(sim, receiver))[-3:-1] == [
        ("ExtensionStatus", "1000", "Unregistered"),
        ("ExtensionStatus", "1001", "Registered"),
    ]


async def test_python_api_errors(sim: PbxSimulator) -> None:
    with pytest.raises(ApiError) as unknown_call:
        await sim.answer("1.1")
    assert unknown_call.value.errno == "10005"
    with pytest.raises(ApiError) as unknown_ext:
        await sim.inbound_call("SIPTrunk1", "0612345678", "4321")
    assert unknown_ext.value.errno == "10006"
    with pytest.raises(ValueError, match="no trunk"):
        await sim.inbound_call("Nope", "0612345678", "1000")
    with pytest.raises(ValueError, match="at least one"):
        await sim.inbound_call("SIPTrunk1", "0612345678", [])
    callid = await sim.internal_call("1000", "1001")
    with pytest.raises(ApiError) as busy:
        await sim.outbound_call("1000", "0612345678")
    assert busy.value.errno == "10008"
    with pytest.raises(ApiError) as not_ringing:
        await sim.answer(callid, "1000")
    assert not_ringing.value.errno == "10015"
    with pytest.raises(ApiError) as not_in_call:
        await sim.hangup(callid, "1002")
    assert not_in_call.value.errno == "10007"
    await sim.answer(callid)
    call = sim.calls[callid]
    member = call.members[0]
    await sim.hangup(callid)
    with pytest.raises(ApiError) as ended:
        sim.engine.hold(call, member)
    assert ended.value.errno == "10005"


# -- call/dial (click-to-call) ------------------------------------------------------------


async def test_click_to_call_rings_the_caller_first(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    answer = await connected.post("call/dial", {"caller": "1000", "callee": "1001"})
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    await sim.answer(callid, "1000")
    await sim.answer(callid, "1001")
    await sim.hangup(callid)
    assert await reports(sim, receiver) == [
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
    assert {event["callid"] for event in receiver.events("CallStatus")} == {callid}


async def test_click_to_call_autoanswer_to_an_outside_number(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = (
        await connected.post(
            "call/dial", {"caller": "1000", "callee": "0612345678", "autoanswer": "yes"}
        )
    )["callid"]
    await receiver.wait_for("CallStatus", 2)
    assert receiver.summary() == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", "1000:RING"),
        ("ExtensionStatus", "1000", "Busy"),
        ("CallStatus", "1000:ALERT", f"{OUT}:RING"),
    ]
    await sim.answer(callid)
    await sim.hangup(callid)
    await sim.wait_for_reports()
    assert receiver.events("NewCdr")[0]["type"] == "Outbound"


async def test_click_to_call_caller_not_answering(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = (await connected.post("call/dial", {"caller": "1000", "callee": "1001"}))[
        "callid"
    ]
    await sim.hangup(callid, "1000")
    assert (await reports(sim, receiver))[-1] == ("NewCdr", "Internal", "NO ANSWER")


async def test_click_to_call_to_a_busy_extension_fails(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await sim.internal_call("1002", "1001")
    callid = (await connected.post("call/dial", {"caller": "1000", "callee": "1001"}))[
        "callid"
    ]
    await sim.answer(callid)
    await sim.wait_for_reports()
    assert receiver.events("CallFailed")[0]["reason"] == "User Busy"


async def test_call_dial_errors(connected: Api, sim: PbxSimulator) -> None:
    assert (await connected.post("call/dial", {"caller": "1000"}))["errno"] == "10004"
    assert (await connected.post("call/dial", {"caller": "4321", "callee": "1001"}))[
        "errno"
    ] == "10006"
    assert (await connected.post("call/dial", {"caller": "1000", "callee": "4321"}))[
        "errno"
    ] == "10011"
    assert (
        await connected.post("call/dial", {"caller": "1005", "callee": "0612345678"})
    )["errno"] == "10024"
    assert (
        await connected.post(
            "call/dial",
            {"caller": "1000", "callee": "0612345678", "dialpermission": "1005"},
        )
    )["errno"] == "10024"
    assert (
        await connected.post(
            "call/dial",
            {"caller": "1000", "callee": "0612345678", "dialpermission": "4321"},
        )
    )["errno"] == "10006"
    assert (await connected.post("call/dial", {"caller": "1006", "callee": "1001"}))[
        "errno"
    ] == "10008"
    await sim.internal_call("1000", "1001")
    assert (await connected.post("call/dial", {"caller": "1000", "callee": "1002"}))[
        "errno"
    ] == "10008"
    assert (
        await connected.post(
            "call/dial",
            {"caller": "1005", "callee": "0612345678", "dialpermission": "1002"},
        )
    )["status"] == "Success"


async def test_simulated_users_answer_and_hang_up_api_calls(
    sim_factory, http, receiver: Receiver
) -> None:
    timing = SimulatorTiming(
        simulated_answer_delay=0.01,
        simulated_callee_answer_delay=0.01,
        simulated_talk_time=0.05,
        report_retry_interval=0.05,
    )
    async with sim_factory(timing=timing, ssl=False) as lively:
        client = Api(lively, http)
        await client.login(receiver)
        await client.post("call/dial", {"caller": "1000", "callee": "0612345678"})
        await receiver.wait_for("NewCdr")
        await client.post("call/dial", {"caller": "1000", "callee": "1001"})
        await receiver.wait_for("NewCdr", 2)
        assert [(cdr["type"], cdr["status"]) for cdr in receiver.events("NewCdr")] == [
            ("Outbound", "ANSWERED"),
            ("Internal", "ANSWERED"),
        ]


# -- controlled trunks: Invite / accept / refuse -------------------------------------------


async def test_controlled_trunk_accepted(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.inbound_call("SIPTrunk2", "0612345678", "1000")
    channel = sim.calls[callid].members[0].channel
    assert (await connected.post("call/query", {"callid": callid}))["calls"][0][
        "callid"
    ] == callid
    assert await connected.post("call/accept_inbound", {"channelid": channel}) == {
        "status": "Success"
    }
    assert (await connected.post("call/accept_inbound", {"channelid": channel}))[
        "errno"
    ] == "10016"
    await sim.wait_for_reports()
    invite, incoming = receiver.events("Invite") + receiver.events("Incoming")
    assert invite["members"] == [
        {
            "inbound": {
                "from": "0612345678",
                "to": "5555678",
                "trunkname": "SIPTrunk2",
                "channelid": channel,
            }
        }
    ]
    assert incoming["members"] == invite["members"]
    assert receiver.summary()[:4] == [
        ("Invite",),
        ("Incoming",),
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", f"{TRUNK}:ALERT", "1000:RING"),
    ]


async def test_controlled_trunk_refused(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.inbound_call("SIPTrunk2", "0612345678", "1000")
    channel = sim.calls[callid].members[0].channel
    assert (await connected.post("call/refuse_inbound", {"channelid": channel}))[
        "status"
    ] == "Success"
    assert sim.calls == {}
    assert await reports(sim, receiver) == [
        ("Invite",),
        ("NewCdr", "Inbound", "NO ANSWER"),
    ]
    assert (await connected.post("call/refuse_inbound", {"channelid": channel}))[
        "errno"
    ] == "10007"
    assert (await connected.post("call/refuse_inbound", {}))["errno"] == "10004"


async def test_controlled_trunk_window_expires(
    connected: Api, sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    callid = await sim.inbound_call("SIPTrunk2", "0612345678", "1000")
    channel = sim.calls[callid].members[0].channel
    clock.advance(10.5)
    assert (await connected.post("call/refuse_inbound", {"channelid": channel}))[
        "errno"
    ] == "10016"
    assert sim.engine.activity("1000") == "Ringing"
    assert (await reports(sim, receiver))[:2] == [("Invite",), ("Incoming",)]


async def test_controlled_trunk_proceeds_by_itself(
    sim_factory, http, receiver: Receiver
) -> None:
    async with sim_factory(
        timing=SimulatorTiming(invite_window=0.05), ssl=False
    ) as quick:
        await Api(quick, http).login(receiver)
        callid = await quick.inbound_call("SIPTrunk2", "0612345678", "1000")
        await receiver.wait_for("CallStatus")
        assert quick.calls[callid].phase == "ringing"


async def test_autoanswer_delay_is_cancelled_on_stop(sim_factory, http) -> None:
    slow = sim_factory(timing=SimulatorTiming(autoanswer_delay=30), ssl=False)
    await slow.start()
    client = Api(slow, http)
    await client.login()
    answer = await client.post(
        "call/dial", {"caller": "1000", "callee": "1001", "autoanswer": "yes"}
    )
    assert answer["status"] == "Success"
    await asyncio.sleep(0)
    await slow.stop()
    assert slow.calls == {}
