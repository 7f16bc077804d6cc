"""Tests of the call tracker on the event sequences of reference section 7.5."""

from collections.abc import Iterable
import json
from typing import Any

import pytest

from custom_components.yeastar.pbx.callmodels import Call
from custom_components.yeastar.pbx.calls import (
    ActiveCall,
    ActivityKind,
    CallActivity,
    CallDirection,
    CallState,
    CallTracker,
)
from custom_components.yeastar.pbx.events import Report, parse_report

from .conftest import stored_report

CALLER = "0612345678"
DID = "5551234"
TRUNK = "SIPTrunk1"
IN_CHANNEL = "PJSIP/trunk-SIPTrunk1-endpoint-00000021"
OUT_CHANNEL = "PJSIP/trunk-SIPTrunk1-endpoint-0000001b"

RINGING = ActivityKind.RINGING
DIALING = ActivityKind.DIALING
ANSWERED = ActivityKind.ANSWERED
HELD = ActivityKind.HELD
RESUMED = ActivityKind.RESUMED
ENDED = ActivityKind.ENDED
MISSED = ActivityKind.MISSED
VOICEMAIL = ActivityKind.VOICEMAIL


def ext(
    number: str | int, status: str | None, channel: str | None = None
) -> dict[str, Any]:
    """Return an extension member (channel "" leaves the channel id out)."""
    member: dict[str, Any] = {"number": number}
    channel = f"PJSIP/{number}-1" if channel is None else channel
    if channel:
        member["channelid"] = channel
    if status is not None:
        member["memberstatus"] = status
    return {"ext": member}


def inbound(status: str, channel: str = IN_CHANNEL) -> dict[str, Any]:
    """Return the inbound trunk member of a call from CALLER to DID."""
    return {
        "inbound": {
            "from": CALLER,
            "to": DID,
            "trunkname": TRUNK,
            "channelid": channel,
            "memberstatus": status,
        }
    }


def outbound(
    status: str, to: str = CALLER, channel: str = OUT_CHANNEL
) -> dict[str, Any]:
    """Return the outbound trunk member of a call to ``to``."""
    return {
        "outbound": {
            "from": "1000",
            "to": to,
            "trunkname": TRUNK,
            "channelid": channel,
            "memberstatus": status,
        }
    }


def call_status(call_id: str, *members: dict[str, Any]) -> Report:
    """Return a CallStatus report, parsed as the webhook would."""
    return parse_report(
        json.dumps(
            {"event": "CallStatus", "callid": call_id, "members": members, "sn": "1"}
        )
    )


def new_cdr(call_id: str, status: str = "ANSWERED") -> Report:
    """Return a NewCdr report."""
    return parse_report(
        json.dumps({"event": "NewCdr", "callid": call_id, "status": status})
    )


def report(name: str, **fields: Any) -> Report:
    """Return any other report."""
    return parse_report(json.dumps({"event": name, **fields}))


def fixture(name: str) -> Report:
    """Return a stored report."""
    return parse_report(stored_report(name))


def brief(activities: Iterable[CallActivity]) -> list[tuple[ActivityKind, str]]:
    """Reduce activities to (kind, extension)."""
    return [(activity.kind, activity.extension) for activity in activities]


def feed(tracker: CallTracker, *events: Report) -> list[tuple[ActivityKind, str]]:
    """Hand events to the tracker; return every activity in brief."""
    return [item for event in events for item in brief(tracker.handle(event))]


@pytest.fixture
def tracker() -> CallTracker:
    """Return an empty tracker."""
    return CallTracker()


def test_outbound_call(tracker: CallTracker) -> None:
    """Reference 7.5, outbound call from 1000 to an external number."""
    assert (
        tracker.handle(report("ExtensionStatus", extension="1000", status="Busy")) == []
    )
    dialing = tracker.handle(call_status("c1", ext(1000, "ALERT"), outbound("RING")))
    assert dialing == [
        CallActivity(
            kind=DIALING,
            extension="1000",
            call_id="c1",
            direction=CallDirection.OUTBOUND,
            peer_number=CALLER,
            trunk_name=TRUNK,
            did_number="",
            channel_id="PJSIP/1000-1",
            is_caller=True,
        )
    ]
    assert tracker.active_calls("1000") == (
        ActiveCall(
            call_id="c1",
            extension="1000",
            channel_id="PJSIP/1000-1",
            direction=CallDirection.OUTBOUND,
            peer_number=CALLER,
            trunk_name=TRUNK,
            did_number="",
            state=CallState.DIALING,
            answered=False,
        ),
    )
    assert feed(
        tracker, call_status("c1", ext(1000, "ANSWERED"), outbound("ANSWER"))
    ) == [(ANSWERED, "1000")]
    assert tracker.active_calls("1000")[0].state is CallState.TALKING
    assert tracker.active_calls("1000")[0].answered
    assert feed(tracker, call_status("c1", ext(1000, "BYE"), outbound("BYE"))) == [
        (ENDED, "1000")
    ]
    assert tracker.active_calls("1000") == ()
    assert tracker.is_finished("c1")
    assert (
        feed(
            tracker,
            report("ExtensionStatus", extension="1000", status="Registered"),
            new_cdr("c1"),
        )
        == []
    )


