"""The legs of a tracked call, and how one report moves them (internal to calls.py).

The rules they follow are the call tracker's (``calls.py``'s docstring).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
import itertools
from typing import Final, Self

from .activity import ActiveCall, ActivityKind, CallActivity, CallDirection, CallState
from .callmodels import CallMember, MemberKind, MemberStatus

STATE_OF: Final[Mapping[MemberStatus | None, CallState]] = {
    MemberStatus.RING: CallState.RINGING,
    MemberStatus.ALERT: CallState.DIALING,
    MemberStatus.ANSWER: CallState.TALKING,
    MemberStatus.ANSWERED: CallState.TALKING,
    MemberStatus.HOLD: CallState.ON_HOLD,
}


@dataclass(slots=True)
class Leg:
    """One member of a tracked call and what the tracker has seen of it."""

    kind: MemberKind
    number: str = ""
    channel_id: str = ""
    from_number: str = ""
    to_number: str = ""
    trunk_name: str = ""
    status: MemberStatus | None = None  # None: not live yet (new or restarted)
    is_caller: bool = False
    rang: bool = False  # went RING at least once in this call
    ring_step: int = 0  # the call's step when it last started ringing
    answered: bool = False  # answered at least once in this call
    ended: bool = False
    # Ended unanswered: ended, missed or voicemail is said when the call is over.
    outcome_due: bool = False

    @classmethod
    def from_member(cls, member: CallMember) -> Self:
        """Start a leg from the first report of a member."""
        return cls(
            kind=member.kind,
            number=member.number,
            channel_id=member.channel_id,
            from_number=member.from_number,
            to_number=member.to_number,
            trunk_name=member.trunk_name,
        )

    def merge(self, member: CallMember) -> None:
        """Take the non-blank details of a newer report of this member."""
        self.channel_id = member.channel_id or self.channel_id
        self.from_number = member.from_number or self.from_number
        self.to_number = member.to_number or self.to_number
        self.trunk_name = member.trunk_name or self.trunk_name

    def restart(self, member: CallMember) -> None:
        """Begin a new cycle on a new channel after the leg ended.

        An outcome the earlier cycle still owed is dropped: the call's end says one.
        """
        self.merge(member)
        self.status = None
        self.ended = False
        self.outcome_due = False


def trunk_key(member: CallMember) -> str:
    """Identify a trunk leg: its channel id, else what it connects."""
    if member.channel_id:
        return member.channel_id
    return f"{member.kind}|{member.from_number}|{member.to_number}|{member.trunk_name}"


@dataclass(slots=True)
class TrackedCall:
    """A call in progress: its legs and the step counter that orders its answers."""

    call_id: str
    extensions: dict[str, Leg] = field(default_factory=dict)
    trunks: dict[str, Leg] = field(default_factory=dict)
    steps: int = 0
    answer_step: int = 0  # step of the latest first answer by a callee

    def next_step(self) -> int:
        """Count one more state change of the call."""
        self.steps += 1
        return self.steps

    def legs(self) -> Iterator[Leg]:
        """Iterate over every leg, extensions first."""
        return itertools.chain(self.extensions.values(), self.trunks.values())

    def is_over(self) -> bool:
        """Tell whether every leg has ended."""
        return all(leg.ended for leg in self.legs())


def advance(
    call: TrackedCall, leg: Leg, status: MemberStatus | None
) -> ActivityKind | None:
    """Move a live leg to a reported status; return the activity, None if nothing new."""
    match status:
        case MemberStatus.RING | MemberStatus.ALERT:
            if leg.status is not None:  # rings only once per cycle, never after answer
                return None
            leg.status = status
            leg.is_caller = status is MemberStatus.ALERT
            if leg.is_caller:
                return ActivityKind.DIALING
            leg.rang = True
            leg.ring_step = call.next_step()
            return ActivityKind.RINGING
        case MemberStatus.ANSWER | MemberStatus.ANSWERED:
            previous = leg.status
            leg.status = status
            leg.is_caller = status is MemberStatus.ANSWERED
            if not leg.answered:
                leg.answered = True
                if not leg.is_caller:
                    call.answer_step = call.next_step()
                return ActivityKind.ANSWERED
            return ActivityKind.RESUMED if previous is MemberStatus.HOLD else None
        case MemberStatus.HOLD:
            if leg.status is MemberStatus.HOLD:
                return None
            leg.status = status
            return ActivityKind.HELD
        case MemberStatus.BYE:
            leg.status = status
            leg.ended = True
            return ActivityKind.ENDED
    return None


def _keep_two(legs: list[Leg], leg: Leg) -> None:
    """Keep the first two legs seen: enough to name one other than any given leg."""
    if len(legs) < 2:
        legs.append(leg)


def _other(legs: list[Leg], leg: Leg) -> Leg | None:
    """Return the first of ``legs`` that is not ``leg``."""
    return next((other for other in legs if other is not leg), None)


class Context:
    """What the extension legs of a call share when reported: direction, trunk, peers."""

    __slots__ = ("answerers", "callers", "direction", "extensions", "trunk")

    def __init__(self, call: TrackedCall) -> None:
        """Look at every leg once."""
        inbound: Leg | None = None
        outbound: Leg | None = None
        for leg in call.trunks.values():
            if leg.kind is MemberKind.INBOUND:
                inbound = inbound or leg
            else:
                outbound = outbound or leg
        self.trunk = inbound or outbound
        self.direction = (
            CallDirection.INBOUND
            if inbound
            else CallDirection.OUTBOUND
            if outbound
            else CallDirection.INTERNAL
        )
        self.callers: list[Leg] = []
        self.answerers: list[Leg] = []
        self.extensions: list[Leg] = []
        for leg in call.extensions.values():
            _keep_two(self.extensions, leg)
            if leg.is_caller:
                _keep_two(self.callers, leg)
            elif leg.answered:
                _keep_two(self.answerers, leg)

    def peer_of(self, leg: Leg) -> str:
        """Return the number of the party an extension leg is talking to."""
        if self.trunk is not None:
            if self.direction is CallDirection.INBOUND:
                return self.trunk.from_number
            return self.trunk.to_number
        preferred = self.answerers if leg.is_caller else self.callers
        other = _other(preferred, leg) or _other(self.extensions, leg)
        return other.number if other else ""

    @property
    def trunk_name(self) -> str:
        """Return the trunk the call uses, "" for an internal call."""
        return self.trunk.trunk_name if self.trunk else ""

    @property
    def did_number(self) -> str:
        """Return the number an inbound caller dialled, "" otherwise."""
        if self.trunk is not None and self.direction is CallDirection.INBOUND:
            return self.trunk.to_number
        return ""

    def activity(self, kind: ActivityKind, call_id: str, leg: Leg) -> CallActivity:
        """Describe an activity of an extension leg."""
        return CallActivity(
            kind=kind,
            extension=leg.number,
            call_id=call_id,
            direction=self.direction,
            peer_number=self.peer_of(leg),
            trunk_name=self.trunk_name,
            did_number=self.did_number,
            channel_id=leg.channel_id,
            is_caller=leg.is_caller,
        )

    def active_call(self, call_id: str, leg: Leg) -> ActiveCall:
        """Describe a live extension leg."""
        return ActiveCall(
            call_id=call_id,
            extension=leg.number,
            channel_id=leg.channel_id,
            direction=self.direction,
            peer_number=self.peer_of(leg),
            trunk_name=self.trunk_name,
            did_number=self.did_number,
            state=STATE_OF[leg.status],
            answered=leg.answered,
        )


def was_missed(call: TrackedCall, leg: Leg, context: Context) -> bool:
    """Tell whether an extension leg missed its call (rule in the module docstring)."""
    someone_called = context.direction is CallDirection.INBOUND or (
        context.direction is CallDirection.INTERNAL and len(call.extensions) > 1
    )
    return (
        someone_called
        and leg.rang
        and not leg.answered
        and leg.ring_step > call.answer_step
    )
