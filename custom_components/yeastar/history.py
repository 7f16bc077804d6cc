"""The calls that ended: the missed-call list, each extension's last call and missed count.

Built from the PBX's call records (``NewCdr`` as they come, and the CDR download for the
calls that ended while Home Assistant was away), kept in Home Assistant's storage so that
it survives restarts.

- Missed calls: one item per missed inbound or internal call (nobody answered it: no
  answer, voicemail, or busy). An answered call later between the same parties, either
  way round, completes the item; so does the user. The list keeps the newest 200.
- Per extension: the last call (when, the other party, direction, talk time, outcome),
  and how many calls it missed today (local date; it starts again at midnight).

Nothing lost while Home Assistant was away: ``records_until`` is the time up to which
the records are known (each poll moves it to now while reports come in); after a restart
or a re-login the backend downloads the records from ``catch_up_from()``, an hour before
it, so that a call that was in progress then is not lost either (records already seen,
by call id, are skipped). The PBX writes its local time without a zone: ``pbx_zone`` is
the UTC offset the PBX gives with its system time (the backend sets it after each login),
Home Assistant's own zone until then.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .call_records import (
    CALLER_OUTCOMES,
    MISSED_STATUSES,
    OUTCOMES,
    PBX_TIME_FORMAT,
    LastCall,
    MissedCall,
    group_and_answerer,
    pbx_time,
)
from .const import DOMAIN, LOGGER
from .listeners import KeyedListeners
from .names import NameBook
from .pbx import CallActivity, CallDirection, CallType, Cdr, CdrStatus

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 2  # seconds; pending data are written when Home Assistant stops
MISSED_KEPT: Final = 200
SEEN_KEPT: Final = 2000  # call ids already recorded (a record can come twice)
CATCH_UP_MARGIN: Final = timedelta(hours=1)
CATCH_UP_LIMIT: Final = timedelta(days=7)  # older calls are not worth calling back
# Noting how far the records are known happens at every poll: written with the next
# change, at the latest this long after (or when Home Assistant stops).
KNOWN_UNTIL_SAVE_DELAY: Final = 600
MISSED_LIST: Final = "missed_list"


class CallHistory:
    """The ended calls of one PBX (module docstring), stored, with their listeners."""

    def __init__(self, hass: HomeAssistant, entry_id: str, names: NameBook) -> None:
        """Use the entry's storage; ``names`` says whose numbers are whose."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.calls"
        )
        self.names = names
        self.missed: dict[str, MissedCall] = {}
        self.last_calls: dict[str, LastCall] = {}
        self._missed_days: dict[str, tuple[str, int]] = {}
        self.records_until = ""  # ISO time (UTC) up to which the records are known
        self.pbx_zone: tzinfo = dt_util.get_default_time_zone()
        self._seen: deque[str] = deque(maxlen=SEEN_KEPT)
        self._listeners: KeyedListeners[[]] = KeyedListeners()

    async def async_load(self) -> None:
        """Read what the history kept."""
        stored = await self._store.async_load() or {}
        self.missed = {
            item["uid"]: MissedCall(**item) for item in stored.get("missed", [])
        }
        self.last_calls = {
            number: LastCall(**call)
            for number, call in stored.get("last_calls", {}).items()
        }
        self._missed_days = {
            number: (day, count)
            for number, (day, count) in stored.get("missed_days", {}).items()
        }
        self.records_until = stored.get("records_until", "")
        self._seen.extend(stored.get("seen", []))

    async def async_save(self) -> None:
        """Write what the history holds now (the entry unloads)."""
        await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            "missed": [asdict(item) for item in self.missed.values()],
            "last_calls": {n: asdict(call) for n, call in self.last_calls.items()},
            "missed_days": self._missed_days,
            "records_until": self.records_until,
            "seen": list(self._seen),
        }

    @callback
    def _changed(self, keys: Iterable[str]) -> None:
        """Save soon, and tell the listeners of what changed."""
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for key in keys:
            self._listeners.notify(key)

    # ---------------------------------------------------------------- records

    @callback
    def record(
        self, cdr: Cdr, *, extensions: Iterable[str], rang: Iterable[str]
    ) -> None:
        """Take a finished call's record (once per call).

        ``extensions``: the office's extension numbers; ``rang``: the extensions known
        to have rung and missed it (from the call's reports, or none).
        """
        if not cdr.call_id or cdr.call_id in self._seen:
            return
        self._seen.append(cdr.call_id)
        when = pbx_time(cdr.time_start, self.pbx_zone) or dt_util.now()
        known = set(extensions)
        group, answerer = group_and_answerer(cdr.call_to)
        called = {group} if cdr.status in MISSED_STATUSES else set()
        missed_by = (set(rang) | called) & known
        touched = self._last_calls(cdr, when, known, group, answerer, missed_by)
        touched |= self._count_missed(missed_by, dt_util.as_local(when).date())
        if cdr.status in MISSED_STATUSES and cdr.call_type in (
            CallType.INBOUND,
            CallType.INTERNAL,
        ):
            self._add_missed(cdr, when, group, missed_by)
            touched.add(MISSED_LIST)
        elif cdr.status is CdrStatus.ANSWERED and self._settle(cdr, group, answerer):
            touched.add(MISSED_LIST)
        self._changed(touched)

    def _last_calls(
        self,
        cdr: Cdr,
        when: datetime,
        known: set[str],
        group: str,
        answerer: str,
        missed_by: set[str],
    ) -> set[str]:
        """Note the call as the last one of each extension it involved."""
        called = {group, answerer, *missed_by}
        touched = set()
        for number in (called | {cdr.call_from}) & known:
            is_caller = number == cdr.call_from
            if cdr.call_type is CallType.INTERNAL:
                direction = "internal"
            else:
                direction = "outbound" if is_caller else "inbound"
            if is_caller:
                outcome = CALLER_OUTCOMES[cdr.status]
            elif number in missed_by:
                outcome = "voicemail" if cdr.status is CdrStatus.VOICEMAIL else "missed"
            else:
                outcome = OUTCOMES[cdr.status]
            self.last_calls[number] = LastCall(
                when=dt_util.as_utc(when).isoformat(),
                number=group if is_caller else cdr.call_from,
                direction=direction,
                duration=cdr.talk_duration or 0,
                outcome=outcome,
            )
            touched.add(number)
        return touched

    def _count_missed(self, missed_by: set[str], day: date) -> set[str]:
        """Count a missed call for each extension that missed it (on its day)."""
        for number in missed_by:
            self._missed_days[number] = (
                day.isoformat(),
                self.missed_today(number, day) + 1,
            )
        return missed_by

    def _add_missed(
        self, cdr: Cdr, when: datetime, group: str, missed_by: set[str]
    ) -> None:
        """Put a missed call on the list (the newest ``MISSED_KEPT`` are kept)."""
        self.missed[cdr.call_id] = MissedCall(
            uid=cdr.call_id,
            when=dt_util.as_utc(when).isoformat(),
            caller=cdr.call_from,
            target=group,
            rang=sorted(missed_by),
            voicemail=cdr.status is CdrStatus.VOICEMAIL,
            internal=cdr.call_type is CallType.INTERNAL,
        )
        while len(self.missed) > MISSED_KEPT:
            del self.missed[next(iter(self.missed))]

    def _settle(self, cdr: Cdr, group: str, answerer: str) -> bool:
        """Complete the missed calls an answered call between the same parties settles."""
        sides = {self.names.key(cdr.call_from), self.names.key(group)}
        if answerer:
            sides.add(self.names.key(answerer))
        settled = [
            item.uid
            for item in self.missed.values()
            if self.names.key(item.caller) in sides
            and sides & {self.names.key(n) for n in (item.target, *item.rang)}
        ]
        for uid in settled:
            LOGGER.debug("Missed call %s settled by call %s", uid, cdr.call_id)
            del self.missed[uid]
        return bool(settled)

    @callback
    def record_lost(
        self, missed: Iterable[CallActivity], *, extensions: Iterable[str]
    ) -> None:
        """Take missed calls whose record never came, from what their reports said."""
        by_call: dict[str, list[CallActivity]] = {}
        for activity in missed:
            by_call.setdefault(activity.call_id, []).append(activity)
        for call_id, activities in by_call.items():
            rang = sorted({activity.extension for activity in activities})
            first = activities[0]
            self.record(
                Cdr(
                    call_id=call_id,
                    time_start=self.pbx_now_text(),
                    call_from=first.peer_number,
                    call_to=rang[0] if len(rang) == 1 else "",
                    call_duration=None,
                    talk_duration=None,
                    source_trunk=first.trunk_name,
                    destination_trunk="",
                    pin_code="",
                    status=CdrStatus.NO_ANSWER,
                    call_type=CallType.INBOUND
                    if first.direction is CallDirection.INBOUND
                    else CallType.INTERNAL,
                    recording="",
                    did_number=first.did_number,
                    agent_ring_time="",
                ),
                extensions=extensions,
                rang=rang,
            )

    # --------------------------------------------------------------- catching up

    def pbx_now_text(self) -> str:
        """Return the time now as the PBX writes it (its local time)."""
        return dt_util.now().astimezone(self.pbx_zone).strftime(PBX_TIME_FORMAT)

    def catch_up_from(self) -> datetime | None:
        """Return from when to download records (None: never caught up, start now)."""
        try:
            until = datetime.fromisoformat(self.records_until)
        except ValueError:
            return None
        if until.tzinfo is None:  # not written by this version: start again now
            return None
        return max(until - CATCH_UP_MARGIN, dt_util.now() - CATCH_UP_LIMIT)

    @callback
    def known_until(self, when: datetime) -> None:
        """Note that every record up to ``when`` is known."""
        self.records_until = dt_util.as_utc(when).isoformat()
        self._store.async_delay_save(self._data, KNOWN_UNTIL_SAVE_DELAY)

    # ------------------------------------------------------------ the list, stats

    @callback
    def complete(self, uid: str) -> bool:
        """Take a missed call off the list (the user called back); False if unknown."""
        if self.missed.pop(uid, None) is None:
            return False
        self._changed([MISSED_LIST])
        return True

    def missed_today(self, number: str, today: date | None = None) -> int:
        """Return how many calls an extension missed today (local date)."""
        day, count = self._missed_days.get(number, ("", 0))
        return count if day == (today or dt_util.now().date()).isoformat() else 0

    @callback
    def listen(self, key: str, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Listen for changes of an extension's history, or of the missed list."""
        return self._listeners.add(key, listener)

    @callback
    def new_day(self) -> None:
        """Tell every extension's listeners that the day's count starts again."""
        self._changed(self._missed_days)

    async def async_remove(self) -> None:
        """Forget the stored history (the entry is removed)."""
        await self._store.async_remove()