def test_outbound_call_not_answered_is_not_missed(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", ext(1000, "ALERT"), outbound("RING")),
        call_status("c1", ext(1000, "BYE"), outbound("BYE")),
        new_cdr("c1", "NO ANSWER"),
    ) == [(DIALING, "1000"), (ENDED, "1000")]


def test_inbound_call_answered(tracker: CallTracker) -> None:
    ringing = tracker.handle(fixture("call_status_inbound_ringing"))
    assert ringing == [
        CallActivity(
            kind=RINGING,
            extension="1000",
            call_id="1709287200.12",
            direction=CallDirection.INBOUND,
            peer_number=CALLER,
            trunk_name=TRUNK,
            did_number=DID,
            channel_id="PJSIP/1000-00000022",
            is_caller=False,
        )
    ]
    call_id = "1709287200.12"
    answered = tracker.handle(
        call_status(
            call_id, inbound("ANSWERED"), ext(1000, "ANSWER", "PJSIP/1000-00000022")
        )
    )
    assert brief(answered) == [(ANSWERED, "1000")]
    assert answered[0].peer_number == CALLER
    assert tracker.call(call_id)[0].state is CallState.TALKING
    assert feed(
        tracker,
        call_status(call_id, inbound("BYE"), ext(1000, "BYE", "PJSIP/1000-00000022")),
        fixture("new_cdr"),
    ) == [(ENDED, "1000")]


def test_inbound_call_missed(tracker: CallTracker) -> None:
    """Reference 7.5, inbound call not answered: missed (and not ended), with its record."""
    assert feed(
        tracker,
        report("ExtensionStatus", extension="1000", status="Ringing"),
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
    ) == [(RINGING, "1000")]
    assert tracker.handle(call_status("c1", inbound("BYE"), ext(1000, "BYE"))) == []
    assert tracker.active_calls("1000") == ()
    assert (
        feed(tracker, report("ExtensionStatus", extension="1000", status="Registered"))
        == []
    )
    recorded = tracker.handle(new_cdr("c1", "NO ANSWER"))
    assert brief(recorded) == [(MISSED, "1000")]
    missed = recorded[0]
    assert (
        missed.direction,
        missed.peer_number,
        missed.did_number,
        missed.trunk_name,
    ) == (
        CallDirection.INBOUND,
        CALLER,
        DID,
        TRUNK,
    )
    assert feed(tracker, new_cdr("c1", "NO ANSWER")) == []


def test_missed_call_whose_record_is_lost(tracker: CallTracker) -> None:
    """Without its record, a missed call is told as missed at the second flush, once."""
    feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING")))
    assert feed(tracker, call_status("c1", inbound("BYE"), ext(1000, "BYE"))) == []
    assert tracker.flush() == []  # the record may be on its way
    assert brief(tracker.flush()) == [(MISSED, "1000")]
    assert tracker.flush() == []
    assert feed(tracker, new_cdr("c1", "NO ANSWER")) == []


def test_a_record_that_comes_after_a_flush_still_counts(tracker: CallTracker) -> None:
    """A flush between the last BYE and the record does not tell the call missed."""
    feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING")))
    feed(tracker, call_status("c1", inbound("BYE"), ext(1000, "BYE")))
    assert tracker.flush() == []
    assert brief(tracker.handle(new_cdr("c1", "VOICEMAIL"))) == [(VOICEMAIL, "1000")]
    assert tracker.flush() == []
    assert tracker.flush() == []


def test_missed_calls_waiting_for_records_are_bounded() -> None:
    """Calls waiting for their record beyond the capacity are told as missed at once."""
    tracker = CallTracker(finished_capacity=2)
    told = []
    for index in range(3):
        feed(tracker, call_status(f"c{index}", inbound("ALERT"), ext(1000, "RING")))
        told += tracker.handle(
            call_status(f"c{index}", inbound("BYE"), ext(1000, "BYE"))
        )
    assert [(a.kind, a.call_id) for a in told] == [(MISSED, "c0")]
    assert tracker.flush() == []
    assert [a.call_id for a in tracker.flush()] == ["c1", "c2"]


def test_reboot_tells_the_missed_calls_still_waiting(tracker: CallTracker) -> None:
    feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING")))
    feed(tracker, call_status("c1", inbound("BYE"), ext(1000, "BYE")))
    assert feed(tracker, report("BootUp")) == [(MISSED, "1000")]


