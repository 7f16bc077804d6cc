"""The office as Home Assistant sees it: the PBX, its extensions and trunks, their states.

Protocol-neutral: a backend (``sseries.py`` for the S-Series) fills it with what the PBX
says, in these terms, and every entity reads from it. Two kinds of change come in:

- ``load``: the whole inventory, from the reconciliation poll; it is the truth, so it
  replaces everything pushed before it read the phones (what was pushed while the poll
  was on its way is newer, and stays);
- pushed changes, one extension at a time (``set_phone``, ``apply_activities``), which
  notify only the listeners of that extension.

What an extension's phone is doing (``phone_state``) is derived from the PBX's word for it
and the calls in progress the PBX reported: the PBX's word has no hold state, and a phone
that refreshes its registration during a call says it is idle although the call goes on.

The office also knows whose numbers are whose (``names.py``: the extensions, the PBX's
contacts, the user's phone book) and keeps the calls that ended (``history.py``), which
the backend hands over as call records.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

from homeassistant.core import CALLBACK_TYPE, callback

from .history import CallHistory
from .listeners import KeyedListeners
from .names import NameBook
from .pbx import ActiveCall, ActivityKind, CallActivity, CallState, Cdr

# The listeners' key for every extension's calls (no extension number has a "*").
EVERY_EXTENSION: Final = "*"


class PhoneState(StrEnum):
    """What an extension's phone is doing (the extension status sensor's states)."""

    IDLE = "idle"
    RINGING = "ringing"
    BUSY = "busy"
    ON_HOLD = "on_hold"
    OFFLINE = "offline"
    MALFUNCTION = "malfunction"


@dataclass(frozen=True, slots=True, kw_only=True)
class PbxIdentity:
    """Who the PBX is."""

    serial_number: str
    model: str
    firmware: str
    hardware: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionInfo:
    """One extension: who uses it, what kind of line, what the PBX says of its phone.

    ``phone`` is None for a word the backend does not know (the state is then unknown);
    ``pbx_status`` keeps the PBX's own word.
    """

    number: str
    name: str
    kind: str
    phone: PhoneState | None
    pbx_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TrunkInfo:
    """One trunk: its kind and its state (a trunk status sensor state, None if unknown)."""

    name: str
    kind: str
    state: str | None
    pbx_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeInventory:
    """Everything the poll reads: the PBX, its extensions, trunks and contacts.

    ``contacts``: (number, name) of every number of the PBX's company contacts.
    ``pushes_seen``: the office's ``pushes`` when the poll read the phones; the phone
    changes pushed after that are newer than the inventory (None: none is).
    """

    identity: PbxIdentity
    extensions: Mapping[str, ExtensionInfo]
    trunks: Mapping[str, TrunkInfo]
    contacts: tuple[tuple[str, str], ...] = ()
    pushes_seen: int | None = None


class CallView(Protocol):
    """The calls in progress, as a backend tracks them."""

    def active_calls(self, extension: str) -> tuple[ActiveCall, ...]:
        """Return an extension's calls in progress."""


def phone_state(
    reported: PhoneState | None, calls: tuple[ActiveCall, ...]
) -> PhoneState | None:
    """Return what a phone is doing from the PBX's word for it and its calls in progress."""
    if reported in (None, PhoneState.OFFLINE, PhoneState.MALFUNCTION) or not calls:
        return reported
    states = {call.state for call in calls}
    if CallState.TALKING in states or CallState.DIALING in states:
        return PhoneState.BUSY
    if CallState.ON_HOLD in states:
        return PhoneState.ON_HOLD
    return PhoneState.RINGING if reported is PhoneState.IDLE else reported


