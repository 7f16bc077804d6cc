"""Logbook lines in words for every call event ("missed a call from Plumber (06...)").

The event entities' own lines ("Call detected an event") stay; these say what happened.
"""

from collections.abc import Callable

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .call_events import (
    ATTR_DIRECTION,
    ATTR_EXTENSION,
    ATTR_IS_CALLER,
    ATTR_PEER_NAME,
    ATTR_PEER_NUMBER,
    ATTR_TYPE,
    EVENT_CALL,
)
from .const import DOMAIN
from .pbx import ActivityKind, CallDirection
from .wording import call_sentence, text


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the call events."""
    registry = dr.async_get(hass)

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        device = registry.async_get(str(data.get(ATTR_DEVICE_ID, "")))
        if device is not None:
            name = device.name_by_user or device.name or ""
        else:  # the extension was deleted since
            name = text(hass, "extension", number=str(data.get(ATTR_EXTENSION, "")))
        try:
            kind = ActivityKind(str(data.get(ATTR_TYPE)))
        except ValueError:
            kind = ActivityKind.ENDED
        return {
            LOGBOOK_ENTRY_NAME: name,
            LOGBOOK_ENTRY_MESSAGE: call_sentence(
                hass,
                kind,
                peer_number=str(data.get(ATTR_PEER_NUMBER, "")),
                peer_name=str(data.get(ATTR_PEER_NAME, "")),
                is_caller=bool(data.get(ATTR_IS_CALLER)),
                inbound=data.get(ATTR_DIRECTION) == CallDirection.INBOUND,
            ),
        }

    async_describe_event(DOMAIN, EVENT_CALL, describe)