def test_cdr_before_bye_finishes_the_call_once(tracker: CallTracker) -> None:
    assert feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING"))) == [
        (RINGING, "1000")
    ]
    assert feed(tracker, new_cdr("c1", "NO ANSWER")) == [(MISSED, "1000")]
    assert tracker.active_calls("1000") == ()
    assert (
        feed(
            tracker,
            call_status("c1", inbound("BYE"), ext(1000, "BYE")),
            call_status("c1", inbound("ALERT"), ext(1000, "RING")),
            new_cdr("c1", "NO ANSWER"),
        )
        == []
    )


def test_cdr_for_an_answered_call_still_active(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER")),
        new_cdr("c1"),
    ) == [(RINGING, "1000"), (ANSWERED, "1000"), (ENDED, "1000")]


def test_cdr_of_an_unseen_call_blocks_late_reports(tracker: CallTracker) -> None:
    assert feed(tracker, new_cdr("c9")) == []
    assert tracker.is_finished("c9")
    assert feed(tracker, call_status("c9", inbound("ALERT"), ext(1000, "RING"))) == []
    assert tracker.active_calls("1000") == ()
    assert feed(tracker, new_cdr("")) == []
    assert not tracker.is_finished("")


def test_internal_call_answered(tracker: CallTracker) -> None:
    started = tracker.handle(call_status("c1", ext(1000, "ALERT"), ext(1001, "RING")))
    assert [(a.kind, a.extension, a.peer_number, a.direction) for a in started] == [
        (DIALING, "1000", "1001", CallDirection.INTERNAL),
        (RINGING, "1001", "1000", CallDirection.INTERNAL),
    ]
    assert (started[0].trunk_name, started[0].did_number) == ("", "")
    assert feed(
        tracker, call_status("c1", ext(1000, "ANSWERED"), ext(1001, "ANSWER"))
    ) == [
        (ANSWERED, "1000"),
        (ANSWERED, "1001"),
    ]
    assert feed(tracker, call_status("c1", ext(1000, "BYE"), ext(1001, "BYE"))) == [
        (ENDED, "1000"),
        (ENDED, "1001"),
    ]


def test_internal_call_missed(tracker: CallTracker) -> None:
    feed(tracker, call_status("c1", ext(1000, "ALERT"), ext(1001, "RING")))
    ended = tracker.handle(call_status("c1", ext(1000, "BYE"), ext(1001, "BYE")))
    assert brief(ended) == [(ENDED, "1000")]
    missed = tracker.handle(new_cdr("c1", "NO ANSWER"))
    assert brief(missed) == [(MISSED, "1001")]
    assert missed[0].peer_number == "1000"
    assert missed[0].direction is CallDirection.INTERNAL


def test_click_to_call_to_an_external_number(tracker: CallTracker) -> None:
    """Reference 7.5: the caller's own extension rings first, then the PBX dials out."""
    ringing = tracker.handle(fixture("call_status_click_to_call"))
    assert [(a.kind, a.extension, a.peer_number, a.direction) for a in ringing] == [
        (RINGING, "1000", "", CallDirection.INTERNAL)
    ]
    call_id = "1709287200.12"
    channel = "PJSIP/1000-00000022"
    assert feed(tracker, call_status(call_id, ext(1000, "ANSWER", channel))) == [
        (ANSWERED, "1000")
    ]
    assert (
        feed(
            tracker,
            call_status(call_id, ext(1000, "ANSWER", channel), outbound("RING")),
            call_status(call_id, ext(1000, "ANSWER", channel), outbound("ANSWER")),
        )
        == []
    )
    (active,) = tracker.active_calls("1000")
    assert (active.direction, active.peer_number, active.state) == (
        CallDirection.OUTBOUND,
        CALLER,
        CallState.TALKING,
    )
    assert feed(
        tracker, call_status(call_id, ext(1000, "BYE", channel), outbound("BYE"))
    ) == [(ENDED, "1000")]


def test_click_to_call_not_picked_up_is_not_missed(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", ext(1000, "RING")),
        call_status("c1", ext(1000, "BYE")),
        new_cdr("c1", "NO ANSWER"),
    ) == [(RINGING, "1000"), (ENDED, "1000")]


def test_click_to_call_to_an_extension_that_does_not_answer(
    tracker: CallTracker,
) -> None:
    feed(
        tracker,
        call_status("c1", ext(1000, "RING")),
        call_status("c1", ext(1000, "ANSWER")),
    )
    ringing = tracker.handle(call_status("c1", ext(1000, "ANSWER"), ext(1001, "RING")))
    assert [(a.kind, a.extension, a.peer_number) for a in ringing] == [
        (RINGING, "1001", "1000")
    ]
    ended = tracker.handle(call_status("c1", ext(1000, "BYE"), ext(1001, "BYE")))
    ended += tracker.handle(new_cdr("c1", "NO ANSWER"))
    assert [(a.kind, a.extension, a.peer_number) for a in ended] == [
        (ENDED, "1000", "1001"),
        (MISSED, "1001", "1000"),
    ]


