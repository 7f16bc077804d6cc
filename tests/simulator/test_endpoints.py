"""Every modelled endpoint: its answer and its documented errors (section 5)."""

import re

import pytest

from simulator import PbxSimulator, SimulatorTiming
from tests.common import FakeClock, Receiver

from .conftest import Api

pytestmark = pytest.mark.usefixtures("connected")


async def test_deviceinfo(connected: Api, clock: FakeClock) -> None:
    clock.advance(3 * 3600 + 61)
    await connected.login()
    info = (await connected.post("deviceinfo/query"))["deviceinfo"]
    assert info["devicename"] == "Yeastar S100"
    assert info["sn"] == "369451090405"
    assert info["hardwarever"] == "V1.10 0000-0000"
    assert info["firmwarever"] == "30.13.0.30"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+1", info["systemtime"])
    assert info["uptime"] == "03:01:01"
    assert info["extensionstatus"] == "14/100"


async def test_extension_list_statuses(connected: Api, sim: PbxSimulator) -> None:
    callid = await sim.internal_call("1000", "1001")
    listing = {
        entry["number"]: entry
        for entry in (await connected.post("extension/list"))["extlist"]
    }
    assert listing["1000"]["status"] == "Busy"
    assert listing["1001"]["status"] == "Ringing"
    assert listing["1002"] == {
        "number": "1002",
        "status": "Registered",
        "type": "SIP",
        "username": "Support",
        "agentid": "",
    }
    assert listing["1006"]["status"] == "Unavailable"
    assert listing["1008"] == {
        "number": "1008",
        "status": "Idle",
        "type": "FXS",
        "username": "Fax",
        "agentid": "",
        "port": "Port1",
    }
    assert listing["1013"]["status"] == "Fxsnoport"
    await sim.answer(callid)
    await sim.hold(callid, "1001")
    listing = {
        entry["number"]: entry["status"]
        for entry in (await connected.post("extension/list"))["extlist"]
    }
    assert listing["1001"] == "Hold"


async def test_extension_query(connected: Api) -> None:
    one = (await connected.post("extension/query", {"number": "1000"}))["extinfos"]
    assert len(one) == 1
    info = one[0]
    assert info["username"] == "Reception"
    assert info["dnd"] == "off"
    assert info["alwaysforward"] == "off"
    assert info["atransferto"] == "Voicemail"
    assert info["status"] == "Registered"
    assert info["maxregistrations"] == "1"
    assert len(info["loginpassword"]) == 32
    two = (await connected.post("extension/query", {"number": "1000,1008"}))["extinfos"]
    assert [entry["number"] for entry in two] == ["1000", "1008"]
    assert two[1]["port"] == "Port1"
    everything = (await connected.post("extension/query", {"number": "all"}))[
        "extinfos"
    ]
    assert len(everything) == 14
    assert (await connected.post("extension/query", {"number": "1000,4321"}))[
        "errno"
    ] == "10006"
    assert (await connected.post("extension/query", {"number": ""}))["errno"] == "10004"


async def test_extension_query_call(connected: Api, sim: PbxSimulator) -> None:
    callid = await sim.outbound_call("1000", "0612345678")
    await sim.answer(callid)
    calllist = (await connected.post("extension/query_call", {"number": "1000,1001"}))[
        "calllist"
    ]
    assert calllist[1] == {"number": "1001", "numbercalls": []}
    (call,) = calllist[0]["numbercalls"]
    assert call["callid"] == callid
    ext, outbound = call["members"]
    assert ext["ext"]["memberstatus"] == "ANSWERED"
    assert outbound["outbound"] == {
        "from": "1000",
        "to": "0612345678",
        "trunkname": "SIPTrunk1",
        "channelid": outbound["outbound"]["channelid"],
        "memberstatus": "ANSWER",
    }
    assert re.fullmatch(
        r"PJSIP/trunk-SIPTrunk1-endpoint-[0-9a-f]{8}", outbound["outbound"]["channelid"]
    )
    assert re.fullmatch(r"PJSIP/1000-[0-9a-f]{8}", ext["ext"]["channelid"])
    assert re.fullmatch(r"\d+\.\d+", callid)
    assert (
        len(
            (await connected.post("extension/query_call", {"number": "all"}))[
                "calllist"
            ]
        )
        == 14
    )
    assert (await connected.post("extension/query_call", {"number": "4321"}))[
        "errno"
    ] == "10006"


