"""Tests of the event report parser (reference section 7)."""

from dataclasses import FrozenInstanceError
import json
from typing import Any

import pytest

from custom_components.yeastar.pbx.callmodels import (
    CallMember,
    CallType,
    CdrStatus,
    MemberKind,
    MemberStatus,
)
from custom_components.yeastar.pbx.errors import YeastarReportError
from custom_components.yeastar.pbx.events import (
    EVENT_TYPES,
    BootUpReport,
    CallFailedReport,
    CallStatusReport,
    ConfigChangeReport,
    DtmfReport,
    ExtensionStatusReport,
    InviteReport,
    NewCdrReport,
    PlayPromptEndReport,
    Report,
    UnknownReport,
    decode_report,
    is_shallow,
    parse_report,
    report_fingerprint,
    same_report,
)

from .conftest import stored_report

SN = "369451090405"
CALL_ID = "1709287200.12"
INBOUND_MEMBER = CallMember(
    kind=MemberKind.INBOUND,
    from_number="0612345678",
    to_number="5551234",
    trunk_name="SIPTrunk1",
    channel_id="PJSIP/trunk-SIPTrunk1-endpoint-00000021",
)


def body(**fields: Any) -> bytes:
    """Encode a report body."""
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("name", "event_type", "event_name"),
    [
        ("extension_status", ExtensionStatusReport, "ExtensionStatus"),
        ("extension_status_ringing", ExtensionStatusReport, "ExtensionStatus"),
        ("call_status_inbound_ringing", CallStatusReport, "CallStatus"),
        ("call_status_click_to_call", CallStatusReport, "CallStatus"),
        ("new_cdr", NewCdrReport, "NewCdr"),
        ("invite", InviteReport, "Invite"),
        ("call_failed", CallFailedReport, "CallFailed"),
        ("dtmf", DtmfReport, "DTMF"),
        ("play_prompt_end", PlayPromptEndReport, "PlayPromptEnd"),
        ("config_change_extension", ConfigChangeReport, "ConfigChange"),
        ("config_change_trunk", ConfigChangeReport, "ConfigChange"),
        ("boot_up", BootUpReport, "BootUp"),
        ("incoming", UnknownReport, "Incoming"),
        ("transfer", UnknownReport, "Transfer"),
        ("forward", UnknownReport, "Forward"),
        ("conference_status", UnknownReport, "ConferenceStatus"),
        ("satisfaction", UnknownReport, "satisfaction"),
        ("uacstacall", UnknownReport, "uacstacall"),
        ("queue_auto_pause", UnknownReport, "QueueAutoPause"),
        (
            "queue_agent_ring_no_answer_timeout",
            UnknownReport,
            "QueueAgentRingNoAnswerTimeout",
        ),
    ],
)
def test_every_documented_sample_has_its_type(
    name: str, event_type: type[Report], event_name: str
) -> None:
    """Each documented sample parses to its type; reports no feature uses stay unknown."""
    raw = stored_report(name)
    event = parse_report(raw)
    assert type(event) is event_type
    assert event.name == event_name
    assert event.serial_number == SN
    assert event.raw == json.loads(raw)


def test_extension_status() -> None:
    event = parse_report(stored_report("extension_status"))
    assert event == ExtensionStatusReport(
        name="ExtensionStatus",
        serial_number=SN,
        raw=json.loads(stored_report("extension_status")),
        extension="1000",
        status="Registered",
        registered_ip="192.168.1.50",
    )
    ringing = parse_report(stored_report("extension_status_ringing"))
    assert isinstance(ringing, ExtensionStatusReport)
    assert (ringing.status, ringing.registered_ip) == ("Ringing", "")


def test_extension_status_tolerates_numbers_and_key_case() -> None:
    event = parse_report(
        body(
            event="extensionstatus",
            extension=1000,
            status="Busy",
            RegisteredIp="10.0.0.9",
        )
    )
    assert isinstance(event, ExtensionStatusReport)
    assert (event.extension, event.status, event.registered_ip) == (
        "1000",
        "Busy",
        "10.0.0.9",
    )
    assert event.serial_number == ""