def test_ring_group_answered_by_one(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status(
            "c1",
            inbound("ALERT"),
            ext(1001, "RING"),
            ext(1002, "RING"),
            ext(1003, "RING"),
        ),
    ) == [(RINGING, "1001"), (RINGING, "1002"), (RINGING, "1003")]
    assert [call.extension for call in tracker.call("c1")] == ["1001", "1002", "1003"]
    assert feed(
        tracker,
        call_status(
            "c1",
            inbound("ANSWERED"),
            ext(1001, "BYE"),
            ext(1002, "ANSWER"),
            ext(1003, "BYE"),
        ),
    ) == [(ANSWERED, "1002"), (ENDED, "1001"), (ENDED, "1003")]
    assert [call.extension for call in tracker.call("c1")] == ["1002"]
    assert feed(
        tracker,
        call_status("c1", inbound("BYE"), ext(1002, "BYE")),
        new_cdr("c1"),
    ) == [(ENDED, "1002")]


def test_ring_group_nobody_answered(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status(
            "c1",
            inbound("ALERT"),
            ext(1001, "RING"),
            ext(1002, "RING"),
            ext(1003, "RING"),
        ),
    )
    assert (
        tracker.handle(
            call_status(
                "c1",
                inbound("BYE"),
                ext(1001, "BYE"),
                ext(1002, "BYE"),
                ext(1003, "BYE"),
            )
        )
        == []
    )
    missed = tracker.handle(new_cdr("c1", "NO ANSWER"))
    assert brief(missed) == [(MISSED, "1001"), (MISSED, "1002"), (MISSED, "1003")]
    assert {activity.peer_number for activity in missed} == {CALLER}
    assert feed(tracker, new_cdr("c1", "NO ANSWER")) == []


def test_internal_call_to_a_ring_group(tracker: CallTracker) -> None:
    started = tracker.handle(
        call_status("c1", ext(1000, "ALERT"), ext(1001, "RING"), ext(1002, "RING"))
    )
    assert [(a.extension, a.peer_number) for a in started] == [
        ("1000", "1001"),
        ("1001", "1000"),
        ("1002", "1000"),
    ]
    answered = tracker.handle(
        call_status("c1", ext(1000, "ANSWERED"), ext(1001, "BYE"), ext(1002, "ANSWER"))
    )
    assert [(a.kind, a.extension, a.peer_number) for a in answered] == [
        (ANSWERED, "1000", "1002"),
        (ANSWERED, "1002", "1000"),
        (ENDED, "1001", "1000"),
    ]


def test_queue_re_rings_an_agent_who_then_is_not_missed(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("q1", inbound("ANSWERED"), ext(1001, "RING", "PJSIP/1001-a")),
        call_status("q1", inbound("ANSWERED"), ext(1001, "BYE", "PJSIP/1001-a")),
        call_status(
            "q1", inbound("ANSWERED"), ext(1001, "RING", "PJSIP/1001-a")
        ),  # late
        call_status(
            "q1", inbound("ANSWERED"), ext(1001, "RING", "PJSIP/1001-b")
        ),  # re-ring
    ) == [(RINGING, "1001"), (RINGING, "1001")]
    assert tracker.channels_for_extension("1001") == ("PJSIP/1001-b",)
    assert feed(
        tracker,
        call_status(
            "q1",
            inbound("ANSWERED"),
            ext(1001, "BYE", "PJSIP/1001-b"),
            ext(1002, "RING"),
        ),
        call_status("q1", inbound("ANSWERED"), ext(1002, "ANSWER")),
        call_status("q1", inbound("BYE"), ext(1002, "BYE")),
    ) == [(RINGING, "1002"), (ANSWERED, "1002"), (ENDED, "1001"), (ENDED, "1002")]


def test_queue_nobody_answered_misses_each_agent_once(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("q1", inbound("ANSWERED"), ext(1001, "RING", "PJSIP/1001-a")),
        call_status("q1", inbound("ANSWERED"), ext(1001, "BYE", "PJSIP/1001-a")),
        call_status("q1", inbound("ANSWERED"), ext(1001, "RING", "PJSIP/1001-b")),
        call_status("q1", inbound("BYE"), ext(1001, "BYE", "PJSIP/1001-b")),
        new_cdr("q1", "NO ANSWER"),
    ) == [(RINGING, "1001"), (RINGING, "1001"), (MISSED, "1001")]


def test_voicemail_after_ringing_is_its_own_outcome(tracker: CallTracker) -> None:
    """A caller sent to voicemail after ringing: voicemail, neither missed nor ended."""
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "BYE")),
        call_status("c1", inbound("BYE")),
        new_cdr("c1", "VOICEMAIL"),
    ) == [(RINGING, "1000"), (VOICEMAIL, "1000")]


def test_voicemail_record_before_the_last_bye(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        new_cdr("c1", "VOICEMAIL"),
    ) == [(RINGING, "1000"), (VOICEMAIL, "1000")]


