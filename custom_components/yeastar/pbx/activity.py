"""What the call tracker says about calls: directions, states, and what happened.

Protocol-neutral values (the office and the entities use them as they are).
"""

from dataclasses import dataclass
from enum import StrEnum


class CallDirection(StrEnum):
    """Which way a call goes, seen from the PBX."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class CallState(StrEnum):
    """What an extension is doing in one of its calls."""

    RINGING = "ringing"  # it is being called
    DIALING = "dialing"  # it is the caller, hearing ringback
    TALKING = "talking"
    ON_HOLD = "on_hold"


class ActivityKind(StrEnum):
    """What happened to an extension in a call."""

    RINGING = "ringing"
    DIALING = "dialing"
    ANSWERED = "answered"
    HELD = "held"
    RESUMED = "resumed"
    ENDED = "ended"
    MISSED = "missed"
    VOICEMAIL = "voicemail"  # missed, and the caller was sent to voicemail


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveCall:
    """One call in progress, seen from one of its extensions."""

    call_id: str
    extension: str
    channel_id: str
    direction: CallDirection
    peer_number: str  # the other party: external number or other extension
    trunk_name: str
    did_number: str  # the number dialled by an inbound caller
    state: CallState
    answered: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CallActivity:
    """Something that happened to an extension in a call (see the module docstring)."""

    kind: ActivityKind
    extension: str
    call_id: str
    direction: CallDirection
    peer_number: str
    trunk_name: str
    did_number: str
    channel_id: str
    # The extension placed the call (it heard ringback); False when it was called, or
    # when the call was first seen in a snapshot (``CallTracker.load``).
    is_caller: bool = False