def test_call_status_members() -> None:
    event = parse_report(stored_report("call_status_inbound_ringing"))
    assert isinstance(event, CallStatusReport)
    assert event.call_id == CALL_ID
    assert event.members == (
        CallMember(
            kind=MemberKind.INBOUND,
            from_number="0612345678",
            to_number="5551234",
            trunk_name="SIPTrunk1",
            channel_id="PJSIP/trunk-SIPTrunk1-endpoint-00000021",
            status=MemberStatus.ALERT,
        ),
        CallMember(
            kind=MemberKind.EXTENSION,
            number="1000",
            channel_id="PJSIP/1000-00000022",
            status=MemberStatus.RING,
        ),
    )


def test_call_status_member_spellings_and_numbers() -> None:
    event = parse_report(
        body(
            event="CALLSTATUS",
            callid=1709287200.12,
            sn=369451090405,
            members=[
                {
                    "ext": {
                        "extnumber": 1001,
                        "channelid": "c1",
                        "memberstatus": "answerd",
                    }
                },
                {"EXT": {"number": "1002", "memberstatus": "ring", "color": "blue"}},
                {"outbound": {"from": 1001, "to": 612345678, "trunkname": "T"}},
                {"weird": {"number": "9"}},
                "not a member",
            ],
            extra={"nested": True},
        )
    )
    assert isinstance(event, CallStatusReport)
    assert event.call_id == "1709287200.12"
    assert event.serial_number == "369451090405"
    assert [(m.kind, m.number, m.status) for m in event.members] == [
        (MemberKind.EXTENSION, "1001", MemberStatus.ANSWERED),
        (MemberKind.EXTENSION, "1002", MemberStatus.RING),
        (MemberKind.OUTBOUND, "", None),
    ]
    assert event.members[2].to_number == "612345678"


def test_call_status_without_members() -> None:
    event = parse_report(body(event="CallStatus", members=[]))
    assert isinstance(event, CallStatusReport)
    assert (event.call_id, event.members) == ("", ())


def test_new_cdr() -> None:
    event = parse_report(stored_report("new_cdr"))
    assert isinstance(event, NewCdrReport)
    assert event.call_id == CALL_ID
    cdr = event.cdr
    assert (cdr.call_from, cdr.call_to, cdr.did_number) == (
        "0612345678",
        "1000",
        "5551234",
    )
    assert (cdr.call_duration, cdr.talk_duration) == (47, 39)
    assert (cdr.status, cdr.call_type) == (CdrStatus.ANSWERED, CallType.INBOUND)
    assert cdr.source_trunk == "SIPTrunk1"
    assert cdr.recording.endswith("-Inbound.wav")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ANSWERED", CdrStatus.ANSWERED),
        ("ANSWERD", CdrStatus.ANSWERED),
        ("NO ANSWER", CdrStatus.NO_ANSWER),
        ("NO ANSWERED", CdrStatus.NO_ANSWER),
        ("no answer", CdrStatus.NO_ANSWER),
        ("BUSY", CdrStatus.BUSY),
        ("VOICEMAIL", CdrStatus.VOICEMAIL),
        ("FAILED", CdrStatus.FAILED),
        ("", CdrStatus.UNKNOWN),
    ],
)
def test_new_cdr_status_spellings(status: str, expected: CdrStatus) -> None:
    event = parse_report(body(event="NewCdr", callid="1.1", status=status))
    assert isinstance(event, NewCdrReport)
    assert event.cdr.status is expected


@pytest.mark.parametrize(
    "key", ["dsttrcunkname", "dsttrunkname", "desttrunkname", "dstrunkname"]
)
def test_new_cdr_destination_trunk_spellings(key: str) -> None:
    event = parse_report(body(event="NewCdr", callid="1.1", **{key: "SIPTrunk2"}))
    assert isinstance(event, NewCdrReport)
    assert event.cdr.destination_trunk == "SIPTrunk2"


def test_new_cdr_with_numbers_and_missing_fields() -> None:
    event = parse_report(
        body(event="NewCdr", callid=7, callduraction=12, type="outbound")
    )
    assert isinstance(event, NewCdrReport)
    assert (event.call_id, event.cdr.call_duration, event.cdr.talk_duration) == (
        "7",
        12,
        None,
    )
    assert (event.cdr.call_type, event.cdr.call_from) == (CallType.OUTBOUND, "")


