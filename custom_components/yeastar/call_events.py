"""Every call event on Home Assistant's bus as well: for the logbook and device triggers.

Each thing that happens in an extension's calls (``CallActivity``) is shown by the
extension's call event entity (``event.py``) and fired as a ``yeastar_call`` bus event
naming the extension's device, which the logbook describes in words (``logbook.py``) and
device triggers start automations from (``device_trigger.py``). Both carry the same
details (``call_details``), the other party's name among them.
"""

from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .compat import async_get_entry_device
from .const import DOMAIN
from .coordinator import YeastarConfigEntry
from .identifiers import extension_identifier
from .names import NameBook
from .pbx import CallActivity

EVENT_CALL: Final = f"{DOMAIN}_call"
ATTR_TYPE: Final = "type"
ATTR_DIRECTION: Final = "direction"
ATTR_EXTENSION: Final = "extension"
ATTR_PEER_NUMBER: Final = "peer_number"
ATTR_PEER_NAME: Final = "peer_name"
ATTR_IS_CALLER: Final = "is_caller"


def call_details(activity: CallActivity, names: NameBook) -> dict[str, Any]:
    """Return what a call event says about its call."""
    return {
        "call_id": activity.call_id,
        ATTR_DIRECTION: activity.direction.value,
        ATTR_PEER_NUMBER: activity.peer_number,
        ATTR_PEER_NAME: names.name_of(activity.peer_number) or "",
        ATTR_IS_CALLER: activity.is_caller,
        "trunk": activity.trunk_name,
        "did_number": activity.did_number,
    }


@callback
def async_fire_call_events(
    hass: HomeAssistant, entry: YeastarConfigEntry
) -> CALLBACK_TYPE:
    """Fire a bus event for everything that happens in a call; return the remover."""
    runtime = entry.runtime_data
    registry = dr.async_get(hass)

    @callback
    def fire(activity: CallActivity) -> None:
        device = async_get_entry_device(
            registry,
            extension_identifier(runtime.serial_number, activity.extension),
            entry.entry_id,
        )
        if device is None:  # an extension Home Assistant has not added yet
            return
        hass.bus.async_fire(
            EVENT_CALL,
            {
                ATTR_DEVICE_ID: device.id,
                ATTR_TYPE: activity.kind.value,
                ATTR_EXTENSION: activity.extension,
            }
            | call_details(activity, runtime.office.names),
        )

    return runtime.office.listen_all_calls(fire)
