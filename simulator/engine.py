"""The call engine: calls through their phases, with the reports the PBX sends (section 7.5).

Decisions where the reference is silent:
- every CallStatus lists all members of the call, including those that leave in that very
  report (state BYE); members that left are not listed afterwards;
- ExtensionStatus reports come before the CallStatus of the same step when an extension
  starts ringing or goes off-hook, and after it when an extension goes back to idle;
- CallStatus, CallFailed, Transfer, DTMF and PlayPromptEnd are sent for calls involving a
  monitored extension or trunk (once monitored, always monitored); ExtensionStatus only for
  monitored extensions; Invite/Incoming (call control) and NewCdr (call records) always;
- an extension takes one call at a time (no call waiting): a busy or ringing target gives
  CallFailed "User Busy" (NewCdr BUSY); busy forwarding is not modelled;
- call/dial: the caller must be idle and online (10008, as for every call it starts); the
  PBX rings the caller first and dials the callee only once the caller picked up, so a
  callee that is busy or ringing then fails the call with CallFailed "User Busy" (a call
  with its own reports under the callid call/dial answered, never a call without them);
- unanswered phones ring for the extension's `ringtimeout` (or SimulatorTiming.ring_timeout);
  a ring group for the longest of its members'. Then a single extension with a voicemail box
  (hasvoicemail on) takes a message: the phone drops (BYE), the caller is ANSWERED by
  voicemail and hangs up after SimulatorTiming.voicemail_message_time (NewCdr VOICEMAIL);
  anything else ends as missed (NO ANSWER), like a caller hanging up: ring groups (their
  failover destination is not modelled), extensions without voicemail, prompt calls, and the
  caller of a click-to-call who does not pick up. No-answer forwarding is not modelled;
- one NewCdr per call at its end; after a transfer `callto` names the last destination.
  Every NewCdr is also kept (the last `cdr_history`) for cdr/download.
"""

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from . import events
from .auth import Clock
from .calls import Call, CallIds, Kind, Member, Phase, State
from .office import Office, SimExtension
from .tasks import BackgroundTasks
from .timing import SimulatorTiming
from .wire import ApiError, Errno

