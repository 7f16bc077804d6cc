"""Typed, frozen models of calls: their members, their states, and call records (CDR).

Parsing is tolerant, as in ``models.py``; the enums accept every spelling the reference
lists.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from .models import Model
from .text import as_int, pick, pick_list


def _normalise(value: str) -> str:
    """Fold an enum spelling: upper case, single spaces."""
    return " ".join(value.upper().replace("_", " ").split())


class MemberKind(StrEnum):
    """Which side of a call a member is."""

    EXTENSION = "ext"
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MemberStatus(StrEnum):
    """State of one member of a call (``memberstatus``)."""

    ALERT = "ALERT"  # the caller, hearing ringback
    RING = "RING"  # the callee, ringing
    ANSWERED = "ANSWERED"  # the caller, the far end answered
    ANSWER = "ANSWER"  # the callee, answered
    HOLD = "HOLD"
    BYE = "BYE"

    @classmethod
    def parse(cls, value: str) -> "MemberStatus | None":
        """Return the status for any spelling, None when absent or unknown."""
        folded = _normalise(value)
        if folded == "ANSWERD":
            return cls.ANSWERED
        try:
            return cls(folded)
        except ValueError:
            return None


class CdrStatus(StrEnum):
    """Outcome of a finished call (``NewCdr.status``)."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> "CdrStatus":
        """Return the status for any documented spelling (``NO ANSWERED``, ``ANSWERD``)."""
        folded = _normalise(value)
        aliases = {
            "ANSWERED": cls.ANSWERED,
            "ANSWERD": cls.ANSWERED,
            "ANSWER": cls.ANSWERED,
            "NO ANSWER": cls.NO_ANSWER,
            "NO ANSWERED": cls.NO_ANSWER,
            "NOANSWER": cls.NO_ANSWER,
            "BUSY": cls.BUSY,
            "VOICEMAIL": cls.VOICEMAIL,
            "FAILED": cls.FAILED,
        }
        return aliases.get(folded, cls.UNKNOWN)


class CallType(StrEnum):
    """Direction of a finished call (``NewCdr.type``)."""

    INTERNAL = "internal"
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    CALLBACK = "callback"
    TRANSFER = "transfer"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> "CallType":
        """Return the type for any capitalisation."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class CallMember(Model):
    """One leg of a call: an extension, or an inbound / outbound trunk leg.

    For an extension leg ``number`` is the extension; for a trunk leg ``from_number``,
    ``to_number`` and ``trunk_name`` describe it. ``status`` is None when the report
    carries no ``memberstatus`` (Invite, Transfer, CallFailed) or an unknown one.
    """

    kind: MemberKind
    number: str = ""
    from_number: str = ""
    to_number: str = ""
    trunk_name: str = ""
    channel_id: str = ""
    status: MemberStatus | None = None
    call_path: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self | None:
        """Parse a ``{"ext": {...}}`` style member; None when it is not one."""
        for key, value in data.items():
            try:
                kind = MemberKind(str(key).strip().lower())
            except ValueError:
                continue
            if not isinstance(value, Mapping):
                continue
            return cls(
                kind=kind,
                number=pick(value, "number", "extnumber", "extid"),
                from_number=pick(value, "from"),
                to_number=pick(value, "to"),
                trunk_name=pick(value, "trunkname", "trunk"),
                channel_id=pick(value, "channelid"),
                status=MemberStatus.parse(pick(value, "memberstatus")),
                call_path=pick(value, "callpath"),
            )
        return None


def parse_members(items: Iterable[Any]) -> tuple[CallMember, ...]:
    """Parse a ``members`` array, skipping entries that are not members."""
    members = (
        CallMember.from_dict(item) for item in items if isinstance(item, Mapping)
    )
    return tuple(member for member in members if member is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Model):
    """A call in progress (``call/query``, ``extension/query_call``)."""

    call_id: str
    members: tuple[CallMember, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one call object."""
        return cls(
            call_id=pick(data, "callid"),
            members=parse_members(pick_list(data, "members")),
        )

    def extension_members(self) -> tuple[CallMember, ...]:
        """Return the extension legs of the call."""
        return tuple(m for m in self.members if m.kind is MemberKind.EXTENSION)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cdr(Model):
    """A finished call's record (``NewCdr``)."""

    call_id: str
    time_start: str
    call_from: str
    call_to: str
    call_duration: int | None
    talk_duration: int | None
    source_trunk: str
    destination_trunk: str
    pin_code: str
    status: CdrStatus
    call_type: CallType
    recording: str
    did_number: str
    agent_ring_time: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a NewCdr report, every documented spelling included."""
        return cls(
            call_id=pick(data, "callid"),
            time_start=pick(data, "timestart"),
            call_from=pick(data, "callfrom"),
            call_to=pick(data, "callto"),
            call_duration=as_int(pick(data, "callduraction", "callduration")),
            talk_duration=as_int(pick(data, "talkduraction", "talkduration")),
            source_trunk=pick(data, "srctrunkname"),
            destination_trunk=pick(
                data, "dsttrcunkname", "dsttrunkname", "desttrunkname", "dstrunkname"
            ),
            pin_code=pick(data, "pincode"),
            status=CdrStatus.parse(pick(data, "status")),
            call_type=CallType.parse(pick(data, "type")),
            recording=pick(data, "recording"),
            did_number=pick(data, "didnumber"),
            agent_ring_time=pick(data, "agentringtime"),
        )