def test_invite() -> None:
    event = parse_report(stored_report("invite"))
    assert isinstance(event, InviteReport)
    assert event.call_id == CALL_ID
    assert event.members[0] == INBOUND_MEMBER


def test_call_failed() -> None:
    event = parse_report(stored_report("call_failed"))
    assert isinstance(event, CallFailedReport)
    assert (event.call_id, event.reason) == ("1709287300.15", "486 Busy here")
    assert [m.number for m in event.members] == ["1000"]


def test_dtmf() -> None:
    event = parse_report(stored_report("dtmf"))
    assert isinstance(event, DtmfReport)
    assert (event.call_id, event.info, event.flag, event.infos) == (
        CALL_ID,
        "2",
        "0",
        "2",
    )
    assert event.members == (INBOUND_MEMBER,)
    numeric = parse_report(body(event="dtmf", info=5, flag=1, infos=25))
    assert isinstance(numeric, DtmfReport)
    assert (numeric.info, numeric.flag, numeric.infos) == ("5", "1", "25")


def test_play_prompt_end() -> None:
    event = parse_report(stored_report("play_prompt_end"))
    assert isinstance(event, PlayPromptEndReport)
    assert (event.call_id, event.prompt) == (CALL_ID, "welcome")
    with_ivr = parse_report(
        body(event="PlayPromptEnd", callid="1.2", ivr={"number": "6500"})
    )
    assert isinstance(with_ivr, PlayPromptEndReport)
    assert with_ivr.prompt == ""
    assert with_ivr.raw["ivr"] == {"number": "6500"}


def test_config_change() -> None:
    extension = parse_report(stored_report("config_change_extension"))
    assert isinstance(extension, ConfigChangeReport)
    assert (extension.change_type, extension.operation, extension.extension) == (
        "extension",
        "add",
        "1005",
    )
    assert extension.trunk_name == ""
    trunk = parse_report(stored_report("config_change_trunk"))
    assert isinstance(trunk, ConfigChangeReport)
    assert (trunk.change_type, trunk.operation, trunk.trunk_name) == (
        "trunk",
        "update",
        "SIPTrunk1",
    )
    upper = parse_report(
        body(event="ConfigChange", type="Extension", operation="DEL", number=1006)
    )
    assert isinstance(upper, ConfigChangeReport)
    assert (upper.change_type, upper.operation, upper.extension) == (
        "extension",
        "del",
        "1006",
    )


def test_boot_up() -> None:
    assert parse_report(stored_report("boot_up")) == BootUpReport(
        name="BootUp", serial_number=SN, raw={"event": "BootUp", "sn": SN}
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"event": "SomethingNew", "sn": SN, "callid": "1"},
        {"event": "ConferenceMute"},
        {"sn": SN, "callid": "1"},
        {},
        {"event": ""},
        {"event": None},
        {"event": 42},
    ],
)
def test_unknown_events(raw: dict[str, Any]) -> None:
    event = parse_report(raw)
    assert type(event) is UnknownReport
    assert event.raw == raw
    assert event.name == ("" if raw.get("event") is None else str(raw["event"]))


def test_v1_action_reports() -> None:
    ring = parse_report(stored_report("v1_ring"))
    assert type(ring) is UnknownReport
    assert (ring.name, ring.serial_number) == ("RING", "")
    cdr = parse_report(
        body(action="NewCdr", callid="1495771030.365", desttrunkname="sip-142")
    )
    assert isinstance(cdr, NewCdrReport)
    assert cdr.cdr.destination_trunk == "sip-142"
    failed = parse_report(
        body(
            action="CallFailed",
            callid="1495771030.365",
            ext={"extid": "1002"},
            inbound={"from": "0612", "to": "5551", "trunk": "sip-142"},
        )
    )
    assert isinstance(failed, CallFailedReport)
    assert [
        (m.kind, m.number, m.from_number, m.trunk_name) for m in failed.members
    ] == [
        (MemberKind.EXTENSION, "1002", "", ""),
        (MemberKind.INBOUND, "", "0612", "sip-142"),
    ]
    cloud_invite = parse_report(
        body(
            action="Invite",
            callid="1.1",
            call=[{"inbound": {"from": "0612", "to": "5551"}}],
        )
    )
    assert isinstance(cloud_invite, InviteReport)
    assert [m.from_number for m in cloud_invite.members] == ["0612"]


