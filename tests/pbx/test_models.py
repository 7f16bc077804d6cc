"""Parsing of PBX answers and reports into models: spellings, numbers, unknown keys."""

from datetime import timedelta
from typing import Any

import pytest

from custom_components.yeastar.pbx.callmodels import (
    Call,
    CallMember,
    CallType,
    Cdr,
    CdrStatus,
    MemberKind,
    MemberStatus,
    parse_members,
)
from custom_components.yeastar.pbx.models import (
    Extension,
    ExtensionSettings,
    LoginResult,
    SystemInfo,
    Trunk,
)
from custom_components.yeastar.pbx.text import (
    as_int,
    as_switch,
    as_text,
    pick,
    pick_list,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (" 1000 ", "1000"),
        (12, "12"),
        (1.5, "1.5"),
        (True, "True"),
        ("", ""),
    ],
)
def test_as_text(value: Any, text: str) -> None:
    """Scalars become stripped strings; null is blank."""
    assert as_text(value) == text


def test_pick_prefers_exact_keys_in_order() -> None:
    """The first key present wins; exact matches before case-folded ones."""
    data = {"extnumber": "1", "Number": "2", "number": "3"}
    assert pick(data, "number", "extnumber") == "3"
    assert pick({"Number": "2", "extnumber": "1"}, "number", "extnumber") == "1"
    assert pick({"NUMBER": 7}, "number") == "7"
    assert pick({"other": "x"}, "number") == ""
    assert pick({"number": None}, "number") == ""


def test_pick_list() -> None:
    """Lists are found under any spelling; other values are not lists."""
    assert pick_list({"Calls": [1]}, "calls") == [1]
    assert pick_list({"calls": [1], "Calls": [2]}, "calls") == [1]
    assert pick_list({"calls": "none", "list": [3]}, "calls", "list") == [3]
    assert pick_list({"calls": {"a": 1}}, "calls") == []
    assert pick_list({}, "calls") == []


@pytest.mark.parametrize(
    ("value", "number"),
    [("12", 12), ("-3", -3), ("", None), ("12s", None), ("1.5", None)],
)
def test_as_int(value: str, number: int | None) -> None:
    """Number strings become ints; anything else None."""
    assert as_int(value) == number


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("on", True),
        ("ON", True),
        ("yes", True),
        ("1", True),
        ("Enabled", True),
        ("off", False),
        ("No", False),
        ("0", False),
        ("disabled", False),
        ("", None),
        ("custom", None),
    ],
)
def test_as_switch(value: str, state: bool | None) -> None:
    """PBX switches in every spelling."""
    assert as_switch(value) is state


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("ALERT", MemberStatus.ALERT),
        ("ring", MemberStatus.RING),
        ("Answered", MemberStatus.ANSWERED),
        ("ANSWERD", MemberStatus.ANSWERED),
        ("answer", MemberStatus.ANSWER),
        (" hold ", MemberStatus.HOLD),
        ("BYE", MemberStatus.BYE),
        ("", None),
        ("DIALING", None),
    ],
)
def test_member_status(value: str, status: MemberStatus | None) -> None:
    """Member statuses in any case, the ANSWERD typo included."""
    assert MemberStatus.parse(value) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("ANSWERED", CdrStatus.ANSWERED),
        ("ANSWERD", CdrStatus.ANSWERED),
        ("answer", CdrStatus.ANSWERED),
        ("NO ANSWER", CdrStatus.NO_ANSWER),
        ("NO ANSWERED", CdrStatus.NO_ANSWER),
        ("no_answer", CdrStatus.NO_ANSWER),
        ("NOANSWER", CdrStatus.NO_ANSWER),
        ("no  answer", CdrStatus.NO_ANSWER),
        ("BUSY", CdrStatus.BUSY),
        ("VoiceMail", CdrStatus.VOICEMAIL),
        ("FAILED", CdrStatus.FAILED),
        ("", CdrStatus.UNKNOWN),
        ("CONGESTION", CdrStatus.UNKNOWN),
    ],
)
def test_cdr_status(value: str, status: CdrStatus) -> None:
    """CDR statuses in every documented spelling; others are unknown."""
    assert CdrStatus.parse(value) is status


@pytest.mark.parametrize(
    ("value", "call_type"),
    [
        ("Inbound", CallType.INBOUND),
        ("OUTBOUND", CallType.OUTBOUND),
        (" internal ", CallType.INTERNAL),
        ("callback", CallType.CALLBACK),
        ("Transfer", CallType.TRANSFER),
        ("conference", CallType.UNKNOWN),
        ("", CallType.UNKNOWN),
    ],
)
def test_call_type(value: str, call_type: CallType) -> None:
    """Call types in any case; others are unknown."""
    assert CallType.parse(value) is call_type


