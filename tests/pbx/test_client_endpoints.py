"""Request bodies and answer parsing of every endpoint, against a fake PBX."""

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from custom_components.yeastar.pbx.callmodels import (
    CallMember,
    MemberKind,
    MemberStatus,
)
from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import YeastarApiError
from custom_components.yeastar.pbx.models import Extension, SystemInfo, Trunk

from .conftest import FakePbx

CALL = {
    "callid": "1709287200.12",
    "members": [
        {
            "inbound": {
                "from": "0612345678",
                "to": "5551234",
                "trunkname": "SIPTrunk1",
                "channelid": "PJSIP/trunk-SIPTrunk1-endpoint-00000021",
                "memberstatus": "ANSWERED",
            }
        },
        {
            "ext": {
                "number": "1000",
                "channelid": "PJSIP/1000-00000022",
                "memberstatus": "ANSWER",
            }
        },
    ],
}


def success(**payload: Any) -> dict[str, Any]:
    """Return a PBX success answer."""
    return {"status": "Success", **payload}


async def test_device_info(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``deviceinfo/query`` gives the model, serial and firmware."""
    fake_pbx.answer(
        "deviceinfo/query",
        success(
            deviceinfo={
                "devicename": "Yeastar S100",
                "sn": 369451090405,
                "hardwarever": "V1.10 0000-0000",
                "firmwarever": "30.13.0.30",
                "systemtime": "2024-03-01 10:15:00 UTC+1",
                "uptime": "12:03:59",
                "extensionstatus": "22/100",
            }
        ),
    )
    info = await client.device_info()
    assert info == SystemInfo(
        model="Yeastar S100",
        serial_number="369451090405",
        hardware_version="V1.10 0000-0000",
        firmware_version="30.13.0.30",
        system_time="2024-03-01 10:15:00 UTC+1",
        uptime="12:03:59",
        extension_status="22/100",
    )
    assert fake_pbx.seen("deviceinfo/query")[0].body == {}


@pytest.mark.parametrize(
    "answer",
    [success(), success(deviceinfo="S100"), success(DeviceInfo={"sn": ""})],
    ids=["missing", "not-an-object", "capitalised-empty"],
)
async def test_device_info_missing(
    fake_pbx: FakePbx, client: YeastarClient, answer: dict[str, Any]
) -> None:
    """A missing or malformed ``deviceinfo`` gives blank fields, not a crash."""
    fake_pbx.answer("deviceinfo/query", answer)
    assert (await client.device_info()).serial_number == ""


async def test_device_info_key_case(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """The ``deviceinfo`` key is matched case-insensitively."""
    fake_pbx.answer("deviceinfo/query", success(DeviceInfo={"sn": "1"}))
    assert (await client.device_info()).serial_number == "1"


async def test_extensions(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``extension/list`` gives every extension; junk entries are skipped."""
    fake_pbx.answer(
        "extension/list",
        success(
            extlist=[
                {
                    "number": "1000",
                    "status": "Registered",
                    "type": "SIP",
                    "username": "Reception",
                    "agentid": "",
                },
                {
                    "extnumber": 1008,
                    "status": "Idle",
                    "type": "fxs",
                    "username": "Fax",
                    "port": "Port1",
                },
                "junk",
            ]
        ),
    )
    assert await client.extensions() == [
        Extension(number="1000", name="Reception", type="SIP", status="Registered"),
        Extension(number="1008", name="Fax", type="FXS", status="Idle", port="Port1"),
    ]


async def test_extensions_without_list(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A success without ``extlist`` means no extensions."""
    assert await client.extensions() == []


@pytest.mark.parametrize(
    ("numbers", "sent"),
    [(None, "all"), (["1000"], "1000"), (("1000", "1001"), "1000,1001")],
)
async def test_extension_settings(
    fake_pbx: FakePbx, client: YeastarClient, numbers: Any, sent: str
) -> None:
    """``extension/query`` asks for a comma list or "all" and parses ``extinfos``."""
    fake_pbx.answer(
        "extension/query",
        success(
            extinfos=[
                {
                    "number": "1000",
                    "username": "Reception",
                    "dnd": "on",
                    "registerpassword": "pw",
                }
            ]
        ),
    )
    (settings,) = await client.extension_settings(numbers)
    assert settings.number == "1000"
    assert settings.do_not_disturb is True
    assert "registerpassword" not in settings.raw
    assert fake_pbx.seen("extension/query")[0].body == {"number": sent}


async def test_extension_settings_of_no_numbers(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Asking for no extensions sends nothing."""
    assert await client.extension_settings([]) == []
    assert await client.extension_calls(iter(())) == {}
    assert fake_pbx.requests == []


async def test_extension_calls(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``extension/query_call`` gives each extension's calls."""
    fake_pbx.answer(
        "extension/query_call",
        success(
            calllist=[
                {"number": "1000", "numbercalls": [CALL]},
                {"number": 1001, "numbercalls": []},
                {"number": "1002"},
            ]
        ),
    )
    calls = await client.extension_calls(["1000", "1001", "1002"])
    assert fake_pbx.seen("extension/query_call")[0].body == {"number": "1000,1001,1002"}
    assert set(calls) == {"1000", "1001", "1002"}
    assert calls["1001"] == calls["1002"] == ()
    (call,) = calls["1000"]
    assert call.call_id == "1709287200.12"
    assert call.extension_members() == (
        CallMember(
            kind=MemberKind.EXTENSION,
            number="1000",
            channel_id="PJSIP/1000-00000022",
            status=MemberStatus.ANSWER,
        ),
    )


async def test_extension_calls_all(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Without numbers, every extension is asked about."""
    assert await client.extension_calls() == {}
    assert fake_pbx.seen("extension/query_call")[0].body == {"number": "all"}


async def test_update_extension(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``extension/update`` sends the number and the given fields."""
    await client.update_extension(
        "1000", alwaysforward="on", atransferto="Mobile Number"
    )
    await client.set_do_not_disturb("1000", True)
    await client.set_do_not_disturb("1001", False)
    assert [r.body for r in fake_pbx.seen("extension/update")] == [
        {"number": "1000", "alwaysforward": "on", "atransferto": "Mobile Number"},
        {"number": "1000", "dnd": "on"},
        {"number": "1001", "dnd": "off"},
    ]


async def test_update_extension_failure(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A refused update raises the PBX's errno."""
    fake_pbx.answer("extension/update", {"status": "Failed", "errno": "10025"})
    with pytest.raises(YeastarApiError, match="too frequently") as excinfo:
        await client.set_do_not_disturb("1000", True)
    assert excinfo.value.errno == "10025"


async def test_trunks(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``trunk/list`` gives every trunk."""
    fake_pbx.answer(
        "trunk/list",
        success(
            trunklist=[
                {
                    "trunkname": "SIPTrunk1",
                    "id": 1,
                    "type": "SIP",
                    "status": "Registered",
                },
                {
                    "trunkname": "GSM1",
                    "id": "5",
                    "type": "GSM",
                    "status": "Idle",
                    "port": "Port3",
                },
            ]
        ),
    )
    assert await client.trunks() == [
        Trunk(name="SIPTrunk1", id="1", type="SIP", status="Registered"),
        Trunk(name="GSM1", id="5", type="GSM", status="Idle", port="Port3"),
    ]


async def test_dial(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``call/dial`` returns the call id; options map to PBX fields."""
    fake_pbx.answer("call/dial", success(callid="1709287200.12"), success())
    assert await client.dial("1000", "1001") == "1709287200.12"
    assert (
        await client.dial("6500", "0612", auto_answer=True, dial_permission="1000")
        == ""
    )
    assert [r.body for r in fake_pbx.seen("call/dial")] == [
        {"caller": "1000", "callee": "1001", "autoanswer": "no"},
        {
            "caller": "6500",
            "callee": "0612",
            "autoanswer": "yes",
            "dialpermission": "1000",
        },
    ]


@pytest.mark.parametrize("key", ["calls", "Calls", "CALLS"])
async def test_query_calls(fake_pbx: FakePbx, client: YeastarClient, key: str) -> None:
    """``call/query`` accepts ``calls`` and ``Calls``."""
    fake_pbx.answer("call/query", {"status": "Success", key: [CALL, 7]})
    (call,) = await client.query_calls()
    assert call.call_id == "1709287200.12"
    assert [m.kind for m in call.members] == [MemberKind.INBOUND, MemberKind.EXTENSION]
    assert call.members[0].from_number == "0612345678"
    assert fake_pbx.seen("call/query")[0].body == {}


async def test_query_calls_filters(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """A call id or a call type narrows the query."""
    await client.query_calls(call_id="1.2")
    await client.query_calls(call_type="inbound")
    await client.query_calls(call_id="1.2", call_type="outbound")
    assert [r.body for r in fake_pbx.seen("call/query")] == [
        {"callid": "1.2"},
        {"type": "inbound"},
        {"callid": "1.2", "type": "outbound"},
    ]


async def test_query_unknown_call(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """An unknown call id is errno 10005."""
    fake_pbx.answer("call/query", {"status": "Failed", "errno": "10005"})
    with pytest.raises(YeastarApiError) as excinfo:
        await client.query_calls(call_id="0.0")
    assert excinfo.value.errno == "10005"


async def test_channel_operations(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Hang-up, hold, transfer and inbound control send the channel id."""
    channel = "PJSIP/1000-00000022"
    await client.hangup(channel)
    await client.hold(channel)
    await client.unhold(channel)
    await client.transfer(channel, "1001")
    await client.transfer(channel, "0612", dial_permission="1000")
    await client.accept_inbound("PJSIP/trunk-1")
    await client.refuse_inbound("PJSIP/trunk-2")
    assert [(r.endpoint, r.body) for r in fake_pbx.requests[1:]] == [
        ("call/hangup", {"channelid": channel}),
        ("call/hold", {"channelid": channel}),
        ("call/unhold", {"channelid": channel}),
        ("call/transfer", {"channelid": channel, "number": "1001"}),
        (
            "call/transfer",
            {"channelid": channel, "number": "0612", "dialpermission": "1000"},
        ),
        ("call/accept_inbound", {"channelid": "PJSIP/trunk-1"}),
        ("call/refuse_inbound", {"channelid": "PJSIP/trunk-2"}),
    ]


async def test_accept_after_window(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Accepting after the 10-second window is errno 10016."""
    fake_pbx.answer("call/accept_inbound", {"status": "Failed", "errno": "10016"})
    with pytest.raises(YeastarApiError, match="expired"):
        await client.accept_inbound("PJSIP/trunk-1")


async def test_play_prompt(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``call/playprompt`` sends count and only the options given."""
    await client.play_prompt("1000", "welcome")
    await client.play_prompt(
        "0612", "a+b", count=3, dial_permission="1000", auto_answer=False, volume=15
    )
    await client.play_prompt("1001", "c", auto_answer=True)
    assert [r.body for r in fake_pbx.seen("call/playprompt")] == [
        {"number": "1000", "prompt": "welcome", "count": "1"},
        {
            "number": "0612",
            "prompt": "a+b",
            "count": "3",
            "dialpermission": "1000",
            "autoanswer": "no",
            "volume": "15",
        },
        {"number": "1001", "prompt": "c", "count": "1", "autoanswer": "yes"},
    ]


async def test_send_sms(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """``sms/send`` URL-encodes the message and returns the SMS id."""
    fake_pbx.answer("sms/send", success(smsid="18396210850-1502874159"))
    message = "Door bell rang: 5 € & café?"
    assert (
        await client.send_sms("GSM1", "0612345678", message) == "18396210850-1502874159"
    )
    (sent,) = fake_pbx.seen("sms/send")
    assert sent.body["trunk"] == "GSM1"
    assert sent.body["phonenumber"] == "0612345678"
    assert " " not in sent.body["message"] and "&" not in sent.body["message"]
    assert unquote(sent.body["message"]) == message


async def test_recording_download_url(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """The download address carries the recording, the random and the token."""
    name = "20240301101500-1709287200.12-1000-0612345678-Outbound.wav"
    fake_pbx.answer("recording/get_random", success(recording=name, random="r4nd0m"))
    url = await client.recording_download_url(name)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == client.base_url
    assert parts.path == "/api/v2.0.0/recording/download"
    assert parse_qs(parts.query) == {
        "recording": [name],
        "random": ["r4nd0m"],
        "token": ["token1"],
    }
    assert fake_pbx.seen("recording/get_random")[0].body == {"recording": name}


async def test_recording_missing(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """A missing recording is errno 20014."""
    fake_pbx.answer("recording/get_random", {"status": "Failed", "errno": "20014"})
    with pytest.raises(YeastarApiError, match="recording does not exist"):
        await client.recording_download_url("nope.wav")