def test_forwarded_to_a_mobile_that_answers_is_not_missed(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status(
            "c1", inbound("ALERT"), ext(1000, "BYE"), outbound("RING", to="0699")
        ),
        call_status("c1", inbound("ANSWERED"), outbound("ANSWER", to="0699")),
        call_status("c1", inbound("BYE"), outbound("BYE", to="0699")),
    ) == [(RINGING, "1000"), (ENDED, "1000")]


def test_hold_and_resume(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER")),
    )
    assert feed(tracker, call_status("c1", inbound("ANSWERED"), ext(1000, "HOLD"))) == [
        (HELD, "1000")
    ]
    assert tracker.active_calls("1000")[0].state is CallState.ON_HOLD
    assert (
        feed(tracker, call_status("c1", inbound("ANSWERED"), ext(1000, "HOLD"))) == []
    )
    assert feed(
        tracker, call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER"))
    ) == [(RESUMED, "1000")]
    assert tracker.active_calls("1000")[0].state is CallState.TALKING
    assert (
        feed(tracker, call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER"))) == []
    )
    assert feed(tracker, call_status("c1", inbound("BYE"), ext(1000, "HOLD"))) == [
        (HELD, "1000")
    ]
    assert feed(tracker, call_status("c1", ext(1000, "BYE"))) == [(ENDED, "1000")]


def test_caller_holding_and_resuming(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", ext(1000, "ALERT"), outbound("RING")),
        call_status("c1", ext(1000, "ANSWERED"), outbound("ANSWER")),
        call_status("c1", ext(1000, "HOLD"), outbound("ANSWER")),
        call_status("c1", ext(1000, "ANSWERED"), outbound("ANSWER")),
    ) == [(DIALING, "1000"), (ANSWERED, "1000"), (HELD, "1000"), (RESUMED, "1000")]


def test_hold_seen_before_any_answer(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ANSWERED"), ext(1000, "HOLD")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER")),
    ) == [(HELD, "1000"), (ANSWERED, "1000")]
    assert tracker.active_calls("1000")[0].answered


def test_transfer_to_a_colleague_who_answers(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER")),
    )
    transfer = report(
        "Transfer", callid="c1", members=[ext(1000, None), inbound("ANSWERED")]
    )
    assert tracker.handle(transfer) == []
    transferred = tracker.handle(
        call_status("c1", inbound("ANSWERED"), ext(1000, "BYE"), ext(1001, "RING"))
    )
    assert [(a.kind, a.extension, a.peer_number) for a in transferred] == [
        (ENDED, "1000", CALLER),
        (RINGING, "1001", CALLER),
    ]
    assert feed(
        tracker,
        call_status("c1", inbound("ANSWERED"), ext(1001, "ANSWER")),
        call_status("c1", inbound("BYE"), ext(1001, "BYE")),
    ) == [(ANSWERED, "1001"), (ENDED, "1001")]


def test_transfer_to_a_colleague_who_does_not_answer(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER")),
        call_status("c1", inbound("ANSWERED"), ext(1000, "BYE"), ext(1001, "RING")),
        call_status("c1", inbound("BYE"), ext(1001, "BYE")),
        new_cdr("c1"),
    ) == [
        (RINGING, "1000"),
        (ANSWERED, "1000"),
        (ENDED, "1000"),
        (RINGING, "1001"),
        (MISSED, "1001"),
    ]


def test_transfer_back_to_the_first_extension(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER", "PJSIP/1000-a")),
        call_status(
            "c1",
            inbound("ANSWERED"),
            ext(1000, "BYE", "PJSIP/1000-a"),
            ext(1001, "RING"),
        ),
        call_status(
            "c1",
            inbound("ANSWERED"),
            ext(1001, "BYE"),
            ext(1000, "RING", "PJSIP/1000-b"),
        ),
        call_status("c1", inbound("BYE"), ext(1000, "BYE", "PJSIP/1000-b")),
        new_cdr("c1"),
    ) == [
        (ANSWERED, "1000"),
        (ENDED, "1000"),
        (RINGING, "1001"),
        (RINGING, "1000"),
        (ENDED, "1000"),
        (MISSED, "1001"),
    ]


def test_resent_reports_emit_nothing_new(tracker: CallTracker) -> None:
    sequence = [
        call_status("c1", inbound("ALERT"), ext(1001, "RING"), ext(1002, "RING")),
        call_status("c1", inbound("ANSWERED"), ext(1001, "ANSWER"), ext(1002, "BYE")),
        call_status("c1", inbound("ANSWERED"), ext(1001, "HOLD")),
        call_status("c1", inbound("ANSWERED"), ext(1001, "ANSWER")),
        call_status("c1", inbound("BYE"), ext(1001, "BYE")),
        new_cdr("c1"),
    ]
    once = feed(CallTracker(), *sequence)
    doubled = feed(tracker, *[event for event in sequence for _ in range(2)])
    assert doubled == once
    assert once == [
        (RINGING, "1001"),
        (RINGING, "1002"),
        (ANSWERED, "1001"),
        (ENDED, "1002"),
        (HELD, "1001"),
        (RESUMED, "1001"),
        (ENDED, "1001"),
    ]
    assert feed(tracker, *sequence) == []