def test_login_result() -> None:
    """The transport is upper case; older firmware sends none."""
    assert LoginResult.from_dict({"token": "abc", "transport": "tcp"}) == LoginResult(
        token="abc", transport="TCP"
    )
    assert LoginResult.from_dict({"status": "Success", "token": "abc"}).transport == ""


def test_device_info_numbers_and_unknown_keys() -> None:
    """Numbers become strings, unknown keys are ignored, missing ones blank."""
    info = SystemInfo.from_dict(
        {
            "DeviceName": "Yeastar S50",
            "sn": 369451090405,
            "firmwarever": 30.13,
            "new": "x",
        }
    )
    assert info.model == "Yeastar S50"
    assert info.serial_number == "369451090405"
    assert info.firmware_version == "30.13"
    assert info.uptime == ""
    assert info.to_dict()["serial_number"] == "369451090405"


@pytest.mark.parametrize("key", ["number", "extnumber", "extid", "Number"])
def test_extension_number_spellings(key: str) -> None:
    """v2 ``number``, v1 ``extnumber`` and ``extid`` all name the extension."""
    extension = Extension.from_dict(
        {
            key: 1000,
            "username": "Reception",
            "type": "sip",
            "status": "Registered",
            "x": 1,
        }
    )
    assert extension == Extension(
        number="1000", name="Reception", type="SIP", status="Registered"
    )


def test_extension_settings() -> None:
    """Settings parse switches and forwards, keep raw text and drop secrets."""
    settings = ExtensionSettings.from_dict(
        {
            "extnumber": "1001",
            "username": "Office",
            "type": "SIP",
            "status": "Busy",
            "callerid": 1001,
            "email": "office@example.com",
            "moblie": "0612345678",
            "dnd": "ON",
            "alwaysforward": "on",
            "atransferext": "1002",
            "noanswerforward": "off",
            "busyforward": "custom",
            "ringtimeout": 30,
            "registerpassword": "pw",
            "LoginPassword": "md5",
            "vmsecret": "1234",
            "nested": {"a": 1},
            "list": [1],
        }
    )
    assert settings.number == "1001"
    assert settings.caller_id == "1001"
    assert settings.mobile == "0612345678"
    assert settings.do_not_disturb is True
    assert settings.always_forward is True
    assert settings.always_forward_to == "1002"
    assert settings.no_answer_forward is False
    assert settings.busy_forward is None
    assert settings.raw["ringtimeout"] == "30"
    assert settings.raw["moblie"] == "0612345678"
    assert not {
        "registerpassword",
        "LoginPassword",
        "vmsecret",
        "nested",
        "list",
    } & set(settings.raw)


def test_extension_settings_prefers_mobile_and_transfernum() -> None:
    """``mobile`` wins over the typo, ``atransfernum`` over ``atransferext``."""
    settings = ExtensionSettings.from_dict(
        {
            "number": "1",
            "mobile": "a",
            "moblie": "b",
            "atransfernum": "c",
            "atransferext": "d",
        }
    )
    assert (settings.mobile, settings.always_forward_to) == ("a", "c")
    assert settings.do_not_disturb is None


@pytest.mark.parametrize("key", ["trunkname", "trunk", "name", "TrunkName"])
def test_trunk_name_spellings(key: str) -> None:
    """The trunk name is read under each spelling; ids may be numbers."""
    trunk = Trunk.from_dict(
        {key: "SIPTrunk1", "id": 1, "type": "sip", "status": "registered"}
    )
    assert trunk == Trunk(name="SIPTrunk1", id="1", type="SIP", status="registered")


def test_call_member_kinds() -> None:
    """Each member kind parses its own fields."""
    ext = CallMember.from_dict(
        {
            "EXT": {
                "extnumber": 1000,
                "channelid": "PJSIP/1000-1",
                "memberstatus": "answerd",
            }
        }
    )
    assert ext == CallMember(
        kind=MemberKind.EXTENSION,
        number="1000",
        channel_id="PJSIP/1000-1",
        status=MemberStatus.ANSWERED,
    )
    outbound = CallMember.from_dict(
        {
            "outbound": {
                "from": 1000,
                "to": "0612",
                "trunk": "SIPTrunk1",
                "channelid": "PJSIP/trunk-2",
                "memberstatus": "ALERT",
                "callpath": "x",
            }
        }
    )
    assert outbound is not None
    assert outbound.kind is MemberKind.OUTBOUND
    assert (outbound.from_number, outbound.to_number, outbound.trunk_name) == (
        "1000",
        "0612",
        "SIPTrunk1",
    )
    assert outbound.call_path == "x"
    inbound = CallMember.from_dict({"inbound": {"from": "0612"}})
    assert inbound is not None
    assert inbound.kind is MemberKind.INBOUND
    assert inbound.status is None


