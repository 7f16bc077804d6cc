"""Event entities: each extension's call activity (ringing, answered, ended, missed ...)."""

from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_events import call_details
from .coordinator import YeastarConfigEntry
from .entity import (
    YeastarEntityDescription,
    YeastarExtensionEntity,
    async_add_extension_entities,
)
from .pbx import ActivityKind, CallActivity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ExtensionEventDescription(EventEntityDescription, YeastarEntityDescription):
    """An event entity of every extension."""


EXTENSION_EVENTS: tuple[ExtensionEventDescription, ...] = (
    ExtensionEventDescription(
        key="call",
        translation_key="call",
        event_types=[kind.value for kind in ActivityKind],
        listen=lambda runtime, number, listener: runtime.office.listen_calls(
            number, listener
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the call event entities, and more as extensions appear."""
    async_add_extension_entities(
        entry, EXTENSION_EVENTS, YeastarCallEvent, async_add_entities
    )


class YeastarCallEvent(YeastarExtensionEntity, EventEntity):
    """Fires when a call to or from the extension rings, is answered, ends, or is missed."""

    entity_description: ExtensionEventDescription

    @callback
    def _handle_push(self, activity: CallActivity) -> None:
        """Fire the event with the call's details."""
        self._trigger_event(
            activity.kind.value, call_details(activity, self.office.names)
        )
        self.async_write_ha_state()