async def test_extension_update_writes_and_reports(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    answer = await connected.post(
        "extension/update",
        {
            "number": "1001",
            "dnd": "on",
            "alwaysforward": "on",
            "atransferto": "Mobile Number",
            "atransfernum": "0611111111",
        },
    )
    assert answer == {"status": "Success"}
    info = (await connected.post("extension/query", {"number": "1001"}))["extinfos"][0]
    assert (info["dnd"], info["alwaysforward"], info["atransfernum"]) == (
        "on",
        "on",
        "0611111111",
    )
    assert (
        await connected.post(
            "extension/update",
            {"number": "1001", "username": "Sales Desk", "ringtimeout": "25"},
        )
    )["status"] == "Success"
    assert (await connected.post("extension/query", {"number": "1001"}))["extinfos"][0][
        "username"
    ] == "Sales Desk"
    await sim.wait_for_reports()
    assert (
        receiver.events("ConfigChange")
        == [
            {
                "event": "ConfigChange",
                "type": "extension",
                "extid": "1001",
                "operation": "update",
                "sn": "369451090405",
            }
        ]
        * 2
    )


async def test_extension_update_errors(connected: Api) -> None:
    assert (await connected.post("extension/update", {"dnd": "on"}))["errno"] == "10004"
    assert (await connected.post("extension/update", {"number": "4321", "dnd": "on"}))[
        "errno"
    ] == "10006"
    assert (
        await connected.post("extension/update", {"number": "1000", "dnd": "maybe"})
    )["errno"] == "10017"
    assert (
        await connected.post(
            "extension/update", {"number": "1000", "maxregistrations": "9"}
        )
    )["errno"] == "10017"
    quirk = {"number": "1000", "ringtimeout": "20", "noanswerforward": "on"}
    assert (await connected.post("extension/update", quirk))["errno"] == "10017"


async def test_extension_update_too_often(sim_factory, http, clock: FakeClock) -> None:
    async with sim_factory(
        timing=SimulatorTiming(config_apply_interval=5.0), ssl=False
    ) as strict:
        client = Api(strict, http)
        await client.login()
        assert (await client.post("extension/update", {"number": "1000", "dnd": "on"}))[
            "status"
        ] == "Success"
        clock.advance(1)
        assert (
            await client.post("extension/update", {"number": "1000", "dnd": "off"})
        )["errno"] == "10025"
        clock.advance(5)
        assert (
            await client.post("extension/update", {"number": "1000", "dnd": "off"})
        )["status"] == "Success"


async def test_trunk_list(connected: Api, sim: PbxSimulator) -> None:
    trunks = (await connected.post("trunk/list"))["trunklist"]
    assert trunks[0] == {
        "trunkname": "SIPTrunk1",
        "id": "1",
        "type": "SIP",
        "status": "Registered",
    }
    assert trunks[3] == {
        "trunkname": "GSM1",
        "id": "4",
        "type": "GSM",
        "status": "Idle",
        "port": "Port4",
    }
    sim.set_trunk_status("SIPTrunk1", "Failure")
    assert (await connected.post("trunk/list"))["trunklist"][0]["status"] == "Failure"


async def test_call_query(connected: Api, sim: PbxSimulator) -> None:
    inbound = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    internal = await sim.internal_call("1001", "1002")
    (call,) = (await connected.post("call/query", {"callid": inbound}))["calls"]
    assert call["callid"] == inbound
    assert call["members"][0]["inbound"]["memberstatus"] == "ALERT"
    assert call["members"][1]["ext"] == {
        "number": "1000",
        "channelid": call["members"][1]["ext"]["channelid"],
        "memberstatus": "RING",
    }
    assert [
        c["callid"]
        for c in (await connected.post("call/query", {"type": "inbound"}))["calls"]
    ] == [inbound]
    assert [
        c["callid"]
        for c in (await connected.post("call/query", {"type": "internal"}))["calls"]
    ] == [internal]
    assert len((await connected.post("call/query"))["calls"]) == 2
    assert (await connected.post("call/query", {"callid": "1.1"}))["errno"] == "10005"


async def test_call_query_capital_calls_variant(sim_factory, http) -> None:
    async with sim_factory(calls_key="Calls", ssl=False) as variant:
        client = Api(variant, http)
        await client.login()
        await variant.inbound_call("SIPTrunk1", "0612345678", "1000")
        answer = await client.post("call/query")
        assert "calls" not in answer
        assert len(answer["Calls"]) == 1


async def _channel(sim: PbxSimulator, callid: str, party: str) -> str:
    """Return the channel of a party of a call."""
    member = sim.calls[callid].member_by_party(party)
    assert member is not None
    return member.channel


async def test_call_hangup_hold_unhold(connected: Api, sim: PbxSimulator) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    ext_channel = await _channel(sim, callid, "1000")
    assert (await connected.post("call/hold", {"channelid": ext_channel}))[
        "errno"
    ] == "10015"
    await sim.answer(callid)
    assert await connected.post("call/hold", {"channelid": ext_channel}) == {
        "status": "Success",
        "callid": callid,
    }
    assert sim.calls[callid].member_by_party("1000").state == "HOLD"
    assert (await connected.post("call/hold", {"channelid": ext_channel}))[
        "errno"
    ] == "10015"
    assert await connected.post("call/unhold", {"channelid": ext_channel}) == {
        "status": "Success",
        "callid": callid,
    }
    assert (await connected.post("call/unhold", {"channelid": ext_channel}))[
        "errno"
    ] == "10015"
    assert await connected.post("call/mute", {"channelid": ext_channel}) == {
        "status": "Success"
    }
    assert await connected.post("call/hangup", {"channelid": ext_channel}) == {
        "status": "Success",
        "callid": callid,
    }
    assert sim.calls == {}
    for endpoint in ("call/hangup", "call/hold", "call/unhold", "call/unmute"):
        assert (await connected.post(endpoint, {"channelid": ext_channel}))[
            "errno"
        ] == "10007"
        assert (await connected.post(endpoint, {}))["errno"] == "10004"


async def test_call_transfer_is_not_reported_as_transfer(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(callid)
    trunk_channel = sim.calls[callid].members[0].channel
    assert await connected.post(
        "call/transfer", {"channelid": trunk_channel, "number": "1009"}
    ) == {"status": "Success"}
    await sim.answer(callid, "1009")
    await sim.hangup(callid)
    await sim.wait_for_reports()
    assert receiver.events("Transfer") == []
    assert receiver.events("NewCdr")[0]["callto"] == "1009"
    assert ("ExtensionStatus", "1009", "Idle") in receiver.summary()


async def test_call_transfer_errors(connected: Api, sim: PbxSimulator) -> None:
    ringing = await sim.inbound_call("SIPTrunk1", "0611111111", "1000")
    channel = sim.calls[ringing].members[0].channel
    assert (
        await connected.post("call/transfer", {"channelid": channel, "number": "1001"})
    )["errno"] == "10015"
    await sim.answer(ringing)
    assert (
        await connected.post("call/transfer", {"channelid": channel, "number": "4321"})
    )["errno"] == "10011"
    assert (
        await connected.post("call/transfer", {"channelid": channel, "number": "1000"})
    )["errno"] == "10008"
    assert (
        await connected.post(
            "call/transfer",
            {"channelid": channel, "number": "0622222222", "dialpermission": "1005"},
        )
    )["errno"] == "10024"
    assert (await connected.post("call/transfer", {"channelid": channel}))[
        "errno"
    ] == "10004"
    assert (
        await connected.post(
            "call/transfer", {"channelid": "PJSIP/none", "number": "1001"}
        )
    )["errno"] == "10007"
    answer = await connected.post(
        "call/transfer", {"channelid": channel, "number": "0622222222"}
    )
    assert answer["status"] == "Success"
    members = sim.calls[ringing].live_members
    assert [(m.kind, m.state) for m in members] == [
        ("inbound", "ALERT"),
        ("outbound", "RING"),
    ]


async def test_call_playprompt(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    answer = await connected.post(
        "call/playprompt",
        {
            "number": "1000",
            "prompt": "welcome+goodbye",
            "autoanswer": "yes",
            "count": 2,
        },
    )
    assert answer["status"] == "Success"
    callid = answer["callid"]
    await receiver.wait_for("NewCdr")
    (end,) = receiver.events("PlayPromptEnd")
    assert end["callid"] == callid
    assert end["prompt"] == "welcome+goodbye"
    assert end["members"] == [
        {"ext": {"number": "1000", "channelid": end["members"][0]["ext"]["channelid"]}}
    ]
    assert receiver.summary() == [
        ("ExtensionStatus", "1000", "Ringing"),
        ("CallStatus", "1000:RING"),
        ("ExtensionStatus", "1000", "Busy"),
        ("CallStatus", "1000:ANSWER"),
        ("PlayPromptEnd",),
        ("CallStatus", "1000:BYE"),
        ("ExtensionStatus", "1000", "Registered"),
        ("NewCdr", "Internal", "ANSWERED"),
    ]


async def test_call_playprompt_errors(connected: Api, sim: PbxSimulator) -> None:
    assert (
        await connected.post("call/playprompt", {"number": "1000", "prompt": "nosuch"})
    )["errno"] == "10023"
    assert (await connected.post("call/playprompt", {"number": "1000"}))[
        "errno"
    ] == "10004"
    assert (
        await connected.post("call/playprompt", {"number": "4321", "prompt": "welcome"})
    )["errno"] == "10011"
    assert (
        await connected.post(
            "call/playprompt", {"number": "0612345678", "prompt": "welcome"}
        )
    )["errno"] == "10004"
    assert (
        await connected.post(
            "call/playprompt",
            {"number": "0612345678", "prompt": "welcome", "dialpermission": "1005"},
        )
    )["errno"] == "10024"
    assert (
        await connected.post(
            "call/playprompt",
            {"number": "0612345678", "prompt": "welcome", "dialpermission": "4321"},
        )
    )["errno"] == "10006"
    await sim.internal_call("1000", "1001")
    assert (
        await connected.post("call/playprompt", {"number": "1001", "prompt": "welcome"})
    )["errno"] == "10008"
    outside = await connected.post(
        "call/playprompt",
        {"number": "0612345678", "prompt": "welcome", "dialpermission": "1002"},
    )
    call = sim.calls[outside["callid"]]
    assert [(m.kind, m.state, m.party) for m in call.live_members] == [
        ("outbound", "RING", "0612345678")
    ]
    await sim.answer(call.callid)
    assert call.phase == "up"


async def test_sms_send(connected: Api, sim: PbxSimulator) -> None:
    answer = await connected.post(
        "sms/send",
        {"phonenumber": "0612345678", "message": "Hello%20there", "trunk": "GSM1"},
    )
    assert answer["status"] == "Success"
    assert re.fullmatch(r"0612345678-\d+", answer["smsid"])
    assert sim.sms == [
        {
            "smsid": answer["smsid"],
            "trunk": "GSM1",
            "phonenumber": "0612345678",
            "message": "Hello there",
        }
    ]
    assert (
        await connected.post(
            "sms/send", {"phonenumber": "06", "message": "x", "trunk": "SIPTrunk1"}
        )
    )["errno"] == "10026"
    assert (
        await connected.post(
            "sms/send", {"phonenumber": "06", "message": "x", "trunk": "GSM9"}
        )
    )["errno"] == "10026"
    assert (await connected.post("sms/send", {"message": "x", "trunk": "GSM1"}))[
        "errno"
    ] == "10028"
    assert (
        await connected.post(
            "sms/send", {"phonenumber": "06", "message": "", "trunk": "GSM1"}
        )
    )["errno"] == "10030"
    sim.set_trunk_status("GSM1", "No SIM")
    assert (
        await connected.post(
            "sms/send", {"phonenumber": "06", "message": "x", "trunk": "GSM1"}
        )
    )["errno"] == "10027"


async def test_recording_download(
    connected: Api, sim: PbxSimulator, clock: FakeClock
) -> None:
    callid = await sim.outbound_call("1000", "0612345678")
    await sim.answer(callid)
    clock.advance(12)
    await sim.hangup(callid)
    (name,) = sim.recordings
    assert re.fullmatch(
        rf"\d{{14}}-{re.escape(callid)}-1000-0612345678-Outbound\.wav", name
    )
    grant = await connected.post("recording/get_random", {"recording": name})
    assert grant["recording"] == name
    params = {"recording": name, "random": grant["random"], "token": connected.token}
    async with connected.session.get(
        connected.url("recording/download"), params=params, ssl=False
    ) as response:
        assert response.status == 200
        assert response.content_type == "audio/x-wav"
        audio = await response.read()
    assert audio[:4] == b"RIFF"
    assert audio[8:12] == b"WAVE"
    async with connected.session.get(
        connected.url("recording/download"), params=params, ssl=False
    ) as response:
        assert await response.json(content_type=None) == {
            "status": "Failed",
            "errno": "20012",
        }
    late = await connected.post("recording/get_random", {"recording": name})
    clock.advance(31)
    params["random"] = late["random"]
    async with connected.session.get(
        connected.url("recording/download"), params=params, ssl=False
    ) as response:
        assert (await response.json(content_type=None))["errno"] == "20012"
    async with connected.session.get(
        connected.url("recording/download"), params={**params, "token": ""}, ssl=False
    ) as response:
        assert (await response.json(content_type=None))["errno"] == "20005"
    assert (await connected.post("recording/get_random", {"recording": "nope.wav"}))[
        "errno"
    ] == "20014"
    assert (await connected.post("recording/get_random", {}))["errno"] == "10004"
    fenced = await connected.post(
        "recording/get_random", {"recording": name, "allowedip": "10.0.0.1"}
    )
    params["random"] = fenced["random"]
    async with connected.session.get(
        connected.url("recording/download"), params=params, ssl=False
    ) as response:
        assert (await response.json(content_type=None))["errno"] == "20015"


async def test_unanswered_calls_have_no_recording(
    connected: Api, sim: PbxSimulator
) -> None:
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.hangup(callid)
    assert sim.recordings == []