def test_late_reports_never_move_a_leg_back(tracker: CallTracker) -> None:
    ring = call_status("c1", ext(1000, "ALERT"), ext(1001, "RING"))
    assert feed(
        tracker,
        call_status("c1", ext(1000, "ANSWERED"), ext(1001, "ANSWER")),
        ring,
    ) == [(ANSWERED, "1000"), (ANSWERED, "1001")]
    assert tracker.call("c1")[1].state is CallState.TALKING
    assert feed(tracker, call_status("c1", ext(1000, "RING"))) == []
    assert feed(tracker, call_status("c1", ext(1001, "BYE"))) == [(ENDED, "1001")]
    assert feed(tracker, ring, call_status("c1", ext(1001, "ANSWER"))) == []
    assert feed(tracker, call_status("c1", ext(1001, "RING", ""))) == []
    assert feed(tracker, call_status("c1", ext(1001, None, "PJSIP/1001-new"))) == []
    assert feed(tracker, call_status("c1", ext(1001, "BYE", "PJSIP/1001-new"))) == []
    assert [call.extension for call in tracker.call("c1")] == ["1000"]


def test_bye_before_ring_finishes_the_call_silently(tracker: CallTracker) -> None:
    assert (
        feed(
            tracker,
            call_status("c1", inbound("BYE"), ext(1000, "BYE")),
            call_status("c1", inbound("ALERT"), ext(1000, "RING")),
            new_cdr("c1", "NO ANSWER"),
        )
        == []
    )
    assert tracker.is_finished("c1")


def test_reports_listing_only_changed_members(tracker: CallTracker) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c1", ext(1000, "ANSWER")),
    ) == [(RINGING, "1000"), (ANSWERED, "1000")]
    (active,) = tracker.active_calls("1000")
    assert (active.direction, active.peer_number, active.did_number) == (
        CallDirection.INBOUND,
        CALLER,
        DID,
    )
    assert tracker.channels_for_call("c1") == ("PJSIP/1000-1", IN_CHANNEL)
    assert feed(tracker, call_status("c1", ext(1000, "BYE"))) == [(ENDED, "1000")]
    assert not tracker.is_finished("c1")
    assert tracker.channels_for_call("c1") == (IN_CHANNEL,)
    assert tracker.active_calls("1000") == ()
    assert feed(tracker, call_status("c1", inbound("BYE"))) == []
    assert tracker.is_finished("c1")


def test_ring_group_with_partial_reports_misses_only_at_the_end(
    tracker: CallTracker,
) -> None:
    assert feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1001, "RING")),
        call_status("c1", ext(1002, "RING")),
        call_status("c1", ext(1001, "BYE")),
        call_status("c1", inbound("BYE")),
    ) == [(RINGING, "1001"), (RINGING, "1002")]
    assert feed(
        tracker, call_status("c1", ext(1002, "BYE")), new_cdr("c1", "NO ANSWER")
    ) == [(MISSED, "1001"), (MISSED, "1002")]


def test_members_that_cannot_be_used_are_ignored(tracker: CallTracker) -> None:
    assert (
        feed(
            tracker,
            call_status("c1", {"ext": {"channelid": "x", "memberstatus": "RING"}}),
            call_status("c1", ext(1000, None)),
            call_status("c1", ext(1000, "EARLYMEDIA")),
            call_status("c1"),
            call_status("", ext(1000, "RING")),
        )
        == []
    )
    assert tracker.active_calls("1000") == ()
    assert tracker.call("c1") == ()
    assert not tracker.is_finished("c1")
    assert feed(tracker, call_status("c1", ext(1000, "RING"))) == [(RINGING, "1000")]
    assert (
        feed(tracker, call_status("c1", ext(1000, "EARLYMEDIA", "PJSIP/1000-9"))) == []
    )
    assert tracker.channels_for_extension("1000") == ("PJSIP/1000-9",)


def test_numbers_sent_as_numbers_and_trunks_without_channel(
    tracker: CallTracker,
) -> None:
    members = [
        {
            "inbound": {
                "from": 612345678,
                "to": 5551234,
                "trunkname": "T",
                "memberstatus": "ALERT",
            }
        },
        {"ext": {"number": 1000, "memberstatus": "RING"}},
    ]
    ringing = tracker.handle(call_status("c1", *members))
    assert [
        (a.extension, a.peer_number, a.did_number, a.channel_id) for a in ringing
    ] == [("1000", "612345678", "5551234", "")]
    assert tracker.channels_for_extension("1000") == ()
    assert tracker.channels_for_call("c1") == ()
    members[0]["inbound"]["memberstatus"] = "BYE"
    members[1]["ext"]["memberstatus"] = "BYE"
    assert feed(tracker, call_status("c1", *members), new_cdr("c1", "NO ANSWER")) == [
        (MISSED, "1000")
    ]


