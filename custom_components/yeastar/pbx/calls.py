"""Per-extension view of the calls in progress, built from the PBX's event reports.

``CallTracker.handle`` takes parsed events (``events.parse_report``) and returns the
``CallActivity`` records they cause; it uses ``CallStatus``, ``NewCdr`` and ``BootUp`` and
ignores every other event. ``ExtensionStatus`` is deliberately not used: a SIP phone
re-registering during a call also reports ``Registered``.

Legs. A call is the set of its members (reference 7.3): extension legs, identified by
extension number, and trunk legs (``inbound``/``outbound``), identified by channel id.
A report may list every member or only the changed ones; members are merged into their
leg and a leg is never dropped because a report leaves it out. Member states mean
(7.3, 7.4.2): ALERT the caller hears ringback, RING the callee rings, ANSWERED the
caller's far end answered, ANSWER the callee answered, HOLD, BYE.

Direction. ``inbound`` when the call has an inbound trunk leg, else ``outbound`` when it
has an outbound one, else ``internal``. The peer of an extension is the inbound leg's
``from``, the outbound leg's ``to``, or for an internal call the other extension (the
caller for a callee; for the caller, the extension that answered, else the first other).

Activities, per extension leg:

- ``ringing`` when it goes RING, ``dialing`` when it goes ALERT;
- ``answered`` the first time it goes ANSWER (callee) or ANSWERED (caller, far end
  answered);
- ``held`` when it goes HOLD, ``resumed`` when it leaves HOLD for ANSWER/ANSWERED;
- one outcome when its part in the call is over: ``ended``, ``missed`` or ``voicemail``.
  A leg that answered (or placed the call) gets ``ended`` when it goes BYE, or when its
  call ends without that BYE: a ``NewCdr`` arrives, the PBX reboots (``BootUp``),
  ``load`` no longer lists it, or the tracker evicts the call (``max_active_calls``).
  A leg that rang and never answered gets ``ended`` as soon as a colleague answered the
  call after it started ringing, and otherwise its outcome when the call is over:
  ``missed`` once per (call, extension) in an ``inbound`` or ``internal`` call that had a
  caller (an inbound trunk leg or another extension), unless some callee answered the
  call (an extension's ANSWER or an outbound leg's ANSWER, e.g. forwarded to a mobile)
  after this extension started ringing; ``voicemail`` instead of ``missed`` when the
  call's record says it went to voicemail; ``ended`` otherwise. So in a ring group or
  queue answered by a colleague the others get ``ended``; when nobody answered every
  extension that rang gets ``missed``; a transfer target that rang after the first
  answer and was not answered gets ``missed``. An extension ringing alone (the first leg
  of a click-to-call) is never missed. Missed and voicemail are told only for a call that
  ended by its own reports (every leg BYE, or its ``NewCdr``): when the last BYE comes
  first, they wait for the call's ``NewCdr`` (it says whether the caller left a
  voicemail); ``flush`` tells the ones that were already waiting at the flush before as
  ``missed`` (the record is lost: the poll flushes, so a record gets at least one poll
  interval to arrive), and ``flush(everything=True)`` all of them (the PBX restarted).

Order and duplicates. A leg never goes back: a RING or ALERT after it answered and any
report after its BYE on the same channel are ignored, so a resent report emits nothing
new. A leg that ended and shows up again on a new channel starts a new ring cycle (a
queue re-ringing an agent, a call transferred back). Finished calls (all legs BYE, or
their ``NewCdr``) are remembered, the last ``finished_capacity`` of them, and reports
about them are ignored, so a late RING does not resurrect a call. One limit: a HOLD
resent after the call was resumed reads as a new hold; byte-identical resends are the
webhook's to drop (``events.report_fingerprint``).

``reconcile`` corrects the tracker from the ``extension/query_call`` snapshot of a regular
poll, with care because reports may be in flight while it is taken: it only ends calls,
and only those that two snapshots in a row do not list (their end was lost: the PBX gave
up resending its reports). They get ``ended`` (no ``missed`` is invented); calls it lists
that the tracker does not know are left to their reports.

``load`` resynchronises from ``extension/query_call`` after a login. It takes a complete snapshot:
tracked calls it does not list, and legs a listed call no longer has, are ended. It
reports only those ``ended`` activities: the moments a snapshot shows (a phone ringing,
a call answered) were not observed, so no ``ringing``, ``answered`` or ``missed`` is
invented; calls it lists but the tracker already finished stay finished.

Cost. Handling a report costs O(members of that call); nothing walks every extension.
Memory is bounded by the calls in progress (at most ``max_active_calls``, least recently
updated evicted first) and ``finished_capacity`` call ids.
"""

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .activity import ActiveCall, ActivityKind, CallActivity, CallDirection, CallState
from .callmodels import Call, CallMember, CdrStatus, MemberKind, MemberStatus
from .events import BootUpReport, CallStatusReport, NewCdrReport, Report
from .legs import Context, Leg, TrackedCall, advance, trunk_key, was_missed