def test_event_key_wins_over_action_and_key_case_is_ignored() -> None:
    event = parse_report({"Event": "BootUp", "action": "RING", "SN": SN})
    assert isinstance(event, BootUpReport)
    assert (event.name, event.serial_number) == ("BootUp", SN)


def test_registry_keys_are_lower_case_and_cover_every_type() -> None:
    assert all(key == key.casefold() for key in EVENT_TYPES)
    assert set(EVENT_TYPES.values()) == {
        ExtensionStatusReport,
        CallStatusReport,
        NewCdrReport,
        InviteReport,
        CallFailedReport,
        DtmfReport,
        PlayPromptEndReport,
        ConfigChangeReport,
        BootUpReport,
    }
    assert UnknownReport not in EVENT_TYPES.values()


def test_body_forms_give_the_same_event() -> None:
    raw = stored_report("call_status_inbound_ringing")
    from_bytes = parse_report(raw)
    assert parse_report(raw.decode()) == from_bytes
    assert parse_report(bytearray(raw)) == from_bytes
    assert parse_report(json.loads(raw)) == from_bytes
    assert parse_report(b"\xef\xbb\xbf" + raw) == from_bytes  # UTF-8 byte-order mark


def test_parsed_mapping_is_copied() -> None:
    raw = {"event": "BootUp", "sn": SN}
    event = parse_report(raw)
    raw["sn"] = "changed"
    assert event.serial_number == SN
    assert event.raw == {"event": "BootUp", "sn": SN}


def test_events_are_frozen_hashable_and_short_in_repr() -> None:
    event = parse_report(stored_report("call_status_inbound_ringing"))
    with pytest.raises(FrozenInstanceError):
        event.name = "x"  # type: ignore[misc]
    assert hash(event) == hash(
        parse_report(stored_report("call_status_inbound_ringing"))
    )
    assert "raw=" not in repr(event)
    assert len({event, parse_report(stored_report("call_status_inbound_ringing"))}) == 1


def test_unicode_values_survive() -> None:
    event = parse_report(
        '{"event":"ConfigChange","type":"trunk","trunkname":"Zürich ☎"}'
    )
    assert isinstance(event, ConfigChangeReport)
    assert event.trunk_name == "Zürich ☎"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        ("", "empty"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"event":"BootUp"', "not valid JSON"),
        (b"event=BootUp", "not valid JSON"),
        (b'{"event":"BootUp"} trailing', "not valid JSON"),
        (b"[1,2]", "JSON array"),
        (b'[{"event":"BootUp"}]', "JSON array"),
        (b"42", "JSON number"),
        (b"4.5", "JSON number"),
        (b'"CallStatus"', "JSON string"),
        (b"true", "JSON boolean"),
        (b"null", "JSON null"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"1" * 5000, "not valid JSON"),
    ],
)
def test_malformed_bodies_raise_one_clear_error(raw: bytes | str, message: str) -> None:
    with pytest.raises(YeastarReportError, match=message):
        parse_report(raw)
    with pytest.raises(YeastarReportError):
        report_fingerprint(raw)


def test_report_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not an object"):
        decode_report(b"[]")


def test_fingerprint_ignores_key_order_and_whitespace() -> None:
    first = b'{"event":"CallStatus","callid":"1.2","members":[{"ext":{"number":"1000","memberstatus":"RING"}}],"sn":"9"}'
    second = b'{ "sn": "9", "members": [ { "ext": { "memberstatus": "RING", "number": "1000" } } ],\n "callid": "1.2", "event": "CallStatus" }'
    fingerprint = report_fingerprint(first)
    assert fingerprint == report_fingerprint(second)
    assert fingerprint == report_fingerprint(parse_report(second))
    assert fingerprint == report_fingerprint(first.decode())
    assert fingerprint == report_fingerprint(json.loads(second))
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0


