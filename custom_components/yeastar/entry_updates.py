"""How a change to a config entry takes effect.

New connection data (host, credentials, a newly trusted certificate) need a new login:
the entry reloads. New options (poll interval, callback address, accepted report
addresses) apply to the running entry at once. Flows and repairs only store the change;
the entry's update listener applies it. That listener exists only while the entry is
loaded, so storing connection data also schedules the reload itself when no listener
will see the change (an entry that failed to set up, or data stored unchanged).
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .coordinator import YeastarConfigEntry, poll_interval


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