class Office:
    """The office's state, and who to tell when a part of it changes."""

    def __init__(self, calls: CallView, history: CallHistory) -> None:
        """Start empty; ``calls`` answers which calls each extension is in."""
        self._calls = calls
        self.history = history
        self.names: NameBook = history.names
        self._inventory: OfficeInventory | None = None
        # Each phone's pushed state, with its place in the order of pushes.
        self._pushed: dict[str, tuple[int, PhoneState | None]] = {}
        self.pushes = 0  # phone changes pushed so far
        self._phone_listeners: KeyedListeners[[]] = KeyedListeners()
        self._activity_listeners: KeyedListeners[[CallActivity]] = KeyedListeners()
        self._calling_code = ""
        self._phone_book: Mapping[str, str] = {}

    @property
    def inventory(self) -> OfficeInventory:
        """Return the inventory of the last poll (there is one once set up)."""
        if self._inventory is None:
            raise RuntimeError("the office has not been read yet")
        return self._inventory

    @callback
    def load(self, inventory: OfficeInventory) -> None:
        """Take a new inventory: it replaces what was pushed before it read the phones."""
        self._inventory = inventory
        seen = inventory.pushes_seen
        self._pushed = {
            number: pushed
            for number, pushed in self._pushed.items()
            if seen is not None and pushed[0] > seen and number in inventory.extensions
        }
        self._rebuild_names()

    @callback
    def set_phone_book(self, calling_code: str, phone_book: Mapping[str, str]) -> None:
        """Take the user's phone book and the office's country calling code."""
        self._calling_code, self._phone_book = calling_code, phone_book
        if self._inventory is not None:
            self._rebuild_names()

    def _rebuild_names(self) -> None:
        """Learn every number's name again from every source."""
        self.names.rebuild(
            code=self._calling_code,
            phone_book=self._phone_book,
            extensions={
                number: info.name for number, info in self.inventory.extensions.items()
            },
            contacts=self.inventory.contacts,
        )

    def describe(self, number: str) -> str:
        """Return a number with its name when one is known."""
        return self.names.describe(number)

    def phone_state(self, number: str) -> PhoneState | None:
        """Return what an extension's phone is doing (None: the PBX's word is unknown)."""
        if (pushed := self._pushed.get(number)) is not None:
            reported = pushed[1]
        else:
            reported = self.inventory.extensions[number].phone
        return phone_state(reported, self._calls.active_calls(number))

    @callback
    def set_phone(self, number: str, reported: PhoneState | None) -> bool:
        """Take what the PBX pushed about a phone; False for an extension not known yet."""
        if number not in self.inventory.extensions:
            return False
        self.pushes += 1
        self._pushed[number] = (self.pushes, reported)
        self._phone_listeners.notify(number)
        return True

    @callback
    def apply_activities(self, activities: list[CallActivity]) -> None:
        """Tell the extensions concerned what happened in their calls."""
        for activity in activities:
            self._phone_listeners.notify(activity.extension)
            self._activity_listeners.notify(activity.extension, activity)
            self._activity_listeners.notify(EVERY_EXTENSION, activity)

    @callback
    def record_calls(
        self, records: Iterable[Cdr], activities: Iterable[CallActivity] = ()
    ) -> None:
        """Keep finished calls' records; ``activities`` tell who missed them."""
        rang: dict[str, set[str]] = {}
        for activity in activities:
            if activity.kind in (ActivityKind.MISSED, ActivityKind.VOICEMAIL):
                rang.setdefault(activity.call_id, set()).add(activity.extension)
        extensions = self.inventory.extensions.keys()
        for record in records:
            self.history.record(
                record, extensions=extensions, rang=rang.get(record.call_id, ())
            )

    @callback
    def listen_phone(self, number: str, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Listen for pushed changes of one phone's state; return the remover."""
        return self._phone_listeners.add(number, listener)

    @callback
    def listen_calls(
        self, number: str, listener: Callable[[CallActivity], None]
    ) -> CALLBACK_TYPE:
        """Listen for what happens in one extension's calls; return the remover."""
        return self._activity_listeners.add(number, listener)

    @callback
    def listen_all_calls(
        self, listener: Callable[[CallActivity], None]
    ) -> CALLBACK_TYPE:
        """Listen for what happens in every extension's calls; return the remover."""
        return self._activity_listeners.add(EVERY_EXTENSION, listener)
