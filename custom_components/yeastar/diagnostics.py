"""Diagnostics of a PBX entry: its state, the event path's counters, secrets redacted.

Redacted: the API username and password, the webhook id (anyone who knows it can post
reports) wherever it appears, the pinned certificate fingerprint. The API token is
never included.
"""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_TLS_FINGERPRINT
from .coordinator import YeastarConfigEntry, YeastarCoordinator

TO_REDACT = {CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID, CONF_TLS_FINGERPRINT}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: YeastarConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of a PBX entry."""
    coordinator = entry.runtime_data
    data = coordinator.data
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": async_redact_data(entry.options, TO_REDACT),
        },
        "device": data.device.to_dict(),
        "extensions": {
            number: extension.to_dict() for number, extension in data.extensions.items()
        },
        "trunks": {name: trunk.to_dict() for name, trunk in data.trunks.items()},
        "active_calls": _active_calls(coordinator),
        "event_path": {
            "report_destination": _report_destination(coordinator),
            "pbx_addresses": sorted(coordinator.pbx_addresses),
            "reports": asdict(coordinator.reports),
        },
        "connection": {
            "logged_in": coordinator.client.token is not None,
            "last_update_success": coordinator.last_update_success,
            **asdict(coordinator.times),
        },
    }


def _active_calls(coordinator: YeastarCoordinator) -> dict[str, list[dict[str, Any]]]:
    """Return the calls in progress the tracker knows, by extension (busy ones only)."""
    calls = {
        number: [asdict(call) for call in coordinator.tracker.active_calls(number)]
        for number in coordinator.data.extensions
    }
    return {
        number: extension_calls
        for number, extension_calls in calls.items()
        if extension_calls
    }


def _report_destination(coordinator: YeastarCoordinator) -> dict[str, Any] | None:
    """Return where the PBX is told to post reports; the path holds the webhook id."""
    if (destination := coordinator.client.report_destination) is None:
        return None
    return asdict(destination) | {"url": REDACTED}
