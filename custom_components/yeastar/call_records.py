"""What a finished call's record means: the stored items and the PBX's times.

A record (``NewCdr``, or a row of the CDR download) says how a call ended; the history
(``history.py``) turns it into a missed-call item and each extension's last call, the
two kinds of items it stores.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from .pbx import CdrStatus

PBX_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
MISSED_STATUSES: Final = frozenset(
    {CdrStatus.NO_ANSWER, CdrStatus.VOICEMAIL, CdrStatus.BUSY}
)
# A last call's outcome, for the extension that was called (a caller's "not answered"
# is its callee's "missed").
OUTCOMES: Final = {
    CdrStatus.ANSWERED: "answered",
    CdrStatus.NO_ANSWER: "missed",
    CdrStatus.VOICEMAIL: "voicemail",
    CdrStatus.BUSY: "busy",
    CdrStatus.FAILED: "failed",
    CdrStatus.UNKNOWN: "unknown",
}
CALLER_OUTCOMES: Final = OUTCOMES | {CdrStatus.NO_ANSWER: "not_answered"}
LAST_CALL_OUTCOMES: Final = sorted(set(OUTCOMES.values()) | {"not_answered"})


@dataclass(slots=True, kw_only=True)
class MissedCall:
    """One missed call: who called, when, what it rang."""

    uid: str  # the PBX's call id
    when: str  # ISO time, UTC
    caller: str
    target: str  # the extension or group the caller called
    rang: list[str]  # the extensions that rang and missed it
    voicemail: bool
    internal: bool


@dataclass(slots=True, kw_only=True)
class LastCall:
    """An extension's last call."""

    when: str  # ISO time, UTC
    number: str  # the other party
    direction: str  # inbound, outbound or internal
    duration: int  # seconds talked
    outcome: str  # answered, missed, voicemail, busy, failed, unknown


def pbx_time(text: str, zone: tzinfo) -> datetime | None:
    """Return a PBX local time (``2024-03-01 10:00:00``) as an aware time, None if bad."""
    try:
        naive = datetime.strptime(text, PBX_TIME_FORMAT)  # local: zone set below
    except ValueError:
        return None
    return naive.replace(tzinfo=zone)


def group_and_answerer(call_to: str) -> tuple[str, str]:
    """Split a CDR's ``callto``: ``6300(1002)`` is group 6300 answered by 1002."""
    if call_to.endswith(")") and "(" in call_to:
        group, answerer = call_to[:-1].split("(", 1)
        return group, answerer
    return call_to, ""
