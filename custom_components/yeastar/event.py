"""Event entities: each extension's call activity (ringing, answered, ended, missed)."""

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .entity import YeastarExtensionEntity, async_add_entities_as_items_appear
from .pbx.calls import ActivityKind, CallActivity
from .pbx.models import Extension

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one call event entity per extension, and more as extensions appear."""
    coordinator = entry.runtime_data
    async_add_entities_as_items_appear(
        coordinator,
        lambda data: data.extensions,
        lambda extension: [YeastarCallEvent(coordinator, extension)],
        async_add_entities,
    )


class YeastarCallEvent(YeastarExtensionEntity, EventEntity):
    """Fires when a call to or from the extension rings, is answered, ends, or is missed."""

    _attr_translation_key = "call"
    _attr_event_types = [kind.value for kind in ActivityKind]

    def __init__(self, coordinator: YeastarCoordinator, extension: Extension) -> None:
        """Create the call event entity of one extension."""
        super().__init__(coordinator, extension, "call")

    async def async_added_to_hass(self) -> None:
        """Listen for this extension's call activity."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_activity_listener(
                self.number, self._handle_activity
            )
        )

    @callback
    def _handle_activity(self, activity: CallActivity) -> None:
        """Fire the event with the call's details."""
        self._trigger_event(
            activity.kind.value,
            {
                "call_id": activity.call_id,
                "direction": activity.direction.value,
                "peer_number": activity.peer_number,
                "trunk": activity.trunk_name,
                "did_number": activity.did_number,
            },
        )
        self.async_write_ha_state()
