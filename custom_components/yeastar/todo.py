"""The call-back list: a to-do item for every missed call, ticked off once called back.

Its items come from the call history (``history.py``), which keeps them across restarts.
Ticking an item off (or deleting it) takes the call off the list; an answered call
between the same parties later does it by itself. Items cannot be added or edited: the
PBX's calls make them.
"""

from datetime import datetime

from homeassistant.components.todo import (
    TodoItem,
    TodoItemStatus,
    TodoListEntity,
    TodoListEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_records import MissedCall
from .const import DOMAIN
from .coordinator import YeastarConfigEntry
from .entity import YeastarEntity, YeastarEntityDescription, pbx_device_info
from .history import MISSED_LIST
from .names import with_name
from .wording import local_time, party, text

PARALLEL_UPDATES = 0

MISSED_CALLS = YeastarEntityDescription(
    key="missed_calls",
    translation_key="missed_calls",
    needs_pbx=False,
    listen=lambda runtime, _key, listener: runtime.office.history.listen(
        MISSED_LIST, listener
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the PBX's missed-call list."""
    runtime = entry.runtime_data
    pbx = pbx_device_info(entry, runtime.coordinator.data.identity)
    async_add_entities([YeastarMissedCalls(runtime, MISSED_CALLS, pbx)])


class YeastarMissedCalls(YeastarEntity, TodoListEntity):
    """The missed calls nobody has called back yet, newest first."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    @property
    def todo_items(self) -> list[TodoItem]:
        """Return one item per missed call."""
        calls = self.office.history.missed.values()
        return [self._item(call) for call in reversed(list(calls))]

    def _item(self, call: MissedCall) -> TodoItem:
        """Describe a missed call: the caller, then when and what it rang."""
        hass, names = self.hass, self.office.names
        if call.caller:
            summary = with_name(call.caller, names.name_of(call.caller))
        else:
            summary = text(hass, "unknown_caller")
        details = {
            "time": local_time(datetime.fromisoformat(call.when)),
            "target": party(hass, call.target, names.name_of(call.target)),
            "rang": ", ".join(names.describe(number) for number in call.rang),
        }
        key = "missed_item"
        if call.rang and call.rang != [call.target]:
            key += "_rang"
        if call.voicemail:
            key += "_voicemail"
        return TodoItem(
            uid=call.uid,
            summary=summary,
            description=text(hass, key, **details),
            status=TodoItemStatus.NEEDS_ACTION,
        )

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Take a call off the list when it is ticked off; nothing else can change."""
        if item.uid is None or item.uid not in self.office.history.missed:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="missed_call_not_found"
            )
        if item.status != TodoItemStatus.COMPLETED:  # the action gives a string
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="missed_call_read_only"
            )
        self.office.history.complete(item.uid)

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Take calls off the list."""
        unknown = [uid for uid in uids if uid not in self.office.history.missed]
        if unknown:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="missed_call_not_found"
            )
        for uid in uids:
            self.office.history.complete(uid)
