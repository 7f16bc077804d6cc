"""Device triggers for the call events of an extension: "Reception (1000) missed a call".

They start automations from the ``yeastar_call`` bus events (``call_events.py``): the
same moments as the extension's call event entity, for the device page's automation
editor and for Home Assistant releases whose automations cannot trigger on an event
entity's event type.
"""

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    ATTR_DEVICE_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .call_events import ATTR_TYPE, EVENT_CALL
from .compat import device_entry_ids
from .const import DOMAIN
from .identifiers import extension_of
from .pbx import ActivityKind

TRIGGER_TYPES: Final = [kind.value for kind in ActivityKind]
TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES)}
)


def is_extension_device(hass: HomeAssistant, device: dr.DeviceEntry) -> bool:
    """Tell whether a device is an extension of one of the PBXs set up."""
    serials = {
        entry.unique_id
        for entry_id in device_entry_ids(device)
        if (entry := hass.config_entries.async_get_entry(entry_id)) is not None
        and entry.domain == DOMAIN
        and entry.unique_id
    }
    return any(
        extension_of(identifier, serial) is not None
        for identifier in device.identifiers
        for serial in serials
    )


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """Return the call triggers of an extension's device (none for other devices)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None or not is_extension_device(hass, device):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Run the action when the device's extension has that call event."""
    return await event_trigger.async_attach_trigger(
        hass,
        event_trigger.TRIGGER_SCHEMA(
            {
                CONF_PLATFORM: "event",
                event_trigger.CONF_EVENT_TYPE: EVENT_CALL,
                CONF_EVENT_DATA: {
                    ATTR_DEVICE_ID: config[CONF_DEVICE_ID],
                    ATTR_TYPE: config[CONF_TYPE],
                },
            }
        ),
        action,
        trigger_info,
        platform_type="device",
    )