def test_events_the_tracker_does_not_use(tracker: CallTracker) -> None:
    feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING")))
    for name in [
        "extension_status",
        "invite",
        "incoming",
        "transfer",
        "forward",
        "call_failed",
        "dtmf",
        "satisfaction",
        "config_change_extension",
        "v1_ring",
    ]:
        assert tracker.handle(fixture(name)) == []
    assert tracker.handle(report("Anything")) == []
    assert [call.state for call in tracker.active_calls("1000")] == [CallState.RINGING]


def test_boot_up_ends_every_call_without_missing_any(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        call_status("c2", ext(1001, "ALERT"), ext(1002, "ANSWER")),
    )
    assert feed(tracker, fixture("boot_up")) == [
        (ENDED, "1000"),
        (ENDED, "1001"),
        (ENDED, "1002"),
    ]
    assert tracker.active_calls("1000") == ()
    assert tracker.is_finished("c1")
    assert tracker.is_finished("c2")
    assert feed(tracker, fixture("boot_up")) == []


def test_queries(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ANSWERED"), ext(1000, "ANSWER", "PJSIP/1000-a")),
        call_status("c2", ext(1000, "ALERT", "PJSIP/1000-b"), ext(1001, "RING")),
    )
    assert [call.call_id for call in tracker.active_calls("1000")] == ["c1", "c2"]
    assert tracker.channels_for_extension("1000") == ("PJSIP/1000-a", "PJSIP/1000-b")
    assert tracker.channels_for_extension("1999") == ()
    assert tracker.active_calls("1999") == ()
    assert tracker.channels_for_call("c1") == ("PJSIP/1000-a", IN_CHANNEL)
    assert tracker.channels_for_call("c2") == ("PJSIP/1000-b", "PJSIP/1001-1")
    assert tracker.channels_for_call("nope") == ()
    assert tracker.call("nope") == ()
    assert [(c.extension, c.state, c.peer_number) for c in tracker.call("c2")] == [
        ("1000", CallState.DIALING, "1001"),
        ("1001", CallState.RINGING, "1000"),
    ]
    # Call waiting: the first call ends, the second stays.
    assert feed(
        tracker, call_status("c1", inbound("BYE"), ext(1000, "BYE", "PJSIP/1000-a"))
    ) == [(ENDED, "1000")]
    assert [call.call_id for call in tracker.active_calls("1000")] == ["c2"]
    assert tracker.channels_for_extension("1000") == ("PJSIP/1000-b",)


def test_shared_trunk_channel_is_listed_once(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status(
            "c1", inbound("ANSWERED", channel="same"), ext(1000, "ANSWER", "same")
        ),
    )
    assert tracker.channels_for_call("c1") == ("same",)


def test_clear(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1000, "RING")),
        new_cdr("c0"),
    )
    tracker.clear()
    assert tracker.active_calls("1000") == ()
    assert tracker.call("c1") == ()
    assert not tracker.is_finished("c0")
    assert feed(tracker, call_status("c1", ext(1000, "BYE"))) == []


