"""Calls and their members as the PBX shows them: identifiers, member states, wire shapes."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import itertools
import time
from typing import Any

from .office import SimExtension, SimTrunk, port_index


class Kind(StrEnum):
    """Member kinds, as the key of a member object."""

    EXT = "ext"
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class State(StrEnum):
    """Member states (``memberstatus``)."""

    ALERT = "ALERT"
    RING = "RING"
    ANSWERED = "ANSWERED"
    ANSWER = "ANSWER"
    HOLD = "HOLD"
    BYE = "BYE"


class Phase(StrEnum):
    """Where a call is in its life."""

    INVITE = "invite"  # waiting for accept/refuse on a controlled trunk
    CALLING_CALLER = "calling_caller"  # call/dial: the caller's phone rings first
    RINGING = "ringing"
    UP = "up"
    ENDED = "ended"


class CallIds:
    """Asterisk-style identifiers: callid "epoch.seq" and channel names with a hex sequence."""

    def __init__(self) -> None:
        """Start the sequence at 1."""
        self._sequence = itertools.count(1)

    def callid(self) -> str:
        """Return a new call id."""
        return f"{int(time.time())}.{next(self._sequence)}"

    def extension_channel(self, extension: SimExtension) -> str:
        """Return a new channel name for an extension leg (PJSIP, or DAHDI for FXS)."""
        if extension.is_fxs:
            return f"DAHDI/{port_index(extension.port)}-1"
        return f"PJSIP/{extension.number}-{next(self._sequence):08x}"

    def trunk_channel(self, trunk: SimTrunk) -> str:
        """Return a new channel name for a trunk leg, by trunk type."""
        if trunk.type == "SIP":
            return f"PJSIP/trunk-{trunk.name}-endpoint-{next(self._sequence):08x}"
        if trunk.type == "IAX":
            return f"IAX2/{trunk.name}-{next(self._sequence)}"
        return f"DAHDI/{port_index(trunk.port, trunk.id)}-1"


@dataclass(eq=False, kw_only=True)
class Member:
    """One leg of a call: an extension, or an inbound/outbound trunk leg."""

    kind: Kind
    channel: str
    state: State
    is_caller: bool
    number: str = ""
    source: str = ""
    target: str = ""
    trunk: str = ""
    callpath: str = ""
    state_before_hold: State | None = None

    @property
    def party(self) -> str:
        """Return the number that identifies this leg: extension, or the outside number."""
        if self.kind is Kind.EXT:
            return self.number
        return self.source if self.kind is Kind.INBOUND else self.target

    def wire(self, *, with_state: bool = True) -> dict[str, Any]:
        """Return the member object of CallStatus (or of Invite/Transfer without a state)."""
        if self.kind is Kind.EXT:
            data = {"number": self.number, "channelid": self.channel}
        else:
            data = {
                "from": self.source,
                "to": self.target,
                "trunkname": self.trunk,
                "channelid": self.channel,
            }
        if with_state:
            data["memberstatus"] = self.state.value
        if self.callpath:
            data["callpath"] = self.callpath
        return {self.kind.value: data}


@dataclass(eq=False, kw_only=True)
class Call:
    """A call: its members and what the CDR needs to know."""

    callid: str
    type: str
    caller: str
    callee: str
    started: float
    started_at: datetime
    members: list[Member] = field(default_factory=list)
    phase: Phase = Phase.RINGING
    answered: float | None = None
    answered_at: datetime | None = None
    answered_by: str = ""
    src_trunk: str = ""
    dst_trunk: str = ""
    did: str = ""
    group: str = ""
    voicemail: bool = False
    monitored: bool = False
    invite_deadline: float = 0.0
    targets: list[str] = field(default_factory=list)
    dial_target: str = ""
    dial_permitted: bool = True
    recording: str = ""
    prompt: str = ""
    prompt_count: int = 1
    origin: str = "manual"
    keys: str = ""
    ring_round: int = 0
    ended: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def live_members(self) -> list[Member]:
        """Return the members that have not hung up."""
        return [member for member in self.members if member.state is not State.BYE]

    def member_by_channel(self, channel: str) -> Member | None:
        """Return the live member with that channel name."""
        return next(
            (member for member in self.live_members if member.channel == channel), None
        )

    def member_by_party(self, party: str) -> Member | None:
        """Return the live member for an extension or outside number."""
        return next(
            (member for member in self.live_members if member.party == party), None
        )

    def ext_members(self) -> list[Member]:
        """Return the live extension members."""
        return [member for member in self.live_members if member.kind is Kind.EXT]

    def wire(self) -> dict[str, Any]:
        """Return the call as call/query and extension/query_call list it."""
        return {
            "callid": self.callid,
            "members": [member.wire() for member in self.live_members],
        }
