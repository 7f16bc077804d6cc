"""The office as Home Assistant sees it: the PBX, its extensions and trunks, their states.

Protocol-neutral: a backend (``sseries.py`` for the S-Series) fills it with what the PBX
says, in these terms, and every entity reads from it. Two kinds of change come in:

- ``load``: the whole inventory, from the reconciliation poll; it is the truth, so it
  replaces everything pushed since;
- pushed changes, one extension at a time (``set_phone``, ``apply_activities``), which
  notify only the listeners of that extension.

What an extension's phone is doing (``phone_state``) is derived from the PBX's word for it
and the calls in progress the PBX reported: the PBX's word has no hold state, and a phone
that refreshes its registration during a call says it is idle although the call goes on.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from homeassistant.core import CALLBACK_TYPE, callback

from .listeners import KeyedListeners
from .pbx import ActiveCall, CallActivity, CallState


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
    """Everything the poll reads: the PBX, its extensions and its trunks."""

    identity: PbxIdentity
    extensions: Mapping[str, ExtensionInfo]
    trunks: Mapping[str, TrunkInfo]


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

    def __init__(self, calls: CallView) -> None:
        """Start empty; ``calls`` answers which calls each extension is in."""
        self._calls = calls
        self._inventory: OfficeInventory | None = None
        self._pushed: dict[str, PhoneState | None] = {}
        self._phone_listeners: KeyedListeners[[]] = KeyedListeners()
        self._activity_listeners: KeyedListeners[[CallActivity]] = KeyedListeners()

    @property
    def inventory(self) -> OfficeInventory:
        """Return the inventory of the last poll (there is one once set up)."""
        if self._inventory is None:
            raise RuntimeError("the office has not been read yet")
        return self._inventory

    @callback
    def load(self, inventory: OfficeInventory) -> None:
        """Take a new inventory: it replaces what was pushed since the last one."""
        self._inventory = inventory
        self._pushed.clear()

    def phone_state(self, number: str) -> PhoneState | None:
        """Return what an extension's phone is doing (None: the PBX's word is unknown)."""
        if number in self._pushed:
            reported = self._pushed[number]
        else:
            reported = self.inventory.extensions[number].phone
        return phone_state(reported, self._calls.active_calls(number))

    @callback
    def set_phone(self, number: str, reported: PhoneState | None) -> bool:
        """Take what the PBX pushed about a phone; False for an extension not known yet."""
        if number not in self.inventory.extensions:
            return False
        self._pushed[number] = reported
        self._phone_listeners.notify(number)
        return True

    @callback
    def apply_activities(self, activities: list[CallActivity]) -> None:
        """Tell the extensions concerned what happened in their calls."""
        for activity in activities:
            self._phone_listeners.notify(activity.extension)
            self._activity_listeners.notify(activity.extension, activity)

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