def test_call_member_rejects_non_members() -> None:
    """Unknown keys and non-object values are not members; a later key may be."""
    assert CallMember.from_dict({"queue": {"number": "6700"}}) is None
    assert CallMember.from_dict({"ext": "1000"}) is None
    member = CallMember.from_dict({"other": {}, "ext": {"number": "1"}})
    assert member is not None
    assert member.number == "1"


def test_parse_members_skips_junk() -> None:
    """Non-objects and non-members in ``members`` are skipped."""
    members = parse_members(["x", 1, {"queue": {}}, {"ext": {"number": "1000"}}])
    assert [m.number for m in members] == ["1000"]


def test_call() -> None:
    """A call keeps its members in order; extension legs can be singled out."""
    call = Call.from_dict(
        {
            "callid": 1709287200.12,
            "Members": [
                {"inbound": {"from": "0612", "to": "555", "trunkname": "T1"}},
                {"ext": {"number": "1000", "memberstatus": "RING"}},
                {"ext": {"number": "1001", "memberstatus": "RING"}},
            ],
            "unknown": True,
        }
    )
    assert call.call_id == "1709287200.12"
    assert len(call.members) == 3
    assert [m.number for m in call.extension_members()] == ["1000", "1001"]
    assert Call.from_dict({"callid": "1"}).members == ()


@pytest.mark.parametrize(
    "destination_key", ["dsttrcunkname", "dsttrunkname", "desttrunkname", "dstrunkname"]
)
def test_cdr_spellings(destination_key: str) -> None:
    """A NewCdr with every documented spelling and numbers for durations."""
    cdr = Cdr.from_dict(
        {
            "event": "NewCdr",
            "callid": "1709287200.12",
            "timestart": "2024-03-01 10:15:00",
            "callfrom": 1000,
            "callto": "0612345678",
            "callduraction": 12,
            "talkduraction": "7",
            "srctrunkname": "",
            destination_key: "SIPTrunk1",
            "pincode": "",
            "status": "NO ANSWERED",
            "type": "Outbound",
            "recording": "r.wav",
            "didnumber": "",
            "agentringtime": "3",
            "sn": "369451090405",
        }
    )
    assert cdr == Cdr(
        call_id="1709287200.12",
        time_start="2024-03-01 10:15:00",
        call_from="1000",
        call_to="0612345678",
        call_duration=12,
        talk_duration=7,
        source_trunk="",
        destination_trunk="SIPTrunk1",
        pin_code="",
        status=CdrStatus.NO_ANSWER,
        call_type=CallType.OUTBOUND,
        recording="r.wav",
        did_number="",
        agent_ring_time="3",
    )


def test_cdr_correct_spelling_and_blanks() -> None:
    """``callduration``/``talkduration`` are read too; blanks give None."""
    cdr = Cdr.from_dict({"callduration": "30", "talkduration": "", "status": "ANSWERD"})
    assert cdr.call_duration == 30
    assert cdr.talk_duration is None
    assert cdr.status is CdrStatus.ANSWERED
    assert cdr.call_type is CallType.UNKNOWN


@pytest.mark.parametrize(
    ("system_time", "offset"),
    [
        ("2024-03-01 10:15:00 UTC+1", timedelta(hours=1)),
        ("2024-03-01 10:15:00 UTC-5:30", -timedelta(hours=5, minutes=30)),
        ("2024-03-01 10:15:00 GMT+08:00", timedelta(hours=8)),
        ("2024-03-01 10:15:00 utc+0545", timedelta(hours=5, minutes=45)),
        ("2024-03-01 10:15:00 UTC", timedelta(0)),
        ("2024-03-01 10:15:00 UTC+30", None),  # not a zone
        ("2024-03-01 10:15:00", None),
        ("", None),
    ],
)
def test_the_system_time_gives_the_pbx_zone(
    system_time: str, offset: timedelta | None
) -> None:
    """The label after the system time is the PBX's UTC offset; no label, no zone."""
    zone = SystemInfo.from_dict({"systemtime": system_time}).time_zone
    assert (None if zone is None else zone.utcoffset(None)) == offset