def test_fingerprint_tells_different_reports_apart() -> None:
    ring = {
        "event": "CallStatus",
        "callid": "1.2",
        "members": [{"ext": {"number": "1000", "memberstatus": "RING"}}],
    }
    answer = {
        "event": "CallStatus",
        "callid": "1.2",
        "members": [{"ext": {"number": "1000", "memberstatus": "ANSWER"}}],
    }
    reordered_members = {
        "event": "CallStatus",
        "callid": "1.2",
        "members": [{"ext": {"number": "1001"}}, {"ext": {"number": "1000"}}],
    }
    members = {
        "event": "CallStatus",
        "callid": "1.2",
        "members": [{"ext": {"number": "1000"}}, {"ext": {"number": "1001"}}],
    }
    digests = {
        report_fingerprint(ring),
        report_fingerprint(answer),
        report_fingerprint(reordered_members),
        report_fingerprint(members),
        report_fingerprint({"event": "BootUp", "sn": "1"}),
        report_fingerprint({"event": "BootUp", "sn": 1}),
    }
    assert len(digests) == 6


def test_fingerprint_of_unusual_mappings() -> None:
    assert report_fingerprint({1: "a", "b": ("x", {2: 3})}) == report_fingerprint(
        {"b": ["x", {"2": 3}], "1": "a"}
    )
    assert report_fingerprint({"when": {1, 2}}) == report_fingerprint(
        {"when": str({1, 2})}
    )
    assert report_fingerprint('{"lone":"\\ud800"}') != report_fingerprint(
        '{"lone":"x"}'
    )


def test_fingerprint_of_a_mapping_nested_too_deeply() -> None:
    """A body nested deeper than can be digested is an unreadable report."""
    nested: dict[str, object] = {}
    for _ in range(5000):
        nested = {"x": nested}
    with pytest.raises(YeastarReportError, match="nested too deeply"):
        report_fingerprint(nested)


def test_same_report_is_the_same_fingerprint() -> None:
    """Reports are the same when their fingerprints are, whatever their key order."""
    first = parse_report(b'{"event":"ExtensionStatus","extension":"1000","sn":"9"}')
    again = parse_report(
        b'{ "sn": "9", "extension": "1000",\n "event": "ExtensionStatus" }'
    )
    other = parse_report(b'{"event":"ExtensionStatus","extension":"1001","sn":"9"}')
    assert same_report(again, first)
    assert not same_report(other, first)
    assert not same_report(first, None)


@pytest.mark.parametrize(
    ("body", "other"),
    [
        # Equal in Python, not in JSON: the fingerprint tells them apart.
        (b'{"event":"X","v":1}', b'{"event":"X","v":true}'),
        (b'{"event":"X","v":1}', b'{"event":"X","v":1.0}'),
        (b'{"event":"X","v":0.0}', b'{"event":"X","v":-0.0}'),
    ],
)
def test_same_report_tells_what_json_tells_apart(body: bytes, other: bytes) -> None:
    assert parse_report(body).raw == parse_report(other).raw
    assert not same_report(parse_report(body), parse_report(other))
    assert report_fingerprint(body) != report_fingerprint(other)


def test_same_report_with_nan() -> None:
    """The JSON decoder's NaN is one object: a resend with NaN is the same report."""
    body = b'{"event":"X","v":[NaN,{"w":NaN}]}'
    assert same_report(parse_report(body), parse_report(body))
    assert report_fingerprint(body) == report_fingerprint(body)


def test_is_shallow() -> None:
    """Few openers: certainly digestible; many: report_fingerprint must tell."""
    flat = b'{"event":"CallStatus","members":[' + b'{"ext":{}},' * 100 + b"{}]}"
    assert is_shallow(flat)
    assert is_shallow(flat.decode())
    assert not is_shallow(b"[" * 256)
    assert not is_shallow("{" * 300)
    deep = b'{"event":"X","x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert not is_shallow(deep)
    with pytest.raises(YeastarReportError, match="nested too deeply"):
        report_fingerprint(parse_report(deep))