__all__ = [
    "ActiveCall",
    "ActivityKind",
    "CallActivity",
    "CallDirection",
    "CallState",
    "CallTracker",
]

type _Change = tuple[Leg, ActivityKind]


class CallTracker:
    """Track the calls of every extension from PBX events (rules: module docstring)."""

    def __init__(
        self, *, finished_capacity: int = 1024, max_active_calls: int = 4096
    ) -> None:
        """Set how many finished call ids to remember and how many calls to track."""
        if finished_capacity < 1 or max_active_calls < 1:
            raise ValueError("capacities must be at least 1")
        self._finished_capacity = finished_capacity
        self._max_active_calls = max_active_calls
        self._calls: dict[str, TrackedCall] = {}  # least recently updated first
        self._by_extension: dict[str, dict[str, None]] = {}  # live call ids, in order
        self._finished: OrderedDict[str, None] = OrderedDict()
        # Missed legs of calls over by their BYEs, waiting for the record (NewCdr).
        self._awaiting_record: OrderedDict[str, list[CallActivity]] = OrderedDict()
        # Those of them that were waiting at the last flush already.
        self._waited_a_flush: set[str] = set()
        # Tracked calls the last reconciliation's snapshot did not list.
        self._unlisted_once: set[str] = set()

    def handle(self, event: Report) -> list[CallActivity]:
        """Take one event; return what it did to the extensions' calls."""
        match event:
            case CallStatusReport(call_id=call_id, members=members):
                if not call_id or call_id in self._finished:
                    return []
                return self._merge(call_id, members, snapshot=False)
            case NewCdrReport(call_id=call_id, cdr=cdr):
                return self._on_cdr(
                    call_id, voicemail=cdr.status is CdrStatus.VOICEMAIL
                )
            case BootUpReport():
                return self.flush(everything=True) + [
                    activity
                    for call in list(self._calls.values())
                    for activity in self._finish(call, report_missed=False)
                ]
        return []

    def flush(self, *, everything: bool = False) -> list[CallActivity]:
        """Tell the missed calls whose record is lost as missed (module docstring)."""
        lost = [
            call_id
            for call_id in self._awaiting_record
            if everything or call_id in self._waited_a_flush
        ]
        told = [
            activity
            for call_id in lost
            for activity in self._awaiting_record.pop(call_id)
        ]
        self._waited_a_flush = set(self._awaiting_record)
        return told

    def load(
        self, calls_by_extension: Mapping[str, Iterable[Call]]
    ) -> list[CallActivity]:
        """Resynchronise from a complete ``extension/query_call`` snapshot.

        Returns the ``ended`` activities of the calls and legs the snapshot no longer has.
        """
        snapshot: dict[str, list[CallMember]] = {}
        for calls in calls_by_extension.values():
            for call in calls:
                if call.call_id:
                    snapshot.setdefault(call.call_id, []).extend(call.members)
        activities: list[CallActivity] = []
        for vanished in [c for c in self._calls.values() if c.call_id not in snapshot]:
            activities += self._finish(vanished, report_missed=False)
        for call_id, members in snapshot.items():
            if call_id not in self._finished:
                activities += self._merge(call_id, members, snapshot=True)
        return [
            activity for activity in activities if activity.kind is ActivityKind.ENDED
        ]

    def reconcile(
        self, calls_by_extension: Mapping[str, Iterable[Call]]
    ) -> list[CallActivity]:
        """End the calls two regular snapshots in a row no longer list (docstring)."""
        listed = {
            call.call_id for calls in calls_by_extension.values() for call in calls
        }
        unlisted = self._calls.keys() - listed
        lost = unlisted & self._unlisted_once
        self._unlisted_once = unlisted - lost
        activities: list[CallActivity] = []
        for call_id in sorted(lost):
            activities += self._finish(self._calls[call_id], report_missed=False)
        return activities

    def clear(self) -> None:
        """Forget every call, finished ones included."""
        self._calls.clear()
        self._by_extension.clear()
        self._finished.clear()
        self._awaiting_record.clear()
        self._waited_a_flush.clear()
        self._unlisted_once.clear()

    def active_calls(self, extension: str) -> tuple[ActiveCall, ...]:
        """Return an extension's calls in progress, in the order they reached it."""
        if not (call_ids := self._by_extension.get(extension)):
            return ()  # most phones, most of the time: asked at every state write
        calls = (self._calls[call_id] for call_id in call_ids)
        return tuple(
            Context(call).active_call(call.call_id, call.extensions[extension])
            for call in calls
        )

    def call(self, call_id: str) -> tuple[ActiveCall, ...]:
        """Return a call in progress as seen from each of its live extensions."""
        if (call := self._calls.get(call_id)) is None:
            return ()
        context = Context(call)
        return tuple(
            context.active_call(call_id, leg)
            for leg in call.extensions.values()
            if not leg.ended
        )

    def channels_for_extension(self, extension: str) -> tuple[str, ...]:
        """Return the channel ids of an extension's calls in progress."""
        return tuple(
            channel_id
            for call_id in self._by_extension.get(extension, ())
            if (channel_id := self._calls[call_id].extensions[extension].channel_id)
        )

    def channels_for_call(self, call_id: str) -> tuple[str, ...]:
        """Return the channel ids of every live leg of a call, extensions first."""
        if (call := self._calls.get(call_id)) is None:
            return ()
        return tuple(
            dict.fromkeys(
                leg.channel_id
                for leg in call.legs()
                if not leg.ended and leg.channel_id
            )
        )

    def is_finished(self, call_id: str) -> bool:
        """Tell whether a call is among the remembered finished ones."""
        return call_id in self._finished

    def _merge(
        self, call_id: str, members: Sequence[CallMember], *, snapshot: bool
    ) -> list[CallActivity]:
        """Merge a report's (or a snapshot's) members into their call."""
        activities: list[CallActivity] = []
        call = self._calls.get(call_id)
        if call is None:
            call = TrackedCall(call_id=call_id)
            changes = self._apply_all(call, members)
            if not call.extensions and not call.trunks:
                return []
            activities += self._admit(call)
        else:
            self._calls[call_id] = self._calls.pop(call_id)  # now the most recent
            changes = self._end_unlisted(call, members) if snapshot else []
            changes += self._apply_all(call, members)
        changes += self._settled_outcomes(call)
        if changes:
            context = Context(call)
            activities += [
                context.activity(kind, call_id, leg) for leg, kind in changes
            ]
        if call.is_over():
            activities += self._finish(call, report_missed=not snapshot)
        return activities

    def _settled_outcomes(self, call: TrackedCall) -> list[_Change]:
        """End the unanswered legs a colleague's answer made sure were not missed."""
        settled = [
            leg
            for leg in call.extensions.values()
            if leg.outcome_due and call.answer_step > leg.ring_step
        ]
        for leg in settled:
            leg.outcome_due = False
        return [(leg, ActivityKind.ENDED) for leg in settled]

    def _apply_all(
        self, call: TrackedCall, members: Iterable[CallMember]
    ) -> list[_Change]:
        """Apply each member to its leg; return the extension changes, in report order."""
        return [change for member in members if (change := self._apply(call, member))]

    def _apply(self, call: TrackedCall, member: CallMember) -> _Change | None:
        """Merge one member into its leg; return the extension activity it causes."""
        is_extension = member.kind is MemberKind.EXTENSION
        if is_extension and not member.number:
            return None
        legs = call.extensions if is_extension else call.trunks
        key = member.number if is_extension else trunk_key(member)
        leg = legs.get(key)
        if leg is None:
            if member.status is None:
                return None
            leg = legs[key] = Leg.from_member(member)
            if member.status is MemberStatus.BYE:  # gone before we saw it live
                leg.status = MemberStatus.BYE
                leg.ended = True
                return None
        elif leg.ended:
            if member.status in {None, MemberStatus.BYE} or member.channel_id in {
                "",
                leg.channel_id,
            }:
                return None  # a late or resent report about the ended leg
            leg.restart(member)
        else:
            leg.merge(member)
        kind = advance(call, leg, member.status)
        if not is_extension or kind is None:
            return None
        if kind is ActivityKind.ENDED:
            self._unindex(leg.number, call.call_id)
            if not leg.answered and not leg.is_caller:
                leg.outcome_due = True  # said when the call is over
                return None
        else:
            self._by_extension.setdefault(leg.number, {})[call.call_id] = None
        return leg, kind

    def _end_unlisted(
        self, call: TrackedCall, members: Sequence[CallMember]
    ) -> list[_Change]:
        """End the live legs a snapshot of the call no longer lists."""
        extensions = {m.number for m in members if m.kind is MemberKind.EXTENSION}
        trunks = {trunk_key(m) for m in members if m.kind is not MemberKind.EXTENSION}
        for key, leg in call.trunks.items():
            if key not in trunks:
                leg.ended = True
        return [
            (leg, self._end(call, leg))
            for number, leg in call.extensions.items()
            if not leg.ended and number not in extensions
        ]

    def _end(self, call: TrackedCall, leg: Leg) -> ActivityKind:
        """End a live extension leg without its BYE."""
        leg.status = MemberStatus.BYE
        leg.ended = True
        self._unindex(leg.number, call.call_id)
        return ActivityKind.ENDED

    def _finish(
        self,
        call: TrackedCall,
        *,
        report_missed: bool,
        voicemail: bool | None = None,
    ) -> list[CallActivity]:
        """End a call: each extension leg's outcome (module docstring); forget the call.

        ``voicemail``: what the call's record says, None when it has not come yet.
        """
        still_live = [leg for leg in call.extensions.values() if not leg.ended]
        for leg in still_live:
            leg.outcome_due = not leg.answered and not leg.is_caller
            self._end(call, leg)
        for leg in call.trunks.values():
            leg.ended = True
        context = Context(call)
        ended: list[CallActivity] = []
        missed: list[CallActivity] = []
        for leg in call.extensions.values():
            if leg.outcome_due:
                missed_it = report_missed and was_missed(call, leg, context)
                (missed if missed_it else ended).append(
                    context.activity(ActivityKind.MISSED, call.call_id, leg)
                    if missed_it
                    else context.activity(ActivityKind.ENDED, call.call_id, leg)
                )
                leg.outcome_due = False
            elif leg in still_live:
                ended.append(context.activity(ActivityKind.ENDED, call.call_id, leg))
        del self._calls[call.call_id]
        self._remember_finished(call.call_id)
        if voicemail is None and missed:
            return ended + self._await_record(call.call_id, missed)
        kind = ActivityKind.VOICEMAIL if voicemail else ActivityKind.MISSED
        return ended + [replace(activity, kind=kind) for activity in missed]

    def _await_record(
        self, call_id: str, missed: list[CallActivity]
    ) -> list[CallActivity]:
        """Keep a call's missed legs until its record says missed or voicemail.

        Returns what waited longest when more calls wait than are remembered.
        """
        self._awaiting_record[call_id] = missed
        overflow: list[CallActivity] = []
        while len(self._awaiting_record) > self._finished_capacity:
            oldest, activities = self._awaiting_record.popitem(last=False)
            self._waited_a_flush.discard(oldest)
            overflow += activities
        return overflow

    def _on_cdr(self, call_id: str, *, voicemail: bool) -> list[CallActivity]:
        """Finish a call when its record arrives (or remember an unseen one as finished)."""
        if (waiting := self._awaiting_record.pop(call_id, None)) is not None:
            self._waited_a_flush.discard(call_id)
            kind = ActivityKind.VOICEMAIL if voicemail else ActivityKind.MISSED
            return [replace(activity, kind=kind) for activity in waiting]
        if not call_id or call_id in self._finished:
            return []
        if (call := self._calls.get(call_id)) is None:
            self._remember_finished(call_id)
            return []
        return self._finish(call, report_missed=True, voicemail=voicemail)

    def _admit(self, call: TrackedCall) -> list[CallActivity]:
        """Start tracking a call, first evicting the least recently updated if full."""
        activities: list[CallActivity] = []
        while len(self._calls) >= self._max_active_calls:
            oldest = next(iter(self._calls.values()))
            activities += self._finish(oldest, report_missed=False)
        self._calls[call.call_id] = call
        return activities

    def _remember_finished(self, call_id: str) -> None:
        """Remember a finished call id, forgetting the oldest beyond the capacity."""
        self._finished[call_id] = None
        if len(self._finished) > self._finished_capacity:
            self._finished.popitem(last=False)

    def _unindex(self, extension: str, call_id: str) -> None:
        """Drop a call from an extension's live calls (every live leg is indexed)."""
        calls = self._by_extension[extension]
        del calls[call_id]
        if not calls:
            del self._by_extension[extension]