def test_finished_calls_are_remembered_within_bounds() -> None:
    tracker = CallTracker(finished_capacity=3)
    for number in range(5):
        feed(
            tracker, call_status(f"c{number}", ext(1000, "RING")), new_cdr(f"c{number}")
        )
    assert len(tracker._finished) == 3
    assert [tracker.is_finished(f"c{n}") for n in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert feed(tracker, call_status("c4", ext(1000, "RING"))) == []
    # Forgotten long ago: a very late report is taken for a new call.
    assert feed(tracker, call_status("c0", ext(1000, "RING"))) == [(RINGING, "1000")]


def test_memory_stays_bounded_over_many_calls() -> None:
    tracker = CallTracker(finished_capacity=50)
    for number in range(2000):
        call_id = f"c{number}"
        extension = str(1000 + number % 500)
        feed(
            tracker,
            call_status(
                call_id, inbound("ALERT", f"in-{number}"), ext(extension, "RING")
            ),
            call_status(call_id, inbound("BYE", f"in-{number}"), ext(extension, "BYE")),
            new_cdr(call_id, "NO ANSWER"),
        )
    assert len(tracker._finished) == 50
    assert tracker._calls == {}
    assert tracker._by_extension == {}


def test_too_many_calls_evicts_the_least_recently_updated() -> None:
    tracker = CallTracker(max_active_calls=2)
    feed(
        tracker,
        call_status("c1", inbound("ALERT", "in-1"), ext(1001, "RING")),
        call_status("c2", inbound("ALERT", "in-2"), ext(1002, "RING")),
        call_status("c1", inbound("ALERT", "in-1"), ext(1001, "RING")),  # c1 touched
    )
    assert feed(
        tracker, call_status("c3", inbound("ALERT", "in-3"), ext(1003, "RING"))
    ) == [
        (ENDED, "1002"),
        (RINGING, "1003"),
    ]
    assert tracker.is_finished("c2")
    assert tracker.active_calls("1002") == ()
    assert [call.extension for call in tracker.call("c1")] == ["1001"]


def test_capacities_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CallTracker(finished_capacity=0)
    with pytest.raises(ValueError, match="at least 1"):
        CallTracker(max_active_calls=0)


def query_call(*calls: tuple[str, str, list[dict[str, Any]]]) -> dict[str, list[Call]]:
    """Return an ``extension/query_call`` result: (extension, call id, members) rows."""
    result: dict[str, list[Call]] = {}
    for extension, call_id, members in calls:
        result.setdefault(extension, []).append(
            Call.from_dict({"callid": call_id, "members": members})
        )
    return result


def test_load_the_documented_snapshot(tracker: CallTracker) -> None:
    payload = json.loads(stored_report("extension_query_call"))
    snapshot = {
        entry["number"]: [Call.from_dict(call) for call in entry["numbercalls"]]
        for entry in payload["calllist"]
    }
    assert tracker.load(snapshot) == []
    assert tracker.active_calls("1000") == (
        ActiveCall(
            call_id="1709287200.12",
            extension="1000",
            channel_id="PJSIP/1000-0000001a",
            direction=CallDirection.OUTBOUND,
            peer_number=CALLER,
            trunk_name=TRUNK,
            did_number="",
            state=CallState.TALKING,
            answered=True,
        ),
    )
    assert tracker.channels_for_call("1709287200.12") == (
        "PJSIP/1000-0000001a",
        OUT_CHANNEL,
    )
    assert tracker.load(snapshot) == []
    ended = tracker.load({})
    assert brief(ended) == [(ENDED, "1000")]
    assert ended[0].peer_number == CALLER
    assert tracker.is_finished("1709287200.12")
    assert tracker.load(snapshot) == []  # a finished call is not resurrected
    assert tracker.active_calls("1000") == ()


def test_load_then_reports_continue_the_call(tracker: CallTracker) -> None:
    snapshot = query_call(("1000", "c1", [inbound("ALERT"), ext(1000, "RING")]))
    assert tracker.load(snapshot) == []
    assert tracker.active_calls("1000")[0].state is CallState.RINGING
    assert feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING"))) == []
    assert feed(
        tracker,
        call_status("c1", inbound("BYE"), ext(1000, "BYE")),
        new_cdr("c1", "NO ANSWER"),
    ) == [(MISSED, "1000")]


def test_load_ends_legs_and_calls_that_are_gone(tracker: CallTracker) -> None:
    feed(
        tracker,
        call_status("c1", inbound("ALERT"), ext(1001, "RING"), ext(1002, "RING")),
        call_status("c2", ext(1003, "ALERT"), ext(1004, "RING")),
    )
    snapshot = query_call(
        ("1001", "c1", [ext(1001, "ANSWER")]),
        ("1001", "", [ext(1001, "RING")]),
        ("1005", "c3", [inbound("ALERT", "in-3"), ext(1005, "RING")]),
        ("1005", "c3", [inbound("ALERT", "in-3"), ext(1005, "RING")]),
    )
    assert brief(tracker.load(snapshot)) == [
        (ENDED, "1003"),
        (ENDED, "1004"),
        (ENDED, "1002"),
    ]
    assert [(c.extension, c.state) for c in tracker.call("c1")] == [
        ("1001", CallState.TALKING)
    ]
    assert [(c.extension, c.state) for c in tracker.call("c3")] == [
        ("1005", CallState.RINGING)
    ]
    assert tracker.is_finished("c2")
    # The inbound leg is gone too; the leg that stopped ringing is not missed: 1001 answered.
    assert tracker.channels_for_call("c1") == ("PJSIP/1001-1",)
    assert feed(tracker, call_status("c1", ext(1001, "BYE"))) == [(ENDED, "1001")]
    assert tracker.is_finished("c1")


def test_load_of_a_call_whose_members_all_left(tracker: CallTracker) -> None:
    feed(tracker, call_status("c1", inbound("ALERT"), ext(1000, "RING")))
    snapshot = query_call(("1000", "c1", [inbound("BYE"), ext(1000, "BYE")]))
    assert brief(tracker.load(snapshot)) == [(ENDED, "1000")]
    assert tracker.is_finished("c1")
    assert tracker.load(query_call(("1000", "c2", [ext(1000, "BYE")]))) == []
    assert tracker.is_finished("c2")
    assert tracker.load(query_call(("1000", "c3", [ext(1000, None)]))) == []
    assert not tracker.is_finished("c3")


def test_load_evicts_when_full() -> None:
    tracker = CallTracker(max_active_calls=1)
    snapshot = query_call(
        ("1000", "c1", [ext(1000, "ANSWER")]),
        ("1001", "c2", [ext(1001, "ANSWER")]),
    )
    assert brief(tracker.load(snapshot)) == [(ENDED, "1000")]
    assert [call.extension for call in tracker.call("c2")] == ["1001"]
