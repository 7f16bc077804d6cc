"""How a change to a config entry takes effect.

New connection data (host, credentials, a newly trusted certificate) need a new login:
the entry reloads. New options (poll interval, callback address, accepted report
addresses, the phone book and country code) apply to the running entry at once. Flows and repairs only store the change;
the entry's update listener applies it. That listener exists only while the entry is
loaded, so storing connection data also schedules the reload itself when no listener
will see the change (an entry that failed to set up, or data stored unchanged).
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .const import CONF_COUNTRY_CODE, CONF_PHONE_BOOK
from .coordinator import YeastarConfigEntry, poll_interval
from .names import calling_code
from .office import Office


@callback
def async_store_connection(
    hass: HomeAssistant, entry: ConfigEntry[Any], data: Mapping[str, Any]
) -> None:
    """Store new connection data; the entry reloads to use them."""
    changed = hass.config_entries.async_update_entry(entry, data=dict(data))
    if not changed or entry.state is not ConfigEntryState.LOADED:
        hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_entry_updated(hass: HomeAssistant, entry: YeastarConfigEntry) -> None:
    """Apply a change to a loaded entry: reload for new connection data, else options."""
    runtime = entry.runtime_data
    if dict(entry.data) != runtime.entry_data:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    runtime.coordinator.update_interval = poll_interval(entry.options)
    runtime.backend.async_apply_options(entry.options)
    runtime.reports.async_apply_options(dict(entry.options))
    async_apply_phone_book(hass, entry, runtime.office)
    runtime.coordinator.async_update_listeners()  # names may have changed


@callback
def async_apply_phone_book(
    hass: HomeAssistant, entry: ConfigEntry[Any], office: Office
) -> None:
    """Give the office the user's phone book and the country calling code."""
    office.set_phone_book(
        office_calling_code(hass, entry.options),
        entry.options.get(CONF_PHONE_BOOK, {}),
    )


def office_calling_code(hass: HomeAssistant, options: Mapping[str, Any]) -> str:
    """Return the office's country calling code: the options', else the country's."""
    return str(options.get(CONF_COUNTRY_CODE) or calling_code(hass.config.country))