BUSY_REASONS = frozenset({"DND", "User Busy", "486 Busy here", "603 Declined"})
FAILURE_REASONS = (
    "NO Outbound Restriction",
    "Circuit/channel congestion",
    "DND",
    "Line Unreachable",
    "User Busy",
    "410 Gone",
    "404 NOT found",
    "408 Request Time",
    "480 Temporatily Unavailable",
    "484 Address incomplete",
    "486 Busy here",
    "603 Declined",
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

type Publish = Callable[[dict[str, Any]], None]


class CallEngine:
    """Own the calls of the office and turn every step into the PBX's reports."""

    def __init__(
        self,
        office: Office,
        publish: Publish,
        clock: Clock,
        timing: SimulatorTiming,
        *,
        cdr_history: int = 10_000,
    ) -> None:
        """Work on the office, sending reports through publish(); keep cdr_history records."""
        self._office = office
        self._publish = publish
        self._clock = clock
        self._timing = timing
        self._ids = CallIds()
        self._tasks = BackgroundTasks()
        self._seized_trunks: set[str] = set()
        self.calls: dict[str, Call] = {}
        self.recordings: dict[str, int] = {}
        self.cdrs: deque[dict[str, str]] = deque(maxlen=cdr_history)

    # -- lookups -----------------------------------------------------------------------

    def call(self, callid: str) -> Call:
        """Return an active call, or raise 10005."""
        if (call := self.calls.get(callid)) is None:
            raise ApiError(Errno.NO_SUCH_CALLID, f"no call {callid}")
        return call

    def channel(self, channel: str) -> tuple[Call, Member]:
        """Return the call and member of a channel, or raise 10007."""
        for call in self.calls.values():
            if member := call.member_by_channel(channel):
                return call, member
        raise ApiError(Errno.NO_SUCH_CALL, f"no channel {channel}")

    def member(self, call: Call, party: str) -> Member:
        """Return the live member of a call for an extension or outside number."""
        if (member := call.member_by_party(party)) is None:
            raise ApiError(Errno.NO_SUCH_CALL, f"{party} is not in call {call.callid}")
        return member

    def extension(self, number: str) -> SimExtension:
        """Return an extension, or raise 10006."""
        if (extension := self._office.extension(number)) is None:
            raise ApiError(Errno.NO_SUCH_EXTENSION, f"no extension {number}")
        return extension

    def activity(self, number: str) -> str | None:
        """Return "Ringing", "Busy" or "Hold" while the extension is in a call, else None."""
        for call in self.calls.values():
            for member in call.ext_members():
                if member.number == number:
                    if member.state is State.HOLD:
                        return "Hold"
                    return "Ringing" if member.state is State.RING else "Busy"
        return None

    def ring_timeout(self, extensions: Iterable[SimExtension]) -> float | None:
        """Return how long these extensions ring together before the PBX gives up.

        The timing's override, else the longest of their ring timeouts; None (ring until
        someone acts) when one of them has none.
        """
        if self._timing.ring_timeout is not None:
            return self._timing.ring_timeout
        timeouts = [extension.ring_timeout for extension in extensions]
        known = [timeout for timeout in timeouts if timeout is not None]
        return max(known) if known and len(known) == len(timeouts) else None

    def gives_up(self, call: Call) -> bool:
        """Return True when only phones of the office ring and the PBX ends the call by itself.

        That is: they have a ring timeout, and a caller sent to voicemail hangs up.
        """
        ringing = [m for m in call.live_members if m.state is State.RING]
        extensions = [
            extension
            for member in ringing
            if member.kind is Kind.EXT
            and (extension := self._office.extension(member.number)) is not None
        ]
        return (
            bool(ringing)
            and len(extensions) == len(ringing)
            and self.ring_timeout(extensions) is not None
            and self._timing.voicemail_message_time is not None
        )

    def list_status(self, extension: SimExtension) -> str:
        """Return the status word extension/list and extension/query show."""
        return self.activity(extension.number) or extension.idle_list_status

    def calls_of(self, number: str) -> list[Call]:
        """Return the active calls an extension takes part in."""
        return [
            call
            for call in self.calls.values()
            if any(m.number == number for m in call.ext_members())
        ]

    # -- starting calls ----------------------------------------------------------------

    def start_inbound(
        self,
        trunk_name: str,
        caller: str,
        targets: Iterable[str],
        *,
        did: str = "",
        group: str = "",
        origin: str = "manual",
    ) -> Call:
        """Start an inbound call on a trunk to one extension or several (ring group)."""
        trunk = self._office.trunk(trunk_name)
        if trunk is None:
            raise ValueError(f"no trunk {trunk_name}")
        numbers = [self.extension(number).number for number in targets]
        if not numbers:
            raise ValueError("an inbound call needs at least one extension")
        did = did or trunk.did or numbers[0]
        call = self._new_call("Inbound", caller, group or numbers[0], origin)
        call.src_trunk = trunk.name
        call.did = did
        call.group = group
        call.targets = numbers
        call.members.append(
            Member(
                kind=Kind.INBOUND,
                channel=self._ids.trunk_channel(trunk),
                state=State.ALERT,
                is_caller=True,
                source=caller,
                target=did,
                trunk=trunk.name,
                callpath=group,
            )
        )
        self._seize(trunk.name)
        if trunk.control_inbound:
            call.phase = Phase.INVITE
            call.invite_deadline = self._clock() + self._timing.invite_window
            self._publish(events.call_event("Invite", call, call.members))
            self._tasks.later(
                self._timing.invite_window,
                lambda: self._proceed_invite(call),
                "invite window",
            )
        else:
            self._ring(call, numbers)
        return call

    def start_outbound(
        self,
        number: str,
        destination: str,
        trunk_name: str | None = None,
        origin: str = "manual",
    ) -> Call:
        """Start an outbound call dialled on an extension's phone."""
        extension = self._idle_extension(number)
        if trunk_name and self._office.trunk(trunk_name) is None:
            raise ValueError(f"no trunk {trunk_name}")
        call = self._new_call("Outbound", number, destination, origin)
        self._off_hook(call, extension)
        self._dial_out(
            call,
            extension.number,
            destination,
            permitted=extension.outbound_permission,
            trunk_name=trunk_name,
        )
        return call

    def start_internal(self, caller: str, callee: str, origin: str = "manual") -> Call:
        """Start a call from one extension to another number of the office."""
        extension = self._idle_extension(caller)
        call = self._new_call("Internal", caller, callee, origin)
        self._off_hook(call, extension)
        self._ring(call, [callee])
        return call

    def dial(
        self, caller: str, callee: str, *, autoanswer: bool, dialpermission: str = ""
    ) -> Call:
        """Start an API click-to-call: ring the caller, then dial the callee (call/dial)."""
        extension = self._idle_extension(caller)
        permitted_by = self.extension(dialpermission) if dialpermission else extension
        internal = self._office.extension(callee) is not None
        if not internal:
            if self._office.is_internal_number(callee):
                raise ApiError(Errno.CALLEE_NOT_FOUND, f"no number {callee}")
            if not permitted_by.outbound_permission:
                raise ApiError(
                    Errno.NO_OUTBOUND_PERMISSION,
                    f"{permitted_by.number} may not call out",
                )
        call = self._new_call(
            "Internal" if internal else "Outbound", caller, callee, "api"
        )
        call.phase = Phase.CALLING_CALLER
        call.dial_target = callee
        call.dial_permitted = permitted_by.outbound_permission
        self._ring_members(call, [extension])
        self._answer_soon(call, extension.number, autoanswer)
        return call

    def play_prompt(
        self,
        number: str,
        prompt: str,
        *,
        count: int,
        autoanswer: bool,
        dialpermission: str = "",
    ) -> Call:
        """Call a number and play prompts to it once answered (call/playprompt)."""
        unknown = [
            name for name in prompt.split("+") if name not in self._office.prompts
        ]
        if unknown:
            raise ApiError(Errno.NO_SUCH_PROMPT, f"no prompt {', '.join(unknown)}")
        extension = self._office.extension(number)
        if extension is not None:
            self._idle_extension(number)
        elif self._office.is_internal_number(number):
            raise ApiError(Errno.CALLEE_NOT_FOUND, f"no number {number}")
        elif not dialpermission:
            raise ApiError(
                Errno.MISSING_PARAMETER, "dialpermission is needed to call out"
            )
        elif not self.extension(dialpermission).outbound_permission:
            raise ApiError(
                Errno.NO_OUTBOUND_PERMISSION, f"{dialpermission} may not call out"
            )
        call = self._new_call(
            "Internal" if extension else "Outbound", dialpermission, number, "api"
        )
        call.prompt, call.prompt_count = prompt, max(count, 1)
        if extension is not None:
            self._ring_members(call, [extension])
            self._answer_soon(call, number, autoanswer)
        elif self._dial_out(call, dialpermission, number, permitted=True):
            self._answer_soon(call, number, autoanswer)
        return call

    # -- call control ------------------------------------------------------------------

    def _check_active(self, call: Call) -> None:
        """Raise 10005 for a call that has ended (or was forgotten by a reboot)."""
        if self.calls.get(call.callid) is not call:
            raise ApiError(Errno.NO_SUCH_CALLID, f"call {call.callid} has ended")

    def answer(self, call: Call, party: str | None = None) -> None:
        """Let a ringing member pick up (the first ringing one when party is None)."""
        self._check_active(call)
        ringing = [member for member in call.live_members if member.state is State.RING]
        member = next((m for m in ringing if party is None or m.party == party), None)
        if member is None:
            raise ApiError(
                Errno.CALL_NOT_CONNECTED,
                f"{party or 'nobody'} is not ringing in {call.callid}",
            )
        if call.phase is Phase.CALLING_CALLER:
            self._caller_answered(call, member)
            return
        member.state = State.ANSWER
        call.phase = Phase.UP
        call.answered_by = member.party
        if call.answered is None:
            call.answered = self._clock()
            call.answered_at = self._office.local_now()
            if self._office.record_calls and not call.prompt:
                stamp = call.answered_at.strftime("%Y%m%d%H%M%S")
                call.recording = (
                    f"{stamp}-{call.callid}-{call.caller}-{call.callee}-{call.type}.wav"
                )
        leaving = [m for m in ringing if m is not member]
        for other in leaving:
            other.state = State.BYE
        for other in call.live_members:
            if other.state is State.ALERT:
                other.state = State.ANSWERED
        if member.kind is Kind.EXT:
            self.report_status(member.number, "Busy")
        self._call_status(call)
        self._back_to_idle(leaving)
        if call.prompt:
            delay = self._timing.prompt_duration * call.prompt_count
            self._tasks.later(delay, lambda: self._prompt_finished(call), "prompt")
        elif call.origin == "api" and self._timing.simulated_talk_time is not None:
            self._tasks.later(
                self._timing.simulated_talk_time,
                lambda: self._end_if_active(call),
                "talk",
            )

    def hangup(self, call: Call, party: str | None = None) -> None:
        """Hang up a member (the whole call when party is None)."""
        self._check_active(call)
        if party is None:
            self._end(call)
        else:
            self.hangup_member(call, self.member(call, party))

    def hangup_member(self, call: Call, member: Member) -> None:
        """Hang up one leg: a ringing ring-group phone drops alone, anything else ends the call."""
        others_ringing = [
            m for m in call.live_members if m is not member and m.state is State.RING
        ]
        if member.state is State.RING and others_ringing and not member.is_caller:
            member.state = State.BYE
            self._call_status(call)
            self._back_to_idle([member])
            return
        self._end(call)

    def hold(self, call: Call, member: Member) -> None:
        """Put a talking member on hold."""
        self._check_active(call)
        if call.phase is not Phase.UP or member.state not in {
            State.ANSWER,
            State.ANSWERED,
        }:
            raise ApiError(Errno.CALL_NOT_CONNECTED, f"{member.channel} is not talking")
        member.state_before_hold, member.state = member.state, State.HOLD
        self._call_status(call)

    def unhold(self, call: Call, member: Member) -> None:
        """Take a member off hold."""
        self._check_active(call)
        if member.state is not State.HOLD or member.state_before_hold is None:
            raise ApiError(Errno.CALL_NOT_CONNECTED, f"{member.channel} is not on hold")
        member.state, member.state_before_hold = member.state_before_hold, None
        self._call_status(call)

    def transfer(
        self,
        call: Call,
        moved: Member,
        destination: str,
        *,
        by: Member | None = None,
        permission: str = "",
    ) -> None:
        """Blind-transfer a member to a number; the others leave (Transfer reported when by a user)."""
        self._check_active(call)
        if call.phase is not Phase.UP:
            raise ApiError(
                Errno.CALL_NOT_CONNECTED, f"call {call.callid} is not connected"
            )
        target = self._office.extension(destination)
        if target is None and self._office.is_internal_number(destination):
            raise ApiError(Errno.CALLEE_NOT_FOUND, f"no number {destination}")
        if target is not None and self._unreachable_reason(target):
            raise ApiError(
                Errno.EXTENSION_NOT_IDLE, f"{destination} cannot take the call"
            )
        if target is None:
            permission = permission or (by.number if by and by.kind is Kind.EXT else "")
            if permission and not self.extension(permission).outbound_permission:
                raise ApiError(
                    Errno.NO_OUTBOUND_PERMISSION, f"{permission} may not call out"
                )
        if by is not None:
            self._publish_call_event(call, "Transfer", [by, moved])
        leaving = [m for m in call.live_members if m is not moved]
        for member in leaving:
            member.state = State.BYE
        moved.state, moved.is_caller, moved.state_before_hold = State.ALERT, True, None
        call.callee, call.answered_by, call.group = destination, "", ""
        if target is not None:
            self._ring_members(call, [target], leaving=leaving)
        else:
            self._dial_out(
                call, moved.party, destination, permitted=True, leaving=leaving
            )

    def fail(self, call: Call, reason: str) -> None:
        """Fail a call that is being set up, with one of the documented CallFailed reasons."""
        self._check_active(call)
        if reason not in FAILURE_REASONS:
            raise ValueError(
                f"{reason!r} is not a documented reason: {FAILURE_REASONS}"
            )
        if call.phase is Phase.UP:
            raise ApiError(
                Errno.CALL_NOT_CONNECTED, f"call {call.callid} is already connected"
            )
        self._fail(call, reason)

    def to_voicemail(self, call: Call) -> None:
        """Send a ringing call to voicemail: the phones stop ringing, the caller leaves a message."""
        self._check_active(call)
        if call.phase is not Phase.RINGING or call.answered is not None:
            raise ApiError(
                Errno.CALL_NOT_CONNECTED, f"call {call.callid} is not ringing"
            )
        self._voicemail(call)

    def _voicemail(self, call: Call) -> None:
        """Connect the caller to voicemail; the caller hangs up after the message."""
        leaving = [m for m in call.live_members if m.state is State.RING]
        for member in leaving:
            member.state = State.BYE
        for member in call.live_members:
            member.state = State.ANSWERED
        call.phase, call.voicemail = Phase.UP, True
        if call.answered is None:  # a transferred call keeps its answer time
            call.answered = self._clock()
        self._call_status(call)
        self._back_to_idle(leaving)
        if (message := self._timing.voicemail_message_time) is not None:
            self._tasks.later(
                message, lambda: self._end_if_active(call), "voicemail message"
            )

    def accept_inbound(self, channel: str, *, accept: bool) -> None:
        """Accept or refuse an invited inbound call (call/accept_inbound, call/refuse_inbound)."""
        call, _ = self.channel(channel)
        if call.phase is not Phase.INVITE:
            raise ApiError(Errno.WINDOW_EXPIRED, f"call {call.callid} is not waiting")
        if self._clock() > call.invite_deadline:
            self._proceed_invite(call)
            raise ApiError(Errno.WINDOW_EXPIRED, "the 10 s window is over")
        if accept:
            self._proceed_invite(call)
        else:
            self._end(call, "NO ANSWER")

    def press_keys(self, call: Call, keys: str) -> None:
        """Report keys pressed by the caller (DTMF reports, one per key)."""
        self._check_active(call)
        callers = [m for m in call.live_members if m.is_caller]
        for key in keys:
            call.keys += key
            self._publish_call_event(
                call,
                "DTMF",
                callers,
                info=key,
                flag=str(len(call.keys) - 1),
                infos=call.keys,
            )

    def extension_removed(self, number: str) -> None:
        """End the calls of an extension that no longer exists."""
        for call in self.calls_of(number):
            self._end(call)

    async def reset(self) -> None:
        """Forget every call without reports (reboot) and stop every timer.

        The call records stay (the PBX keeps its CDR database across a reboot).
        """
        await self._tasks.cancel_all()
        for name in list(self._seized_trunks):
            self._release(name)
        for call in self.calls.values():
            call.ended.set()
        self.calls.clear()

    # -- internals ---------------------------------------------------------------------

    def _new_call(self, kind: str, caller: str, callee: str, origin: str) -> Call:
        """Create and register a call."""
        call = Call(
            callid=self._ids.callid(),
            type=kind,
            caller=caller,
            callee=callee,
            started=self._clock(),
            started_at=self._office.local_now(),
            origin=origin,
        )
        self.calls[call.callid] = call
        return call

    def _idle_extension(self, number: str) -> SimExtension:
        """Return an extension that can start a call now, or raise 10006/10008."""
        extension = self.extension(number)
        if self.activity(number) or not extension.online:
            raise ApiError(Errno.EXTENSION_NOT_IDLE, f"extension {number} is not idle")
        return extension

    def _unreachable_reason(self, extension: SimExtension | None) -> str:
        """Return why an extension cannot ring now ("" when it can)."""
        if extension is None:
            return "404 NOT found"
        if self.activity(extension.number):
            return "User Busy"
        if extension.dnd:
            return "DND"
        return "" if extension.online else "480 Temporatily Unavailable"

    def _off_hook(self, call: Call, extension: SimExtension) -> None:
        """Add the calling extension (hearing ringback) and report it busy."""
        call.members.append(
            Member(
                kind=Kind.EXT,
                channel=self._ids.extension_channel(extension),
                state=State.ALERT,
                is_caller=True,
                number=extension.number,
            )
        )
        self.report_status(extension.number, "Busy")

    def _ring(self, call: Call, numbers: list[str]) -> None:
        """Ring the reachable extensions among numbers, or fail the call when none is."""
        reasons = [
            self._unreachable_reason(self._office.extension(number))
            for number in numbers
        ]
        reachable = [
            self.extension(n)
            for n, reason in zip(numbers, reasons, strict=True)
            if not reason
        ]
        if not reachable:
            busy_first = sorted(reasons, key=lambda reason: reason not in BUSY_REASONS)
            self._fail(call, busy_first[0])
            return
        self._ring_members(call, reachable)
        for extension in reachable:
            self._answer_soon(call, extension.number, autoanswer=False, callee=True)

    def _ring_members(
        self,
        call: Call,
        extensions: list[SimExtension],
        *,
        leaving: list[Member] | None = None,
    ) -> None:
        """Add ringing extension members and report them."""
        call.phase = call.phase if call.phase is Phase.CALLING_CALLER else Phase.RINGING
        for extension in extensions:
            call.members.append(
                Member(
                    kind=Kind.EXT,
                    channel=self._ids.extension_channel(extension),
                    state=State.RING,
                    is_caller=False,
                    number=extension.number,
                    callpath=call.group,
                )
            )
            self.report_status(extension.number, "Ringing")
        self._call_status(call)
        self._back_to_idle(leaving or [])
        self._start_ring_timer(call, extensions)

    def _start_ring_timer(self, call: Call, extensions: list[SimExtension]) -> None:
        """Give up on the extensions just rung once their ring timeout is over."""
        call.ring_round += 1
        delay = self.ring_timeout(extensions)
        if delay is None:
            return
        ring_round, alone = call.ring_round, len(extensions) == 1
        self._tasks.later(
            delay,
            lambda: self._ring_timed_out(call, ring_round, alone=alone),
            "ring timeout",
        )

    def _ring_timed_out(self, call: Call, ring_round: int, *, alone: bool) -> None:
        """Nobody answered in time: voicemail for a lone extension with a box, else missed."""
        if self.calls.get(call.callid) is not call or call.ring_round != ring_round:
            return
        ringing = [m for m in call.ext_members() if m.state is State.RING]
        if not ringing or call.phase not in {Phase.RINGING, Phase.CALLING_CALLER}:
            return
        extension = self._office.extension(ringing[0].number)
        takes_message = (
            call.phase is Phase.RINGING
            and alone
            and not call.group
            and not call.prompt
            and extension is not None
            and extension.has_voicemail
        )
        if takes_message:
            self._voicemail(call)
        else:
            self._end(call, "NO ANSWER")

    def _dial_out(
        self,
        call: Call,
        source: str,
        destination: str,
        *,
        permitted: bool,
        trunk_name: str | None = None,
        leaving: list[Member] | None = None,
    ) -> bool:
        """Add an outbound trunk leg ringing the outside number; fail the call when impossible."""
        trunk = self._office.outbound_trunk(trunk_name) if permitted else None
        if trunk is None:
            self._fail(
                call,
                "Circuit/channel congestion"
                if permitted
                else "NO Outbound Restriction",
            )
            return False
        self._seize(trunk.name)
        call.dst_trunk, call.phase = trunk.name, Phase.RINGING
        call.members.append(
            Member(
                kind=Kind.OUTBOUND,
                channel=self._ids.trunk_channel(trunk),
                state=State.RING,
                is_caller=False,
                source=source,
                target=destination,
                trunk=trunk.name,
            )
        )
        self._call_status(call)
        self._back_to_idle(leaving or [])
        return True

    def _caller_answered(self, call: Call, member: Member) -> None:
        """call/dial: the caller picked up, so the PBX now dials the callee."""
        member.state, member.is_caller = State.ALERT, True
        call.phase = Phase.RINGING
        self.report_status(member.number, "Busy")
        if self._office.extension(call.dial_target) is not None:
            self._ring(call, [call.dial_target])
        elif self._dial_out(
            call, member.number, call.dial_target, permitted=call.dial_permitted
        ):
            self._answer_soon(call, call.dial_target, autoanswer=False, callee=True)

    def _proceed_invite(self, call: Call) -> None:
        """Let the invited call go on (accepted, or the window ran out): Incoming, then ringing."""
        if call.phase is not Phase.INVITE or call.callid not in self.calls:
            return
        call.phase = Phase.RINGING
        self._publish(events.call_event("Incoming", call, call.live_members))
        self._ring(call, call.targets)

    def _answer_soon(
        self, call: Call, party: str, autoanswer: bool, *, callee: bool = False
    ) -> None:
        """Schedule the answer of a ringing party: auto-answer, or a simulated user of an API call.

        The first phone an API call rings (the caller of call/dial, the number of
        call/playprompt) and the callee of call/dial have their own delays.
        """
        if autoanswer:
            delay: float | None = self._timing.autoanswer_delay
        elif call.origin == "api":
            delay = (
                self._timing.simulated_callee_answer_delay
                if callee
                else self._timing.simulated_answer_delay
            )
        else:
            return
        if delay is not None:
            self._tasks.later(
                delay, lambda: self._answer_if_ringing(call, party), "answer"
            )

    def _answer_if_ringing(self, call: Call, party: str) -> None:
        """Answer for a party if the call still rings it."""
        member = call.member_by_party(party)
        if (
            call.callid in self.calls
            and member is not None
            and member.state is State.RING
        ):
            self.answer(call, party)

    def _end_if_active(self, call: Call) -> None:
        """End a call unless it is already over."""
        if call.callid in self.calls:
            self._end(call)

    def _prompt_finished(self, call: Call) -> None:
        """Report the end of the prompts and hang up."""
        if call.callid in self.calls:
            self._publish_call_event(
                call, "PlayPromptEnd", call.live_members, prompt=call.prompt
            )
            self._end(call)

    def _fail(self, call: Call, reason: str) -> None:
        """Report CallFailed and end the call (BUSY for busy-like reasons, else NO ANSWER)."""
        self._publish_call_event(call, "CallFailed", call.live_members, reason=reason)
        self._end(call, "BUSY" if reason in BUSY_REASONS else "NO ANSWER")

    def _end(self, call: Call, status: str = "") -> None:
        """Hang up every member, report it, and write the call record."""
        if call.callid not in self.calls:
            return
        invited = call.phase is Phase.INVITE
        leaving = call.live_members
        for member in leaving:
            member.state = State.BYE
        call.phase = Phase.ENDED
        call.ended.set()
        del self.calls[call.callid]
        if not invited:
            self._call_status(call)
        self._back_to_idle(leaving)
        for member in leaving:
            if member.kind is not Kind.EXT:
                self._release(member.trunk)
        if not status:
            status = (
                "VOICEMAIL"
                if call.voicemail
                else "ANSWERED"
                if call.answered is not None
                else "NO ANSWER"
            )
        record = self._cdr(call, status)
        self.cdrs.append({k: v for k, v in record.items() if k != "event"})
        self._publish(record)

    def _cdr(self, call: Call, status: str) -> dict[str, Any]:
        """Return the NewCdr report of a finished call (the reference's spellings kept)."""
        now = self._clock()
        talk = int(now - call.answered) if call.answered is not None else 0
        callto = (
            f"{call.group}({call.answered_by})"
            if call.group and call.answered_by
            else call.callee
        )
        recording = call.recording if status == "ANSWERED" else ""
        if recording:
            self.recordings[recording] = talk
        return {
            "event": "NewCdr",
            "callid": call.callid,
            "timestart": call.started_at.strftime(TIME_FORMAT),
            "callfrom": call.caller,
            "callto": callto,
            "callduraction": str(int(now - call.started)),
            "talkduraction": str(talk),
            "srctrunkname": call.src_trunk,
            "dsttrcunkname": call.dst_trunk,
            "pincode": "",
            "status": status,
            "type": call.type,
            "recording": recording,
            "didnumber": call.did,
            "agentringtime": "",
        }

    def _back_to_idle(self, members: list[Member]) -> None:
        """Report extensions that left a call as idle again (Registered / Idle / Unregistered)."""
        for member in members:
            extension = (
                self._office.extension(member.number)
                if member.kind is Kind.EXT
                else None
            )
            if extension is not None and not self.activity(extension.number):
                self.report_status(extension.number, extension.idle_event_status)

    def report_status(self, number: str, status: str) -> None:
        """Send ExtensionStatus for a monitored extension."""
        extension = self._office.extension(number)
        if extension is None or not extension.monitored:
            return
        registered_ip = extension.registered_ip if status == "Registered" else ""
        self._publish(events.extension_status(number, status, registered_ip))

    def _monitored(self, call: Call) -> bool:
        """Return True (for good) once the call involves a monitored extension or trunk."""
        for member in call.members:
            if member.kind is Kind.EXT:
                extension = self._office.extension(member.number)
                watched = extension is not None and extension.monitored
            else:
                trunk = self._office.trunk(member.trunk)
                watched = trunk is not None and trunk.monitored
            call.monitored = call.monitored or watched
        return call.monitored

    def _call_status(self, call: Call) -> None:
        """Send CallStatus with every member, then forget the members that left."""
        if self._monitored(call):
            self._publish(events.call_status(call))
        call.members = call.live_members

    def _publish_call_event(
        self, call: Call, name: str, members: list[Member], **fields: str
    ) -> None:
        """Send a stateless-member call event when the call is monitored."""
        if self._monitored(call):
            self._publish(events.call_event(name, call, members, **fields))

    def _seize(self, trunk_name: str) -> None:
        """Mark a one-channel trunk busy while a call uses it."""
        trunk = self._office.trunk(trunk_name)
        if trunk is not None and trunk.single_channel and trunk.status == "Idle":
            trunk.status = "Busy"
            self._seized_trunks.add(trunk.name)

    def _release(self, trunk_name: str) -> None:
        """Give a one-channel trunk back (Idle) when a call seized it."""
        trunk = self._office.trunk(trunk_name)
        if trunk is not None and trunk.name in self._seized_trunks:
            self._seized_trunks.discard(trunk.name)
            if trunk.status == "Busy":
                trunk.status = "Idle"
