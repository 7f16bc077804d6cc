"""Parsing of the cdr/download CSV: literal texts in every shape the reference allows."""

import pytest

from custom_components.yeastar.pbx.callmodels import CallType, Cdr, CdrStatus
from custom_components.yeastar.pbx.cdr import parse_cdr_csv

HEADER = (
    "callid,timestart,callfrom,callto,callduraction,talkduraction,srctrunkname,"
    "dsttrcunkname,pincode,status,type,recording,didnumber,agentringtime"
)
ROW = (
    "1709287200.12,2024-03-01 10:00:00,0612345678,1000,47,39,SIPTrunk1,,,ANSWERED,"
    "Inbound,20240301100008-1709287200.12-0612345678-1000-Inbound.wav,5551234,"
)
EXPECTED = Cdr(
    call_id="1709287200.12",
    time_start="2024-03-01 10:00:00",
    call_from="0612345678",
    call_to="1000",
    call_duration=47,
    talk_duration=39,
    source_trunk="SIPTrunk1",
    destination_trunk="",
    pin_code="",
    status=CdrStatus.ANSWERED,
    call_type=CallType.INBOUND,
    recording="20240301100008-1709287200.12-0612345678-1000-Inbound.wav",
    did_number="5551234",
    agent_ring_time="",
)


def test_the_simulators_format() -> None:
    text = f"{HEADER}\r\n{ROW}\r\n"
    assert parse_cdr_csv(text.encode()) == [EXPECTED]
    assert parse_cdr_csv(text) == [EXPECTED]


@pytest.mark.parametrize(
    "body",
    [
        f"{HEADER}\n{ROW}\n".encode(),  # LF
        f"{HEADER}\r\n{ROW}".encode(),  # no final line end
        b"\xef\xbb\xbf" + f"{HEADER}\r\n{ROW}\r\n".encode(),  # UTF-8 BOM
        "\ufeff" + f"{HEADER}\n{ROW}\n",  # BOM in a decoded text
        f"\r\n{HEADER}\r\n\r\n{ROW}\r\n\r\n,,,\r\n".encode(),  # blank lines and rows
        f"{HEADER}\n{ROW}\n{HEADER}\n".encode(),  # the header again
    ],
)
def test_line_ends_bom_and_blank_lines(body: bytes | str) -> None:
    assert parse_cdr_csv(body) == [EXPECTED]


@pytest.mark.parametrize(
    "body",
    [b"", "", "\r\n\r\n", "No records", "no cdr found\n", "\ufeff", ",,,\n"],
)
def test_nothing_to_read(body: bytes | str) -> None:
    assert parse_cdr_csv(body) == []


def test_header_only() -> None:
    assert parse_cdr_csv(HEADER + "\r\n") == []


def test_quoted_fields() -> None:
    text = (
        'callid,callfrom,callto,status\r\n"1.2","Jansen, Piet","say ""hi""\r\nthere",'
        '"NO ANSWER"\r\n'
    )
    (cdr,) = parse_cdr_csv(text)
    assert (cdr.call_id, cdr.call_from, cdr.call_to, cdr.status) == (
        "1.2",
        "Jansen, Piet",
        'say "hi"\r\nthere',
        CdrStatus.NO_ANSWER,
    )


def test_header_names_in_any_case_and_spacing() -> None:
    text = (
        "Call ID;Time_Start;CALL-FROM;Call To;Call Duration;talk duration;"
        "SrcTrunkName;Status;Type\n"
        "1.3;2024-03-01 11:00:00;1000;0612345678;30;25;;answerd;OUTBOUND\n"
    )
    (cdr,) = parse_cdr_csv(text)
    assert cdr.call_id == "1.3"
    assert cdr.time_start == "2024-03-01 11:00:00"
    assert (cdr.call_from, cdr.call_to) == ("1000", "0612345678")
    assert (cdr.call_duration, cdr.talk_duration) == (30, 25)
    assert cdr.status is CdrStatus.ANSWERED
    assert cdr.call_type is CallType.OUTBOUND


@pytest.mark.parametrize(
    "column", ["dsttrcunkname", "dsttrunkname", "desttrunkname", "dstrunkname"]
)
def test_every_destination_trunk_spelling(column: str) -> None:
    (cdr,) = parse_cdr_csv(f"callid,{column}\n1.4,SIPTrunk2\n")
    assert cdr.destination_trunk == "SIPTrunk2"


def test_duration_spellings_and_statuses() -> None:
    text = (
        "callid,callduration,talkduration,status\n"
        "1.5,12,0,NO ANSWERED\n"
        "1.6,x,,VOICEMAIL\n"
        "1.7,3,3,Busy\n"
        "1.8,,,something new\n"
    )
    cdrs = parse_cdr_csv(text)
    assert [(c.call_duration, c.talk_duration) for c in cdrs] == [
        (12, 0),
        (None, None),
        (3, 3),
        (None, None),
    ]
    assert [c.status for c in cdrs] == [
        CdrStatus.NO_ANSWER,
        CdrStatus.VOICEMAIL,
        CdrStatus.BUSY,
        CdrStatus.UNKNOWN,
    ]


def test_unknown_columns_short_and_long_rows() -> None:
    text = (
        "uniqueid,callid,disposition,callfrom,callto,extra\n"
        "a1,1.9,ANSWERED,1000\n"  # short: the missing cells are blank
        "a2,1.10,BUSY,1001,1002,x,y,z\n"  # long: the cells beyond the header are ignored
    )
    short, long = parse_cdr_csv(text)
    assert (short.call_id, short.call_from, short.call_to) == ("1.9", "1000", "")
    assert short.status is CdrStatus.UNKNOWN  # "disposition" is not a NewCdr field
    assert (long.call_id, long.call_from, long.call_to) == ("1.10", "1001", "1002")


def test_tab_separated_and_spaces_around() -> None:
    text = "callid\t timestart \tcallto\n 2.1 \t2024-03-01 12:00:00\t 6300(1001) \n"
    (cdr,) = parse_cdr_csv(text)
    assert (cdr.call_id, cdr.time_start, cdr.call_to) == (
        "2.1",
        "2024-03-01 12:00:00",
        "6300(1001)",
    )


def test_undecodable_bytes_are_replaced() -> None:
    (cdr,) = parse_cdr_csv(b"callid,callfrom\n2.2,Caf\xe9\n")
    assert cdr.call_from == "Caf\ufffd"


def test_several_records_keep_the_files_order() -> None:
    text = f"{HEADER}\n{ROW.replace('1709287200.12', '2')}\n{ROW.replace('1709287200.12', '1')}\n"
    assert [cdr.call_id for cdr in parse_cdr_csv(text)] == ["2", "1"]
